"""Organisers' review of registrations: filters and search, decisions, CSV export.

Likely duplicates are found by ``services.duplicates``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, exists, or_, select, true
from sqlalchemy.orm import Session, selectinload

from matchmaking.errors import InvalidInput, NotAllowed
from matchmaking.models import Company, Event, Offering, Participation, Sector, User
from matchmaking.models.company import OfferingKind, ParticipationStatus
from matchmaking.models.user import Role
from matchmaking.search_keys import search_words
from matchmaking.services.decisions import queue_decisions
from matchmaking.services.duplicates import DuplicateMatch
from matchmaking.services.pagination import Page, count_rows, page_of
from matchmaking.services.word_search import keys_have


@dataclass(frozen=True)
class RegistrationFilter:
    """Filters of the organisers' registration list; empty values mean any."""

    country: str = ""
    sector_id: int | None = None
    role: str = ""  # buyer, supplier, both
    status: str = ""
    q: str = ""


def registrations_query(event: Event, filters: RegistrationFilter) -> Select[tuple[Participation]]:
    """The event's participations matching ``filters``, newest first, filtered in SQL."""
    stmt = (
        select(Participation)
        .join(Participation.company)
        .where(Participation.event_id == event.id)
        .order_by(Participation.created_at.desc(), Participation.id.desc())
    )
    if filters.country:
        stmt = stmt.where(Company.country == filters.country.upper())
    if filters.status:
        stmt = stmt.where(Participation.status == filters.status)
    if filters.sector_id:
        sector_ids = select(Sector.id).where(
            or_(Sector.id == filters.sector_id, Sector.parent_id == filters.sector_id)
        )
        stmt = stmt.where(
            Participation.id.in_(
                select(Offering.participation_id).where(Offering.sector_id.in_(sector_ids))
            )
        )
    if filters.role:
        sells = exists().where(
            Offering.participation_id == Participation.id, Offering.kind == OfferingKind.SELL
        )
        buys = exists().where(
            Offering.participation_id == Participation.id, Offering.kind == OfferingKind.BUY
        )
        stmt = stmt.where(
            {"both": sells & buys, "supplier": sells & ~buys, "buyer": ~sells}.get(
                filters.role, true()
            )
        )
    # Every word of the query, in any script, in the company's name, city or website or in a
    # contact's name or e-mail: compared with the stored search keys (matchmaking.search_keys).
    for spellings in search_words(filters.q):
        contact_match = select(User.company_id).where(keys_have([User.search_key], spellings))
        stmt = stmt.where(
            or_(keys_have([Company.search_key], spellings), Company.id.in_(contact_match))
        )
    return stmt


def _with_details(event: Event, stmt: Select[tuple[Participation]]) -> Select[tuple[Participation]]:
    # Offerings find their sectors among the event's, in the session: loaded here at most once
    # (not at all when the view has read them for its filter), then no statement of their own.
    event.top_sectors()
    return stmt.options(
        selectinload(Participation.company).selectinload(Company.contacts),
        selectinload(Participation.offerings),
    )


def list_registrations(
    session: Session, event: Event, filters: RegistrationFilter
) -> list[Participation]:
    """Every participation of the event matching ``filters`` (the CSV export, bulk approval)."""
    return list(session.scalars(_with_details(event, registrations_query(event, filters))))


def page_of_registrations(
    session: Session, event: Event, filters: RegistrationFilter, number: int, per_page: int = 50
) -> Page:
    """One page of the registrations matching ``filters``."""
    return page_of(
        session, _with_details(event, registrations_query(event, filters)), number, per_page
    )


def count_pending(session: Session, event: Event, filters: RegistrationFilter) -> int:
    """How many registrations matching ``filters`` wait for a decision."""
    query = registrations_query(event, filters).where(
        Participation.status == ParticipationStatus.PENDING
    )
    return count_rows(session, query)


def decide_registration(
    session: Session,
    participation: Participation,
    actor: User,
    approve: bool,
    reason: str,
    now: datetime,
) -> None:
    """Approve, or reject with a reason; only organisers decide. The company's contacts are
    told by e-mail."""
    _decide(session, participation, actor, approve, reason, now)
    queue_decisions(session, [participation], now)  # e-mailed by the scheduler's job


def _decide(
    session: Session,
    participation: Participation,
    actor: User,
    approve: bool,
    reason: str,
    now: datetime,
) -> None:
    if not actor.has_role(Role.ORGANISER):
        raise NotAllowed(_("Only organisers can approve or reject registrations."))
    reason = reason.strip()
    if not approve and not reason:
        raise InvalidInput(_("Give a reason for the rejection."), field="reason")
    participation.status = ParticipationStatus.APPROVED if approve else ParticipationStatus.REJECTED
    participation.status_reason = reason
    participation.decided_at = now
    participation.decided_by_id = actor.id
    session.flush()


CSV_COLUMNS = (
    "id", "status", "company", "country", "city", "website", "size", "languages", "role",
    "sells", "buys", "contact_name", "contact_email", "contact_phone", "max_meetings",
    "interpreter_needed", "brings_interpreter", "directory_consent", "registered_at",
    "likely_duplicate_of",
)  # fmt: skip


def export_rows(
    participations: list[Participation], duplicates: dict[int, list[DuplicateMatch]]
) -> Iterator[list[str]]:
    """The registrations' rows for the CSV export, in the order of ``CSV_COLUMNS``."""
    for p in participations:
        contact = p.company.contacts[0] if p.company.contacts else None
        yield [
            str(p.id),
            p.status,
            p.company.legal_name,
            p.company.country,
            p.company.city,
            p.company.website,
            p.company.size,
            " ".join(p.company.languages or []),
            p.role,
            "; ".join(f"{o.sector.code}: {o.description}" for o in p.sells),
            "; ".join(f"{o.sector.code}: {o.description}" for o in p.buys),
            contact.full_name if contact else "",
            contact.email if contact else "",
            contact.phone if contact else "",
            str(p.max_meetings or ""),
            "yes" if p.interpreter_needed else "no",
            "yes" if p.brings_interpreter else "no",
            "yes" if p.directory_consent else "no",
            p.created_at.isoformat(timespec="seconds"),
            " ".join(str(m.participation_id) for m in duplicates.get(p.id, [])),
        ]


@dataclass(frozen=True)
class BulkApproval:
    """What a bulk approval did."""

    approved: int
    already_decided: int


def approve_registrations(
    session: Session,
    event: Event,
    participations: list[Participation],
    actor: User,
    now: datetime,
) -> BulkApproval:
    """Approve the pending ones among ``participations`` (all of ``event``) in one step; those
    already approved or rejected keep their decision."""
    if not actor.has_role(Role.ORGANISER):
        raise NotAllowed(_("Only organisers can approve or reject registrations."))
    kept = 0
    decided: list[Participation] = []
    for participation in participations:
        if participation.event_id != event.id:
            raise NotAllowed(_("That registration belongs to another event."))
        if participation.status != ParticipationStatus.PENDING:
            kept += 1
            continue
        _decide(session, participation, actor, True, "", now)
        decided.append(participation)
    queue_decisions(session, decided, now)  # e-mailed by the scheduler's job
    session.flush()
    return BulkApproval(approved=len(decided), already_decided=kept)
