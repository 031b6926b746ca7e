"""Floor staff: accounts organisers create per event to check companies in at the venue."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaking.errors import DomainError, InvalidInput, NotAllowed
from matchmaking.models import Event, User, event_floor_staff
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services.registration import get_user_by_email


def staffs_event(session: Session, user: User, event: Event) -> bool:
    """Whether ``user`` is floor staff of ``event``."""
    if user.role != Role.FLOOR_STAFF:
        return False
    found = session.scalar(
        select(event_floor_staff.c.user_id).where(
            event_floor_staff.c.event_id == event.id, event_floor_staff.c.user_id == user.id
        )
    )
    return found is not None


def may_work_floor(session: Session, user: User, event: Event) -> bool:
    """Organisers managing ``event`` and its floor staff may check companies in there."""
    return event.managed_by(user) or staffs_event(session, user, event)


def list_floor_staff(session: Session, event: Event) -> list[User]:
    """The floor staff of ``event``, by e-mail address."""
    return list(
        session.scalars(
            select(User)
            .join(event_floor_staff, event_floor_staff.c.user_id == User.id)
            .where(event_floor_staff.c.event_id == event.id)
            .order_by(User.email)
        )
    )


def add_floor_staff(
    session: Session, event: Event, email: str, full_name: str, locale: str, actor: User
) -> tuple[User, bool]:
    """Make the person with ``email`` floor staff of ``event``: a new account (True) unless
    floor staff of another event already uses the address (False)."""
    if not event.managed_by(actor):
        raise NotAllowed(_("Only the organisers of this event add its floor staff."))
    email = email.strip().lower()
    user = get_user_by_email(session, email)
    created = user is None
    if user is None:
        if not full_name.strip():
            raise InvalidInput(_("Give the new staff member's name."), field="full_name")
        user = User(
            email=email,
            full_name=full_name.strip(),
            role=Role.FLOOR_STAFF,
            locale=locale,
            email_confirmed_at=utcnow(),  # the invitation's link proves the address
        )
        user.set_password(secrets.token_urlsafe(32))  # chosen through the invitation's link
        session.add(user)
        session.flush()
    elif user.role != Role.FLOOR_STAFF:
        raise InvalidInput(
            _("This e-mail address belongs to an account that is not floor staff."),
            field="email",
        )
    already = _("%(email)s is already floor staff of this event.", email=user.email)
    if not created and staffs_event(session, user, event):
        raise DomainError(already, field="email")
    try:  # the primary key settles two organisers adding the same person at once
        with session.begin_nested():
            session.execute(insert(event_floor_staff).values(event_id=event.id, user_id=user.id))
    except IntegrityError:
        raise DomainError(already, field="email") from None
    return user, created


def remove_floor_staff(session: Session, event: Event, user: User, actor: User) -> None:
    """``user`` no longer works the floor of ``event``; their open sessions there end."""
    if not event.managed_by(actor):
        raise NotAllowed(_("Only the organisers of this event remove its floor staff."))
    session.execute(
        delete(event_floor_staff).where(
            event_floor_staff.c.event_id == event.id, event_floor_staff.c.user_id == user.id
        )
    )
    session.flush()
