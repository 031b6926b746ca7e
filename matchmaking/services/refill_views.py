"""What the live refill pages show: a slot's freed tables and their proposals, a zone
screen's tables, a company's proposals and standby today, the floor's live figures.

Read only, each in a fixed number of statements whatever the event's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import BindParameter, Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from matchmaking.models import (
    CheckIn,
    Event,
    Meeting,
    Participation,
    RefillOffer,
    RefillStatus,
    ScheduleVersion,
    Slot,
    Standby,
    Zone,
)
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.schedule import Attendance, MeetingStatus, VersionStatus
from matchmaking.services.refill import event_today, present_ids


@dataclass
class FreedPlace:
    """A freed table of a slot: what freed it, the offers open for it and the refill placed."""

    slot: Slot
    zone: Zone
    table: int
    freed: Meeting | None
    offers: list[RefillOffer] = field(default_factory=list)
    refilled: Meeting | None = None


def list_freed_places(session: Session, version: ScheduleVersion, slot: Slot) -> list[FreedPlace]:
    """The slot's freed tables (no-show or cancelled meetings, refills), in a fixed number of
    queries: its meetings, and its offers."""
    meetings = session.scalars(
        select(Meeting)
        .where(Meeting.version_id == version.id, Meeting.slot_id == slot.id)
        .options(
            selectinload(Meeting.buyer).selectinload(Participation.company),
            selectinload(Meeting.supplier).selectinload(Participation.company),
            selectinload(Meeting.zone),
        )
        .order_by(Meeting.id)
    ).all()
    offers = session.scalars(
        select(RefillOffer)
        .where(
            RefillOffer.version_id == version.id,
            RefillOffer.slot_id == slot.id,
            RefillOffer.status.in_((RefillStatus.OPEN, RefillStatus.ACCEPTED)),
        )
        .options(
            selectinload(RefillOffer.buyer).selectinload(Participation.company),
            selectinload(RefillOffer.supplier).selectinload(Participation.company),
        )
        .order_by(RefillOffer.rank, RefillOffer.id)
    ).all()
    scheduled = {
        (m.zone_id, m.table_number): m for m in meetings if m.status == MeetingStatus.SCHEDULED
    }
    places: dict[tuple[int, int], FreedPlace] = {}
    for m in meetings:
        key = (m.zone_id, m.table_number)
        now_there = scheduled.get(key)
        if (
            m.status == MeetingStatus.CANCELLED
            and (now_there is None or now_there.origin == "refill")
        ) or (m.status == MeetingStatus.SCHEDULED and m.attendance == Attendance.NO_SHOW):
            places.setdefault(key, FreedPlace(slot, m.zone, m.table_number, m))
    zones = {m.zone_id: m.zone for m in meetings}
    for offer in offers:
        key = (offer.zone_id, offer.table_number)
        place = places.get(key)
        if place is None:
            zone = zones.get(offer.zone_id) or offer.zone
            place = places[key] = FreedPlace(slot, zone, offer.table_number, None)
        if offer.status == RefillStatus.ACCEPTED:
            place.refilled = scheduled.get(key)
        else:
            place.offers.append(offer)
    return sorted(places.values(), key=lambda p: (p.zone.position, p.zone.id, p.table))


def _open_offers(
    participation_id: int | BindParameter[int], now: Any
) -> Select[tuple[RefillOffer]]:
    """Open offers naming the company, in slots not over yet (``now``: a time or a parameter)."""
    return (
        select(RefillOffer)
        .join(Slot, Slot.id == RefillOffer.slot_id)
        .where(
            RefillOffer.status == RefillStatus.OPEN,
            or_(
                RefillOffer.buyer_id == participation_id,
                RefillOffer.supplier_id == participation_id,
            ),
            Slot.ends_at > now,
        )
    )


def company_day_flags(participation_id: BindParameter[int], day: Any, now: Any) -> tuple[Any, Any]:
    """Whether the company is on the day's standby list, and whether open offers name it:
    two columns for a statement that reads more (the agenda's, ``agendas.agenda_state``)."""
    return (
        select(Standby.id)
        .where(Standby.participation_id == participation_id, Standby.day == day)
        .exists()
        .label("on_standby"),
        _open_offers(participation_id, now).exists().label("any_offers"),
    )


def list_company_offers(
    session: Session, participation: Participation, now: datetime
) -> list[RefillOffer]:
    """Open offers naming the company, in slots not over yet (one query)."""
    return list(
        session.scalars(
            _open_offers(participation.id, now)
            .options(
                selectinload(RefillOffer.buyer).selectinload(Participation.company),
                selectinload(RefillOffer.supplier).selectinload(Participation.company),
                selectinload(RefillOffer.slot),
                selectinload(RefillOffer.zone),
            )
            .order_by(Slot.starts_at, RefillOffer.id)
        )
    )


@dataclass(frozen=True)
class LiveCounts:
    """The floor today: companies checked in, meetings held and no-shows, refills."""

    checked_in: int
    held: int
    no_shows: int
    refills_proposed: int
    refills_accepted: int


def live_counts(session: Session, event: Event, day: date) -> LiveCounts:
    """The event's floor figures for ``day``, in one statement."""
    version_id = (
        select(ScheduleVersion.id)
        .where(
            ScheduleVersion.event_id == event.id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
        )
        .scalar_subquery()
    )
    start = datetime.combine(day, time.min, event.tz)
    day_slots = select(Slot.id).where(
        Slot.event_id == event.id,
        Slot.starts_at >= start,
        Slot.starts_at < start + timedelta(days=1),
    )
    attended = select(func.count(Meeting.id)).where(
        Meeting.version_id == version_id, Meeting.slot_id.in_(day_slots)
    )
    offers = select(func.count(RefillOffer.id)).where(
        RefillOffer.version_id == version_id, RefillOffer.slot_id.in_(day_slots)
    )
    row = session.execute(
        select(
            present_ids(event, day).with_only_columns(func.count()).scalar_subquery(),
            attended.where(
                Meeting.attendance == Attendance.HELD, Meeting.status == MeetingStatus.SCHEDULED
            ).scalar_subquery(),
            attended.where(Meeting.attendance == Attendance.NO_SHOW).scalar_subquery(),
            offers.where(RefillOffer.rank == 1).scalar_subquery(),
            offers.where(RefillOffer.status == RefillStatus.ACCEPTED).scalar_subquery(),
        )
    ).one()
    return LiveCounts(*(int(v or 0) for v in row))


@dataclass(frozen=True)
class TableRow:
    """A table of a zone screen: its meeting's two companies, and whether it was refilled."""

    table: int
    buyer: str
    supplier: str
    refilled: bool


def zone_tables(
    session: Session, version: ScheduleVersion, zone: Zone, slot: Slot
) -> list[TableRow]:
    """The zone's meetings in a slot, by table (three statements)."""
    meetings = session.scalars(
        select(Meeting)
        .where(
            Meeting.version_id == version.id,
            Meeting.slot_id == slot.id,
            Meeting.zone_id == zone.id,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .options(
            selectinload(Meeting.buyer).selectinload(Participation.company),
            selectinload(Meeting.supplier).selectinload(Participation.company),
        )
        .order_by(Meeting.table_number)
    )
    return [
        TableRow(
            m.table_number,
            m.buyer.company.legal_name,
            m.supplier.company.legal_name,
            m.origin == "refill",
        )
        for m in meetings
    ]


@dataclass(frozen=True)
class CompanyDay:
    """What a company's agenda shows of the refill today: standby and proposals naming it."""

    day: date
    on_standby: bool
    offers: list[RefillOffer]


def get_company_day(
    session: Session, participation: Participation, now: datetime, flags: tuple[bool, bool]
) -> CompanyDay | None:
    """Today's standby and open proposals of the company; None unless today is an event day
    of a published schedule. ``flags``: ``company_day_flags`` as read for ``now`` (by the
    agenda's one statement, ``agendas.agenda_state``); the offers themselves are loaded
    only when there are some."""
    day = event_today(participation.event, now)
    if day is None or participation.status != ParticipationStatus.APPROVED:
        return None
    on_standby, any_offers = flags
    offers = list_company_offers(session, participation, now) if any_offers else []
    return CompanyDay(day, bool(on_standby), offers)


@dataclass(frozen=True)
class FloorFigures:
    """An event's floor today for the console: companies checked in, refills (all days)."""

    checked_in: int = 0
    refills_proposed: int = 0
    refills_accepted: int = 0


def floor_figures(session: Session, events: list[Event], now: datetime) -> dict[int, FloorFigures]:
    """``floor_figures`` of each event, in two grouped statements whatever their number."""
    ids_by_day: dict[date, list[int]] = defaultdict(list)
    for event in events:
        ids_by_day[now.astimezone(event.tz).date()].append(event.id)
    checked_in: dict[int, int] = {}
    if ids_by_day:
        rows = session.execute(
            select(Participation.event_id, func.count(CheckIn.id))
            .join(Participation, Participation.id == CheckIn.participation_id)
            .where(
                CheckIn.checked_out_at.is_(None),
                or_(
                    *(
                        and_(CheckIn.day == day, Participation.event_id.in_(ids))
                        for day, ids in ids_by_day.items()
                    )
                ),
            )
            .group_by(Participation.event_id)
        )
        checked_in = {event_id: count for event_id, count in rows}  # noqa: C416
    refills = {
        event_id: (proposed, accepted)
        for event_id, proposed, accepted in session.execute(
            select(
                RefillOffer.event_id,
                func.count().filter(RefillOffer.rank == 1),
                func.count().filter(RefillOffer.status == RefillStatus.ACCEPTED),
            )
            .where(RefillOffer.event_id.in_([e.id for e in events]))
            .group_by(RefillOffer.event_id)
        )
    }
    return {e.id: FloorFigures(checked_in.get(e.id, 0), *refills.get(e.id, (0, 0))) for e in events}
