"""Pages never read a version's stored solver instance; only its download does (issue 16)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from matchmaking.extensions import db
from matchmaking.models import Event, ScheduleInstance
from tests.agenda_world import World, make_world
from tests.functional.helpers import login

pytestmark = pytest.mark.dates


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)


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
    with statements(app) as seen:
        assert client.get(f"/company/events/{event.slug}/agenda").status_code == 200
        assert client.get(f"/company/events/{event.slug}/agenda.ics").status_code == 200
    assert seen and not any(_reads_instance(s) for s in seen)

    with client.session_transaction() as state:
        state.clear()
    login(client, "org@example.org", "organiser-password")  # the world's organiser
    base = f"/organiser/events/{event.slug}/schedule"
    with statements(app) as seen:
        assert client.get(f"{base}/").status_code == 200
        assert client.get(f"{base}/{world.version.number}").status_code == 200
    assert seen and not any(_reads_instance(s) for s in seen)
    download = client.get(f"{base}/{world.version.number}/instance.json")
    assert download.get_json()["participants"] == ["p"] * 2000
