"""The organiser console says, per event, where it stands and what to do next (issue 15,
items 14 and 18)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event, MeetingRequest
from tests.conftest import make_event
from tests.functional.helpers import (
    login,
    make_company_user,
    make_meeting,
    make_participant,
    make_slots,
    make_staff,
    sql_statements,
)

pytestmark = pytest.mark.dates


def _card(html: str, slug: str) -> str:
    match = re.search(
        rf'<section class="card event-overview" id="event-{slug}">(.*?)</section>', html, re.S
    )
    assert match, f"no card for {slug}"
    return re.sub(r"\s+", " ", match.group(1))


def test_console_shows_figures_and_next_steps(client: FlaskClient, dbs: Session, event: Event):
    make_staff(dbs)
    buyer = make_participant(dbs, event, "Степь Агро", buys=(("nev.parts", "x"),))
    supplier = make_participant(dbs, event, "重庆长安", "CN", sells=(("nev.parts", "x"),))
    make_company_user(dbs, event, email="p1@example.kz", name="Pending One")
    make_company_user(dbs, event, email="p2@example.kz", name="Pending Two")
    now = datetime.now(UTC)
    dbs.add(
        MeetingRequest(
            event_id=event.id,
            requester=buyer,
            recipient=supplier,
            buyer=buyer,
            supplier=supplier,
            pair_key=f"{buyer.id}:{supplier.id}",
            status="open",
            created_at=now,
            expires_at=now + timedelta(hours=3),
        )
    )
    slots = make_slots(dbs, event, count=3)
    held = make_meeting(dbs, buyer, supplier, slots[0])
    held.attendance = "held"
    dbs.flush()
    login(client, "org@example.org", "organiser-password")
    html = client.get("/organiser/").get_data(as_text=True)
    card = _card(html, "forum")
    first, last = event.start_date, event.end_date
    assert str(first.year) in card and str(last.day) in card  # both ends of a two-day event
    assert "Review 2 pending registrations." in card
    assert "1 meeting requests expire within 24 hours unanswered." in card
    assert "Version 1 published: 1 meeting" in card
    assert "1 held" in card and "0 no-shows" in card
    assert 'href="/organiser/events/forum/registrations"' in card
    assert "<svg" in card  # the registrations chart
    assert "<strong>1</strong> request open" in card
    # Russian counts its open requests in the right plural form ("1 заявка", "0 заявок").
    client.get("/language/ru")
    assert "<strong>1</strong> заявка открыта" in _card(
        client.get("/organiser/").get_data(as_text=True), "forum"
    )


def test_console_cost_does_not_grow_with_events(client: FlaskClient, dbs: Session, app):
    """The console runs the same number of queries for one event and for five."""
    make_staff(dbs, role="admin", email="admin@example.org")

    def count() -> int:
        with sql_statements(app) as statements:
            assert client.get("/organiser/").status_code == 200
        return len(statements)

    first = make_event(dbs, "one")
    dbs.add(first)
    dbs.flush()
    make_participant(dbs, first, "Алматы Трейд", buys=(("nev.parts", "x"),))
    login(client, "admin@example.org", "organiser-password")
    small = count()
    for n in range(4):
        other = make_event(dbs, f"more-{n}")
        dbs.add(other)
        dbs.flush()
        make_participant(
            dbs, other, f"Company {n}", buys=(("nev.parts", "x"),), email=f"c{n}@example.org"
        )
    assert count() == small
