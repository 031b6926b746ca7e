"""Who manages which event: administrators assign organisers to events."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaking.errors import DomainError, InvalidInput, NotAllowed
from matchmaking.models import Event, User, event_organisers
from matchmaking.models.user import Role
from matchmaking.services.registration import get_user_by_email


def managed_events(user: User) -> Select[Event]:
    """The events ``user`` manages, as a query to refine: all for administrators."""
    query = select(Event)
    if user.role == Role.ADMIN:
        return query
    if user.role != Role.ORGANISER:
        return query.where(Event.id.is_(None))
    return query.where(
        Event.id.in_(
            select(event_organisers.c.event_id).where(event_organisers.c.user_id == user.id)
        )
    )


def managed_event_ids(session: Session, user: User) -> list[int] | None:
    """Ids of the events ``user`` manages; None for administrators (every event)."""
    if user.role == Role.ADMIN:
        return None
    return list(session.scalars(managed_events(user).with_only_columns(Event.id)))


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise NotAllowed(_("Only administrators assign organisers to events."))


def assign_organiser(session: Session, event: Event, email: str, actor: User) -> User:
    """Make the organiser with ``email`` an organiser of ``event``."""
    _require_admin(actor)
    user = get_user_by_email(session, email)
    if user is not None and user.role == Role.ADMIN:
        raise InvalidInput(_("Administrators manage every event already."), field="email")
    if user is None or user.role != Role.ORGANISER:
        raise InvalidInput(_("No organiser account uses this e-mail address."), field="email")
    already = _("%(email)s already organises this event.", email=user.email)
    if event.managed_by(user):
        raise DomainError(already, field="email")
    try:  # the primary key settles two administrators assigning at once
        with session.begin_nested():
            session.execute(insert(event_organisers).values(event_id=event.id, user_id=user.id))
    except IntegrityError:
        raise DomainError(already, field="email") from None
    session.expire(event, ["organisers"])
    return user


def unassign_organiser(session: Session, event: Event, user: User, actor: User) -> None:
    """``user`` no longer organises ``event`` (nothing happens when they did not)."""
    _require_admin(actor)
    session.execute(
        delete(event_organisers).where(
            event_organisers.c.event_id == event.id, event_organisers.c.user_id == user.id
        )
    )
    session.expire(event, ["organisers"])
    session.flush()
