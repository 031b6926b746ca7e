"""Recommendations are computed when the event's data changes and stored, not scored per page
view (issue 16); they rank exactly as ``matching.recommended_pairs``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.jobs import JOBS
from matchmaking.models import Event, Participation, Recommendation
from matchmaking.services.matching import build_event_candidates, recommended_pairs
from matchmaking.services.recommendations import (
    SHOWN,
    compute_recommendations,
    refresh_stale_recommendations,
)
from tests.functional.helpers import make_participant

NOW = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def _stored(dbs: Session, participation: Participation) -> list[int]:
    return list(
        dbs.scalars(
            select(Recommendation.counterpart_id)
            .where(Recommendation.participation_id == participation.id)
            .order_by(Recommendation.rank)
        )
    )


@pytest.fixture
def people(dbs: Session, event: Event) -> list[Participation]:
    buyers = [
        make_participant(
            dbs,
            event,
            f"Buyer {n} LLP",
            "KZ",
            buys=(("nev.parts", "brakes"), ("agrimachinery.tractors", "tractors")),
            email=f"buyer{n}@example.org",
        )
        for n in range(3)
    ]
    suppliers = [
        make_participant(
            dbs,
            event,
            f"Supplier {n} Co",
            "CN",
            languages=("zh", "ru") if n % 2 else ("zh",),
            sells=(("nev.parts", "brakes"),)
            if n % 3
            else (("agrimachinery.tractors", "tractors"),),
            email=f"supplier{n}@example.org",
        )
        for n in range(12)
    ]
    return buyers + suppliers


def test_stored_ranking_is_the_recommended_pairs(
    dbs: Session, event: Event, people: list[Participation]
):
    assert compute_recommendations(dbs, event, NOW) > 0
    candidates = build_event_candidates(dbs, event)
    for p in people:
        me = str(p.id)
        expected = [
            int(pair.supplier if pair.buyer == me else pair.buyer)
            for pair in recommended_pairs(candidates, me, SHOWN)
        ]
        assert _stored(dbs, p) == expected
    assert len(_stored(dbs, people[0])) == SHOWN


def test_the_job_recomputes_only_events_whose_data_changed(
    dbs: Session, event: Event, people: list[Participation]
):
    assert "refresh-recommendations" in {spec.id for spec in JOBS}
    assert refresh_stale_recommendations(dbs, NOW) == 1  # never computed
    assert refresh_stale_recommendations(dbs, NOW) == 0  # nothing changed
    newcomer = make_participant(
        dbs, event, "Newcomer Brakes Co", "CN", languages=("ru",),
        sells=(("nev.parts", "brakes"), ("agrimachinery.tractors", "tractors")),
        email="new@example.org",
    )  # fmt: skip
    assert newcomer.id not in _stored(dbs, people[0])
    assert refresh_stale_recommendations(dbs, NOW) == 1
    assert newcomer.id in _stored(dbs, people[0])
    newcomer.directory_consent = False
    dbs.flush()
    assert refresh_stale_recommendations(dbs, NOW) == 1
    assert newcomer.id not in _stored(dbs, people[0])


def test_a_large_event_waits_for_the_job_instead_of_scoring_in_a_request(
    dbs: Session, event: Event, people: list[Participation], monkeypatch: pytest.MonkeyPatch
):
    from matchmaking.services import recommendations

    monkeypatch.setattr(recommendations, "IN_REQUEST_LIMIT", len(people) - 1)
    assert not recommendations.ensure_recommendations(dbs, event, NOW)
    assert _stored(dbs, people[0]) == []
    monkeypatch.setattr(recommendations, "IN_REQUEST_LIMIT", len(people))
    assert recommendations.ensure_recommendations(dbs, event, NOW)
    assert len(_stored(dbs, people[0])) == SHOWN
    assert not recommendations.ensure_recommendations(dbs, event, NOW)  # once
