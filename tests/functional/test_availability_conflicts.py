"""Narrowing one's hours never silently strands scheduled meetings (issue 15, item 5)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, Participation, User
from matchmaking.services.availability import HoursLeaveOutMeetings, meetings_outside
from matchmaking.services.registration import (
    AvailabilityInput,
    ParticipationInput,
    update_participation,
)
from tests.conftest import csrf_from, sector
from tests.functional.helpers import (
    login,
    make_company_user,
    make_meeting,
    make_participant,
    make_slots,
    make_staff,
)
from tests.functional.test_company import _participation_form

pytestmark = pytest.mark.dates


@pytest.fixture
def booked(dbs: Session, event: Event) -> tuple[User, Participation, Participation]:
    """A buyer with a published meeting at 10:00 on the first day with a Chinese supplier."""
    user = make_company_user(dbs, event, name="ТОО «Степь Агро»", status="approved")
    buyer = dbs.scalar(select(Participation).where(Participation.company_id == user.company_id))
    supplier = make_participant(dbs, event, "重庆长安汽车", "CN", sells=(("nev.parts", "x"),))
    slots = make_slots(dbs, event, count=6, minutes=20)  # 09:00 .. 11:00
    make_meeting(dbs, buyer, supplier, slots[3])  # 10:00-10:20
    return user, buyer, supplier


def _narrowed(event: Event, end: time) -> ParticipationInput:
    from matchmaking.services.registration import OfferingInput

    return ParticipationInput(
        offerings=(OfferingInput("buy", sector(event, "nev.parts").id, "brake systems"),),
        availability=(AvailabilityInput(event.start_date, time(9), end),),
    )


def test_company_cannot_narrow_its_hours_past_a_meeting(
    client: FlaskClient, dbs: Session, event: Event, booked: tuple
):
    user, buyer, _supplier = booked
    login(client, user.email, "buyer-password-1")
    token = csrf_from(client.get("/company/events/forum").get_data(as_text=True))
    response = client.post(
        "/company/events/forum",
        data=_participation_form(event, token, **{"availability-0-end": "10:00"}),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409, html[:200]
    assert "Your new hours leave out meetings already in the schedule" in html
    assert "重庆长安汽车" in html and "10:00" in html
    dbs.expire_all()
    assert [(a.start_time, a.end_time) for a in buyer.availability] == [(time(9), time(17, 30))]

    # Hours that still cover the meeting are accepted.
    response = client.post(
        "/company/events/forum",
        data=_participation_form(event, token, **{"availability-0-end": "10:20"}),
    )
    assert response.status_code == 302


def test_organiser_may_keep_the_meetings_and_both_see_them(
    app: Flask, client: FlaskClient, dbs: Session, event: Event, booked: tuple
):
    user, buyer, _supplier = booked
    organiser = make_staff(dbs)
    with app.test_request_context():
        with pytest.raises(HoursLeaveOutMeetings):
            update_participation(
                dbs, buyer, _narrowed(event, time(10)), organiser, datetime.now(UTC)
            )
        kept = update_participation(
            dbs,
            buyer,
            _narrowed(event, time(10)),
            organiser,
            datetime.now(UTC),
            keep_meetings_outside=True,
        )
    assert [m.slot.local_start().time() for m in kept] == [time(10)]
    assert meetings_outside(dbs, buyer) == kept

    # Both sides see the meeting listed: the organiser on the registration, the company on
    # its own page.
    login(client, "org@example.org", "organiser-password")
    page = client.get(f"/organiser/registrations/{buyer.id}").get_data(as_text=True)
    assert 'id="meetings-outside-hours"' in page and "重庆长安汽车" in page
    with client.session_transaction() as state:
        state.clear()  # sign the organiser out
    login(client, user.email, "buyer-password-1")
    page = client.get("/company/events/forum").get_data(as_text=True)
    assert 'id="meetings-outside-hours"' in page and "重庆长安汽车" in page
