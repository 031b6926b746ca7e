"""An event day's figures count that day in the event's timezone, and deals once per meeting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from matchmaking.models import Event, Outcome, Slot
from matchmaking.services.reporting import DaySummary, count_deals, day_summary
from tests.agenda_world import make_world, move

pytestmark = pytest.mark.dates


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def _slot(dbs: Session, event: Event, local: datetime) -> Slot:
    slot = Slot(
        event=event,
        starts_at=local.astimezone(UTC),
        ends_at=(local + timedelta(minutes=20)).astimezone(UTC),
    )
    dbs.add(slot)
    dbs.flush()
    return slot


def test_day_summary_counts_the_events_own_day(dbs: Session, event: Event, ctx: None) -> None:
    world = make_world(dbs, event)
    first, second = event.start_date, event.end_date
    # 00:10 in Chongqing on the second day is still the first day in UTC.
    move(
        dbs,
        world.m2,
        _slot(dbs, event, datetime.combine(second, time(0, 10), event.tz)),
        world.published_at,
    )
    world.m1.attendance = "held"
    world.m2.attendance = "no_show"
    for participation in (world.m1.buyer, world.m1.supplier):  # one deal, reported twice
        dbs.add(
            Outcome(
                meeting_id=world.m1.id,
                participation_id=participation.id,
                stage="signed",
                amount=Decimal("5000"),
                currency="CNY",
            )
        )
    dbs.flush()
    assert day_summary(dbs, world.version, first) == DaySummary(
        scheduled=1, held=1, no_show=0, unmarked=0, deals=1, deals_total=1
    )
    assert day_summary(dbs, world.version, second) == DaySummary(
        scheduled=1, held=0, no_show=1, unmarked=0, deals=0, deals_total=1
    )
    world.m2.status = "cancelled"
    world.m2.attendance = None
    dbs.flush()
    assert day_summary(dbs, world.version, second).scheduled == 0
    assert count_deals(dbs, event, second) == 0 and count_deals(dbs, event) == 1
