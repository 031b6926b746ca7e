"""The large demo event (``seed-demo --size large``), scaled down: same code path, 120 companies."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import MeetingRequest
from matchmaking.models.request import RequestStatus
from matchmaking.models.schedule import MeetingStatus
from matchmaking.models.types import utcnow
from matchmaking.services.demo import DEMO_COMPANY, DEMO_ORGANISER, publish_demo_schedule
from matchmaking.services.demo_deals import seed_demo_outcomes
from matchmaking.services.demo_large import LARGE_SLUG, SizeSpec, seed_large_demo
from matchmaking.services.schedules import build_instance, published_version
from tests.functional.helpers import login

pytestmark = pytest.mark.dates
SMALL = SizeSpec(buyers=30, suppliers=90, tables_scale=0.1)


def test_the_large_demo_is_under_way_over_three_days(client: FlaskClient, dbs: Session) -> None:
    now = utcnow()
    summary = seed_large_demo(dbs, now, SMALL)
    event = summary.event
    assert (summary.buyers, summary.suppliers, event.slug) == (30, 90, LARGE_SLUG)
    today = now.astimezone(event.tz).date()
    days = [today + timedelta(days=n) for n in (-1, 0, 1)]
    assert sorted({s.local_start().date() for s in event.slots}) == days
    assert len(event.participations) == 120
    names = " ".join(p.company.legal_name for p in event.participations)
    assert any("\u0400" <= ch <= "\u04ff" for ch in names)  # Cyrillic
    assert any("\u4e00" <= ch <= "\u9fff" for ch in names)  # Chinese
    # Prune hard, so that the schedule below shows requests survive pruning.
    event.scoring_weights = {"candidates_per_meeting": 1, "candidates_floor": 1}
    publish_demo_schedule(dbs, event, now, time_limit=3)
    assert seed_demo_outcomes(dbs, event, now, random.Random(7)) > 0

    version = published_version(dbs, event)
    assert version is not None
    scheduled = {
        frozenset((m.buyer_id, m.supplier_id))
        for m in version.meetings
        if m.status == MeetingStatus.SCHEDULED
    }
    accepted = [
        frozenset((r.buyer_id, r.supplier_id))
        for r in dbs.scalars(
            select(MeetingRequest).where(
                MeetingRequest.event_id == event.id,
                MeetingRequest.status == RequestStatus.ACCEPTED,
            )
        )
    ]
    assert accepted
    left_out = {frozenset((u["buyer"], u["supplier"])) for u in version.unscheduled}
    assert all(couple in scheduled or couple in left_out for couple in accepted)
    assert all("not a candidate" not in u["reason"] for u in version.unscheduled)
    assert len(scheduled & set(accepted)) >= 0.8 * len(accepted)

    # The demo organiser manages it and the demo company has meetings in it.
    login(client, *DEMO_ORGANISER)
    assert (
        client.get(f"/organiser/events/{event.slug}/schedule", follow_redirects=True).status_code
        == 200
    )
    mine = [p for p in event.participations if p.company.contacts[0].email == DEMO_COMPANY[0]]
    assert len(mine) == 1 and any(
        mine[0].id in (m.buyer_id, m.supplier_id) for m in version.meetings
    )


def test_pruning_keeps_far_fewer_pairs_than_all_compatible_ones(dbs: Session) -> None:
    event = seed_large_demo(dbs, utcnow(), SMALL).event
    event.scoring_weights = {"candidates_per_meeting": 0}  # pruning off
    everything = len(build_instance(dbs, event)[0]["candidates"])
    event.scoring_weights = {"candidates_per_meeting": 1, "candidates_floor": 2}
    pruned = build_instance(dbs, event)[0]["candidates"]
    assert len(pruned) < 0.8 * everything
    accepted = dbs.scalars(
        select(MeetingRequest).where(
            MeetingRequest.event_id == event.id, MeetingRequest.status == RequestStatus.ACCEPTED
        )
    ).all()
    musts = {frozenset((c["buyer"], c["supplier"])) for c in pruned if c["must"]}
    approved = {str(p.id) for p in event.participations if p.status == "approved"}
    for r in accepted:
        couple = frozenset((str(r.buyer_id), str(r.supplier_id)))
        assert couple in musts or not couple <= approved
