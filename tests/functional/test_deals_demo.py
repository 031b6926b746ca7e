"""The demo event's synthetic outcomes: about 500 million yuan, rates, memoranda, published."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking.models import Memorandum, Outcome, TallySnapshot
from matchmaking.models.types import utcnow
from matchmaking.services.demo_deals import seed_demo_outcomes
from matchmaking.services.tally import compute_tally
from tests.conftest import make_event
from tests.functional.deals_helpers import make_fair

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
