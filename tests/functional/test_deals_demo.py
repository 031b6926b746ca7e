"""The demo event's synthetic outcomes: about 500 million yuan, rates, memoranda, published."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking.models import Meeting, Memorandum, Outcome, TallySnapshot, User
from matchmaking.models.types import utcnow
from matchmaking.services.demo_deals import seed_demo_outcomes
from matchmaking.services.tally import compute_tally
from tests.conftest import make_event
from tests.functional.deals_helpers import make_fair

pytestmark = pytest.mark.dates

BUYERS = {f"b{i}": c for i, c in enumerate(["KZ", "RU", "UZ", "KG", "TJ", "BY", "MN", "AM"])}
SUPPLIERS = {f"s{i}": "CN" for i in range(6)}


def test_demo_outcomes_tally_about_half_a_billion_yuan(dbs: Session) -> None:
    pairs = [(b, s) for b in BUYERS for s in SUPPLIERS]
    fair = make_fair(dbs, {**BUYERS, **SUPPLIERS}, pairs)
    count = seed_demo_outcomes(dbs, fair.event, utcnow(), random.Random(7))
    assert count > 0
    assert dbs.scalar(select(func.count(Outcome.id))) == count
    view = compute_tally(dbs, fair.event)
    assert view.total.deals >= 10 and view.meetings_held >= 40
    assert {c for r in view.deal_rows for c in [r.row.buyer, r.row.supplier] if c and c.currency}
    assert abs(view.total.value_cny - Decimal("500000000")) < Decimal("1000")
    assert dbs.scalar(select(func.count(Memorandum.id))) == 2
    assert dbs.scalar(select(TallySnapshot)) is not None
    assert seed_demo_outcomes(dbs, fair.event, utcnow(), random.Random(7)) == 0  # idempotent


def test_no_published_schedule_no_outcomes(dbs: Session) -> None:
    event = make_event(dbs, "empty")
    assert seed_demo_outcomes(dbs, event, utcnow(), random.Random(1)) == 0


def test_no_outcome_for_a_meeting_that_has_not_ended(dbs: Session) -> None:
    pairs = [(b, s) for b in BUYERS for s in SUPPLIERS]
    fair = make_fair(dbs, {**BUYERS, **SUPPLIERS}, pairs)
    meetings = sorted(fair.meetings.values(), key=lambda m: m.slot.starts_at)
    under_way = meetings[len(meetings) // 2]
    now = under_way.slot.starts_at + timedelta(minutes=10)  # half the meetings have ended
    assert seed_demo_outcomes(dbs, fair.event, now, random.Random(7)) > 0
    reported = set(dbs.scalars(select(Outcome.meeting_id)))
    assert reported
    for meeting in meetings:
        if meeting.slot.ends_at > now:
            assert meeting.id not in reported
            assert meeting.attendance is None
    for outcome in dbs.scalars(select(Outcome)):
        meeting = dbs.get(Meeting, outcome.meeting_id)
        assert meeting is not None
        assert meeting.slot.ends_at <= outcome.created_at <= now


def test_no_outcomes_before_the_first_meeting_ends(dbs: Session) -> None:
    fair = make_fair(dbs, {"b0": "KZ", "s0": "CN"}, [("b0", "s0")])
    (meeting,) = fair.meetings.values()
    assert (
        seed_demo_outcomes(
            dbs, fair.event, meeting.slot.ends_at - timedelta(seconds=1), random.Random(7)
        )
        == 0
    )
    assert dbs.scalar(select(func.count(Outcome.id))) == 0
    assert dbs.scalar(select(func.count(Memorandum.id))) == 0


def test_the_stand_in_organiser_has_no_computable_password(dbs: Session) -> None:
    fair = make_fair(dbs, {"b0": "KZ", "s0": "CN"}, [("b0", "s0")])
    dbs.delete(fair.organiser)
    dbs.flush()
    dbs.expire(fair.event)
    assert seed_demo_outcomes(dbs, fair.event, utcnow(), random.Random(7)) > 0
    stand_in = dbs.scalar(select(User).where(User.role == "organiser"))
    assert stand_in is not None
    assert not stand_in.check_password(str(random.Random(7).random()))
