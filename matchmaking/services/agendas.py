"""Agendas: a company's meetings in the published schedule, ready for a page, a PDF or a calendar.

Everything here reads the *published* schedule version only; drafts are never shown to
companies. Texts (reasons, change notes) are translated in the current locale, so callers
build an agenda inside ``flask_babel.force_locale`` when it is for someone else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import BindParameter, Select, bindparam, case, func, or_, select, true
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload, selectinload

from matchmaking import figures
from matchmaking.errors import DomainError, InvalidInput
from matchmaking.i18n import country_name, language_name
from matchmaking.models import (
    CalendarFeed,
    Company,
    Event,
    Interpreter,
    Meeting,
    MeetingChange,
    Offering,
    Participation,
    ScheduleVersion,
    Sector,
    Slot,
    Zone,
)
from matchmaking.models.company import OfferingKind
from matchmaking.models.schedule import Attendance, MeetingStatus, VersionStatus
from matchmaking.scoring.explain import reason_text
from matchmaking.scoring.result import Reason

ATTENDANCE_VALUES = (Attendance.HELD, Attendance.NO_SHOW)
RECENT_CHANGES = 10


@dataclass(frozen=True)
class AgendaEntry:
    """One meeting as seen by one of its two companies."""

    meeting: Meeting
    starts_at: datetime
    ends_at: datetime
    zone: str
    table: int
    counterpart: Participation
    sells: tuple[str, ...]
    buys: tuple[str, ...]
    languages: tuple[str, ...]  # common languages, the company's preferred first
    interpreter_note: str
    reasons: tuple[str, ...]
    cancelled: bool
    sequence: int
    interpreter: str = ""  # the interpreter's name, when one is assigned


@dataclass(frozen=True)
class ChangeNote:
    """A published change of one of the company's meetings, in words."""

    created_at: datetime
    kind: str
    label: str
    counterpart: str
    entry: AgendaEntry


@dataclass(frozen=True)
class Agenda:
    """A company's meetings at an event in the published schedule, by time."""

    event: Event
    participation: Participation
    version: ScheduleVersion | None
    entries: tuple[AgendaEntry, ...]
    cancelled: tuple[AgendaEntry, ...]
    changes: tuple[ChangeNote, ...]

    @property
    def company(self) -> Company:
        return self.participation.company


def get_published_version(session: Session, event_id: int) -> ScheduleVersion | None:
    """The live schedule of an event, if one was published."""
    return session.scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.event_id == event_id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
            ScheduleVersion.published_at.is_not(None),
        )
    )


def _previous_version_query(version: ScheduleVersion, what: Any) -> Select[Any]:
    """``what`` (the version, or a column of it) of the schedule live before ``version``."""
    return (
        select(what)
        .where(
            ScheduleVersion.event_id == version.event_id,
            ScheduleVersion.id != version.id,
            ScheduleVersion.status == VersionStatus.SUPERSEDED,
            ScheduleVersion.published_at.is_not(None),
        )
        .order_by(ScheduleVersion.published_at.desc(), ScheduleVersion.id.desc())
        .limit(1)
    )


def get_previous_version(session: Session, version: ScheduleVersion) -> ScheduleVersion | None:
    """The schedule that was live before ``version`` was published, if any."""
    return session.scalar(_previous_version_query(version, ScheduleVersion))


def list_published_versions(session: Session) -> list[ScheduleVersion]:
    """Every event's live schedule."""
    return list(
        session.scalars(
            select(ScheduleVersion)
            .where(
                ScheduleVersion.status == VersionStatus.PUBLISHED,
                ScheduleVersion.published_at.is_not(None),
            )
            .order_by(ScheduleVersion.id)
        )
    )


def _meeting_options() -> list[Any]:
    """Everything an agenda entry reads, in four statements whatever the number of meetings:
    slot, zone and both companies joined to the meetings, then changes and each side's
    offerings. Offerings' sectors come from the session (``sector_names`` loads them)."""
    return [
        contains_eager(Meeting.slot),
        contains_eager(Meeting.zone),
        selectinload(Meeting.changes),
        joinedload(Meeting.interpreter),  # an outer join: no statement of its own
        joinedload(Meeting.buyer, innerjoin=True).options(
            joinedload(Participation.company, innerjoin=True),
            selectinload(Participation.offerings),
        ),
        joinedload(Meeting.supplier, innerjoin=True).options(
            joinedload(Participation.company, innerjoin=True),
            selectinload(Participation.offerings),
        ),
    ]


def list_meetings(
    session: Session,
    version: ScheduleVersion,
    participation_id: int | None = None,
    ids: list[int] | None = None,
) -> list[Meeting]:
    """Meetings of ``version`` (of one participant, or with these ids, when given), by time,
    zone and table."""
    query = (
        select(Meeting)
        .join(Meeting.slot)
        .join(Meeting.zone)
        .where(Meeting.version_id == version.id)
        .options(*_meeting_options())
        .order_by(Slot.starts_at, Zone.position, Meeting.table_number, Meeting.id)
    )
    if participation_id is not None:
        query = query.where(
            or_(Meeting.buyer_id == participation_id, Meeting.supplier_id == participation_id)
        )
    if ids is not None:
        query = query.where(Meeting.id.in_(ids))
    return list(session.scalars(query).unique())


def calendar_sequence(meeting: Meeting) -> int:
    """iCalendar SEQUENCE: never lower than the number of published changes of the meeting."""
    published = sum(1 for change in meeting.changes if change.published)
    return max(meeting.sequence or 0, published)


def common_languages(own: Company, other: Company) -> tuple[str, ...]:
    """Languages both companies speak, in the order ``own`` listed them."""
    theirs = set(other.languages or [])
    return tuple(code for code in (own.languages or []) if code in theirs)


def _offerings(participation: Participation, kind: str) -> tuple[str, ...]:
    items = []
    for offering in participation.offerings:
        if offering.kind != kind:
            continue
        text = _(offering.sector.name) if offering.sector else ""
        if offering.description:
            text = f"{text}: {offering.description}" if text else offering.description
        items.append(text)
    return tuple(items)


def reason_texts(reasons: list[Any] | None, names: dict[str, str]) -> tuple[str, ...]:
    """Meeting.reasons as phrases: structured reasons are translated, anything else shown as is."""
    texts: list[str] = []
    for item in reasons or []:
        if isinstance(item, dict) and item.get("code"):
            params = item.get("params") or {}
            if not isinstance(params, dict):
                params = {}
            reason = Reason(str(item["code"]), params)
            texts.append(reason_text(reason, names, _, figures.quantity))
        elif isinstance(item, dict) and item.get("text"):
            texts.append(str(item["text"]))
        elif isinstance(item, str) and item.strip():
            texts.append(item.strip())
    return tuple(t for t in texts if t)


def sector_names(event: Event) -> dict[str, str]:
    """Sector code -> name in the current locale, for the reasons of an event's meetings.

    Loading ``event.sectors`` also puts every sector in the session, so offerings read
    their sector from it without a statement each.
    """
    return {sector.code: _(sector.name) for sector in event.sectors}


def _names(event: Event, meeting: Meeting, sectors: dict[str, str] | None) -> dict[str, str]:
    """Display names for codes in reasons: sectors, languages, the two companies."""
    names = dict(sector_names(event) if sectors is None else sectors)
    for participation in (meeting.buyer, meeting.supplier):
        names[str(participation.id)] = participation.company.legal_name
        country = participation.company.country
        names.setdefault(country, country_name(country))
        names[str(participation.company_id)] = participation.company.legal_name
        for code in participation.company.languages or []:
            names[code] = language_name(code)
    return names


def meeting_reasons(
    event: Event, meeting: Meeting, sectors: dict[str, str] | None = None
) -> tuple[str, ...]:
    """Why the two companies of ``meeting`` were matched, as their agendas say it.

    ``sectors``: ``sector_names(event)``, when the caller explains several meetings.
    """
    return reason_texts(meeting.reasons, _names(event, meeting, sectors))


def agenda_entry(
    event: Event,
    meeting: Meeting,
    participation: Participation,
    sectors: dict[str, str] | None = None,
) -> AgendaEntry:
    """``meeting`` from ``participation``'s side (``sectors`` as for ``meeting_reasons``)."""
    counterpart = meeting.counterpart_of(participation.id)
    languages = common_languages(participation.company, counterpart.company)
    notes = [
        p.interpreter_note.strip()
        for p in (participation, counterpart)
        if p.interpreter_needed or p.interpreter_note.strip()
    ]
    interpreter = meeting.interpreter.name if meeting.interpreter is not None else ""
    if interpreter:
        notes.insert(0, _("Interpreter: %(name)s.", name=interpreter))
    elif not languages and (participation.brings_interpreter or counterpart.brings_interpreter):
        notes.insert(0, _("No common language: a company brings its own interpreter."))
    elif not languages:
        notes.insert(0, _("No common language: an interpreter is needed."))
    return AgendaEntry(
        meeting=meeting,
        starts_at=meeting.slot.starts_at,
        ends_at=meeting.slot.ends_at,
        zone=meeting.zone.display_name,
        table=meeting.table_number,
        counterpart=counterpart,
        sells=_offerings(counterpart, OfferingKind.SELL),
        buys=_offerings(counterpart, OfferingKind.BUY),
        languages=languages,
        interpreter_note=" ".join(n for n in notes if n),
        reasons=meeting_reasons(event, meeting, sectors),
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        sequence=calendar_sequence(meeting),
        interpreter=interpreter,
    )


def change_label(kind: str) -> str:
    """A change kind in words."""
    labels = {
        "added": _("New meeting"),
        "moved": _("Moved to another time"),
        "cancelled": _("Cancelled"),
        "restored": _("Restored"),
        "table": _("Moved to another table"),
    }
    return labels.get(kind, _("Changed"))


def build_agenda(session: Session, participation: Participation) -> Agenda:
    """``participation``'s agenda in the published schedule (empty when none is published)."""
    event = participation.event
    version = get_published_version(session, event.id)
    if version is None:
        return Agenda(event, participation, None, (), (), ())
    sectors = sector_names(event)
    entries = [
        agenda_entry(event, meeting, participation, sectors)
        for meeting in list_meetings(session, version, participation.id)
    ]
    by_meeting = {entry.meeting.id: entry for entry in entries}
    changes = _recent_changes(entry.meeting for entry in entries)
    current = {entry.meeting.uid for entry in entries}
    dropped = _dropped_from_previous(session, version, participation, current, sectors)
    notes = tuple(
        ChangeNote(
            created_at=change.created_at,
            kind=change.kind,
            label=change_label(change.kind),
            counterpart=by_meeting[change.meeting_id].counterpart.company.legal_name,
            entry=by_meeting[change.meeting_id],
        )
        for change in changes
    )
    return Agenda(
        event=event,
        participation=participation,
        version=version,
        entries=tuple(e for e in entries if not e.cancelled),
        cancelled=tuple(e for e in entries if e.cancelled) + dropped,
        changes=notes,
    )


def _recent_changes(meetings: Iterable[Meeting]) -> list[MeetingChange]:
    """The latest published changes of ``meetings`` (their changes are loaded), newest first."""
    published = [change for meeting in meetings for change in meeting.changes if change.published]
    published.sort(key=lambda change: (change.created_at, change.id), reverse=True)
    return published[:RECENT_CHANGES]


def _dropped_from_previous(
    session: Session,
    version: ScheduleVersion,
    participation: Participation,
    current: set[str],
    sectors: dict[str, str],
) -> tuple[AgendaEntry, ...]:
    """Meetings of the previously published version that the new one no longer has.

    They are listed as cancelled (one SEQUENCE higher) so the calendar entries that the
    previous agenda created are cancelled rather than left behind. One statement finds
    them (usually none); only those found are loaded.
    """
    previous_id = _previous_version_query(version, ScheduleVersion.id).scalar_subquery()
    gone = session.execute(
        select(Meeting.id, Meeting.version_id).where(
            Meeting.version_id == previous_id,
            or_(Meeting.buyer_id == participation.id, Meeting.supplier_id == participation.id),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.uid.not_in(current),
        )
    ).all()
    if not gone:
        return ()
    previous = session.get(ScheduleVersion, gone[0].version_id)
    assert previous is not None
    dropped = []
    for meeting in list_meetings(session, previous, ids=[row.id for row in gone]):
        entry = agenda_entry(version.event, meeting, participation, sectors)
        dropped.append(replace(entry, cancelled=True, sequence=entry.sequence + 1))
    return tuple(dropped)


@cache
def _stamp_query(lateral: bool) -> Select[Any]:
    """The statement of ``agenda_state``, built once per form (building it costs more than
    running it); parameters ``participation_id``, ``company_id``, ``event_id``, and ``day``
    and ``now`` for the refill panel's flags (``refill_views.company_day_flags``).

    The figures of the counterpart's offerings and of the meeting's changes are aggregates
    per row. With ``lateral`` (PostgreSQL) each group is one ``LATERAL`` subquery and the
    event's sectors one subquery joined once: PostgreSQL then keeps a generic plan for the
    prepared statement, where ten correlated subqueries made it plan every execution again
    (1.7 ms a page against 0.7 ms, demo event). SQLite has no ``LATERAL``: there they are
    correlated scalar subqueries. Both give the same rows.
    """
    pid: BindParameter[int] = bindparam("participation_id")
    counterpart = aliased(Participation)
    other = aliased(Company)
    own = aliased(Company)
    offering_columns = (
        func.count(Offering.id),
        func.max(Offering.id),
        func.sum(Offering.sector_id),
        func.sum(func.length(Offering.description)),
    )
    change_columns = (
        func.count(MeetingChange.id),
        func.max(MeetingChange.id),
        func.sum(case((MeetingChange.published, 1), else_=0)),
    )
    sector_columns = (
        func.count(Sector.id),
        func.max(Sector.id),
        func.sum(func.length(Sector.name)),
    )
    offerings = select(*offering_columns).where(Offering.participation_id == counterpart.id)
    changes = select(*change_columns).where(MeetingChange.meeting_id == Meeting.id)
    sectors = select(*sector_columns).where(Sector.event_id == bindparam("event_id"))
    joins: list[Any] = []
    if lateral:
        groups = [
            offerings.lateral("offering_figures"),
            changes.lateral("change_figures"),
            sectors.subquery("sector_figures"),
        ]
        offering_figures, change_figures, sector_figures = (list(g.c) for g in groups)
        joins = groups
    else:

        def figures_of(query: Select[*tuple[Any, ...]], columns: tuple[Any, ...]) -> list[Any]:
            return [query.with_only_columns(column).scalar_subquery() for column in columns]

        offering_figures = figures_of(offerings, offering_columns)
        change_figures = figures_of(changes, change_columns)
        sector_figures = figures_of(sectors, sector_columns)
    from matchmaking.services.refill_views import company_day_flags

    query = (
        select(
            select(CalendarFeed.token)
            .where(CalendarFeed.company_id == own.id)
            .scalar_subquery()
            .label("feed_token"),
            *company_day_flags(pid, bindparam("day"), bindparam("now")),
            ScheduleVersion.id,
            ScheduleVersion.published_at,
            own.legal_name,
            own.country,
            own.languages,
            *sector_figures,
            Meeting.id,
            Meeting.uid,
            Meeting.updated_at,
            Meeting.status,
            Meeting.sequence,
            Meeting.table_number,
            Meeting.reasons,
            Slot.starts_at,
            Slot.ends_at,
            Zone.name,
            Zone.translations,
            Interpreter.name,
            counterpart.id,
            counterpart.updated_at,
            counterpart.interpreter_needed,
            counterpart.interpreter_note,
            counterpart.brings_interpreter,
            other.legal_name,
            other.country,
            other.languages,
            *offering_figures,
            *change_figures,
        )
        .select_from(own)
        .outerjoin(
            ScheduleVersion,
            (ScheduleVersion.event_id == bindparam("event_id"))
            & (ScheduleVersion.status == VersionStatus.PUBLISHED)
            & ScheduleVersion.published_at.is_not(None),
        )
        .outerjoin(
            Meeting,
            (Meeting.version_id == ScheduleVersion.id)
            & or_(Meeting.buyer_id == pid, Meeting.supplier_id == pid),
        )
        .outerjoin(Slot, Slot.id == Meeting.slot_id)
        .outerjoin(Zone, Zone.id == Meeting.zone_id)
        .outerjoin(Interpreter, Interpreter.id == Meeting.interpreter_id)
        .outerjoin(
            counterpart,
            counterpart.id
            == case((Meeting.buyer_id == pid, Meeting.supplier_id), else_=Meeting.buyer_id),
        )
        .outerjoin(other, other.id == counterpart.company_id)
    )
    for group in joins:
        query = query.outerjoin(group, true())
    return query.where(own.id == bindparam("company_id")).order_by(Meeting.id)


@dataclass(frozen=True)
class AgendaState:
    """What a company's agenda page reads on every request, in one statement (``agenda_state``).

    ``stamp``: what the meeting list is made of; equal stamps mean the same list, so a page
    may reuse the list it rendered for the first. ``feed_token``: the company's calendar
    subscription, if any. ``refill``: whether the company is on today's standby list and
    whether open refill offers name it (``refill_views.get_company_day``'s ``flags``).
    """

    stamp: tuple[Any, ...]
    feed_token: str | None
    refill: tuple[bool, bool]


def agenda_state(session: Session, participation: Participation, now: datetime) -> AgendaState:
    """The ``AgendaState`` of ``participation``'s agenda at ``now``, in one statement.

    The stamp has one row per meeting of the company in the published schedule (one row with
    no meeting when it has none or nothing is published): the meeting's own columns, its
    slot's times, its zone's and interpreter's names, the counterpart's participation and
    company columns the agenda shows, counts and largest ids of the counterpart's offerings
    and of the meeting's changes (offerings are replaced, not edited, when a company changes
    them: new ids; their sectors and description lengths are summed too, for SQLite, which
    may give a replaced row's id again), the published version, the company's own names and
    languages (reasons name them) and the event's sectors. The previous version's meetings,
    read for those dropped from the agenda, never change once superseded. Columns of
    ``participation`` itself and of its event are not read again: the caller has them.
    """
    rows = session.execute(
        _stamp_query(session.get_bind().dialect.name == "postgresql"),
        {
            "participation_id": participation.id,
            "company_id": participation.company_id,
            "event_id": participation.event_id,
            "day": now.astimezone(participation.event.tz).date(),
            "now": now,
        },
    ).all()
    own = rows[0]  # the company's own row: always one
    return AgendaState(
        stamp=tuple(tuple(row)[3:] for row in rows),  # not the feed token nor the refill flags
        feed_token=own.feed_token,
        refill=(bool(own.on_standby), bool(own.any_offers)),
    )


def record_attendance(session: Session, meeting: Meeting, attendance: str | None) -> None:
    """Mark a meeting held or no-show (None clears the mark); cancelled meetings cannot be."""
    if attendance is not None and attendance not in ATTENDANCE_VALUES:
        raise InvalidInput(_("Unknown attendance value."), field="attendance")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DomainError(_("A cancelled meeting cannot be checked in."))
    meeting.attendance = attendance
    session.flush()
    from matchmaking.services import refill  # refill places meetings through schedule_edits

    refill.after_attendance(session, meeting)
