"""Memoranda of cooperation between the organiser and partner institutions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.errors import InvalidInput
from matchmaking.i18n import valid_country
from matchmaking.models import Event, Memorandum, User


class InvalidMemorandum(InvalidInput):
    """A memorandum breaks a rule (the field says which)."""


@dataclass(frozen=True)
class MemorandumInput:
    """A memorandum as an organiser enters it."""

    partner: str
    country: str
    signed_on: date
    title: str = ""


def add_memorandum(
    session: Session, event: Event, data: MemorandumInput, actor: User
) -> Memorandum:
    """Record a memorandum signed with a partner institution (a chamber of commerce...)."""
    if not data.partner.strip():
        raise InvalidMemorandum(_("Enter the partner institution."), field="partner")
    if not valid_country(data.country):
        raise InvalidMemorandum(_("Choose a country."), field="country")
    memorandum = Memorandum(
        event_id=event.id,
        partner=data.partner.strip(),
        country=data.country.upper(),
        signed_on=data.signed_on,
        title=data.title.strip(),
        created_by_id=actor.id,
    )
    session.add(memorandum)
    session.flush()
    return memorandum


def list_memoranda(session: Session, event: Event) -> list[Memorandum]:
    """``event``'s memoranda, oldest first."""
    return list(
        session.scalars(
            select(Memorandum)
            .where(Memorandum.event_id == event.id)
            .order_by(Memorandum.signed_on, Memorandum.id)
        )
    )
