"""Check-in at the venue: companies arrive (by their code), leave early, and their meetings are
marked held or no-show; edits made offline carry the meeting version they were made on."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaking.errors import DomainError, InvalidInput
from matchmaking.models import CheckIn, Event, Meeting, Participation, User
from matchmaking.services import refill
from matchmaking.services.agendas import record_attendance


class MeetingChanged(DomainError):
    """An edit made on a stale copy of a meeting (offline, or in another tab): refused, so the
    organiser's change is never silently overwritten."""

    status = 409


def event_day(event: Event, now: datetime) -> date:
    """Today at the venue (the event's timezone)."""
    return now.astimezone(event.tz).date()


def _require_event_day(event: Event, day: date) -> None:
    if not event.start_date <= day <= event.end_date:
        raise DomainError(_("Companies check in only on the days of the event."))


def get_check_in(session: Session, participation_id: int, day: date) -> CheckIn | None:
    return session.scalar(
        select(CheckIn).where(CheckIn.participation_id == participation_id, CheckIn.day == day)
    )


def check_in(session: Session, participation: Participation, now: datetime, actor: User) -> CheckIn:
    """Check ``participation`` in for today (again, after an early check-out); idempotent, so a
    check-in queued offline and sent twice counts once."""
    event = participation.event
    day = event_day(event, now)
    _require_event_day(event, day)
    record = get_check_in(session, participation.id, day)
    if record is None:
        record = CheckIn(
            participation_id=participation.id, day=day, checked_in_at=now, checked_in_by_id=actor.id
        )
        try:  # two desks checking the same company in at once: one row
            with session.begin_nested():
                session.add(record)
        except IntegrityError:
            record = get_check_in(session, participation.id, day)
            assert record is not None
    elif record.checked_out_at is not None:
        record.checked_out_at = None
        record.checked_out_by_id = None
    session.flush()
    return record


def check_out(
    session: Session, participation: Participation, now: datetime, actor: User
) -> CheckIn:
    """``participation`` leaves for the day; its remaining slots become free for others."""
    day = event_day(participation.event, now)
    record = get_check_in(session, participation.id, day)
    if record is None:
        raise DomainError(_("This company has not checked in today."))
    if record.checked_out_at is None:
        record.checked_out_at = max(now, record.checked_in_at)
        record.checked_out_by_id = actor.id
        session.flush()
        # Its meetings still to come today are cancelled (both sides told), their tables offered.
        refill.offer_after_check_out(session, participation, actor, now)
    session.flush()
    return record


def present_ids(session: Session, event_id: int, day: date) -> set[int]:
    """Participations of ``event_id`` checked in on ``day`` and not checked out."""
    return set(
        session.scalars(
            select(CheckIn.participation_id)
            .join(Participation, Participation.id == CheckIn.participation_id)
            .where(
                Participation.event_id == event_id,
                CheckIn.day == day,
                CheckIn.checked_out_at.is_(None),
            )
        )
    )


def count_present(session: Session, event_id: int, day: date) -> int:
    """How many companies of ``event_id`` are checked in on ``day`` and still there."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(CheckIn)
            .join(Participation, Participation.id == CheckIn.participation_id)
            .where(
                Participation.event_id == event_id,
                CheckIn.day == day,
                CheckIn.checked_out_at.is_(None),
            )
        )
        or 0
    )


def meeting_version(meeting: Meeting) -> str:
    """The version of ``meeting`` an edit was made on (its last change time)."""
    return meeting.updated_at.isoformat()


def record_floor_attendance(
    session: Session, meeting: Meeting, attendance: str | None, seen_version: str | None
) -> None:
    """Mark ``meeting`` held or no-show, unless it changed since ``seen_version`` (an edit made
    offline): then MeetingChanged. Sending the mark already recorded is accepted (a queued
    edit sent twice)."""
    if seen_version is not None:
        try:
            seen = datetime.fromisoformat(seen_version)
        except ValueError:
            raise InvalidInput(_("Unknown meeting version."), field="version") from None
        if seen != meeting.updated_at and meeting.attendance != attendance:
            raise MeetingChanged(
                _("This meeting was changed by someone else meanwhile; your entry was not saved.")
            )
    record_attendance(session, meeting, attendance)
