"""What the schedule pages show: one zone's grid for one day, a company's meetings, the changes.

Each read loads what the page shows in a fixed number of queries, whatever the event's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased, defer, joinedload, selectinload

from matchmaking.errors import InvalidInput
from matchmaking.i18n import language_name, slot_label
from matchmaking.models import (
    Company,
    Event,
    Meeting,
    MeetingChange,
    Participation,
    ScheduleVersion,
    Slot,
    Zone,
)
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.event import zone_name
from matchmaking.models.schedule import MeetingStatus
from matchmaking.search_keys import search_words
from matchmaking.services.pagination import Page, count_rows
from matchmaking.services.taxonomy import N_
from matchmaking.services.word_search import keys_have

CHANGE_KINDS = {
    "added": N_("added"),
    "moved": N_("moved"),
    "cancelled": N_("cancelled"),
    "restored": N_("restored"),
    "table": N_("table changed"),
}


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


def language_pair(languages: str) -> str:
    """A pair of language codes ("zh-ru") in the reader's words: "Chinese – Russian"."""
    return " – ".join(language_name(code) for code in languages.split("-"))


def left_out_lines(
    left_out: list[dict[str, Any]], names: dict[int, str]
) -> list[tuple[str, str, str]]:
    """The report's pairs left out for want of an interpreter as the page lists them: buyer,
    supplier (their ids when not in ``names``) and languages; built here, not row by row in
    the template (a version lists up to 200), each pair of languages named once."""
    pairs: dict[str, str] = {}
    lines = []
    for row in left_out:
        languages = row["languages"]
        if languages not in pairs:
            pairs[languages] = language_pair(languages)
        buyer, supplier = int(row["buyer"]), int(row["supplier"])
        lines.append(
            (names.get(buyer, row["buyer"]), names.get(supplier, row["supplier"]), pairs[languages])
        )
    return lines


def grid_days(slots: list[Slot]) -> list[date]:
    """The event-local days that have slots, in order."""
    return sorted({s.local_start().date() for s in slots})


def _with_companies(stmt: Select[Any]) -> Select[Any]:
    """``stmt`` loading both companies' names and the interpreter by joins, one statement in
    all; of a meeting, not the reasons of its score (JSON), which these pages do not show."""
    return stmt.options(
        defer(Meeting.reasons),
        *(
            joinedload(side, innerjoin=True)
            .load_only(Participation.company_id)
            .joinedload(Participation.company, innerjoin=True)
            .load_only(Company.legal_name)
            for side in (Meeting.buyer, Meeting.supplier)
        ),
        joinedload(Meeting.interpreter),  # an outer join: no statement of its own
    )


TABLES_PER_PAGE = 10  # about 100 KB of grid at 21 slots a day (issue 16: pages under 200 KB)


def table_page(zone: Zone | None, number: int, per_page: int = TABLES_PER_PAGE) -> Page:
    """Page ``number`` of the zone's table numbers (1..tables); no statement."""
    total = zone.tables if zone else 0
    last = max(1, -(-total // per_page))
    number = min(max(1, number), last)
    first = (number - 1) * per_page + 1
    rows = list(range(first, min(total, first + per_page - 1) + 1))
    return Page(rows=rows, number=number, per_page=per_page, total=total)


def zone_grid(
    session: Session,
    version: ScheduleVersion,
    zone: Zone,
    slots: list[Slot],
    tables: list[int] | None = None,
) -> dict[tuple[int, int], Meeting]:
    """The scheduled meetings of ``zone`` in ``slots`` (at ``tables``, a range, when given),
    by (table, slot id), with both names."""
    stmt = select(Meeting).where(
        Meeting.version_id == version.id,
        Meeting.zone_id == zone.id,
        Meeting.slot_id.in_([s.id for s in slots]),
        Meeting.status == MeetingStatus.SCHEDULED,
    )
    if tables is not None:
        if not tables:
            return {}
        stmt = stmt.where(Meeting.table_number.between(min(tables), max(tables)))
    meetings = session.scalars(_with_companies(stmt))
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


# Module aliases of a meeting's two sides: building four per call costs more than the query of
# an idle version.
_BUYER, _SUPPLIER = aliased(Participation, name="buyer"), aliased(Participation, name="supplier")
_BUYER_CO, _SUPPLIER_CO = aliased(Company, name="buyer_co"), aliased(Company, name="supplier_co")


def _with_both_companies(stmt: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    """``stmt`` (from meetings) joined to both companies (``_BUYER_CO``, ``_SUPPLIER_CO``)."""
    return (
        stmt.join(_BUYER, _BUYER.id == Meeting.buyer_id)
        .join(_BUYER_CO, _BUYER_CO.id == _BUYER.company_id)
        .join(_SUPPLIER, _SUPPLIER.id == Meeting.supplier_id)
        .join(_SUPPLIER_CO, _SUPPLIER_CO.id == _SUPPLIER.company_id)
    )


def list_changes(session: Session, version: ScheduleVersion, limit: int = 50) -> list[ChangeLine]:
    """The version's latest changes, newest first, with the two companies' names; one query."""
    rows = session.execute(
        _with_both_companies(
            select(
                MeetingChange.meeting_id,
                MeetingChange.created_at,
                MeetingChange.kind,
                MeetingChange.before,
                MeetingChange.after,
                Meeting.buyer_id,
                _BUYER_CO.legal_name,
                Meeting.supplier_id,
                _SUPPLIER_CO.legal_name,
            ).join(Meeting, Meeting.id == MeetingChange.meeting_id)
        )
        .where(Meeting.version_id == version.id)
        .order_by(MeetingChange.id.desc())
        .limit(limit)
    ).all()
    event = version.event
    zones = {z.id: z.display_name for z in event.zones}
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


def _meeting_rows(version: ScheduleVersion) -> Select[Any]:
    """The version's scheduled meetings as (id, start, zone name, table, buyer, supplier, zone
    name's translations)."""
    rows: Select[*tuple[Any, ...]] = (
        _with_both_companies(
            select(
                Meeting.id,
                Slot.starts_at,
                Zone.name,
                Meeting.table_number,
                _BUYER_CO.legal_name,
                _SUPPLIER_CO.legal_name,
                Zone.translations,
            )
            .join(Slot, Slot.id == Meeting.slot_id)
            .join(Zone, Zone.id == Meeting.zone_id)
        )
        .where(Meeting.version_id == version.id, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Slot.starts_at, Meeting.id)
    )
    return rows


def _matching_meetings(stmt: Select[Any], query: str) -> Select[Any]:
    """``stmt`` kept to the meetings where each word of ``query`` is in one company's key."""
    for spellings in search_words(query):
        stmt = stmt.where(keys_have([_BUYER_CO.search_key, _SUPPLIER_CO.search_key], spellings))
    return stmt


def meeting_label(event: Event, row: Any) -> str:
    """ "Dec 6, 2026 09:00 · Buyer – Supplier (Zone, 3)": a meeting as the swap picker shows it."""
    zone = zone_name(row[2], row[6])
    return f"{slot_label(row[1], event.timezone)} · {row[4]} – {row[5]} ({zone}, {row[3]})"


def search_meetings(
    session: Session,
    version: ScheduleVersion,
    query: str,
    exclude: int | None,
    number: int,
    per_page: int = 20,
) -> Page:
    """Page ``number`` of the version's scheduled meetings (``exclude`` left out) whose
    companies match ``query``, in time order; rows (id, label); two statements."""
    stmt = _matching_meetings(_meeting_rows(version), query)
    if exclude:
        stmt = stmt.where(Meeting.id != exclude)
    total = count_rows(session, stmt)
    last = max(1, -(-total // per_page))
    number = min(max(1, number), last)
    rows = session.execute(stmt.limit(per_page).offset((number - 1) * per_page)).all()
    event = version.event
    return Page(
        rows=[(row[0], meeting_label(event, row)) for row in rows],
        number=number,
        per_page=per_page,
        total=total,
    )


def meeting_choices(
    session: Session, version: ScheduleVersion, exclude: int | None
) -> list[tuple[int, str]]:
    """The version's scheduled meetings but ``exclude``, (id, label): a small event's select."""
    event = version.event
    rows = session.execute(_meeting_rows(version).where(Meeting.id != (exclude or 0)))
    return [(row[0], meeting_label(event, row)) for row in rows]


def resolve_meeting(
    session: Session, version: ScheduleVersion, text: str, chosen: int | None, exclude: int | None
) -> int:
    """The meeting an organiser picked: ``chosen`` while ``text`` is still its label, else the
    one meeting whose companies ``text`` finds. Raises InvalidInput naming the field "other"."""
    stmt = _meeting_rows(version).where(Meeting.id != (exclude or 0))
    if chosen:
        row = session.execute(stmt.where(Meeting.id == chosen)).first()
        if row is not None and meeting_label(version.event, row) == text.strip():
            return chosen
    found = session.execute(_matching_meetings(stmt, text).limit(2)).all()
    if len(found) == 1:
        return int(found[0][0])
    if not found:
        raise InvalidInput(gettext("No meeting matches “%(text)s”.", text=text), field="other")
    raise InvalidInput(
        gettext("Several meetings match “%(text)s”: type both companies' names.", text=text),
        field="other",
    )
