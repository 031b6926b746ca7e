"""The daily summary goes to the event's own organisers, not to those of other events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from matchmaking import jobs
from matchmaking.models import Event
from tests.agenda_world import Inbox, make_world, smtp
from tests.conftest import make_event
from tests.functional.helpers import make_staff

__all__ = ["smtp"]


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def test_summary_only_to_the_events_organisers(
    dbs: Session, event: Event, ctx: None, smtp: Inbox
) -> None:
    world = make_world(dbs, event)  # its organiser organises this event
    other = make_event(dbs, "other")
    make_staff(dbs, "organiser", "elsewhere@example.org", events=[other])
    make_staff(dbs, "admin", "admin@example.org")
    retired = make_staff(dbs, "organiser", "retired@example.org", events=[event])
    retired.active = False
    dbs.flush()
    due = datetime.combine(event.start_date, datetime.min.time(), tzinfo=event.tz).replace(
        hour=event.summary_hour
    )
    assert jobs.send_daily_summary(dbs, due) == 1
    assert smtp.recipients() == [world.organiser.email]
