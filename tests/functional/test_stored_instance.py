"""Pages never read a version's stored solver instance; only its download does (issue 16)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event, ScheduleInstance
from tests.agenda_world import World, make_world
from tests.functional.helpers import login, sql_statements

pytestmark = pytest.mark.dates


def _reads_instance(statement: str) -> bool:
    return "schedule_instances" in statement or "schedule_versions.instance" in statement


def test_agenda_and_schedule_pages_never_load_the_instance(
    app: Flask, client: FlaskClient, dbs: Session, event: Event
):
    world: World = make_world(dbs, event)
    world.version.instance = {"event": {"name": "x"}, "participants": ["p"] * 2000}
    dbs.flush()
    stored = dbs.get(ScheduleInstance, world.version.id)
    assert stored is not None and len(stored.data) < 1000  # compressed
    login(client, "buyer@example.kz", "buyer-password-1")
    with sql_statements(app) as seen:
        assert client.get(f"/company/events/{event.slug}/agenda").status_code == 200
        assert client.get(f"/company/events/{event.slug}/agenda.ics").status_code == 200
    assert seen and not any(_reads_instance(s) for s in seen)

    with client.session_transaction() as state:
        state.clear()
    login(client, "org@example.org", "organiser-password")  # the world's organiser
    base = f"/organiser/events/{event.slug}/schedule"
    with sql_statements(app) as seen:
        assert client.get(f"{base}/").status_code == 200
        assert client.get(f"{base}/{world.version.number}").status_code == 200
    assert seen and not any(_reads_instance(s) for s in seen)
    download = client.get(f"{base}/{world.version.number}/instance.json")
    assert download.get_json()["participants"] == ["p"] * 2000
