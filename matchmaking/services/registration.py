"""Company registration, profile and participation edits, extra contacts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking.errors import EmailTaken, NotAllowed, RegistrationClosed
from matchmaking.models import (
    Availability,
    Company,
    Event,
    Meeting,
    Offering,
    Participation,
    Sector,
    User,
)
from matchmaking.services.availability import HoursLeaveOutMeetings, meetings_outside


@dataclass(frozen=True)
class CompanyInput:
    """Company profile fields as entered."""

    legal_name: str
    country: str
    city: str
    website: str = ""
    size: str = "small"
    description: str = ""
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContactInput:
    """A contact person; ``password`` None means an invitation to set one."""

    full_name: str
    email: str
    password: str | None
    position: str = ""
    phone: str = ""
    locale: str = "en"


@dataclass(frozen=True)
class OfferingInput:
    """One line of what the company sells or wants to buy."""

    kind: str
    sector_id: int
    description: str
    volume_usd: Decimal | None = None


@dataclass(frozen=True)
class AvailabilityInput:
    """Hours on one event day, in the event's timezone."""

    day: date
    start: time
    end: time


@dataclass(frozen=True)
class ParticipationInput:
    """What a company declares for one event."""

    offerings: tuple[OfferingInput, ...]
    availability: tuple[AvailabilityInput, ...]
    max_meetings: int | None = None
    interpreter_needed: bool = False
    interpreter_note: str = ""
    directory_consent: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def normalise_email(email: str) -> str:
    """The stored form of an address: trimmed and lower-cased."""
    return email.strip().lower()


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_open(event: Event, now: datetime) -> None:
    if not event.registration_open(now):
        raise RegistrationClosed(_("Registration for this event is closed."))


def _apply_company(company: Company, data: CompanyInput) -> None:
    company.legal_name = data.legal_name.strip()
    company.country = data.country.upper()
    company.city = data.city.strip()
    company.website = data.website.strip()
    company.size = data.size
    company.description = data.description.strip()
    company.languages = list(dict.fromkeys(data.languages))


def _apply_participation(
    session: Session, event: Event, participation: Participation, data: ParticipationInput
) -> None:
    valid_sectors = set(session.scalars(select(Sector.id).where(Sector.event_id == event.id)))
    seen: set[tuple[str, int]] = set()
    offerings: list[Offering] = []
    for line in data.offerings:
        if line.sector_id not in valid_sectors:
            raise NotAllowed(_("Unknown sector."), field="offerings")
        key = (line.kind, line.sector_id)
        if key in seen:
            continue
        seen.add(key)
        offerings.append(
            Offering(
                kind=line.kind,
                sector_id=line.sector_id,
                description=line.description.strip(),
                volume_usd=line.volume_usd,
            )
        )
    event_days = set(event.days)
    windows = []
    for window in data.availability:
        if window.day not in event_days:
            raise NotAllowed(_("That day is not part of the event."), field="availability")
        windows.append(Availability(day=window.day, start_time=window.start, end_time=window.end))
    participation.offerings.clear()
    participation.availability.clear()
    session.flush()  # delete the old lines before unique keys are reused
    participation.offerings.extend(offerings)
    participation.availability.extend(windows)
    participation.max_meetings = data.max_meetings
    participation.interpreter_needed = data.interpreter_needed
    participation.interpreter_note = data.interpreter_note.strip()
    participation.directory_consent = data.directory_consent


def _new_contact(company: Company, data: ContactInput) -> User:
    user = User(
        email=normalise_email(data.email),
        full_name=data.full_name.strip(),
        position=data.position.strip(),
        phone=data.phone.strip(),
        role="company",
        company=company,
        locale=data.locale,
    )
    user.set_password(data.password or secrets.token_urlsafe(32))
    return user


def register_company(
    session: Session,
    event: Event,
    company_data: CompanyInput,
    contact: ContactInput,
    participation_data: ParticipationInput,
    now: datetime,
) -> User:
    """Create the company, its first contact and its participation; flushes, never commits."""
    _check_open(event, now)
    if get_user_by_email(session, contact.email) is not None:
        raise EmailTaken(_("This e-mail address cannot be used."), field="email")
    company = Company()
    _apply_company(company, company_data)
    user = _new_contact(company, contact)
    participation = Participation(event=event, company=company, status="pending")
    session.add_all([company, user, participation])
    session.flush()
    _apply_participation(session, event, participation, participation_data)
    session.flush()
    return user


def update_company(session: Session, company: Company, data: CompanyInput, actor: User) -> None:
    """Edit a company's profile (its own contacts or an organiser)."""
    _require_company_access(company, actor)
    _apply_company(company, data)
    session.flush()


def update_participation(
    session: Session,
    participation: Participation,
    data: ParticipationInput,
    actor: User,
    now: datetime,
    keep_meetings_outside: bool = False,
) -> list[Meeting]:
    """Edit offers, interests and availability; companies only until the deadline.

    New hours that leave scheduled meetings (draft or published) outside are refused, unless an
    organiser keeps them with ``keep_meetings_outside``: those meetings are returned, and both
    the company and the organisers see them listed until someone moves them.
    """
    _require_company_access(participation.company, actor)
    organiser = actor.has_role("organiser")
    if not organiser:
        _check_open(participation.event, now)
    windows = [(w.day, w.start, w.end) for w in data.availability]
    outside = meetings_outside(session, participation, windows)
    if outside and not (organiser and keep_meetings_outside):
        raise HoursLeaveOutMeetings(participation, outside)
    _apply_participation(session, participation.event, participation, data)
    session.flush()
    return outside


def add_contact(session: Session, company: Company, data: ContactInput, actor: User) -> User:
    """Add a further contact person to ``company``; raises EmailTaken when the address is used."""
    _require_company_access(company, actor)
    if get_user_by_email(session, data.email) is not None:
        raise EmailTaken(_("This e-mail address cannot be used."), field="email")
    user = _new_contact(company, data)
    session.add(user)
    session.flush()
    return user


def confirm_email(session: Session, user: User, email: str, now: datetime) -> bool:
    """Mark the address confirmed when the token's address is still the account's."""
    if user.email != email:
        return False
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
        session.flush()
    return True


def _require_company_access(company: Company, actor: User) -> None:
    if actor.has_role("organiser"):
        return
    if actor.role != "company" or actor.company_id != company.id:
        raise NotAllowed(_("You can only change your own company."))


def count_participations(session: Session, event: Event) -> int:
    return int(
        session.scalar(
            select(func.count(Participation.id)).where(Participation.event_id == event.id)
        )
        or 0
    )
