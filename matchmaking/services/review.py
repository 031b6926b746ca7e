"""Organisers' review of registrations: filters, likely duplicates, decisions, CSV export."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from matchmaking.errors import DomainError, NotAllowed
from matchmaking.models import Company, Event, Offering, Participation, Sector, User

# Legal-form words ignored when comparing company names (en, ru/kk, zh).
_LEGAL_FORMS = {
    "llc", "llp", "lp", "ltd", "limited", "co", "company", "inc", "corp", "corporation", "jsc",
    "ojsc",
    "cjsc", "pjsc", "plc", "gmbh", "group", "too", "ooo", "oao", "zao", "ao", "pao", "ip",
    "тоо", "ооо", "оао", "зао", "ао", "пао", "ип", "чп", "ук",
}  # fmt: skip
_ZH_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")


@dataclass(frozen=True)
class RegistrationFilter:
    """Filters of the organisers' registration list; empty values mean any."""

    country: str = ""
    sector_id: int | None = None
    role: str = ""  # buyer, supplier, both
    status: str = ""
    q: str = ""


def normalise_company_name(name: str) -> str:
    """Casefolded name without punctuation and legal forms, for duplicate detection."""
    text = unicodedata.normalize("NFKC", name).casefold()
    for form in _ZH_FORMS:
        text = text.replace(form, " ")
    words = [w for w in re.split(r"[\W_]+", text) if w and w not in _LEGAL_FORMS]
    return " ".join(words)


def canonical_email(email: str) -> str:
    """The mailbox an address reaches: '+tags' dropped, and dots for Gmail."""
    local, _, domain = email.strip().lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in {"gmail.com", "googlemail.com"}:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def list_registrations(
    session: Session, event: Event, filters: RegistrationFilter
) -> list[Participation]:
    """The event's participations matching ``filters``, newest first."""
    stmt = (
        select(Participation)
        .join(Participation.company)
        .where(Participation.event_id == event.id)
        .options(
            selectinload(Participation.company).selectinload(Company.contacts),
            selectinload(Participation.offerings).selectinload(Offering.sector),
        )
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
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        contact_match = select(User.company_id).where(
            or_(User.email.like(like), User.full_name.ilike(like))
        )
        stmt = stmt.where(
            or_(
                Company.legal_name.ilike(like),
                Company.city.ilike(like),
                Company.id.in_(contact_match),
            )
        )
    rows = list(session.scalars(stmt))
    if filters.role:
        rows = [p for p in rows if p.role == filters.role]
    return rows


def likely_duplicates(session: Session, event: Event) -> dict[int, list[int]]:
    """Participation id -> ids of other registrations with the same name+country or mailbox."""
    participations = session.scalars(
        select(Participation)
        .where(Participation.event_id == event.id)
        .options(selectinload(Participation.company).selectinload(Company.contacts))
    ).all()
    groups: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for p in participations:
        groups[("name", p.company.country, normalise_company_name(p.company.legal_name))].add(p.id)
        for contact in p.company.contacts:
            groups[("email", canonical_email(contact.email))].add(p.id)
    result: dict[int, set[int]] = defaultdict(set)
    for ids in groups.values():
        if len(ids) > 1:
            for pid in ids:
                result[pid] |= ids - {pid}
    return {pid: sorted(others) for pid, others in result.items()}


def decide_registration(
    session: Session,
    participation: Participation,
    actor: User,
    approve: bool,
    reason: str,
    now: datetime,
) -> None:
    """Approve, or reject with a reason; only organisers decide."""
    if not actor.has_role("organiser"):
        raise NotAllowed(_("Only organisers can approve or reject registrations."))
    reason = reason.strip()
    if not approve and not reason:
        raise DomainError(_("Give a reason for the rejection."), field="reason")
    participation.status = "approved" if approve else "rejected"
    participation.status_reason = reason
    participation.decided_at = now
    participation.decided_by_id = actor.id
    session.flush()


CSV_COLUMNS = (
    "id", "status", "company", "country", "city", "website", "size", "languages", "role",
    "sells", "buys", "contact_name", "contact_email", "contact_phone", "max_meetings",
    "interpreter_needed", "directory_consent", "registered_at", "likely_duplicate_of",
)  # fmt: skip


def _csv_safe(value: str) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ is shown as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(participations: list[Participation], duplicates: dict[int, list[int]]) -> str:
    """The registrations as CSV (UTF-8, header row), safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for p in participations:
        contact = p.company.contacts[0] if p.company.contacts else None
        row = [
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
            "yes" if p.directory_consent else "no",
            p.created_at.isoformat(timespec="seconds"),
            " ".join(str(i) for i in duplicates.get(p.id, [])),
        ]
        writer.writerow([_csv_safe(cell) for cell in row])
    return out.getvalue()
