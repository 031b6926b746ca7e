"""Directory, meeting requests and rescheduling between companies."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, MeetingRequest
from tests.conftest import get_csrf
from tests.functional.helpers import (
    login,
    make_meeting,
    make_participant,
    make_slots,
    make_staff,
)

pytestmark = pytest.mark.dates


@pytest.fixture
def people(dbs: Session, event: Event) -> dict[str, Any]:
    return {
        "kz": make_participant(
            dbs,
            event,
            "Steppe Agro LLP",
            "KZ",
            buys=(("agrimachinery.tractors", "wheeled tractors 100 hp"),),
            email="kz@example.org",
        ),
        "cq": make_participant(
            dbs,
            event,
            "Chongqing Tractor Co",
            "CN",
            languages=("zh", "ru"),
            sells=(("agrimachinery.tractors", "wheeled tractors"),),
            email="cq@example.org",
        ),
        "cq2": make_participant(
            dbs,
            event,
            "Yubei Parts Co",
            "CN",
            languages=("zh",),
            sells=(("nev.parts", "brake systems"),),
            email="cq2@example.org",
        ),
        "hidden": make_participant(
            dbs,
            event,
            "Quiet Motors",
            "CN",
            consent=False,
            sells=(("agrimachinery.tractors", "tractors"),),
            email="quiet@example.org",
        ),
        "pending": make_participant(
            dbs,
            event,
            "Late Trading",
            "UZ",
            status="pending",
            buys=(("nev.parts", "tyres"),),
            email="late@example.org",
        ),
    }


def _as(client: FlaskClient, email: str) -> FlaskClient:
    assert login(client, email, "company-pass-1").status_code == 302
    return client


def _ask(client: FlaskClient, other_id: int, message: str = "Let us talk") -> Any:
    url = f"/events/forum/directory/{other_id}"
    token = get_csrf(client, url)
    return client.post(url, data={"message": message, "csrf_token": token})


def test_directory_lists_consenting_approved_companies_with_recommendations(
    client: FlaskClient, people: dict[str, Any]
):
    html = _as(client, "kz@example.org").get("/events/forum/directory").get_data(as_text=True)
    assert "Chongqing Tractor Co" in html and "Yubei Parts Co" in html
    assert "Quiet Motors" not in html and "Late Trading" not in html
    assert "Steppe Agro LLP" not in html.split("</h1>", 1)[1].split("Recommended", 1)[0]
    recommended = html.split("Recommended for you", 1)[1].split("</section>", 1)[0]
    assert "Chongqing Tractor Co" in recommended
    assert "both in tractors" in recommended.casefold()  # the reason, in words
    assert "both speak Russian" in recommended


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        pytest.param("?q=brake", "Yubei Parts Co", "Chongqing Tractor Co", id="search"),
        pytest.param("?language=zh", "Yubei Parts Co", "Steppe", id="language"),
        pytest.param("?country=CN", "Yubei Parts Co", "Steppe", id="country"),
    ],
)
def test_directory_filters(
    client: FlaskClient, people: dict[str, Any], query: str, present: str, absent: str
):
    html = (
        _as(client, "cq@example.org").get("/events/forum/directory" + query).get_data(as_text=True)
    )
    table = html.split('<table class="list cards prose">', 1)[1]
    assert present in table and absent not in table


def test_directory_sector_filter_and_bad_filter(
    client: FlaskClient, people: dict[str, Any], event: Event
):
    _as(client, "kz@example.org")
    tractors = next(s for s in event.sectors if s.code == "agrimachinery")
    table = (
        client.get(f"/events/forum/directory?sector={tractors.id}")
        .get_data(as_text=True)
        .split('<table class="list cards prose">', 1)[1]
    )
    assert "Chongqing Tractor Co" in table and "Yubei Parts Co" not in table
    assert client.get("/events/forum/directory?country=ZZ").status_code == 400


def test_back_to_the_directory_keeps_the_search(client: FlaskClient, people: dict[str, Any]):
    _as(client, "kz@example.org")
    profile = f"/events/forum/directory/{people['cq'].id}"
    searched = "http://localhost/events/forum/directory?q=%D1%82%D1%80%D0%B0%D0%BA%D1%82%D0%BE%D1%80&page=1"

    def back(referrer: str | None) -> str:
        headers = {"Referer": referrer} if referrer else {}
        page = client.get(profile, headers=headers).get_data(as_text=True)
        link = re.search(r'<a href="([^"]*)" id="back-to-directory">', page)
        assert link is not None
        return html.unescape(link.group(1))

    assert back(searched) == searched.removeprefix("http://localhost")
    # Another site, another page or no referrer: the directory's first page.
    assert back("http://elsewhere.example/events/forum/directory?q=x") == "/events/forum/directory"
    assert back("http://localhost/company/") == "/events/forum/directory"
    assert back(None) == "/events/forum/directory"


def test_pending_company_cannot_use_directory(client: FlaskClient, people: dict[str, Any]):
    _as(client, "late@example.org")
    assert client.get("/events/forum/directory").status_code == 403


def test_request_accept_flow(client: FlaskClient, people: dict[str, Any], dbs: Session):
    _as(client, "kz@example.org")
    assert _ask(client, people["cq"].id).status_code == 302
    request = dbs.scalar(select(MeetingRequest))
    assert request is not None and request.status == "open"
    assert (request.buyer_id, request.supplier_id) == (people["kz"].id, people["cq"].id)

    again = _ask(client, people["cq"].id)
    assert again.status_code == 422
    assert "already a request" in again.get_data(as_text=True)

    client.post("/logout", data={"csrf_token": get_csrf(client, "/company/")})
    _as(client, "cq@example.org")
    page = client.get("/company/events/forum/requests").get_data(as_text=True)
    assert "Steppe Agro LLP" in page and "Let us talk" in page
    token = get_csrf(client, "/company/events/forum/requests")
    assert (
        client.post(
            f"/requests/{request.id}/answer", data={"decision": "accept", "csrf_token": token}
        ).status_code
        == 302
    )
    dbs.refresh(request)
    assert request.status == "accepted"


def test_only_the_asked_company_answers(client: FlaskClient, people: dict[str, Any], dbs: Session):
    _as(client, "kz@example.org")
    _ask(client, people["cq"].id)
    request = dbs.scalar(select(MeetingRequest))
    client.post("/logout", data={"csrf_token": get_csrf(client, "/company/")})
    _as(client, "cq2@example.org")
    token = get_csrf(client, "/company/events/forum/requests")
    assert (
        client.post(
            f"/requests/{request.id}/answer", data={"decision": "accept", "csrf_token": token}
        ).status_code
        == 403
    )
    dbs.refresh(request)
    assert request.status == "open"


def test_decline_and_withdraw(client: FlaskClient, people: dict[str, Any], dbs: Session):
    _as(client, "kz@example.org")
    _ask(client, people["cq"].id)
    _ask(client, people["cq2"].id)
    first, second = dbs.scalars(select(MeetingRequest).order_by(MeetingRequest.id)).all()
    token = get_csrf(client, "/company/events/forum/requests")
    assert (
        client.post(f"/requests/{second.id}/withdraw", data={"csrf_token": token}).status_code
        == 302
    )
    dbs.refresh(second)
    assert second.status == "withdrawn"
    bogus = client.post(
        f"/requests/{first.id}/answer", data={"decision": "maybe", "csrf_token": token}
    )
    assert bogus.status_code in (400, 403)


def test_hidden_and_pending_companies_cannot_be_asked(client: FlaskClient, people: dict[str, Any]):
    _as(client, "kz@example.org")
    assert client.get(f"/events/forum/directory/{people['hidden'].id}").status_code == 404
    assert client.get(f"/events/forum/directory/{people['pending'].id}").status_code == 404


def test_open_request_cap(client: FlaskClient, people: dict[str, Any], event: Event, dbs: Session):
    event.open_request_cap = 1
    dbs.flush()
    _as(client, "kz@example.org")
    assert _ask(client, people["cq"].id).status_code == 302
    refused = _ask(client, people["cq2"].id)
    assert refused.status_code == 422
    assert "unanswered requests" in refused.get_data(as_text=True)


def test_requests_expire_after_the_time_lapse(
    client: FlaskClient, people: dict[str, Any], dbs: Session
):
    _as(client, "kz@example.org")
    _ask(client, people["cq"].id)
    request = dbs.scalar(select(MeetingRequest))
    request.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    dbs.flush()
    page = client.get("/company/events/forum/requests").get_data(as_text=True)
    assert "Expired" in page
    dbs.refresh(request)
    assert request.status == "expired"


def test_the_organisers_requests_page_keeps_the_expiry_it_shows(
    client: FlaskClient, people: dict[str, Any], dbs: Session
):
    _as(client, "kz@example.org")
    _ask(client, people["cq"].id)
    request = dbs.scalar(select(MeetingRequest))
    request.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    dbs.flush()
    client.delete_cookie("session")  # signed out
    make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    page = client.get("/organiser/events/forum/requests").get_data(as_text=True)
    assert "Expired" in page
    dbs.refresh(request)
    assert request.status == "expired"


def test_organiser_requests_and_answers_on_behalf(
    client: FlaskClient, people: dict[str, Any], dbs: Session
):
    make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    url = "/organiser/events/forum/requests"
    token = get_csrf(client, url)
    bad = client.post(
        url,
        data={
            "csrf_token": token,
            "requester": str(people["kz"].id),
            "recipient": str(people["kz"].id),
        },
    )
    assert bad.status_code == 422 and "cannot meet itself" in bad.get_data(as_text=True)
    ok = client.post(
        url,
        data={
            "csrf_token": token,
            "requester": str(people["kz"].id),
            "recipient": str(people["hidden"].id),
            "message": "by phone",
        },
    )
    assert ok.status_code == 302
    request = dbs.scalar(select(MeetingRequest))
    assert (
        client.post(
            f"/requests/{request.id}/answer", data={"decision": "accept", "csrf_token": token}
        ).status_code
        == 302
    )
    dbs.refresh(request)
    assert request.status == "accepted" and request.answered_by_id is not None


def test_company_proposes_new_time_counterpart_accepts_meeting_moves(
    client: FlaskClient, people: dict[str, Any], dbs: Session, event: Event
):
    slots = make_slots(dbs, event, 4)
    meeting = make_meeting(dbs, people["kz"], people["cq"], slots[0])
    make_meeting(dbs, people["kz"], people["cq2"], slots[1], version=meeting.version)
    _as(client, "kz@example.org")
    page = client.get("/company/events/forum/meetings").get_data(as_text=True)
    assert "Chongqing Tractor Co" in page
    token = get_csrf(client, "/company/events/forum/meetings")
    busy = client.post(
        "/company/events/forum/meetings",
        data={
            "meeting": str(meeting.id),
            f"m{meeting.id}-csrf_token": token,
            f"m{meeting.id}-slot": str(slots[1].id),
        },
    )
    assert busy.status_code == 422  # the buyer meets Yubei then: not offered
    ok = client.post(
        "/company/events/forum/meetings",
        data={
            "meeting": str(meeting.id),
            f"m{meeting.id}-csrf_token": token,
            f"m{meeting.id}-slot": str(slots[3].id),
            f"m{meeting.id}-message": "later please",
        },
    )
    assert ok.status_code == 302
    dbs.refresh(meeting)
    assert meeting.slot_id == slots[0].id  # not moved until the other side accepts

    client.post("/logout", data={"csrf_token": token})
    _as(client, "cq@example.org")
    page = client.get("/company/events/forum/meetings").get_data(as_text=True)
    assert "later please" in page and "Accept the new time" in page
    from matchmaking.models import RescheduleProposal

    proposal = dbs.scalar(select(RescheduleProposal))
    token = get_csrf(client, "/company/events/forum/meetings")
    assert (
        client.post(
            f"/proposals/{proposal.id}/answer", data={"decision": "accept", "csrf_token": token}
        ).status_code
        == 302
    )
    dbs.refresh(meeting)
    assert meeting.slot_id == slots[3].id and meeting.sequence == 1
    assert {s.slot_id for s in meeting.seats} == {slots[3].id}
    assert meeting.changes[-1].kind == "moved" and meeting.changes[-1].published


def test_capacity_is_an_upper_limit(dbs: Session, event: Event):
    from decimal import Decimal

    from matchmaking.services.matching import to_participant

    supplier = make_participant(
        dbs,
        event,
        "Big Maker Co",
        "CN",
        sells=(("agrimachinery.tractors", "tractors"),),
        email="big@example.org",
    )
    supplier.offerings[0].volume_usd = Decimal("1200000")
    buyer = make_participant(
        dbs,
        event,
        "Small Buyer LLP",
        "KZ",
        buys=(("agrimachinery.tractors", "tractors"),),
        email="small@example.org",
    )
    buyer.offerings[0].volume_usd = Decimal("870000")
    from matchmaking import scoring

    pair = scoring.build_candidates([to_participant(buyer), to_participant(supplier)])[0]
    codes = {r.code for r in pair.reasons}
    assert "capacity_fits" in codes and "order_below_minimum" not in codes
