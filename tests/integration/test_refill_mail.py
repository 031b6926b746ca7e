"""A refill confirmed on the day reaches both companies by e-mail with the next change run,
its calendar entry one SEQUENCE on."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking import jobs
from matchmaking.models import RefillOffer
from matchmaking.models.types import utcnow
from matchmaking.services.agendas import record_attendance
from matchmaking.services.refill import confirm_offer
from tests.agenda_world import Inbox, smtp  # noqa: F401 - the SMTP server fixture
from tests.refill_world import build_floor, venue_clock


def test_both_companies_get_the_refilled_meeting_by_email(
    app: Flask,
    dbs: Session,
    smtp: Inbox,  # noqa: F811
) -> None:
    with venue_clock(), app.app_context():
        floor = build_floor(dbs)
        for p in (floor.b1, floor.s4):
            for contact in p.company.contacts:
                contact.email_confirmed_at = utcnow()
        record_attendance(dbs, floor.no_show, "no_show")
        offer = dbs.scalars(select(RefillOffer)).one()
        placed = confirm_offer(dbs, offer, floor.organiser, utcnow())
        jobs.send_changed_agendas(dbs, utcnow() + timedelta(seconds=30))

    for side in (floor.b1, floor.s4):
        (message,) = smtp.to(floor.email(side))
        calendar = next(
            Calendar.from_ical(part.get_content())
            for part in message.iter_attachments()
            if part.get_filename("").endswith(".ics")
        )
        entry = next(e for e in calendar.walk("VEVENT") if str(e["UID"]) == placed.uid)
        assert int(entry["SEQUENCE"]) == placed.sequence >= 1
