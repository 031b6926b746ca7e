"""Meetings that fall outside a company's stated hours (after it narrows them, say)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from matchmaking.errors import DomainError
from matchmaking.i18n import slot_label
from matchmaking.models import Meeting, Participation, ScheduleVersion, Slot
from matchmaking.models.schedule import MeetingStatus, VersionStatus

Window = tuple[date, time, time]


def _inside(meeting: Meeting, windows: Iterable[Window]) -> bool:
    start, end = meeting.slot.local_start(), meeting.slot.local_end()
    return any(
        start.date() == day == end.date() and begin <= start.time() and end.time() <= finish
        for day, begin, finish in windows
    )


def scheduled_meetings(session: Session, participation: Participation) -> list[Meeting]:
    """The company's scheduled meetings in the published schedule and in a draft, by time."""
    return list(
        session.scalars(
            select(Meeting)
            .join(ScheduleVersion, Meeting.version_id == ScheduleVersion.id)
            .join(Slot, Meeting.slot_id == Slot.id)
            .where(
                Meeting.event_id == participation.event_id,
                Meeting.status == MeetingStatus.SCHEDULED,
                ScheduleVersion.status.in_((VersionStatus.DRAFT, VersionStatus.PUBLISHED)),
                or_(
                    Meeting.buyer_id == participation.id,
                    Meeting.supplier_id == participation.id,
                ),
            )
            .options(selectinload(Meeting.slot), selectinload(Meeting.zone))
            .order_by(Slot.starts_at)
        )
    )


def meetings_outside(
    session: Session, participation: Participation, windows: Iterable[Window] | None = None
) -> list[Meeting]:
    """Scheduled meetings of ``participation`` outside ``windows`` (default: its stated hours)."""
    if windows is None:
        windows = [(a.day, a.start_time, a.end_time) for a in participation.availability]
    windows = list(windows)
    if not windows:  # no hours stated: the company is available whenever the event is
        return []
    return [m for m in scheduled_meetings(session, participation) if not _inside(m, windows)]


def describe(meeting: Meeting, participation: Participation) -> str:
    """One line for the reader: when, with whom, where."""
    other = meeting.supplier if meeting.buyer_id == participation.id else meeting.buyer
    return _(
        "%(when)s with %(company)s (%(zone)s, table %(table)d)",
        when=slot_label(meeting.slot.starts_at, meeting.slot.event.timezone),
        company=other.company.legal_name,
        zone=meeting.zone.display_name or meeting.zone.code,
        table=meeting.table_number,
    )


class HoursLeaveOutMeetings(DomainError):
    """New hours that leave scheduled meetings outside; they are named in the message."""

    status = 409

    def __init__(self, participation: Participation, meetings: list[Meeting]) -> None:
        super().__init__(
            _(
                "Your new hours leave out meetings already in the schedule: %(meetings)s. "
                "Keep those hours, or ask the organisers to move these meetings first.",
                meetings="; ".join(describe(m, participation) for m in meetings),
            ),
            field="availability",
        )
        self.meetings = meetings
