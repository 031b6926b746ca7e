"""Company registration, profile and participation edits, extra contacts."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from matchmaking.errors import EmailTaken, InvalidInput, NotAllowed, RegistrationClosed
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
from matchmaking.models import user as user_model
from matchmaking.models.company import CompanySize, OfferingKind, ParticipationStatus
from matchmaking.models.user import Role
from matchmaking.services.availability import HoursLeaveOutMeetings, meetings_outside
from matchmaking.services.registration_import import ImportRow, RowError, normalise


@dataclass(frozen=True)
class CompanyInput:
    """Company profile fields as entered."""

    legal_name: str
    country: str
    city: str
    website: str = ""
    size: str = CompanySize.SMALL
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
    brings_interpreter: bool = False  # no interpreter from the event's pool is needed
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


def _check_participation(session: Session, event: Event, data: ParticipationInput) -> None:
    """Raise ``InvalidInput`` naming the form's field (``sells``, ``buys``, ``availability``,
    ``brings_interpreter``) unless the company gives known sectors, at least one, at least one
    day of the event, and does not both need an interpreter and bring its own."""
    if not data.offerings:
        raise InvalidInput(
            _("Tell us at least one sector you sell in or want to buy from."), field="sells"
        )
    valid_sectors = set(session.scalars(select(Sector.id).where(Sector.event_id == event.id)))
    for line in data.offerings:
        if line.sector_id not in valid_sectors:
            field = "buys" if line.kind == OfferingKind.BUY else "sells"
            raise InvalidInput(_("Unknown sector."), field=field)
    if data.interpreter_needed and data.brings_interpreter:
        raise InvalidInput(
            _("Choose one: either you need an interpreter or you bring your own."),
            field="brings_interpreter",
        )
    if not data.availability:
        raise InvalidInput(_("Choose at least one day you attend."), field="availability")
    event_days = set(event.days)
    if any(window.day not in event_days for window in data.availability):
        raise InvalidInput(_("That day is not part of the event."), field="availability")


def check_seeded_participation(session: Session, participation: Participation) -> None:
    """The registration rules for a participation built directly (the demo seeds thousands
    without the forms): the same ``InvalidInput`` as a company gets through the service."""
    offerings = tuple(
        OfferingInput(o.kind, o.sector_id if o.sector_id else o.sector.id, o.description)
        for o in participation.offerings
    )
    windows = tuple(
        AvailabilityInput(a.day, a.start_time, a.end_time) for a in participation.availability
    )
    _check_participation(
        session, participation.event, ParticipationInput(offerings=offerings, availability=windows)
    )


def _apply_participation(
    session: Session, event: Event, participation: Participation, data: ParticipationInput
) -> None:
    seen: set[tuple[str, int]] = set()
    offerings: list[Offering] = []
    for line in data.offerings:
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
    windows = [
        Availability(day=window.day, start_time=window.start, end_time=window.end)
        for window in data.availability
    ]
    participation.offerings.clear()
    participation.availability.clear()
    session.flush()  # delete the old lines before unique keys are reused
    participation.offerings.extend(offerings)
    participation.availability.extend(windows)
    participation.max_meetings = data.max_meetings
    participation.interpreter_needed = data.interpreter_needed
    participation.brings_interpreter = data.brings_interpreter
    participation.interpreter_note = data.interpreter_note.strip()
    participation.directory_consent = data.directory_consent


def _new_contact(company: Company, data: ContactInput, unusable_hash: str | None = None) -> User:
    """A contact of ``company``; without a password, ``unusable_hash`` (when given) spares
    hashing a random password for each of many invited contacts."""
    user = User(
        email=normalise_email(data.email),
        full_name=data.full_name.strip(),
        position=data.position.strip(),
        phone=data.phone.strip(),
        role=Role.COMPANY,
        company=company,
        locale=data.locale,
    )
    if data.password is None and unusable_hash is not None:
        user.password_hash = unusable_hash
        user.end_sessions()
    else:
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
    _check_participation(session, event, participation_data)
    if get_user_by_email(session, contact.email) is not None:
        raise EmailTaken(_("This e-mail address cannot be used."), field="email")
    company = Company()
    _apply_company(company, company_data)
    user = _new_contact(company, contact)
    participation = Participation(event=event, company=company, status=ParticipationStatus.PENDING)
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
    organiser = actor.has_role(Role.ORGANISER)
    if not organiser:
        _check_open(participation.event, now)
    _check_participation(session, participation.event, data)
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
    if actor.has_role(Role.ORGANISER):
        return
    if actor.role != Role.COMPANY or actor.company_id != company.id:
        raise NotAllowed(_("You can only change your own company."))


# --- registrations imported by organisers from a file (services.registration_import) ---------


def find_import_conflicts(
    session: Session, event: Event, rows: Sequence[ImportRow], headings: Mapping[str, str]
) -> list[RowError]:
    """Rows whose e-mail address already has an account, or whose company (same name and
    country) is already registered for ``event``; ``headings`` name the file's columns."""
    errors: list[RowError] = []
    emails = [row.email for row in rows]
    taken: set[str] = set()
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        taken.update(session.scalars(select(User.email).where(User.email.in_(chunk))))
    registered = {
        (normalise(name), country)
        for name, country in session.execute(
            select(Company.legal_name, Company.country)
            .join(Participation)
            .where(Participation.event_id == event.id)
        )
    }
    for row in rows:
        if row.email in taken:
            errors.append(
                RowError(
                    row.number,
                    headings.get("email", "email"),
                    _("an account with this address exists already"),
                )
            )
        if (normalise(row.company), row.country) in registered:
            errors.append(
                RowError(
                    row.number,
                    headings.get("company", "company"),
                    _("this company is already registered for the event"),
                )
            )
    return errors


def _import_hours(event: Event) -> tuple[AvailabilityInput, ...]:
    """Every day of the event, for its meeting hours (the form's 9:00-17:30 without them)."""
    hours = {d.day: (d.start_time, d.end_time) for d in event.schedule_days}
    return tuple(
        AvailabilityInput(day, *hours.get(day, (time(9, 0), time(17, 30)))) for day in event.days
    )


def import_registrations(
    session: Session,
    event: Event,
    rows: Sequence[ImportRow],
    headings: Mapping[str, str],
    actor: User,
    approve: bool,
    now: datetime,
) -> list[User]:
    """Register every row's company, contact and participation (pending, or approved by
    ``actor``), attending every day; all or nothing. Flushes, never commits.

    The contacts get no usable password: they choose one through their invitation.
    """
    if not (actor.has_role(Role.ORGANISER) and event.managed_by(actor)):
        raise NotAllowed(_("Only the event's organisers can import registrations."))
    if not rows:
        raise InvalidInput(_("The file has no registrations to import."))
    conflicts = find_import_conflicts(session, event, rows, headings)
    if conflicts:
        raise InvalidInput(
            _(
                "Nothing was imported: %(first)s (%(count)d problems in all).",
                first=str(conflicts[0]),
                count=len(conflicts),
            )
        )
    unusable = generate_password_hash(
        secrets.token_urlsafe(32), method=user_model.PASSWORD_HASH_METHOD
    )
    hours = _import_hours(event)
    users: list[User] = []
    for row in rows:
        participation_data = ParticipationInput(
            offerings=tuple(
                OfferingInput(kind, line.sector_id, line.description)
                for kind, lines in ((OfferingKind.SELL, row.sells), (OfferingKind.BUY, row.buys))
                for line in lines
            ),
            availability=hours,
            max_meetings=row.max_meetings,
            interpreter_needed=row.interpreter_needed,
            brings_interpreter=row.brings_interpreter,
            directory_consent=row.listed,
        )
        _check_participation(session, event, participation_data)
        company = Company()
        _apply_company(
            company,
            CompanyInput(
                legal_name=row.company,
                country=row.country,
                city=row.city,
                website=row.website,
                size=row.size,
                description=row.description,
                languages=row.languages,
            ),
        )
        contact = ContactInput(
            full_name=row.contact_name,
            email=row.email,
            password=None,
            position=row.position,
            phone=row.phone,
            locale=row.contact_language,
        )
        user = _new_contact(company, contact, unusable)
        participation = Participation(event=event, company=company)
        if approve:
            participation.status = ParticipationStatus.APPROVED
            participation.decided_at, participation.decided_by_id = now, actor.id
        else:
            participation.status = ParticipationStatus.PENDING
        session.add_all([company, user, participation])
        session.flush()
        _apply_participation(session, event, participation, participation_data)
        users.append(user)
    session.flush()
    return users
