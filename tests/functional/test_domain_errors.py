"""One place maps a service's error to a response: the same error class answers with the same
status on every view (issue 20, item 1)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.blueprints.actions import attempt
from matchmaking.errors import InvalidInput
from matchmaking.models import Event, MeetingRequest, User
from matchmaking.services import requests as requests_service
from tests.conftest import get_csrf
from tests.functional.helpers import login, make_meeting, make_participant, make_slots, make_staff

pytestmark = pytest.mark.dates

MEETINGS = "/company/events/forum/meetings"


def _pair(dbs: Session, event: Event) -> tuple:
    buyer = make_participant(
        dbs, event, "Steppe Agro LLP", buys=(("agrimachinery.tractors", "x"),), email="kz@x.org"
    )
    supplier = make_participant(
        dbs, event, "Chongqing Tractor Co", "CN", sells=(("agrimachinery.tractors", "x"),)
    )
    return buyer, supplier


def _contact(dbs: Session, email: str) -> User:
    user = dbs.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def test_a_conflict_is_409_on_the_company_and_the_admin_pages(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    buyer, supplier = _pair(dbs, event)
    slots = make_slots(dbs, event, 4)
    meeting = make_meeting(dbs, buyer, supplier, slots[0])
    make_staff(dbs, "organiser", "lead@x.org", "lead-password-1", events=[event])
    make_staff(dbs, "admin", "admin@x.org", "admin-password")

    login(client, "kz@x.org", "company-pass-1")
    token = get_csrf(client, MEETINGS)
    statuses = []
    for slot in slots[2:]:  # a second proposal while the first is open
        response = client.post(
            MEETINGS,
            data={
                "meeting": str(meeting.id),
                f"m{meeting.id}-csrf_token": token,
                f"m{meeting.id}-slot": str(slot.id),
            },
        )
        statuses.append(response.status_code)
    assert statuses == [302, 409]
    assert "A new time is already proposed" in response.get_data(as_text=True)

    client.post("/logout", data={"csrf_token": token})
    login(client, "admin@x.org", "admin-password")
    page = "/organiser/events/forum/organisers"
    again = client.post(page, data={"csrf_token": get_csrf(client, page), "email": "lead@x.org"})
    assert again.status_code == 409
    assert "already organises this event" in again.get_data(as_text=True)


def test_an_access_refusal_is_403_with_its_reason_on_every_view(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    buyer, supplier = _pair(dbs, event)
    now = datetime.now(UTC)
    requests_service.request_meeting(dbs, buyer, supplier, "", _contact(dbs, "kz@x.org"), now)
    row = dbs.scalar(select(MeetingRequest))
    assert row is not None

    login(client, "kz@x.org", "company-pass-1")  # the company that asked cannot answer
    token = get_csrf(client, "/company/events/forum/requests")
    answer = client.post(
        f"/requests/{row.id}/answer", data={"decision": "accept", "csrf_token": token}
    )
    assert answer.status_code == 403
    assert "Only the company asked can answer this request." in answer.get_data(as_text=True)

    client.post("/logout", data={"csrf_token": token})
    login(client, "chongqing-cn@example.org", "company-pass-1")  # nor the other withdraw it
    token = get_csrf(client, "/company/events/forum/requests")
    withdraw = client.post(f"/requests/{row.id}/withdraw", data={"csrf_token": token})
    assert withdraw.status_code == 403
    assert "Only the company that asked can withdraw" in withdraw.get_data(as_text=True)
    dbs.refresh(row)
    assert row.status == "open"


def test_invalid_input_from_the_service_is_422_on_the_field_it_names(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    """The form offers only the event's days; a day posted from elsewhere reaches the service."""
    buyer, _supplier = _pair(dbs, event)
    login(client, "kz@x.org", "company-pass-1")
    page = "/company/events/forum"
    token = get_csrf(client, page)
    sector_id = buyer.offerings[0].sector_id
    response = client.post(
        page,
        data={
            "csrf_token": token,
            "buys-0-sector": str(sector_id),
            "buys-0-description": "tractors",
            "availability-0-day": "2001-01-01",
            "availability-0-attending": "y",
            "availability-0-start": "09:00",
            "availability-0-end": "17:00",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="error" id="availability-error">That day is not part of the event.' in html


def test_under_the_api_a_refusal_is_json_of_the_api_shape(app: Flask, connection: object) -> None:
    """The API has no form to show it on: the error's class status, ``{"message", "parameter"}``."""
    with app.test_request_context("/api/v1/events/forum/deals/totals", method="POST"):
        with pytest.raises(InvalidInput) as raised, attempt():
            raise InvalidInput("Give the token a name.", field="name")
        response = app.make_response(app.handle_user_exception(raised.value))
    assert response.status_code == 422
    assert response.get_json() == {"message": "Give the token a name.", "parameter": "name"}
