"""The demo event's floor staff (one account, the README's login checking companies in), and
the floor day of ``seed-demo --floor-day``: today's arrivals and one meeting to walk through."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from matchmaking.models import Availability, Event, Meeting, Participation, User, event_floor_staff
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.schedule import MeetingStatus
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


ARRIVED_SHARE = 0.85  # of the companies expected today, checked in at seeding
DOORS_OPEN = time(8, 30)


@dataclass(frozen=True)
class FloorWalk:
    """What ``seed_demo_floor_day`` prepared: ``company`` is not checked in yet and has a
    meeting to come today (``meeting``) whose other company (``absent``) has not arrived."""

    checked_in: int
    company: Participation | None = None
    meeting: Meeting | None = None
    absent: Participation | None = None


def seed_demo_floor_day(
    session: Session, event: Event, now: datetime, contact_email: str, rng: random.Random
) -> FloorWalk:
    """Check in most companies expected today (the event's last day) and leave two out: a
    company with a meeting to come (the demo login's company when it can be) and the other
    company of that meeting, who never arrives. A company that held a meeting today is always
    checked in; the walked company joins today's standby list, so a refill of its freed table
    proposes it first. Flushes only; call after the schedule and outcomes are seeded."""
    from matchmaking.services.agendas import get_published_version
    from matchmaking.services.check_ins import check_in, event_day
    from matchmaking.services.refill import join_standby

    staff = session.scalar(select(User).where(User.email == DEMO_FLOOR_STAFF[0]))
    version = get_published_version(session, event.id)
    today = event_day(event, now)
    if staff is None or version is None or not event.start_date <= today <= event.end_date:
        return FloorWalk(0)
    meetings = [
        m
        for m in session.scalars(
            select(Meeting)
            .options(joinedload(Meeting.slot))
            .where(Meeting.version_id == version.id, Meeting.status == MeetingStatus.SCHEDULED)
        ).unique()
        if m.slot.local_start().date() == today
    ]
    met = {p for m in meetings if m.slot.ends_at <= now for p in (m.buyer_id, m.supplier_id)}
    contact = session.scalar(select(User).where(User.email == contact_email))
    walk = _walk_meeting(
        [m for m in meetings if m.slot.starts_at > now],
        met,
        contact.company_id if contact else None,
    )
    company = absent = None
    if walk is not None:
        company, absent = walk.buyer, walk.supplier
        if contact is not None and absent.company_id == contact.company_id:
            company, absent = absent, company
    expected = session.scalars(
        select(Participation)
        .join(Availability, Availability.participation_id == Participation.id)
        .where(
            Participation.event_id == event.id,
            Participation.status == ParticipationStatus.APPROVED,
            Availability.day == today,
        )
        .order_by(Participation.id)
    ).unique()
    opening = datetime.combine(today, DOORS_OPEN, tzinfo=event.tz)
    checked_in = 0
    for participation in expected:
        if participation in (company, absent):
            continue
        if participation.id not in met and rng.random() >= ARRIVED_SHARE:
            continue
        arrived = opening + timedelta(seconds=rng.randint(0, 3600))
        check_in(session, participation, min(arrived.astimezone(UTC), now), staff)
        checked_in += 1
    if company is not None:
        join_standby(session, company, now)
    session.flush()
    return FloorWalk(checked_in, company, walk, absent)


def _walk_meeting(coming: list[Meeting], met: set[int], company_id: int | None) -> Meeting | None:
    """The first meeting to come, preferring one of the demo login's company, and one whose
    companies held no meeting yet today (they may then not have arrived)."""

    def preference(meeting: Meeting) -> tuple[bool, bool, datetime, int]:
        fresh = not {meeting.buyer_id, meeting.supplier_id} & met
        mine = company_id in (meeting.buyer.company_id, meeting.supplier.company_id)
        return (not fresh, not mine, meeting.slot.starts_at, meeting.id)

    return min(coming, key=preference, default=None)
