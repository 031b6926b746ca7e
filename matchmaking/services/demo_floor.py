"""The demo event's floor staff: one account (the README's login) checking companies in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, User, event_floor_staff
from matchmaking.models.user import Role

DEMO_FLOOR_STAFF = ("floor@demo.example", "demo-floor")


def seed_demo_floor_staff(session: Session, event: Event) -> User:
    """The demo floor staff account (created with its documented password when missing),
    working the floor of ``event``; flushed."""
    session.flush()  # the event's id and creation time
    staff = session.scalar(select(User).where(User.email == DEMO_FLOOR_STAFF[0]))
    if staff is None:
        staff = User(
            email=DEMO_FLOOR_STAFF[0],
            full_name="Demo Floor Staff",
            role=Role.FLOOR_STAFF,
            email_confirmed_at=event.created_at,
        )
        staff.set_password(DEMO_FLOOR_STAFF[1])
        session.add(staff)
    session.flush()
    session.execute(event_floor_staff.insert().values(event_id=event.id, user_id=staff.id))
    session.flush()
    return staff
