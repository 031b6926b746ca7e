"""Builders for the deal tests, on top of ``helpers`` (accounts, slots, meetings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from matchmaking.models import Event, Meeting, Participation, User
from matchmaking.models.types import utcnow
from matchmaking.services.deals import OutcomeInput, record_outcome
from tests.conftest import make_event
from tests.functional.helpers import make_company_user, make_meeting, make_slots, make_staff

PASSWORD = "company-password-1"


def past_event(session: Session, slug: str = "forum") -> Event:
    """A two-day event that ended yesterday (outcomes may be recorded)."""
    today = datetime.now(UTC).date()
    return make_event(
        session,
        slug,
        start_date=today - timedelta(days=2),
        end_date=today - timedelta(days=1),
        registration_deadline=datetime.now(UTC) - timedelta(days=10),
        status="closed",
    )


@dataclass
class Fair:
    """An ended event with an organiser, buyers, suppliers and one meeting per pair given."""

    event: Event
    organiser: User
    users: dict[str, User]
    parts: dict[str, Participation]
    meetings: dict[tuple[str, str], Meeting]


def make_fair(
    session: Session,
    companies: dict[str, str],
    pairs: list[tuple[str, str]],
    slug: str = "forum",
) -> Fair:
    """``companies`` maps a short name to its country; ``pairs`` are (buyer, supplier)."""
    event = past_event(session, slug)
    organiser = make_staff(session, email=f"org@{slug}.example")
    users = {
        name: make_company_user(
            session,
            event,
            email=f"{name}@{slug}.example",
            password=PASSWORD,
            name=f"{name.title()} Trading",
            country=country,
            status="approved",
        )
        for name, country in companies.items()
    }
    parts = {name: user.company.participations[0] for name, user in users.items()}
    slots = make_slots(session, event, count=len(pairs))
    meetings = {
        (b, s): make_meeting(session, parts[b], parts[s], slot, table=i + 1)
        for i, ((b, s), slot) in enumerate(zip(pairs, slots, strict=True))
    }
    return Fair(event, organiser, users, parts, meetings)


def report(
    session: Session,
    fair: Fair,
    pair: tuple[str, str],
    side: str,
    stage: str = "tentative",
    amount: str | None = "1000",
    currency: str | None = "CNY",
    **extra: Any,
) -> None:
    """Record ``side``'s (a company name) outcome of the meeting ``pair`` as that company."""
    meeting = fair.meetings[pair]
    deal = stage in ("tentative", "preliminary", "signed")
    record_outcome(
        session,
        meeting,
        fair.parts[side],
        OutcomeInput(
            stage=stage,
            amount=Decimal(amount) if deal and amount is not None else None,
            currency=currency if deal else None,
            **extra,
        ),
        fair.users[side],
        utcnow(),
    )
