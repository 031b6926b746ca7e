"""Figures organisers follow during the event: an event day's meetings, attendance and deals.

Counted in SQL, so a day's summary costs the same few queries whatever the event's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from matchmaking.models import Event, Meeting, Outcome, ScheduleVersion, Slot
from matchmaking.models.deal import DEAL_STAGES
from matchmaking.models.schedule import Attendance, MeetingStatus


@dataclass(frozen=True)
class DaySummary:
    """One event day of a schedule: its meetings by attendance, and meetings with a deal."""

    scheduled: int
    held: int
    no_show: int
    unmarked: int
    deals: int  # meetings of the day with a deal reported by either company
    deals_total: int  # the same over the whole event so far


def _day_bounds(event: Event, day: date) -> tuple[datetime, datetime]:
    """Midnight to midnight of ``day`` in the event's timezone."""
    start = datetime.combine(day, time(0), tzinfo=event.tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=event.tz)


def _on_day(query: Select[*tuple[Any, ...]], event: Event, day: date) -> Select[*tuple[Any, ...]]:
    start, end = _day_bounds(event, day)
    return query.join(Slot, Slot.id == Meeting.slot_id).where(
        Slot.starts_at >= start, Slot.starts_at < end
    )


def count_deals(session: Session, event: Event, day: date | None = None) -> int:
    """Meetings of ``event`` (on ``day`` when given) with a deal reported by either company."""
    query = (
        select(func.count(func.distinct(Outcome.meeting_id)))
        .join(Meeting, Meeting.id == Outcome.meeting_id)
        .where(Meeting.event_id == event.id, Outcome.stage.in_(DEAL_STAGES))
    )
    if day is not None:
        query = _on_day(query, event, day)
    return int(session.scalar(query) or 0)


def day_summary(session: Session, version: ScheduleVersion, day: date) -> DaySummary:
    """Counts for one event day of ``version``: meetings scheduled, held, no-shows, unmarked;
    meetings with a deal that day and since the event began."""
    event = version.event
    query = select(Meeting.attendance, func.count()).where(
        Meeting.version_id == version.id, Meeting.status == MeetingStatus.SCHEDULED
    )
    rows = session.execute(_on_day(query, event, day).group_by(Meeting.attendance)).all()
    by_attendance = {attendance or "unmarked": int(count) for attendance, count in rows}
    return DaySummary(
        scheduled=sum(by_attendance.values()),
        held=by_attendance.get(Attendance.HELD, 0),
        no_show=by_attendance.get(Attendance.NO_SHOW, 0),
        unmarked=by_attendance.get("unmarked", 0),
        deals=count_deals(session, event, day),
        deals_total=count_deals(session, event),
    )
