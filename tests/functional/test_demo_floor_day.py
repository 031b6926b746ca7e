"""The demo seeded for the floor day (``seed-demo --floor-day``) can be walked as issue 19 asks:
floor staff check a company in by its code, mark a no-show, accept a refill proposal, and both
companies' agendas show the new meeting."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, Meeting, RefillOffer, RefillStatus, User
from matchmaking.models.schedule import Attendance, MeetingStatus
from matchmaking.models.types import utcnow
from matchmaking.services.check_ins import get_check_in, meeting_version
from matchmaking.services.company_codes import company_code
from matchmaking.services.demo import (
    DEMO_COMPANY,
    TZ,
    demo_calendar,
    floor_day_hours,
    publish_demo_schedule,
    seed_demo,
)
from matchmaking.services.demo_deals import seed_demo_outcomes
from matchmaking.services.demo_floor import DEMO_FLOOR_STAFF, FloorWalk, seed_demo_floor_day
from tests.conftest import csrf_from
from tests.functional.helpers import login

pytestmark = pytest.mark.dates

DAY = date(2031, 5, 14)
MORNING = datetime.combine(DAY, time(10, 5), ZoneInfo(TZ)).astimezone(UTC)
PASSWORD = "company-pass-1"


@pytest.fixture
def _venue_clock() -> Iterator[None]:
    with time_machine.travel(MORNING, tick=True):
        yield


@pytest.fixture
def floor_day(_venue_clock: None, dbs: Session) -> tuple[Event, FloorWalk]:
    now = utcnow()
    event = seed_demo(dbs, now, floor_day=True).event
    publish_demo_schedule(dbs, event, now, time_limit=3)
    seed_demo_outcomes(dbs, event, now, random.Random(7))
    walk = seed_demo_floor_day(dbs, event, now, DEMO_COMPANY[0], random.Random(2025))
    dbs.flush()
    return event, walk


def _agenda(client: FlaskClient, dbs: Session, event: Event, company_id: int) -> str:
    """The company's agenda as its first contact sees it (the demo company: its own login)."""
    contact = dbs.scalar(select(User).where(User.company_id == company_id).order_by(User.id))
    assert contact is not None
    if contact.email != DEMO_COMPANY[0]:
        contact.set_password(PASSWORD)  # the other demo contacts have no known password
        dbs.flush()
    client.get("/logout")
    client.delete_cookie("session")
    password = DEMO_COMPANY[1] if contact.email == DEMO_COMPANY[0] else PASSWORD
    assert login(client, contact.email, password).status_code == 302
    response = client.get(f"/company/events/{event.slug}/agenda")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_today_is_a_negotiation_day_with_companies_arriving(
    floor_day: tuple[Event, FloorWalk], dbs: Session
) -> None:
    event, walk = floor_day
    now = utcnow()
    assert event.start_date == DAY - timedelta(days=2) and event.end_date == DAY
    today = [s for s in event.slots if s.local_start().date() == DAY]
    assert any(s.ends_at <= now for s in today) and any(s.starts_at > now for s in today)
    assert walk.checked_in > 20
    assert walk.company is not None and walk.meeting is not None and walk.absent is not None
    # The README's demo company comes at the first slot after the seeding (10:20), so it has
    # held no meeting yet today; the walk starts with it whenever one of its meetings to come
    # is with a company that has not met yet either (otherwise with another such pair).
    demo = next(p for p in event.participations if p.company.contacts[0].email == DEMO_COMPANY[0])
    assert [a.start_time for a in demo.availability if a.day == DAY] == [time(10, 20)]
    todays = [
        m
        for m in dbs.scalars(select(Meeting).where(Meeting.event_id == event.id))
        if m.slot.local_start().date() == DAY and m.status == MeetingStatus.SCHEDULED
    ]
    met = {side for m in todays if m.slot.ends_at <= now for side in (m.buyer_id, m.supplier_id)}
    assert demo.id not in met
    fresh_partners = [
        m
        for m in todays
        if demo.id in (m.buyer_id, m.supplier_id)
        and m.slot.starts_at > now
        and not {m.buyer_id, m.supplier_id} & met
    ]
    if fresh_partners:
        assert walk.company == demo and walk.meeting in fresh_partners
    else:
        assert demo not in (walk.company, walk.absent)
    assert not {walk.company.id, walk.absent.id} & met
    assert get_check_in(dbs, walk.company.id, DAY) is None
    assert get_check_in(dbs, walk.absent.id, DAY) is None
    assert walk.meeting.slot.starts_at > now and walk.meeting.attendance is None


def test_seeded_in_the_evening_the_floor_day_still_has_a_walk(dbs: Session) -> None:
    evening = datetime.combine(DAY, time(18, 45), ZoneInfo(TZ)).astimezone(UTC)
    with time_machine.travel(evening, tick=True):
        now = utcnow()
        event = seed_demo(dbs, now, floor_day=True).event
        publish_demo_schedule(dbs, event, now, time_limit=3)
        seed_demo_outcomes(dbs, event, now, random.Random(7))
        walk = seed_demo_floor_day(dbs, event, now, DEMO_COMPANY[0], random.Random(2025))
        dbs.flush()
    assert walk.meeting is not None and walk.company is not None and walk.absent is not None
    assert walk.meeting.slot.starts_at > now
    held_today = [
        m
        for m in dbs.scalars(select(Meeting).where(Meeting.event_id == event.id))
        if m.slot.local_start().date() == DAY and m.slot.ends_at <= now and m.status == "scheduled"
    ]
    walked = {walk.company.id, walk.absent.id}
    for meeting in held_today:  # who met today arrived (and before the meeting)
        for side in {meeting.buyer_id, meeting.supplier_id} - walked:
            record = get_check_in(dbs, side, DAY)
            assert record is not None and record.checked_in_at <= meeting.slot.starts_at


@pytest.mark.parametrize(
    ("local", "hours"),
    [
        pytest.param(time(1, 0), (time(9, 0), time(17, 30)), id="night-before"),
        pytest.param(time(15, 0), (time(9, 0), time(17, 30)), id="afternoon"),
        pytest.param(time(16, 10), (time(14, 0), time(22, 0)), id="evening"),
        pytest.param(time(23, 10), (time(21, 0), time(23, 40)), id="late"),
    ],
)
def test_the_floor_day_leaves_slots_to_come(local: time, hours: tuple[time, time]) -> None:
    now = datetime.combine(DAY, local, ZoneInfo(TZ)).astimezone(UTC)
    assert floor_day_hours(now) == hours
    calendar = demo_calendar(now, floor_day=True)
    assert calendar.last_day == DAY and calendar.hours(DAY) == hours
    assert calendar.hours(calendar.first_day) == (time(9, 0), time(17, 30))


def test_staff_walk_the_floor_day_of_the_demo(
    floor_day: tuple[Event, FloorWalk], app: Flask, client: FlaskClient, dbs: Session
) -> None:
    event, walk = floor_day
    assert walk.company is not None and walk.meeting is not None and walk.absent is not None
    assert login(client, *DEMO_FLOOR_STAFF).status_code == 302

    # Check the company in by its code, typed on the check-in page.
    code = company_code(app.config["SECRET_KEY"], walk.company)
    url = f"/floor/events/{event.slug}/check-in"
    page = client.get(url, query_string={"code": code}).get_data(as_text=True)
    assert str(escape(walk.company.company.legal_name)) in page
    response = client.post(
        url, data={"code": code, "presence": "in", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    assert get_check_in(dbs, walk.company.id, DAY) is not None

    # Its partner never came: the meeting to come is marked no-show at the table.
    page = client.get(url, query_string={"code": code}).get_data(as_text=True)
    assert f"meeting-{walk.meeting.id}" in page
    response = client.post(
        f"/floor/events/{event.slug}/meetings/{walk.meeting.id}/attendance",
        data={
            "attendance": Attendance.NO_SHOW,
            "version": meeting_version(walk.meeting),
            "code": code,
            "csrf_token": csrf_from(page),
        },
    )
    assert response.status_code == 302
    dbs.refresh(walk.meeting)
    assert walk.meeting.attendance == Attendance.NO_SHOW

    # The freed table is offered; the company is on today's standby list, so proposed first.
    slot = walk.meeting.slot
    page = client.get(
        f"/floor/events/{event.slug}/refills", query_string={"slot": slot.id}
    ).get_data(as_text=True)
    offers = dbs.scalars(
        select(RefillOffer)
        .where(RefillOffer.freed_meeting_id == walk.meeting.id)
        .where(RefillOffer.status == RefillStatus.OPEN)
        .order_by(RefillOffer.rank)
    ).all()
    assert offers, "no refill proposal for the freed table"
    best = offers[0]
    assert walk.company.id in (best.buyer_id, best.supplier_id)
    assert f"/refills/{best.id}/confirm" in page
    response = client.post(
        f"/floor/events/{event.slug}/refills/{best.id}/confirm",
        data={"csrf_token": csrf_from(page)},
    )
    assert response.status_code == 302

    placed = dbs.scalar(
        select(Meeting).where(
            Meeting.version_id == walk.meeting.version_id,
            Meeting.slot_id == slot.id,
            Meeting.zone_id == walk.meeting.zone_id,
            Meeting.table_number == walk.meeting.table_number,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.id != walk.meeting.id,
        )
    )
    assert placed is not None
    assert {placed.buyer_id, placed.supplier_id} == {best.buyer_id, best.supplier_id}

    # Both companies' agendas show the new meeting: the other company, at that time.
    starts = slot.local_start().strftime("%H:%M")
    for side, other in ((placed.buyer, placed.supplier), (placed.supplier, placed.buyer)):
        agenda = _agenda(client, dbs, event, side.company_id)
        # As the page writes it: "Nan'an" is "Nan&#39;an".
        name = str(escape(other.company.legal_name))
        assert name in agenda
        assert re.search(rf"{starts}.*?{re.escape(name)}", agenda, re.S)


@pytest.mark.parametrize(
    ("local", "arrival"),
    [
        pytest.param(time(1, 0), None, id="before-opening"),
        pytest.param(time(10, 5), time(10, 20), id="morning"),
        pytest.param(time(10, 20), time(10, 20), id="on-a-slot"),
        pytest.param(time(16, 10), time(16, 20), id="evening-session"),
        pytest.param(time(23, 10), None, id="one-slot-left"),
    ],
)
def test_the_demo_company_comes_at_the_next_slot(local: time, arrival: time | None) -> None:
    now = datetime.combine(DAY, local, ZoneInfo(TZ)).astimezone(UTC)
    assert demo_calendar(now, floor_day=True).demo_arrival == arrival
