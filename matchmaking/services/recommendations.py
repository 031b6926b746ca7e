"""Stored recommendations: computed for a whole event when its data changes, read per page.

Scoring every buyer-supplier pair is far too slow for a page view, so the
``refresh-recommendations`` job recomputes an event's recommendations when the fingerprint
of what they depend on (registrations, offerings, live requests, weights) has changed, and the
directory computes them once when an event has none yet. The ranking is
:func:`matching.recommended_pairs`'s.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from matchmaking import figures, scoring
from matchmaking.i18n import country_name, language_name
from matchmaking.models import (
    Event,
    MeetingRequest,
    Offering,
    Participation,
    Recommendation,
    RecommendationRun,
)
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.event import EventStatus
from matchmaking.models.request import LIVE_REQUEST_STATUSES, RequestStatus
from matchmaking.services.matching import build_event_candidates, recommended_pairs
from matchmaking.services.transactions import insert_unless_present

SHOWN = 8  # recommendations stored (and shown) per participant
# An event with more approved participants than this waits for the scheduler's job: scoring
# it takes minutes at thousands of companies, past any web worker's timeout.
IN_REQUEST_LIMIT = 500


@dataclass(frozen=True)
class RecommendedCompany:
    """A suggested counterpart with the reason, in the reader's language."""

    participation: Participation
    score: float
    reason: str


def fingerprint(session: Session, event: Event) -> str:
    """A digest of everything an event's recommendations depend on, in one query.

    Counts and sums of ids see rows added or removed, ``updated_at`` a changed registration.
    """
    in_event = Participation.event_id == event.id
    offerings = Offering.participation_id.in_(select(Participation.id).where(in_event))
    live = (MeetingRequest.event_id == event.id) & MeetingRequest.status.in_(LIVE_REQUEST_STATUSES)
    accepted = (MeetingRequest.event_id == event.id) & (
        MeetingRequest.status == RequestStatus.ACCEPTED
    )
    figures_of = [
        select(func.count()).select_from(Participation).where(in_event),
        select(func.sum(Participation.id)).where(in_event),
        select(func.max(Participation.updated_at)).where(in_event),
        select(func.count()).select_from(Offering).where(offerings),
        select(func.sum(Offering.id)).where(offerings),
        select(func.count()).select_from(MeetingRequest).where(live),
        select(func.sum(MeetingRequest.id)).where(live),
        select(func.sum(MeetingRequest.id)).where(accepted),
    ]
    row = session.execute(select(*(f.scalar_subquery() for f in figures_of))).one()
    data = [str(v) for v in row] + [json.dumps(event.scoring_weights or {}, sort_keys=True)]
    return hashlib.sha256("|".join(data).encode()).hexdigest()


def _reasons(pair: scoring.ScoredPair) -> list[dict[str, Any]]:
    """The pair's scoring reasons as JSON (codes and parameters, explained when read)."""
    reasons = [{"code": r.code, "params": dict(r.params)} for r in pair.explained().reasons]
    return json.loads(json.dumps(reasons, default=str))


def compute_recommendations(session: Session, event: Event, now: datetime) -> int:
    """Score the event's pairs once and store each approved participant's recommendations.

    Replaces the event's stored recommendations; returns how many were stored.
    """
    run = _claim_run(session, event, now)
    mark = fingerprint(session, event)
    candidates = build_event_candidates(session, event)
    by_participant: dict[str, list[scoring.ScoredPair]] = defaultdict(list)
    for pair in candidates.pairs:
        by_participant[pair.buyer].append(pair)
        by_participant[pair.supplier].append(pair)
    ids = select(Participation.id).where(Participation.event_id == event.id)
    session.execute(delete(Recommendation).where(Recommendation.participation_id.in_(ids)))
    rows: list[Recommendation] = []
    for me in candidates.participations:
        picked = recommended_pairs(candidates, me, SHOWN, by_participant.get(me, []))
        rows.extend(
            Recommendation(
                participation_id=int(me),
                counterpart_id=int(pair.supplier if pair.buyer == me else pair.buyer),
                rank=rank,
                score=pair.score,
                reason=_reasons(pair),
            )
            for rank, pair in enumerate(picked, start=1)
        )
    session.add_all(rows)
    run.computed_at, run.fingerprint = now, mark
    session.flush()
    return len(rows)


def _claim_run(session: Session, event: Event, now: datetime) -> RecommendationRun:
    """The event's run row, created if missing and locked until the transaction ends: two
    computations of one event at once (the job in two scheduler processes, or a directory
    request beside it) run one after the other instead of the second failing on the row's
    key (or both replacing the recommendations at once). SQLite has no row locks: there the
    job's transaction holds the database's write lock (``write_transaction``)."""
    session.execute(
        insert_unless_present(session, RecommendationRun.__table__).values(
            event_id=event.id, computed_at=now, fingerprint=""
        )
    )
    claimed = select(RecommendationRun).where(RecommendationRun.event_id == event.id)
    return session.scalars(
        claimed.with_for_update().execution_options(populate_existing=True)
    ).one()


def refresh_stale_recommendations(session: Session, now: datetime) -> int:
    """Recompute the recommendations of events whose data changed since they were computed.

    Archived and draft events are left alone; returns how many events were recomputed.
    """
    events = session.scalars(
        select(Event).where(Event.status.in_((EventStatus.OPEN, EventStatus.CLOSED)))
    ).all()
    runs = session.execute(select(RecommendationRun.event_id, RecommendationRun.fingerprint))
    marks: dict[int, str] = {event_id: mark for event_id, mark in runs}  # noqa: C416
    done = 0
    for event in events:
        if marks.get(event.id) != fingerprint(session, event):
            compute_recommendations(session, event, now)
            done += 1
    return done


def ensure_recommendations(session: Session, event: Event, now: datetime) -> bool:
    """Compute the event's recommendations if they never were and the event is small enough
    (``IN_REQUEST_LIMIT``) to score during a request; whether it did."""
    if session.get(RecommendationRun, event.id) is not None:
        return False
    approved = session.scalar(
        select(func.count(Participation.id)).where(
            Participation.event_id == event.id,
            Participation.status == ParticipationStatus.APPROVED,
        )
    )
    if (approved or 0) > IN_REQUEST_LIMIT:
        return False  # the refresh-recommendations job computes them
    compute_recommendations(session, event, now)
    return True


def _names(me: Participation, rows: list[Recommendation]) -> dict[str, str]:
    """Display names of what the reasons mention: sectors, languages, countries, companies."""
    from flask_babel import gettext

    names = {s.code: gettext(s.name) for s in me.event.sectors}
    for p in [me, *(r.counterpart for r in rows)]:
        names[str(p.id)] = p.company.legal_name
        for code in p.company.languages or ():
            names.setdefault(code, language_name(code))
        names.setdefault(p.company.country, country_name(p.company.country))
    return names


def list_recommendations(session: Session, me: Participation) -> list[RecommendedCompany]:
    """``me``'s stored recommendations still approved and listed, best first, explained."""
    return explain_recommendations(me, stored_recommendations(session, me))


def stored_recommendations(session: Session, me: Participation) -> list[Recommendation]:
    """``me``'s stored recommendations still approved and listed, best first, with their
    counterparts and companies loaded."""
    counterpart = Participation
    return list(
        session.scalars(
            select(Recommendation)
            .join(counterpart, Recommendation.counterpart_id == counterpart.id)
            .where(
                Recommendation.participation_id == me.id,
                counterpart.status == ParticipationStatus.APPROVED,
                counterpart.directory_consent.is_(True),
            )
            .options(selectinload(Recommendation.counterpart).selectinload(Participation.company))
            .order_by(Recommendation.rank)
        )
    )


def explain_recommendations(
    me: Participation, rows: list[Recommendation]
) -> list[RecommendedCompany]:
    """``rows`` (``stored_recommendations``) with their reasons in the reader's language."""
    from flask_babel import gettext

    names = _names(me, rows)
    return [
        RecommendedCompany(
            r.counterpart,
            r.score,
            scoring.explain(
                scoring.Score(
                    r.score,
                    (),
                    tuple(scoring.Reason(x["code"], x.get("params", {})) for x in r.reason),
                ),
                names=names,
                translate=gettext,
                quantity=figures.quantity,
            ),
        )
        for r in rows
    ]
