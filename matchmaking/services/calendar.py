"""iCalendar files of agendas, and companies' calendar subscription tokens.

Every meeting keeps its UID (stable per pair and event) and its SEQUENCE grows with each
published change, so a calendar updates the entry of a moved meeting instead of adding a
second one; a cancelled meeting stays in the file with STATUS:CANCELLED.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import CalendarFeed, Company
from matchmaking.services.agendas import Agenda, AgendaEntry

PRODID = "-//Matchmaking//Business meetings//EN"


class CalendarEntry(Protocol):
    """What a calendar entry shows of a meeting (a company's or an interpreter's)."""

    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...

    @property
    def zone(self) -> str: ...

    @property
    def table(self) -> int: ...

    @property
    def cancelled(self) -> bool: ...

    @property
    def sequence(self) -> int: ...


def meeting_vevent(
    entry: CalendarEntry, uid: str, venue: str, summary: str, description: str, now: datetime
) -> CalendarEvent:
    """The calendar entry of one meeting; a cancelled one stays, marked CANCELLED and free."""
    vevent = CalendarEvent()
    vevent.add("uid", uid)
    vevent.add("sequence", entry.sequence)
    vevent.add("dtstamp", now)
    vevent.add("dtstart", entry.starts_at)
    vevent.add("dtend", entry.ends_at)
    vevent.add("summary", summary)
    vevent.add(
        "location",
        _("%(venue)s, %(zone)s, table %(table)s", venue=venue, zone=entry.zone, table=entry.table),
    )
    vevent.add("description", description)
    vevent.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if entry.cancelled else "OPAQUE")
    return vevent


def calendar_file(
    name: str, vevents: Iterable[CalendarEvent], method: str | None = "PUBLISH"
) -> bytes:
    """One calendar named ``name`` holding ``vevents``.

    Files sent or downloaded carry METHOD:PUBLISH; subscription feeds carry no METHOD
    (RFC 5545 feeds are plain calendars, not iTIP messages).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    for vevent in vevents:
        calendar.add_component(vevent)
    return bytes(calendar.to_ical())


def _vevent(agenda: Agenda, entry: AgendaEntry, now: datetime) -> CalendarEvent:
    counterpart = entry.counterpart.company
    lines = [f"{counterpart.legal_name} ({counterpart.country})"]
    if entry.sells:
        lines.append(_("Sells: %(items)s", items="; ".join(entry.sells)))
    if entry.buys:
        lines.append(_("Buys: %(items)s", items="; ".join(entry.buys)))
    if entry.interpreter_note:
        lines.append(entry.interpreter_note)
    lines.extend(entry.reasons)
    return meeting_vevent(
        entry,
        uid=entry.meeting.uid,
        venue=agenda.event.display_venue,
        summary=_("Meeting with %(company)s", company=counterpart.legal_name),
        description="\n".join(lines),
        now=now,
    )


def agenda_calendar(
    agendas: Iterable[Agenda], now: datetime, name: str, method: str | None = "PUBLISH"
) -> bytes:
    """One calendar with every meeting (scheduled and cancelled) of ``agendas``."""
    return calendar_file(
        name,
        (_vevent(a, entry, now) for a in agendas for entry in (*a.entries, *a.cancelled)),
        method,
    )


def get_feed(session: Session, company: Company) -> CalendarFeed | None:
    """The company's calendar subscription, if it has one."""
    return session.scalar(select(CalendarFeed).where(CalendarFeed.company_id == company.id))


def regenerate_feed(session: Session, company: Company) -> CalendarFeed:
    """Give the company a new feed token; the previous URL stops working."""
    feed = get_feed(session, company)
    if feed is None:
        feed = CalendarFeed(company_id=company.id)
        session.add(feed)
    feed.token = secrets.token_urlsafe(32)
    session.flush()
    return feed


def company_for_token(session: Session, token: str) -> Company | None:
    """The company whose feed token is ``token``; None for anything else."""
    if not token or len(token) > 64:
        return None
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None or not secrets.compare_digest(feed.token, token):
        return None
    return session.get(Company, feed.company_id)
