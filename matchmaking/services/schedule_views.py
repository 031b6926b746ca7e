"""What the schedule pages show: one zone's grid for one day, a company's meetings, the changes.

Each read loads what the page shows in a fixed number of queries, whatever the event's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from matchmaking.i18n import slot_label
from matchmaking.models import (
    Company,
    Event,
    Meeting,
    MeetingChange,
    Offering,
    Participation,
    ScheduleVersion,
    Slot,
    Zone,
)
from matchmaking.models.company import OfferingKind, ParticipationStatus
from matchmaking.models.schedule import MeetingStatus
from matchmaking.services.taxonomy import N_

CHANGE_KINDS = {
    "added": N_("added"),
    "moved": N_("moved"),
    "cancelled": N_("cancelled"),
    "restored": N_("restored"),
    "table": N_("table changed"),
}


@dataclass(frozen=True)
class CompanyChoice:
    """An approved participant as the schedule pages' pickers list it."""

    id: int
    name: str
    buys: bool
    sells: bool


def list_company_choices(session: Session, event: Event) -> dict[int, CompanyChoice]:
    """The event's approved participants by id, in name order, with whether they buy and sell.

    One statement of plain rows: the pages need names, not every registration's details.
    """

    def declares(kind: str) -> Any:
        return (
            select(Offering.id)
            .where(Offering.participation_id == Participation.id, Offering.kind == kind)
            .exists()
        )

    rows = session.execute(
        select(
            Participation.id,
            Company.legal_name,
            declares(OfferingKind.BUY),
            declares(OfferingKind.SELL),
        )
        .join(Company, Company.id == Participation.company_id)
        .where(
            Participation.event_id == event.id,
            Participation.status == ParticipationStatus.APPROVED,
        )
        .order_by(Company.legal_name, Participation.id)
    )
    return {row[0]: CompanyChoice(row[0], row[1], bool(row[2]), bool(row[3])) for row in rows}


def count_approved(session: Session, event: Event) -> int:
    """How many companies take part (approved), counted in the database."""
    return (
        session.scalar(
            select(func.count(Participation.id)).where(
                Participation.event_id == event.id,
                Participation.status == ParticipationStatus.APPROVED,
            )
        )
        or 0
    )


def grid_days(slots: list[Slot]) -> list[date]:
    """The event-local days that have slots, in order."""
    return sorted({s.local_start().date() for s in slots})


def _with_companies(stmt: Select[Any]) -> Select[Any]:
    return stmt.options(
        selectinload(Meeting.buyer).selectinload(Participation.company),
        selectinload(Meeting.supplier).selectinload(Participation.company),
        joinedload(Meeting.interpreter),  # an outer join: no statement of its own
    )


def zone_grid(
    session: Session, version: ScheduleVersion, zone: Zone, slots: list[Slot]
) -> dict[tuple[int, int], Meeting]:
    """The scheduled meetings of ``zone`` in ``slots``, by (table, slot id), with both names."""
    meetings = session.scalars(
        _with_companies(
            select(Meeting).where(
                Meeting.version_id == version.id,
                Meeting.zone_id == zone.id,
                Meeting.slot_id.in_([s.id for s in slots]),
                Meeting.status == MeetingStatus.SCHEDULED,
            )
        )
    )
    return {(m.table_number, m.slot_id): m for m in meetings}


def company_meetings(
    session: Session, version: ScheduleVersion, participation_id: int
) -> list[Meeting]:
    """A company's scheduled meetings in ``version``, in time order, with both names."""
    return list(
        session.scalars(
            _with_companies(
                select(Meeting)
                .join(Slot, Slot.id == Meeting.slot_id)
                .where(
                    Meeting.version_id == version.id,
                    Meeting.status == MeetingStatus.SCHEDULED,
                    (Meeting.buyer_id == participation_id)
                    | (Meeting.supplier_id == participation_id),
                )
                .order_by(Slot.starts_at, Meeting.id)
            ).options(selectinload(Meeting.slot), selectinload(Meeting.zone))
        )
    )


@dataclass(frozen=True)
class ChangeLine:
    """One recorded change of a meeting, readable: when, who meets whom, what changed."""

    meeting_id: int
    created_at: datetime
    kind: str
    buyer_id: int
    buyer: str
    supplier_id: int
    supplier: str
    before: str
    after: str

    @property
    def kind_label(self) -> str:
        return gettext(CHANGE_KINDS.get(self.kind, self.kind))


def _place(snapshot: dict[str, Any] | None, event: Event, zones: dict[int, str]) -> str:
    """Where a snapshot puts the meeting: "Jun 12, 2026 09:20, Zone name, table 3"."""
    if not snapshot:
        return ""
    parts = []
    if snapshot.get("starts_at"):
        parts.append(slot_label(datetime.fromisoformat(snapshot["starts_at"]), event.timezone))
    if snapshot.get("zone") in zones:
        parts.append(zones[snapshot["zone"]])
    if snapshot.get("table"):
        parts.append(gettext("table %(table)d", table=snapshot["table"]))
    return ", ".join(parts)


def list_changes(session: Session, version: ScheduleVersion, limit: int = 50) -> list[ChangeLine]:
    """The version's latest changes, newest first, with the two companies' names; one query."""
    buyer, supplier = aliased(Participation), aliased(Participation)
    buyer_company, supplier_company = aliased(Company), aliased(Company)
    rows = session.execute(
        select(
            MeetingChange.meeting_id,
            MeetingChange.created_at,
            MeetingChange.kind,
            MeetingChange.before,
            MeetingChange.after,
            Meeting.buyer_id,
            buyer_company.legal_name,
            Meeting.supplier_id,
            supplier_company.legal_name,
        )
        .join(Meeting, Meeting.id == MeetingChange.meeting_id)
        .join(buyer, buyer.id == Meeting.buyer_id)
        .join(buyer_company, buyer_company.id == buyer.company_id)
        .join(supplier, supplier.id == Meeting.supplier_id)
        .join(supplier_company, supplier_company.id == supplier.company_id)
        .where(Meeting.version_id == version.id)
        .order_by(MeetingChange.id.desc())
        .limit(limit)
    ).all()
    event = version.event
    zones = {z.id: gettext(z.name) for z in event.zones}
    return [
        ChangeLine(
            meeting_id=row[0],
            created_at=row[1],
            kind=row[2],
            before=_place(row[3], event, zones),
            after=_place(row[4], event, zones) if row[2] != "cancelled" else "",
            buyer_id=row[5],
            buyer=row[6],
            supplier_id=row[7],
            supplier=row[8],
        )
        for row in rows
    ]


def scheduled_meetings(session: Session, version: ScheduleVersion) -> list[Meeting]:
    """The version's scheduled meetings in time order, with names, slots and zones loaded."""
    return list(
        session.scalars(
            _with_companies(
                select(Meeting)
                .join(Slot, Slot.id == Meeting.slot_id)
                .where(Meeting.version_id == version.id, Meeting.status == MeetingStatus.SCHEDULED)
                .order_by(Slot.starts_at, Meeting.id)
            ).options(selectinload(Meeting.slot), selectinload(Meeting.zone))
        )
    )
