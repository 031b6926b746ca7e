"""Where a meeting could go: the times both companies are free, with the zones and free tables.

The organiser's move form and the companies' reschedule form offer these places, and say which
constraint blocks when there are none. The rules are those ``schedule_edits`` checks: both
companies available (their windows; breaks have no slots) and not busy in the version, a table
free in a zone allowed for the pair.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Meeting, MeetingSeat, Participation, Slot, Zone
from matchmaking.models.company import OfferingKind
from matchmaking.models.schedule import MeetingStatus
from matchmaking.services.schedules import active_slots, available_slots


@dataclass(frozen=True)
class Place:
    """A slot where both companies are free, a zone allowed for them and its free tables."""

    slot: Slot
    zone: Zone
    tables: tuple[int, ...]


@dataclass(frozen=True)
class Places:
    """The free places of a meeting, or (``places`` empty) why there is none."""

    places: list[Place]
    reason: str

    def by_slot(self) -> list[tuple[Slot, dict[int, Place]]]:
        """The places grouped by slot, in time order: (slot, {zone id: place})."""
        grouped: dict[int, tuple[Slot, dict[int, Place]]] = {}
        for place in self.places:
            grouped.setdefault(place.slot.id, (place.slot, {}))[1][place.zone.id] = place
        return sorted(grouped.values(), key=lambda row: row[0].starts_at)


def _sector_codes(participation: Participation, kind: str) -> set[str]:
    codes = set()
    for offering in participation.offerings:
        if offering.kind == kind:
            codes.add(offering.sector.code)
            if offering.sector.parent is not None:
                codes.add(offering.sector.parent.code)
    return codes


def allowed_zones(meeting: Meeting) -> list[Zone]:
    """The meeting's zone, plus every zone hosting a sector the buyer buys or the supplier sells.

    A zone with no sectors hosts any pair. The optimiser places a pair in the zone of its best
    sector match; an organiser may choose any zone that hosts one of the pair's sectors.
    """
    codes = _sector_codes(meeting.buyer, OfferingKind.BUY) | _sector_codes(
        meeting.supplier, OfferingKind.SELL
    )
    return [
        zone
        for zone in meeting.version.event.zones
        if zone.id == meeting.zone_id
        or not zone.sectors
        or any(sector.code in codes for sector in zone.sectors)
    ]


def _busy_slots(session: Session, meeting: Meeting, participation_id: int) -> set[int]:
    return set(
        session.scalars(
            select(MeetingSeat.slot_id).where(
                MeetingSeat.version_id == meeting.version_id,
                MeetingSeat.participation_id == participation_id,
                MeetingSeat.meeting_id != meeting.id,
            )
        )
    )


def _taken_tables(
    session: Session, meeting: Meeting, zones: list[Zone]
) -> dict[tuple[int, int], set[int]]:
    taken: dict[tuple[int, int], set[int]] = defaultdict(set)
    rows = session.execute(
        select(Meeting.slot_id, Meeting.zone_id, Meeting.table_number).where(
            Meeting.version_id == meeting.version_id,
            Meeting.zone_id.in_([z.id for z in zones]),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.id != meeting.id,
        )
    )
    for slot_id, zone_id, table in rows:
        taken[slot_id, zone_id].add(table)
    return taken


def free_places(
    session: Session,
    meeting: Meeting,
    side: Participation | None = None,
    zones: list[Zone] | None = None,
) -> Places:
    """Every other slot where both companies are free, with each allowed zone's free tables.

    ``zones`` defaults to the zones allowed for the pair. ``side`` is the company asking (a
    reschedule request): the reason then speaks to it ("you") about the other company.
    The meeting's own slot and table are left out (moving there changes nothing).
    """
    buyer, supplier = meeting.buyer, meeting.supplier
    slots = [s for s in active_slots(session, meeting.version.event) if s.id != meeting.slot_id]
    free = {
        p.id: {s.id for s in available_slots(p, slots)} - _busy_slots(session, meeting, p.id)
        for p in (buyer, supplier)
    }
    both = [s for s in slots if s.id in free[buyer.id] and s.id in free[supplier.id]]
    zones = allowed_zones(meeting) if zones is None else zones
    taken = _taken_tables(session, meeting, zones) if both else {}
    places = []
    for slot in both:
        for zone in zones:
            tables = tuple(
                t for t in range(1, zone.tables + 1) if t not in taken.get((slot.id, zone.id), ())
            )
            if tables:
                places.append(Place(slot, zone, tables))
    reason = "" if places else _no_place_reason(meeting, side, free, len(both), zones)
    return Places(places, reason)


def _no_place_reason(
    meeting: Meeting,
    side: Participation | None,
    free: dict[int, set[int]],
    both: int,
    zones: list[Zone],
) -> str:
    """Which constraint leaves no place: a company with no free time, no common free time, or
    no free table in the zones."""
    first = side or meeting.buyer
    other = meeting.supplier if first.id == meeting.buyer_id else meeting.buyer
    if not free[first.id]:
        if side is not None:
            return _(
                "You have no other free time: every other slot is outside your availability "
                "or taken by another of your meetings."
            )
        return _(
            "%(company)s has no other free time: every other slot is outside its "
            "availability or taken by another of its meetings.",
            company=first.company.legal_name,
        )
    if not free[other.id]:
        return _(
            "%(company)s has no other free time: every other slot is outside its "
            "availability or taken by another of its meetings.",
            company=other.company.legal_name,
        )
    if not both:
        if side is not None:
            return _(
                "%(company)s is busy or unavailable in all of your %(count)d free times.",
                company=other.company.legal_name,
                count=len(free[first.id]),
            )
        return _(
            "The two companies are never free at the same time: %(first)s is free in "
            "%(count_first)d other slots, %(other)s in %(count_other)d, none in common.",
            first=first.company.legal_name,
            count_first=len(free[first.id]),
            other=other.company.legal_name,
            count_other=len(free[other.id]),
        )
    return _(
        "Both companies are free at %(count)d times, but no table of %(zones)s is free then.",
        count=both,
        zones=", ".join(z.display_name for z in zones),
    )
