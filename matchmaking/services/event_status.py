"""An event's status and the moves between them, by organisers and at the registration deadline.

draft -> open -> closed -> archived. Backward, an organiser may reopen closed registration
(the deadline must then lie ahead, or the deadline job would close it again at once) and
take an event back to draft while no company has registered, for an event opened by
mistake. Nothing skips a step (close registration before archiving an open event), except
that a draft that was never opened may be archived, and an archived event stays archived:
its schedule, outcomes and e-mails are the record of what happened.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from matchmaking.errors import InvalidInput, NotAllowed
from matchmaking.models import Event, Participation, User
from matchmaking.models.event import EventStatus

log = logging.getLogger("matchmaking.jobs")

STATUSES = tuple(EventStatus)

# Moves an organiser may make from each status (staying put is always allowed).
TRANSITIONS: dict[str, frozenset[str]] = {
    EventStatus.DRAFT: frozenset({EventStatus.OPEN, EventStatus.ARCHIVED}),
    EventStatus.OPEN: frozenset({EventStatus.CLOSED, EventStatus.DRAFT}),
    EventStatus.CLOSED: frozenset({EventStatus.OPEN, EventStatus.ARCHIVED, EventStatus.DRAFT}),
    EventStatus.ARCHIVED: frozenset(),
}


def _has_registrations(session: Session, event: Event) -> bool:
    return bool(session.scalar(select(exists().where(Participation.event_id == event.id))))


def _refusal(session: Session, event: Event, status: str) -> str | None:
    """Why ``event`` may not move to ``status`` (whatever its deadline), or None."""
    current = event.status
    if status == current:
        return None
    if current == EventStatus.ARCHIVED:
        return _("An archived event stays archived.")
    if status not in TRANSITIONS[current]:
        if status == EventStatus.ARCHIVED:
            return _("Close registration before archiving the event.")
        return _("Open registration before closing it.")
    if status == EventStatus.DRAFT and _has_registrations(session, event):
        return _("Companies have registered for this event, so it cannot go back to draft.")
    return None


def allowed_statuses(session: Session, event: Event) -> list[str]:
    """The statuses ``event`` may be given now, its own included, in lifecycle order."""
    return [s for s in STATUSES if _refusal(session, event, s) is None]


def change_status(session: Session, event: Event, status: str, actor: User, now: datetime) -> None:
    """Move ``event`` to ``status``, or raise ``InvalidInput`` naming the field to change."""
    if not event.managed_by(actor):
        raise NotAllowed(_("Only the event's organisers can change its status."))
    if status not in STATUSES:
        raise InvalidInput(_("Unknown status."), field="status")
    reason = _refusal(session, event, status)
    if reason is not None:
        raise InvalidInput(reason, field="status")
    if (
        status == EventStatus.OPEN
        and event.status != EventStatus.OPEN
        and event.registration_deadline <= now
    ):
        raise InvalidInput(
            _("The registration deadline has passed: set a later one to open registration."),
            field="registration_deadline",
        )
    event.status = status
    session.flush()


def close_registrations(session: Session, now: datetime) -> int:
    """Close every open event whose registration deadline has passed."""
    events = session.scalars(
        select(Event).where(Event.status == EventStatus.OPEN, Event.registration_deadline <= now)
    ).all()
    for event in events:
        event.status = EventStatus.CLOSED
        log.info("registration of %s closed at its deadline", event.slug)
    session.flush()
    return len(events)
