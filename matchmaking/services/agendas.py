"""Agendas: a company's meetings in the published schedule, ready for a page, a PDF or a calendar.

Everything here reads the *published* schedule version only; drafts are never shown to
companies. Texts (reasons, change notes) are translated in the current locale, so callers
build an agenda inside ``flask_babel.force_locale`` when it is for someone else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from matchmaking import figures
from matchmaking.errors import DomainError, InvalidInput
from matchmaking.i18n import country_name, language_name
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


def get_previous_version(session: Session, version: ScheduleVersion) -> ScheduleVersion | None:
    """The schedule that was live before ``version`` was published, if any."""
    return session.scalar(
        select(ScheduleVersion)
        .where(
            ScheduleVersion.event_id == version.event_id,
            ScheduleVersion.id != version.id,
            ScheduleVersion.status == VersionStatus.SUPERSEDED,
            ScheduleVersion.published_at.is_not(None),
        )
        .order_by(ScheduleVersion.published_at.desc(), ScheduleVersion.id.desc())
        .limit(1)
    )


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
    return [
        selectinload(Meeting.slot),
        selectinload(Meeting.zone),
        selectinload(Meeting.changes),
        selectinload(Meeting.buyer).selectinload(Participation.company),
        selectinload(Meeting.buyer).selectinload(Participation.offerings),
        selectinload(Meeting.supplier).selectinload(Participation.company),
        selectinload(Meeting.supplier).selectinload(Participation.offerings),
    ]


def list_meetings(
    session: Session, version: ScheduleVersion, participation_id: int | None = None
) -> list[Meeting]:
    """Meetings of ``version`` (of one participant when given), by time, zone and table."""
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
    return list(session.scalars(query))


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


def _names(event: Event, meeting: Meeting) -> dict[str, str]:
    """Display names for codes in reasons: sectors, languages, the two companies."""
    names = {sector.code: _(sector.name) for sector in event.sectors}
    for participation in (meeting.buyer, meeting.supplier):
        names[str(participation.id)] = participation.company.legal_name
        country = participation.company.country
        names.setdefault(country, country_name(country))
        names[str(participation.company_id)] = participation.company.legal_name
        for code in participation.company.languages or []:
            names[code] = language_name(code)
    return names


def meeting_reasons(event: Event, meeting: Meeting) -> tuple[str, ...]:
    """Why the two companies of ``meeting`` were matched, as their agendas say it."""
    return reason_texts(meeting.reasons, _names(event, meeting))


def agenda_entry(event: Event, meeting: Meeting, participation: Participation) -> AgendaEntry:
    """``meeting`` from ``participation``'s side."""
    counterpart = meeting.counterpart_of(participation.id)
    languages = common_languages(participation.company, counterpart.company)
    notes = [
        p.interpreter_note.strip()
        for p in (participation, counterpart)
        if p.interpreter_needed or p.interpreter_note.strip()
    ]
    if not languages:
        notes.insert(0, _("No common language: an interpreter is needed."))
    return AgendaEntry(
        meeting=meeting,
        starts_at=meeting.slot.starts_at,
        ends_at=meeting.slot.ends_at,
        zone=_(meeting.zone.name),
        table=meeting.table_number,
        counterpart=counterpart,
        sells=_offerings(counterpart, OfferingKind.SELL),
        buys=_offerings(counterpart, OfferingKind.BUY),
        languages=languages,
        interpreter_note=" ".join(n for n in notes if n),
        reasons=meeting_reasons(event, meeting),
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        sequence=calendar_sequence(meeting),
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
    entries = [
        agenda_entry(event, meeting, participation)
        for meeting in list_meetings(session, version, participation.id)
    ]
    by_meeting = {entry.meeting.id: entry for entry in entries}
    changes = session.scalars(
        select(MeetingChange)
        .where(
            MeetingChange.meeting_id.in_(list(by_meeting) or [0]),
            MeetingChange.published.is_(True),
        )
        .order_by(MeetingChange.created_at.desc(), MeetingChange.id.desc())
        .limit(RECENT_CHANGES)
    )
    current = {entry.meeting.uid for entry in entries}
    dropped = _dropped_from_previous(session, version, participation, current)
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


def _dropped_from_previous(
    session: Session, version: ScheduleVersion, participation: Participation, current: set[str]
) -> tuple[AgendaEntry, ...]:
    """Meetings of the previously published version that the new one no longer has.

    They are listed as cancelled (one SEQUENCE higher) so the calendar entries that the
    previous agenda created are cancelled rather than left behind.
    """
    previous = get_previous_version(session, version)
    if previous is None:
        return ()
    dropped = []
    for meeting in list_meetings(session, previous, participation.id):
        if meeting.uid in current or meeting.status != MeetingStatus.SCHEDULED:
            continue
        entry = agenda_entry(version.event, meeting, participation)
        dropped.append(replace(entry, cancelled=True, sequence=entry.sequence + 1))
    return tuple(dropped)


def record_attendance(session: Session, meeting: Meeting, attendance: str | None) -> None:
    """Mark a meeting held or no-show (None clears the mark); cancelled meetings cannot be."""
    if attendance is not None and attendance not in ATTENDANCE_VALUES:
        raise InvalidInput(_("Unknown attendance value."), field="attendance")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DomainError(_("A cancelled meeting cannot be checked in."))
    meeting.attendance = attendance
    session.flush()
