"""Company pickers for organisers: find an event's approved companies by name, in SQL.

A small event's pickers list every company (a select the browser filters); a large event's
pickers search the server as the organiser types (``search``, served as JSON a page at a
time), and a name typed without JavaScript is resolved here (``resolve``), so a picker costs
the same whatever the size of the event.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from matchmaking.errors import InvalidInput
from matchmaking.models import Company, Event, Offering, Participation
from matchmaking.models.company import OfferingKind, ParticipationStatus
from matchmaking.search_keys import fold, search_words
from matchmaking.services.pagination import Page, count_rows
from matchmaking.services.word_search import keys_have

# Above this many approved companies, pickers search the server instead of listing them all.
INLINE_LIMIT = 300
SIDES = {"buy": OfferingKind.BUY, "sell": OfferingKind.SELL}


def _candidates(event: Event, side: str | None) -> Select[Any]:
    """(participation id, company name) of the event's approved companies, by name; ``side``
    "buy" or "sell" keeps those that declare buying or selling."""
    stmt: Select[*tuple[Any, ...]] = (
        select(Participation.id, Company.legal_name)
        .join(Company, Company.id == Participation.company_id)
        .where(
            Participation.event_id == event.id,
            Participation.status == ParticipationStatus.APPROVED,
        )
        .order_by(Company.legal_name, Participation.id)
    )
    if side in SIDES:
        stmt = stmt.where(
            select(Offering.id)
            .where(Offering.participation_id == Participation.id, Offering.kind == SIDES[side])
            .exists()
        )
    return stmt


def _matching(stmt: Select[Any], query: str) -> Select[Any]:
    """``stmt`` kept to the companies whose stored key holds every word of ``query`` (any
    script: "степь", "step" and "重庆" all work, see matchmaking.search_keys)."""
    for spellings in search_words(query):
        stmt = stmt.where(keys_have([Company.search_key], spellings))
    return stmt


def search(
    session: Session, event: Event, query: str, side: str | None, number: int, per_page: int = 20
) -> Page:
    """Page ``number`` of the companies matching ``query``, rows (id, name); two statements."""
    stmt = _matching(_candidates(event, side), query)
    total = count_rows(session, stmt)
    last = max(1, -(-total // per_page))
    number = min(max(1, number), last)
    rows = [
        (pid, name)
        for pid, name in session.execute(stmt.limit(per_page).offset((number - 1) * per_page))
    ]
    return Page(rows=rows, number=number, per_page=per_page, total=total)


def choices(session: Session, event: Event, side: str | None = None) -> list[tuple[int, str]]:
    """Every candidate (id, name), for a small event's select."""
    return [(pid, name) for pid, name in session.execute(_candidates(event, side))]


def choices_by_side(session: Session, event: Event) -> dict[str | None, list[tuple[int, str]]]:
    """``choices`` for no side, "buy" and "sell" at once: one statement for a page of pickers."""
    flags = [
        select(Offering.id)
        .where(Offering.participation_id == Participation.id, Offering.kind == kind)
        .exists()
        .label(side)
        for side, kind in SIDES.items()
    ]
    found: dict[str | None, list[tuple[int, str]]] = {None: [], **{side: [] for side in SIDES}}
    for pid, name, *sides in session.execute(_candidates(event, None).add_columns(*flags)):
        found[None].append((pid, name))
        for side, declared in zip(SIDES, sides, strict=True):
            if declared:
                found[side].append((pid, name))
    return found


def name_of(session: Session, event: Event, participation_id: int | None) -> str | None:
    """The name of an approved company of the event, or None."""
    if not participation_id:
        return None
    return session.scalar(
        _candidates(event, None)
        .with_only_columns(Company.legal_name)
        .where(Participation.id == participation_id)
    )


def names_of(session: Session, event: Event, ids: set[int]) -> dict[int, str]:
    """Names of the event's approved companies among ``ids``; one statement."""
    if not ids:
        return {}
    rows = session.execute(_candidates(event, None).where(Participation.id.in_(ids)))
    return {int(pid): str(name) for pid, name in rows}


def resolve(
    session: Session, event: Event, text: str, chosen: int | None, side: str | None, field: str
) -> int:
    """The company an organiser picked: ``chosen`` (the id the picker set) while the typed
    ``text`` is still its name, else the one company named ``text`` or, failing that, the one
    company that ``text`` finds. Raises InvalidInput on ``field`` when none or several match."""
    text = text.strip()
    if not text:
        raise InvalidInput(_("Choose a company."), field=field)
    stmt = _candidates(event, side)
    if chosen:
        name = session.scalar(
            stmt.with_only_columns(Company.legal_name).where(Participation.id == chosen)
        )
        if name is not None and fold(name) == fold(text):
            return chosen
    # A key starts with the folded name (matchmaking.search_keys.company_search_key).
    key = fold(text)
    named = session.execute(
        stmt.where(
            or_(
                Company.search_key == key, Company.search_key.startswith(key + " ", autoescape=True)
            )
        ).limit(20)
    ).all()
    exact = [pid for pid, name in named if fold(name) == key]
    if len(exact) == 1:
        return int(exact[0])
    found = session.execute(_matching(stmt, text).limit(2)).all()
    if len(found) == 1:
        return int(found[0][0])
    if not found:
        raise InvalidInput(_("No company matches “%(text)s”.", text=text), field=field)
    raise InvalidInput(
        _("Several companies match “%(text)s”: type more of the name.", text=text), field=field
    )


def count(session: Session, event: Event) -> int:
    """How many companies the event has approved."""
    return (
        session.scalar(select(func.count()).select_from(_candidates(event, None).subquery())) or 0
    )
