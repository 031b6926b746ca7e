"""Who should meet whom at an event: registrations turned into scoring inputs and candidates."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaking import figures, scoring
from matchmaking.i18n import country_name, language_name
from matchmaking.models import (
    Event,
    MeetingRequest,
    Offering,
    Participation,
    Sector,
)
from matchmaking.models.company import OfferingKind, ParticipationStatus
from matchmaking.models.request import RequestStatus


def list_approved(session: Session, event: Event) -> list[Participation]:
    """The event's approved participations with what they declared, by id."""
    return list(
        session.scalars(
            select(Participation)
            .where(
                Participation.event_id == event.id,
                Participation.status == ParticipationStatus.APPROVED,
            )
            .options(
                selectinload(Participation.company),
                selectinload(Participation.offerings)
                .selectinload(Offering.sector)
                .selectinload(Sector.parent),
                selectinload(Participation.availability),
            )
            .order_by(Participation.id)
        )
    )


def _codes(sector: Sector) -> tuple[str, str | None]:
    if sector.parent is not None:
        return sector.parent.code, sector.code
    return sector.code, None


def _order(volume: Decimal | None) -> scoring.SizeRange | None:
    """A buyer's order size: about this amount."""
    return scoring.SizeRange(volume, volume, "USD") if volume else None


def _capacity(volume: Decimal | None) -> scoring.SizeRange | None:
    """A supplier's capacity: any order up to this amount."""
    return scoring.SizeRange(Decimal(0), volume, "USD") if volume else None


def to_participant(participation: Participation) -> scoring.Participant:
    """The scoring view of a participation; ids are participation ids as strings."""
    offers = []
    interests = []
    for line in participation.offerings:
        sector, subsector = _codes(line.sector)
        if line.kind == OfferingKind.SELL:
            offers.append(
                scoring.Offer(sector, subsector, line.description, _capacity(line.volume_usd))
            )
        else:
            interests.append(
                scoring.Interest(sector, subsector, line.description, _order(line.volume_usd))
            )
    return scoring.Participant(
        id=str(participation.id),
        country=participation.company.country,
        languages=tuple(participation.company.languages or ()),
        # A company that brings its own interpreter can talk to anyone: credit as if asked.
        interpreter_needed=participation.interpreter_needed or participation.brings_interpreter,
        offers=tuple(offers),
        interests=tuple(interests),
    )


def zone_mapping(event: Event) -> dict[str, str]:
    """Sector code -> zone code, from the organiser's zones."""
    mapping: dict[str, str] = {}
    for zone in event.zones:
        for sector in zone.sectors:
            mapping.setdefault(sector.code, zone.code)
    return mapping


def weights_for(event: Event) -> scoring.Weights:
    """The event's scoring weights (defaults where unset)."""
    return scoring.Weights(**(event.scoring_weights or {}))


def live_requests(session: Session, event: Event) -> list[scoring.Request]:
    """Open and accepted requests as scoring inputs."""
    rows = session.scalars(
        select(MeetingRequest).where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status.in_((RequestStatus.OPEN, RequestStatus.ACCEPTED)),
        )
    )
    return [
        scoring.Request(
            str(r.requester_id), str(r.recipient_id), r.status == RequestStatus.ACCEPTED
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Candidates:
    """Scored pairs for an event plus the participations they refer to."""

    pairs: list[scoring.ScoredPair]
    participations: dict[str, Participation]
    # Scoring views of the participations, made once each when first needed.
    views: dict[str, scoring.Participant] = field(default_factory=dict)

    def view(self, pid: str) -> scoring.Participant:
        """The scoring view of participation ``pid`` (``to_participant``), memoised."""
        found = self.views.get(pid)
        if found is None:
            found = self.views[pid] = to_participant(self.participations[pid])
        return found


def build_event_candidates(
    session: Session,
    event: Event,
    min_score: float = 0.3,
    keep: Collection[frozenset[str]] | None = None,
) -> Candidates:
    """Scored candidate pairs among approved participants (requested pairs always kept).

    With ``keep`` (couples of participation ids that must stay, such as fixed meetings), each
    company keeps only its best candidates for the scheduler (``scoring.prune``: the event's
    ``candidates_per_meeting`` and ``candidates_floor`` weights against its meeting cap).
    """
    approved = list_approved(session, event)
    by_id = {str(p.id): p for p in approved}
    requests = [r for r in live_requests(session, event) if {r.from_id, r.to_id} <= by_id.keys()]
    default_zone = event.zones[0].code if event.zones else None
    pairs = scoring.build_candidates(
        [to_participant(p) for p in approved],
        requests,
        weights=weights_for(event),
        mapping=zone_mapping(event),
        min_score=min_score,
        default_zone=default_zone,
        caps=None
        if keep is None
        else {pid: p.max_meetings or event.default_max_meetings for pid, p in by_id.items()},
        keep=keep or (),
    )
    return Candidates(pairs=[p for p in pairs if p.zone], participations=by_id)


def display_names(event: Event, participations: dict[str, Participation]) -> dict[str, str]:
    """Names for explanations: sectors, languages, countries and companies, localised."""
    from flask_babel import gettext

    names = {s.code: gettext(s.name) for s in event.sectors}
    names.update({pid: p.company.legal_name for pid, p in participations.items()})
    for p in participations.values():
        for code in p.company.languages or ():
            names.setdefault(code, language_name(code))
        names.setdefault(p.company.country, country_name(p.company.country))
    return names


def explain_pair(
    pair: scoring.ScoredPair, names: dict[str, str], translate: Callable[[str], str]
) -> str:
    """The sentence saying why a pair was matched, in the visitor's language."""
    return scoring.explain(pair, names=names, translate=translate, quantity=figures.quantity)


def recommended_pairs(
    candidates: Candidates,
    me: str,
    limit: int,
    pairs: list[scoring.ScoredPair] | None = None,
) -> list[scoring.ScoredPair]:
    """The pairs of participation ``me`` with listed counterparts to recommend, in order.

    Its needs are weighed by their stated volume and each is covered before any is repeated
    (:func:`scoring.pick_counterparts`); a company that only sells gets its best scores.
    ``pairs`` narrows the search to these candidate pairs (those of ``me``, in their order).
    """
    people = candidates.participations
    if me not in people:
        return []
    mine = [
        pair
        for pair in (candidates.pairs if pairs is None else pairs)
        if me in (pair.buyer, pair.supplier)
        and people[pair.supplier if pair.buyer == me else pair.buyer].directory_consent
    ]
    counterparts = [
        (candidates.view(pair.supplier if pair.buyer == me else pair.buyer), pair.score)
        for pair in mine
    ]
    picked = scoring.pick_counterparts(candidates.view(me), counterparts, limit)
    return [mine[k] for k in picked]
