"""The demo tells one consistent story, whenever it is seeded: nothing it shows is impossible."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, MeetingRequest, Outcome, User
from matchmaking.models.types import utcnow
from matchmaking.services.deals import MeetingNotHeld, OutcomeInput, record_outcome
from matchmaking.services.demo import (
    DEMO_COMPANY,
    DEMO_ORGANISER,
    DEMO_SLUG,
    publish_demo_schedule,
    seed_demo,
)
from matchmaking.services.demo_deals import seed_demo_outcomes
from matchmaking.services.event_status import close_registrations
from matchmaking.services.requests import expire_requests
from matchmaking.services.schedules import published_version
from matchmaking.services.tally import compute_tally
from tests.functional.helpers import login

pytestmark = pytest.mark.dates


def _check_registrations(session: Session, event: Event, now: datetime) -> None:
    """Closed at a past deadline; every company registered before it, decided after."""
    assert event.status == "closed"
    assert event.registration_deadline < now
    assert not event.registration_open(now)
    assert close_registrations(session, now) == 0  # nothing left for the job to do
    assert event.created_at < event.registration_deadline
    for participation in event.participations:
        assert participation.created_at < event.registration_deadline
        if participation.status == "approved":
            assert participation.decided_at is not None
            assert participation.created_at < participation.decided_at < now
        for contact in participation.company.contacts:
            assert contact.email_confirmed_at is not None
            assert participation.created_at <= contact.email_confirmed_at < now


def _check_requests(session: Session, event: Event, before: datetime, now: datetime) -> None:
    """Made by approved companies before ``before``; answered in time or expired by now."""
    requests = session.scalars(
        select(MeetingRequest).where(MeetingRequest.event_id == event.id)
    ).all()
    assert requests
    assert expire_requests(session, now) == 0  # none is left open past its time lapse
    for request in requests:
        assert request.buyer.decided_at is not None and request.supplier.decided_at is not None
        assert max(request.buyer.decided_at, request.supplier.decided_at) < request.created_at
        assert request.created_at < before
        assert request.expires_at == request.created_at + timedelta(
            hours=event.request_expiry_hours
        )
        if request.status in ("accepted", "declined"):
            assert request.answered_at is not None
            assert request.created_at < request.answered_at < request.expires_at
        else:
            assert request.answered_at is None
            assert request.status == ("open" if request.expires_at > now else "expired")


def test_the_seeded_demo_is_under_way(client: FlaskClient, dbs: Session) -> None:
    now = utcnow()
    event = seed_demo(dbs, now).event
    publish_demo_schedule(dbs, event, now, time_limit=3)
    assert seed_demo_outcomes(dbs, event, now, random.Random(7)) > 0
    dbs.flush()

    # Negotiations yesterday and tomorrow (event time); today is the exhibition day.
    today = now.astimezone(event.tz).date()
    first, last = today - timedelta(days=1), today + timedelta(days=1)
    assert (event.start_date, event.end_date) == (first, last)
    assert {s.local_start().date() for s in event.slots} == {first, last}
    assert [d.day for d in event.schedule_days] == [first, last]
    _check_registrations(dbs, event, now)

    # Published a week before the first day, after it was generated.
    version = published_version(dbs, event)
    assert version is not None and version.published_at is not None
    first_start = min(s.starts_at for s in event.slots)
    assert version.created_at < version.published_at <= first_start - timedelta(days=6)
    _check_requests(dbs, event, version.created_at, now)

    # Its interpreter pool is short, and the quality report says of which language pair:
    # Russian-Chinese pairs the best schedule would hold are left out for want of one.
    assert version.report is not None
    assert not version.report.get("skipped"), "every figure, however busy the machine"
    interpreters = version.report["interpreters"]
    assert interpreters["short"][0]["languages"] == "ru-zh"
    assert (
        interpreters["short"][0]["short_by"]
        == len([row for row in interpreters["left_out"] if row["languages"] == "ru-zh"])
        > 0
    )

    # Outcomes only of meetings that ended, reported after their end; the rest is to come.
    meetings = [m for m in version.meetings if m.status == "scheduled"]
    held = [m for m in meetings if m.slot.ends_at <= now]
    to_come = [m for m in meetings if m.slot.ends_at > now]
    assert held and to_come
    assert {m.slot.local_start().date() for m in held} == {first}
    assert {m.slot.local_start().date() for m in to_come} == {last}
    assert all(m.attendance is None for m in to_come)
    outcomes = dbs.scalars(select(Outcome)).all()
    assert outcomes
    for outcome in outcomes:
        assert outcome.meeting.slot.ends_at <= outcome.created_at <= now
    view = compute_tally(dbs, event)
    assert view.total.deals > 0
    assert {row.day for row in view.deal_rows} == {first.isoformat()}

    # The product itself refuses an outcome of a meeting to come.
    organiser = dbs.scalar(select(User).where(User.email == DEMO_ORGANISER[0]))
    assert organiser is not None
    upcoming = to_come[0]
    with pytest.raises(MeetingNotHeld):
        record_outcome(dbs, upcoming, upcoming.buyer, OutcomeInput("follow_up"), organiser, now)

    page = client.get(f"/events/{DEMO_SLUG}/").get_data(as_text=True)
    assert "Registration closed" in page
    assert f"/events/{DEMO_SLUG}/register" not in page

    # The README's demo company login takes part: approved, with meetings in the schedule.
    contact = dbs.scalar(select(User).where(User.email == DEMO_COMPANY[0]))
    assert contact is not None and contact.company is not None
    mine = [p for p in event.participations if p.company_id == contact.company_id]
    assert [p.status for p in mine] == ["approved"]
    assert any(mine[0].id in (m.buyer_id, m.supplier_id) for m in meetings)


def test_the_demo_without_schedule_lies_ahead(dbs: Session) -> None:
    now = utcnow()
    event = seed_demo(dbs, now, under_way=False).event
    dbs.flush()
    today = now.astimezone(event.tz).date()
    assert event.start_date == today + timedelta(days=7)
    assert min(s.starts_at for s in event.slots) > now
    _check_registrations(dbs, event, now)
    _check_requests(dbs, event, now, now)
    assert published_version(dbs, event) is None
    assert seed_demo_outcomes(dbs, event, now, random.Random(7)) == 0
    assert dbs.scalars(select(Outcome)).all() == []


def test_demo_contacts_password_cannot_be_computed_from_the_source(
    client: FlaskClient, dbs: Session
) -> None:
    seed_demo(dbs, utcnow(), under_way=False)
    dbs.flush()
    # What the placeholder contacts' password used to be: the first draw of Random(2025).
    known = random.Random(2025).randbytes(16).hex()
    contact = dbs.scalar(select(User).where(User.email == "contact002@demo.example"))
    assert contact is not None and not contact.check_password(known)
    response = login(client, "contact002@demo.example", known)
    assert response.status_code == 422
    assert login(client, *DEMO_COMPANY).status_code == 302  # the documented demo login works
