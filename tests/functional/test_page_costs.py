"""Pages whose cost does not grow with the event (issue 16): every page runs as many SQL
statements on an event of 12 companies as on one of 120."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event, Interpreter, Meeting, MeetingRequest, Participation, User
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services import api_tokens
from matchmaking.services.company_codes import company_code
from matchmaking.services.deals import OutcomeInput, record_outcome
from matchmaking.services.tally import publish_tally
from tests.functional.deals_helpers import past_event
from tests.functional.helpers import (
    login,
    make_meeting,
    make_participant,
    make_slots,
    make_staff,
    sql_statements,
)

pytestmark = pytest.mark.dates

ORGANISER = ("org@forum.example", "organiser-password")
REPORTER = ("reporter@forum.example", "reporter-password")
COMPANY_PASSWORD = "company-pass-1"


@dataclass
class Fair:
    """A published schedule of buyer-supplier meetings, requests and outcomes, grown by pairs."""

    event: Event
    slots: list[Any]
    buyers: list[Participation] = field(default_factory=list)
    suppliers: list[Participation] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    interpreters: list[Interpreter] = field(default_factory=list)

    def grow(self, dbs: Session, pairs: int) -> None:
        """Add ``pairs`` buyers and suppliers, a meeting per pair, requests and outcomes."""
        for _ in range(pairs):
            n = len(self.buyers)
            buyer = make_participant(
                dbs,
                self.event,
                f"Steppe Buyer {n} LLP",
                "KZ",
                buys=(("nev.parts", "brake systems"), ("agrimachinery.tractors", "tractors")),
                email=f"buyer{n}@forum.example",
            )
            supplier = make_participant(
                dbs,
                self.event,
                f"Chongqing Parts {n} Co",
                "CN",
                languages=("zh", "ru"),
                sells=(("nev.parts", "brake systems"),),
                email=f"supplier{n}@forum.example",
            )
            for offering in buyer.offerings:
                offering.volume_usd = Decimal(100_000 * (n + 1))
            self.buyers.append(buyer)
            self.suppliers.append(supplier)
            meeting = make_meeting(
                dbs, buyer, supplier, self.slots[n % len(self.slots)], table=n + 1
            )
            self.meetings.append(meeting)
            if n % len(self.slots) == 0:  # an interpreter for each round of the slots
                self.interpreters.append(_interpreter(dbs, self.event, n))
            meeting.interpreter = self.interpreters[-1]
            if n:  # each buyer asks the previous pair's supplier; each supplier the first buyer
                for b, sup, asker in (
                    (buyer, self.suppliers[n - 1], buyer),
                    (self.buyers[0], supplier, supplier),
                ):
                    dbs.add(
                        MeetingRequest(
                            event_id=self.event.id,
                            requester=asker,
                            recipient=sup if asker is b else b,
                            buyer=b,
                            supplier=sup,
                            pair_key="-".join(str(i) for i in sorted((b.id, sup.id))),
                            message="",
                            created_at=utcnow(),
                            expires_at=utcnow() + timedelta(days=30),
                        )
                    )
            contact = buyer.company.contacts[0]
            record_outcome(
                dbs,
                meeting,
                buyer,
                OutcomeInput(stage="tentative", amount=Decimal(1000 + n), currency="CNY"),
                contact,
                utcnow(),
            )
        dbs.flush()


def _interpreter(dbs: Session, event: Event, n: int) -> Interpreter:
    user = User(
        email=f"interpreter{n}@forum.example",
        full_name=f"Interpreter {n}",
        role=Role.INTERPRETER,
        email_confirmed_at=utcnow(),
    )
    user.set_password(COMPANY_PASSWORD)
    interpreter = Interpreter(
        event=event, user=user, name=f"Interpreter {n}", languages=["zh", "ru"], max_meetings=6
    )
    interpreter.zones = [event.zones[0]]
    dbs.add_all([user, interpreter])
    dbs.flush()
    return interpreter


def _pages(fair: Fair, secret: str) -> dict[str, list[str]]:
    """Every page, by who reads it; ids of the first pair, which both sizes share."""
    slug = fair.event.slug
    buyer, supplier, meeting = fair.buyers[0], fair.suppliers[0], fair.meetings[0]
    code = company_code(secret, buyer)
    return {
        "organiser": [
            "/organiser/",
            f"/organiser/events/{slug}/registrations",
            f"/organiser/registrations/{buyer.id}",
            f"/organiser/events/{slug}/setup",
            f"/organiser/events/{slug}/details",
            f"/organiser/events/{slug}/requests",
            f"/organiser/events/{slug}/companies.json?q=a",
            f"/events/{slug}/directory",
            f"/events/{slug}/directory/{supplier.id}",
            f"/organiser/events/{slug}/schedule/",
            f"/organiser/events/{slug}/schedule/1",
            f"/organiser/events/{slug}/schedule/1/meetings/{meeting.id}",
            f"/organiser/events/{slug}/schedule/1/meetings.json?q=a&exclude={meeting.id}",
            "/deals/",
            f"/deals/events/{slug}/",
            f"/deals/events/{slug}/outcomes",
            f"/deals/meetings/{meeting.id}/outcome/{buyer.id}",
            f"/floor/events/{slug}/refills",
            "/floor/",
            f"/floor/events/{slug}/check-in",
            f"/floor/events/{slug}/check-in?code={code}",
            f"/organiser/events/{slug}/floor-staff",
            f"/floor/events/{slug}/zones/{meeting.zone_id}/screen",
            f"/organiser/events/{slug}/interpreters",
            f"/organiser/events/{slug}/interpreters/{fair.interpreters[0].id}",
            f"/organiser/events/{slug}/interpreters/import",
            f"/organiser/events/{slug}/check-in",
        ],
        "company": [
            "/company/",
            f"/company/events/{slug}",
            f"/events/{slug}/directory",
            f"/events/{slug}/directory/{supplier.id}",
            f"/company/events/{slug}/requests",
            f"/company/events/{slug}/meetings",
            f"/company/events/{slug}/agenda",
            f"/deals/events/{slug}/meetings",
            f"/deals/meetings/{meeting.id}/outcome",
        ],
        "reporter": ["/deals/tokens"],
        "interpreter": ["/interpreter/", f"/interpreter/events/{slug}/agenda"],
        "anonymous": [f"/events/{slug}/", f"/press/events/{slug}", "/press/"],
    }


def _count_pages(app: Flask, client: FlaskClient, fair: Fair, api_token: str) -> dict[str, int]:
    """The statements of each page's second view (the first fills per-process caches)."""
    counts: dict[str, int] = {}
    for who, urls in _pages(fair, app.config["SECRET_KEY"]).items():
        client.get("/logout")
        client.delete_cookie("session")
        if who == "organiser":
            assert login(client, *ORGANISER).status_code == 302
        elif who == "company":
            assert login(client, fair.buyers[0].company.contacts[0].email, COMPANY_PASSWORD)
        elif who == "reporter":
            assert login(client, *REPORTER).status_code == 302
        elif who == "interpreter":
            assert login(client, "interpreter0@forum.example", COMPANY_PASSWORD).status_code == 302
        for url in urls:
            assert client.get(url).status_code == 200, f"{who} {url}"
            with sql_statements(app) as statements:
                response = client.get(url)
            assert response.status_code == 200, f"{who} {url}"
            counts[f"{who} {url}"] = len(statements)
    api = f"/api/v1/events/{fair.event.slug}/deals/totals"
    headers = {"Authorization": f"Bearer {api_token}"}
    client.get(api, headers=headers)
    with sql_statements(app) as statements:
        assert client.get(api, headers=headers).status_code == 200
    counts[f"api {api}"] = len(statements)
    return counts


def test_no_page_costs_more_statements_on_a_ten_times_larger_event(
    app: Flask, client: FlaskClient, dbs: Session
):
    event = past_event(dbs)
    organiser = make_staff(dbs, email=ORGANISER[0], password=ORGANISER[1])
    reporter = make_staff(dbs, "reporter", REPORTER[0], REPORTER[1])
    _token, secret = api_tokens.create_token(dbs, reporter, "wire", organiser, utcnow())
    fair = Fair(event, make_slots(dbs, event, count=6))
    fair.grow(dbs, 6)
    publish_tally(dbs, event, None, organiser, utcnow())
    small = _count_pages(app, client, fair, secret)
    fair.grow(dbs, 54)
    large = _count_pages(app, client, fair, secret)

    width = max(map(len, small))
    print(f"\n{'page':<{width}}  12 companies  120 companies")
    for page, count in small.items():
        print(f"{page:<{width}}  {count:>12}  {large[page]:>13}")
    grown = {page: (count, large[page]) for page, count in small.items() if large[page] > count}
    assert grown == {}, "pages whose statement count grows with the event"


def _rows(html: str, table: str = '<table class="list">') -> int:
    body = html.split(table, 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


def test_long_lists_come_fifty_a_page_with_their_filters_kept(client: FlaskClient, dbs: Session):
    event = past_event(dbs)
    make_staff(dbs, email=ORGANISER[0], password=ORGANISER[1])
    fair = Fair(event, make_slots(dbs, event, count=6))
    fair.grow(dbs, 56)
    assert login(client, fair.buyers[0].company.contacts[0].email, COMPANY_PASSWORD)

    first = client.get("/events/forum/directory?q=chongqing+parts").get_data(as_text=True)
    directory = '<table class="list cards prose">'
    assert _rows(first, directory) == 50 and "56 companies" in first
    assert 'href="/events/forum/directory?q=chongqing+parts&amp;page=2"' in first
    second = client.get("/events/forum/directory?q=chongqing+parts&page=2").get_data(as_text=True)
    assert _rows(second, directory) == 6 and "Steppe Buyer" not in second.split(directory)[1]

    requests = client.get("/company/events/forum/requests").get_data(as_text=True)
    assert _rows(requests, '<table class="list" id="incoming">') == 50
    assert "incoming=2" in requests
    rest = client.get("/company/events/forum/requests?incoming=2").get_data(as_text=True)
    assert _rows(rest, '<table class="list" id="incoming">') == 5

    client.get("/logout")
    client.delete_cookie("session")
    assert login(client, *ORGANISER).status_code == 302
    outcomes = client.get("/deals/events/forum/outcomes").get_data(as_text=True)
    assert _rows(outcomes) == 50 and "page=2" in outcomes
    assert _rows(client.get("/deals/events/forum/outcomes?page=2").get_data(as_text=True)) == 6
    listed = client.get("/organiser/events/forum/requests").get_data(as_text=True)
    assert _rows(listed) == 50
    assert _rows(client.get("/organiser/events/forum/requests?page=3").get_data(as_text=True)) == 10
