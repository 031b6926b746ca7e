"""A company's dashboard: its own profile, availability and contacts, and nobody else's."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from babel.dates import format_time
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, Participation, User
from tests.conftest import csrf_from, get_csrf, link_in, make_event, read_outbox, sector
from tests.functional.helpers import login, make_company_user, make_staff

pytestmark = pytest.mark.dates


def _participation_form(event: Event, token: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": token,
        "buys-0-sector": str(sector(event, "nev.parts").id),
        "buys-0-description": "brake systems",
        "availability-0-day": event.start_date.isoformat(),
        "availability-0-attending": "y",
        "availability-0-start": "09:00",
        "availability-0-end": "17:30",
        "availability-1-day": event.end_date.isoformat(),
        "availability-1-start": "09:00",
        "availability-1-end": "17:30",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_dashboard_needs_login(client: FlaskClient):
    response = client.get("/company/")
    assert response.status_code == 302
    assert "/login" in response.location


def test_company_edits_availability_and_sees_it(client: FlaskClient, event: Event, dbs: Session):
    user = make_company_user(dbs, event)
    login(client, user.email, "buyer-password-1")
    page = client.get("/company/events/forum")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/company/events/forum",
        data=_participation_form(
            event,
            token,
            **{
                "availability-0-end": "12:00",
                "availability-1-attending": "y",
                "availability-1-start": "13:30",
            },
        ),
    )
    assert response.status_code == 302
    dashboard = client.get("/company/").get_data(as_text=True)
    clock = [format_time(time(h, m), "short", locale="en") for h, m in ((9, 0), (12, 0), (13, 30))]
    assert f"{clock[0]}–{clock[1]}" in dashboard  # "9:00 AM–12:00 PM", the reader's way
    assert f"{clock[2]}–{format_time(time(17, 30), 'short', locale='en')}" in dashboard
    participation = dbs.scalar(
        select(Participation).where(Participation.company_id == user.company_id)
    )
    dbs.refresh(participation)
    assert [(a.start_time, a.end_time) for a in participation.availability] == [
        (time(9), time(12)),
        (time(13, 30), time(17, 30)),
    ]


def test_bad_participation_edit_changes_nothing(client: FlaskClient, event: Event, dbs: Session):
    user = make_company_user(dbs, event)
    login(client, user.email, "buyer-password-1")
    token = get_csrf(client, "/company/events/forum")
    response = client.post(
        "/company/events/forum",
        data=_participation_form(
            event, token, **{"availability-0-end": "08:00", "buys-0-description": "changed"}
        ),
    )
    assert response.status_code == 422
    assert "Must be later than the start time." in response.get_data(as_text=True)
    participation = dbs.scalar(select(Participation))
    dbs.refresh(participation)
    assert participation.availability[0].end_time == time(17, 30)
    assert participation.buys[0].description == "brake systems"


def test_edits_are_refused_after_the_deadline(client: FlaskClient, dbs: Session):
    event = make_event(
        dbs, slug="forum", registration_deadline=datetime.now(UTC) + timedelta(days=1)
    )
    user = make_company_user(dbs, event)
    login(client, user.email, "buyer-password-1")
    token = get_csrf(client, "/company/events/forum")
    event.registration_deadline = datetime.now(UTC) - timedelta(seconds=1)
    dbs.flush()
    response = client.post(
        "/company/events/forum",
        data=_participation_form(event, token, **{"availability-0-end": "12:00"}),
    )
    assert response.status_code == 403
    participation = dbs.scalar(select(Participation))
    dbs.refresh(participation)
    assert participation.availability[0].end_time == time(17, 30)


def test_profile_edit_validates_and_saves(client: FlaskClient, event: Event, dbs: Session):
    user = make_company_user(dbs, event)
    login(client, user.email, "buyer-password-1")
    token = get_csrf(client, "/company/profile")
    bad = client.post(
        "/company/profile",
        data={
            "csrf_token": token,
            "legal_name": "",
            "country": "KZ",
            "city": "Astana",
            "size": "small",
            "languages": ["ru"],
        },
    )
    assert bad.status_code == 422
    assert 'id="legal_name-error"' in bad.get_data(as_text=True)
    good = client.post(
        "/company/profile",
        data={
            "csrf_token": token,
            "legal_name": "Altai Motors Group",
            "country": "KZ",
            "city": "Astana",
            "size": "large",
            "languages": ["ru", "en"],
        },
    )
    assert good.status_code == 302
    assert "Altai Motors Group" in client.get("/company/").get_data(as_text=True)


def test_company_never_reaches_another_companys_data(
    client: FlaskClient, event: Event, dbs: Session
):
    mine = make_company_user(dbs, event, email="me@example.kz", name="Mine LLP")
    other = make_company_user(
        dbs, event, email="other@example.uz", name="Other Uzbek LLC", country="UZ"
    )
    other_event = make_event(dbs, slug="other-forum")
    other_participation = Participation(event=other_event, company=other.company)
    dbs.add(other_participation)
    dbs.flush()
    login(client, mine.email, "buyer-password-1")
    dashboard = client.get("/company/").get_data(as_text=True)
    assert "Other Uzbek LLC" not in dashboard
    assert client.get("/company/events/other-forum").status_code == 404
    other_id = dbs.scalar(
        select(Participation.id).where(
            Participation.company_id == other.company_id, Participation.event_id == event.id
        )
    )
    assert client.get(f"/organiser/registrations/{other_id}").status_code == 403
    assert client.get("/organiser/events/forum/registrations").status_code == 403
    assert client.get("/organiser/events/forum/registrations.csv").status_code == 403


def test_invite_contact_person(client: FlaskClient, event: Event, dbs: Session, outbox: Any):
    user = make_company_user(dbs, event)
    login(client, user.email, "buyer-password-1")
    token = get_csrf(client, "/company/contacts")
    bad = client.post(
        "/company/contacts", data={"csrf_token": token, "full_name": "Dana", "email": "nope"}
    )
    assert bad.status_code == 422
    response = client.post(
        "/company/contacts",
        data={
            "csrf_token": token,
            "full_name": "Dana Nurlanovna",
            "email": "dana@example.kz",
            "position": "Logistics",
        },
    )
    assert response.status_code == 302
    colleague = dbs.scalar(select(User).where(User.email == "dana@example.kz"))
    assert colleague is not None and colleague.company_id == user.company_id
    (mail,) = read_outbox(outbox)
    assert mail["To"] == "dana@example.kz"
    path = link_in(mail).split("localhost", 1)[-1]
    client.post("/logout", data={"csrf_token": get_csrf(client, "/company/")})
    token = get_csrf(client, path)
    assert (
        client.post(
            path,
            data={"password": "dana-password-1", "confirm": "dana-password-1", "csrf_token": token},
        ).status_code
        == 302
    )
    assert login(client, "dana@example.kz", "dana-password-1").status_code == 302
    assert "Altai Motors LLP" in client.get("/company/").get_data(as_text=True)


def test_staff_roles_cannot_use_company_pages(client: FlaskClient, event: Event, dbs: Session):
    make_staff(dbs, role="reporter", email="press@example.org", password="reporter-pass-1")
    login(client, "press@example.org", "reporter-pass-1")
    assert client.get("/company/").status_code == 403
    assert client.get("/organiser/").status_code == 403
