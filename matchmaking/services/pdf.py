"""Printable PDFs (WeasyPrint): company agendas, table sheets and zone overviews.

The templates use the system's Noto Sans CJK SC (Debian's fonts-noto-cjk), which covers
Chinese, Cyrillic and Latin, so no glyph is missing in any of the three languages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import render_template
from flask_babel import force_locale
from weasyprint import HTML

from matchmaking.models import Event, Meeting
from matchmaking.models.schedule import MeetingStatus
from matchmaking.services.agendas import Agenda


def render_pdf(template: str, **context: Any) -> bytes:
    """The PDF of a template under templates/agenda/."""
    html = render_template(template, **context)
    return bytes(HTML(string=html).write_pdf())


def agenda_pdf(agenda: Agenda, locale: str, now: datetime, **check_in: object) -> bytes:
    """A company's agenda in ``locale``, with its latest changes (and, given ``check_in_code``
    and ``check_in_qr``, the company's check-in code for the venue)."""
    with force_locale(locale):
        return render_pdf(
            "agenda/pdf_agenda.html", agenda=agenda, now=now, locale=locale, **check_in
        )


def table_sheets_pdf(event: Event, meetings: list[Meeting], now: datetime) -> bytes:
    """One page per zone and table: who meets there, slot by slot."""
    tables: dict[tuple[int, str, int], list[Meeting]] = {}
    for meeting in meetings:
        if meeting.status != MeetingStatus.SCHEDULED:
            continue
        key = (meeting.zone.position, meeting.zone.display_name, meeting.table_number)
        tables.setdefault(key, []).append(meeting)
    sheets = [
        (zone, table, sorted(rows, key=lambda m: m.slot.starts_at))
        for (_, zone, table), rows in sorted(tables.items())
    ]
    return render_pdf("agenda/pdf_tables.html", event=event, sheets=sheets, now=now)


def zone_overview_pdf(event: Event, meetings: list[Meeting], now: datetime) -> bytes:
    """One page per slot: every zone's tables and the pair meeting at each."""
    slots: dict[datetime, list[Meeting]] = {}
    for meeting in meetings:
        if meeting.status == MeetingStatus.SCHEDULED:
            slots.setdefault(meeting.slot.starts_at, []).append(meeting)
    pages = [
        (
            rows[0].slot,
            sorted(rows, key=lambda m: (m.zone.position, m.zone.name, m.table_number)),
        )
        for _, rows in sorted(slots.items())
    ]
    return render_pdf("agenda/pdf_overview.html", event=event, pages=pages, now=now)
