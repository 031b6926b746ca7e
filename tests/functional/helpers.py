"""Builders of form data and accounts for functional tests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import (
    Availability,
    Company,
    Event,
    Offering,
    Participation,
    User,
)
from tests.conftest import get_csrf, sector


def registration_data(event: Event, **overrides: Any) -> dict[str, Any]:
    """A complete, valid registration of a Kazakh buyer of tractors."""
    tractors = sector(event, "agrimachinery.tractors")
    data: dict[str, Any] = {
        "full_name": "Aigerim Sadykova",
        "position": "Purchasing director",
        "email": "aigerim@steppe-agro.kz",
        "phone": "+7 701 000 0000",
        "password": "correct horse battery",
        "confirm": "correct horse battery",
        "legal_name": "Steppe Agro LLP",
        "country": "KZ",
        "city": "Almaty",
        "website": "https://steppe-agro.kz",
        "size": "medium",
        "description": "Distributor of farm machinery in southern Kazakhstan.",
        "languages": ["ru", "kk"],
        "buys-0-sector": str(tractors.id),
        "buys-0-description": "wheeled tractors, 80-120 hp",
        "buys-0-volume_usd": "250000",
        "availability-0-day": event.start_date.isoformat(),
        "availability-0-attending": "y",
        "availability-0-start": "09:00",
        "availability-0-end": "17:30",
        "availability-1-day": event.end_date.isoformat(),
        "availability-1-start": "09:00",
        "availability-1-end": "17:30",
        "max_meetings": "8",
        "directory_consent": "y",
        "privacy_consent": "y",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def make_company_user(
    session: Session,
    event: Event,
    email: str = "buyer@example.kz",
    password: str = "buyer-password-1",
    name: str = "Altai Motors LLP",
    country: str = "KZ",
    confirmed: bool = True,
    status: str = "pending",
) -> User:
    """A company with one confirmed contact and a participation in ``event``; flushed."""
    company = Company(legal_name=name, country=country, city="Astana", languages=["ru"])
    user = User(
        email=email,
        full_name="Contact of " + name,
        role="company",
        company=company,
        email_confirmed_at=datetime.now(UTC) if confirmed else None,
    )
    user.set_password(password)
    participation = Participation(
        event=event,
        company=company,
        status=status,
        offerings=[
            Offering(kind="buy", sector=sector(event, "nev.parts"), description="brake systems")
        ],
        availability=[
            Availability(day=event.start_date, start_time=_t("09:00"), end_time=_t("17:30"))
        ],
    )
    session.add_all([company, user, participation])
    session.flush()
    return user


def make_staff(
    session: Session,
    role: str = "organiser",
    email: str = "org@example.org",
    password: str = "organiser-password",
    events: Iterable[Event] | None = None,
) -> User:
    """An organiser, reporter or admin account; flushed.

    An organiser organises ``events``, by default every event of the test so far (the events
    in ``session``); pass ``events=()`` for an organiser of none.
    """
    user = User(
        email=email, full_name="Staff " + role, role=role, email_confirmed_at=datetime.now(UTC)
    )
    user.set_password(password)
    session.add(user)
    if role == "organiser":
        session.flush()
        chosen = session.scalars(select(Event)).all() if events is None else list(events)
        for event in chosen:
            event.organisers.append(user)
    session.flush()
    return user


def login(client: FlaskClient, email: str, password: str) -> Any:
    token = get_csrf(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def _t(value: str) -> Any:
    from datetime import time

    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def make_slots(session: Session, event: Event, count: int = 6, minutes: int = 20) -> list[Any]:
    """``count`` consecutive slots from 09:00 (event timezone) on the first day; flushed."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from matchmaking.models import Slot

    start = datetime.combine(event.start_date, _t("09:00"), tzinfo=ZoneInfo(event.timezone))
    slots = [
        Slot(
            event=event,
            starts_at=(start + timedelta(minutes=minutes * i)).astimezone(UTC),
            ends_at=(start + timedelta(minutes=minutes * (i + 1))).astimezone(UTC),
        )
        for i in range(count)
    ]
    session.add_all(slots)
    session.flush()
    return slots


def make_meeting(
    session: Session,
    buyer: Participation,
    supplier: Participation,
    slot: Any,
    zone: Any = None,
    table: int = 1,
    version: Any = None,
    status: str = "published",
) -> Any:
    """A scheduled meeting (with its two seats) in ``version`` or a new version; flushed."""
    from matchmaking.models import Meeting, MeetingSeat, ScheduleVersion

    event = buyer.event
    if version is None:
        version = session.scalar(
            select(ScheduleVersion).where(
                ScheduleVersion.event_id == event.id, ScheduleVersion.status == status
            )
        ) or ScheduleVersion(
            event=event,
            number=1,
            status=status,
            published_at=datetime.now(UTC) if status == "published" else None,
        )
    meeting = Meeting(
        version=version,
        event_id=event.id,
        buyer=buyer,
        supplier=supplier,
        slot=slot,
        zone=zone or event.zones[0],
        table_number=table,
        score=0.8,
        uid=f"{event.slug}-{buyer.id}-{supplier.id}@matchmaking",
    )
    session.add(meeting)
    session.flush()
    for participation in (buyer, supplier):
        session.add(
            MeetingSeat(
                meeting=meeting,
                version_id=version.id,
                slot_id=slot.id,
                participation_id=participation.id,
            )
        )
    session.flush()
    return meeting


def make_participant(
    session: Session,
    event: Event,
    name: str,
    country: str = "KZ",
    sells: tuple[tuple[str, str], ...] = (),
    buys: tuple[tuple[str, str], ...] = (),
    status: str = "approved",
    consent: bool = True,
    languages: tuple[str, ...] = ("ru",),
    email: str | None = None,
    window: tuple[str, str] = ("09:00", "17:30"),
) -> Participation:
    """An approved participant with one contact (password 'company-pass-1'); flushed."""
    company = Company(legal_name=name, country=country, city="City", languages=list(languages))
    contact = User(
        email=email or f"{name.split()[0].lower()}-{country.lower()}@example.org",
        full_name="Contact " + name,
        role="company",
        company=company,
        email_confirmed_at=datetime.now(UTC),
    )
    contact.set_password("company-pass-1")
    participation = Participation(
        event=event,
        company=company,
        status=status,
        directory_consent=consent,
        offerings=[
            Offering(kind="sell", sector=sector(event, code), description=text)
            for code, text in sells
        ]
        + [
            Offering(kind="buy", sector=sector(event, code), description=text)
            for code, text in buys
        ],
        availability=[
            Availability(day=event.start_date, start_time=_t(window[0]), end_time=_t(window[1]))
        ],
    )
    session.add_all([company, contact, participation])
    session.flush()
    return participation


@contextmanager
def sql_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block (page-cost tests)."""
    from sqlalchemy import event as sa_event

    from matchmaking.extensions import db

    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", before)
