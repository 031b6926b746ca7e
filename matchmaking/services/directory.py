"""The participant directory: approved, listed companies filtered and searched in SQL."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Select, String, cast, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from matchmaking.models import Company, Event, Offering, Participation, Sector
from matchmaking.models.company import ParticipationStatus
from matchmaking.search_keys import search_words
from matchmaking.services.pagination import Page, page_of
from matchmaking.services.taxonomy import sector_names_matching
from matchmaking.services.word_search import keys_have


@dataclass(frozen=True)
class DirectoryFilter:
    """The directory's filters; empty values mean any."""

    sector_id: int | None = None
    country: str = ""
    language: str = ""
    q: str = ""


def listed_query(event: Event, me: Participation | None) -> Select[tuple[Participation]]:
    """The event's approved companies that agreed to be listed (``me`` left out), by name."""
    stmt = (
        select(Participation)
        .join(Participation.company)
        .where(
            Participation.event_id == event.id,
            Participation.status == ParticipationStatus.APPROVED,
            Participation.directory_consent.is_(True),
        )
        .order_by(Company.legal_name, Participation.id)
    )
    if me is not None:
        stmt = stmt.where(Participation.id != me.id)
    return stmt


def directory_query(
    event: Event, me: Participation | None, filters: DirectoryFilter
) -> Select[tuple[Participation]]:
    """The listed companies matching ``filters``, filtered in SQL."""
    stmt = listed_query(event, me)
    if filters.sector_id:
        sectors = select(Sector.id).where(
            or_(Sector.id == filters.sector_id, Sector.parent_id == filters.sector_id)
        )
        stmt = stmt.where(
            exists().where(
                Offering.participation_id == Participation.id, Offering.sector_id.in_(sectors)
            )
        )
    if filters.country:
        stmt = stmt.where(Company.country == filters.country)
    if filters.language:
        # Language codes are letters only, so the stored JSON list holds them as "xx".
        stmt = stmt.where(
            cast(Company.languages, String).contains(f'"{filters.language}"', autoescape=True)
        )
    # Every word of the query, in any script, in the company's name, city, website or
    # description, in what it sells or buys (the stored keys of matchmaking.search_keys), or
    # in the name of a sector it sells or buys in, in any of the three languages: the
    # descriptions are free text in the company's language, so a Russian "трактор" finds
    # a supplier that wrote "wheeled tractors" under Tractors.
    for spellings in search_words(filters.q):
        conditions = [keys_have([Offering.search_key], spellings)]
        names = sector_names_matching(spellings)
        if names:
            named = select(Sector.id).where(Sector.event_id == event.id, Sector.name.in_(names))
            conditions.append(
                Offering.sector_id.in_(
                    select(Sector.id).where(
                        Sector.event_id == event.id,
                        or_(Sector.id.in_(named), Sector.parent_id.in_(named)),
                    )
                )
            )
        in_offerings = exists().where(
            Offering.participation_id == Participation.id, or_(*conditions)
        )
        stmt = stmt.where(
            or_(keys_have([Company.search_key, Company.description_key], spellings), in_offerings)
        )
    return stmt


def page_of_directory(
    session: Session,
    event: Event,
    me: Participation | None,
    filters: DirectoryFilter,
    number: int,
    per_page: int = 50,
) -> Page:
    """One page of the directory, with what each company sells and buys."""
    # Offerings find their sectors among the event's, in the session: loaded here at most once
    # (not at all when the view has read them for its filter), then no statement of their own.
    event.top_sectors()
    stmt = directory_query(event, me, filters).options(
        selectinload(Participation.company), selectinload(Participation.offerings)
    )
    return page_of(session, stmt, number, per_page)


def filter_choices(
    session: Session, event: Event, me: Participation | None
) -> tuple[list[str], list[str]]:
    """The countries and the languages of the listed companies, sorted (one query)."""
    listed = listed_query(event, me).order_by(None).subquery()
    rows = session.execute(
        select(Company.country, cast(Company.languages, String))
        .where(Company.id.in_(select(listed.c.company_id)))
        .distinct()
    )
    countries: set[str] = set()
    codes: set[str] = set()
    for country, languages in rows:
        countries.add(country)
        codes.update(json.loads(languages) or [] if languages else [])
    return sorted(countries), sorted(codes)
