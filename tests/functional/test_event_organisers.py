"""Administrators create events and assign organisers; organisers see only their events."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from matchmaking.errors import DomainError, NotAllowed
from matchmaking.models import Event, User, event_organisers
from matchmaking.services.event_organisers import assign_organiser, unassign_organiser
from matchmaking.services.event_setup import create_event
from tests.conftest import csrf_from, get_csrf, make_event
from tests.functional.helpers import login, make_company_user, make_staff

ADMIN = ("admin@example.org", "admin-password")
LEAD = ("lead@example.org", "lead-password-1")
PAGE = "/organiser/events/forum/organisers"


@pytest.fixture
def admin(client: FlaskClient, dbs: Session, event: Event) -> FlaskClient:
    make_staff(dbs, "admin", *ADMIN)
    assert login(client, *ADMIN).status_code == 302
    return client


def _assigned(dbs: Session, event: Event) -> list[str]:
    dbs.expire_all()
    return [u.email for u in dbs.get(Event, event.id).organisers]  # type: ignore[union-attr]


def test_admin_assigns_an_organiser_who_then_manages_the_event(
    admin: FlaskClient, dbs: Session, event: Event
) -> None:
    make_staff(dbs, "organiser", *LEAD, events=())
    page = admin.get(PAGE)
    assert page.status_code == 200
    assert "No organiser is assigned to this event yet." in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    response = admin.post(PAGE, data={"csrf_token": token, "email": "  Lead@Example.org "})
    assert response.status_code == 302
    assert _assigned(dbs, event) == [LEAD[0]]
    assert LEAD[0] in admin.get(PAGE).get_data(as_text=True)

    admin.post("/logout", data={"csrf_token": token})
    login(admin, *LEAD)
    assert admin.get("/organiser/events/forum/registrations").status_code == 200
    assert "/organiser/events/forum/setup" in admin.get("/organiser/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        pytest.param("nobody@example.org", "No organiser account uses this", id="unknown"),
        pytest.param("buyer@example.kz", "No organiser account uses this", id="company"),
        pytest.param("press@example.org", "No organiser account uses this", id="reporter"),
        pytest.param(ADMIN[0], "Administrators manage every event already.", id="admin"),
        pytest.param("org@example.org", "already organises this event", id="already"),
        pytest.param("not-an-address", "Invalid email address.", id="malformed"),
        pytest.param("", "This field is required.", id="empty"),
    ],
)
def test_assignment_refusals_name_the_field(
    admin: FlaskClient, dbs: Session, event: Event, email: str, message: str
) -> None:
    make_company_user(dbs, event)
    make_staff(dbs, "reporter", "press@example.org", "reporter-password")
    make_staff(dbs, "organiser", "org@example.org", "organiser-password", events=[event])
    token = get_csrf(admin, PAGE)
    response = admin.post(PAGE, data={"csrf_token": token, "email": email})
    assert response.status_code == (409 if "already organises" in message else 422)  # conflict
    body = response.get_data(as_text=True)
    assert message in body and 'id="email-error"' in body
    assert _assigned(dbs, event) == ["org@example.org"]


def test_admin_removes_an_organiser(admin: FlaskClient, dbs: Session, event: Event) -> None:
    lead = make_staff(dbs, "organiser", *LEAD, events=[event])
    token = get_csrf(admin, PAGE)
    url = f"/organiser/events/forum/organisers/{lead.id}/remove"
    assert admin.post(url, data={}).status_code == 400  # no CSRF token: nothing removed
    assert _assigned(dbs, event) == [LEAD[0]]
    assert admin.post(url, data={"csrf_token": token}).status_code == 302
    assert _assigned(dbs, event) == []
    assert admin.post(url, data={"csrf_token": token}).status_code == 404  # no longer assigned

    admin.post("/logout", data={"csrf_token": token})
    login(admin, *LEAD)
    assert admin.get("/organiser/events/forum/registrations").status_code == 404
    index = admin.get("/organiser/").get_data(as_text=True)
    assert "No event is assigned to you yet." in index
    assert "/organiser/events/forum/" not in index


def test_organisers_do_not_create_events_admins_do(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    make_staff(dbs, "organiser", *LEAD, events=[event])
    make_staff(dbs, "admin", *ADMIN)
    data = {
        "name": "SCO Agro Forum",
        "slug": "sco-agro",
        "venue": "Expo",
        "city": "Chongqing",
        "timezone": "Asia/Shanghai",
        "start_date": "2026-12-01",
        "end_date": "2026-12-02",
        "registration_deadline": "2026-11-28T18:00",
    }
    login(client, *LEAD)
    token = get_csrf(client, "/organiser/")
    assert "/organiser/events/new" not in client.get("/organiser/").get_data(as_text=True)
    assert (
        client.post("/organiser/events/new", data={**data, "csrf_token": token}).status_code == 403
    )
    assert dbs.scalar(select(Event).where(Event.slug == "sco-agro")) is None

    client.post("/logout", data={"csrf_token": token})
    login(client, *ADMIN)
    assert "/organiser/events/new" in client.get("/organiser/").get_data(as_text=True)
    response = client.post("/organiser/events/new", data={**data, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organiser/events/sco-agro/organisers")
    created = dbs.scalar(select(Event).where(Event.slug == "sco-agro"))
    assert created is not None and created.status == "draft" and created.organisers == []

    # Registration closing after the event is refused on its field (it was saved).
    late = {**data, "slug": "sco-late", "registration_deadline": "2026-12-03T00:01"}
    response = client.post("/organiser/events/new", data={**late, "csrf_token": token})
    assert response.status_code == 422
    assert "Registration must close before the end of the event" in response.get_data(as_text=True)
    assert dbs.scalar(select(Event).where(Event.slug == "sco-late")) is None
    last_minute = {**late, "registration_deadline": "2026-12-02T23:59"}
    response = client.post("/organiser/events/new", data={**last_minute, "csrf_token": token})
    assert response.status_code == 302


def test_admin_console_lists_every_event_with_its_organisers(
    admin: FlaskClient, dbs: Session, event: Event
) -> None:
    make_event(dbs, "autumn", name="Autumn Fair")
    make_staff(dbs, "organiser", *LEAD, events=[event])
    body = admin.get("/organiser/").get_data(as_text=True)
    assert "Autumn Fair" in body and "Test Chongqing-SCO Forum" in body
    assert LEAD[0] in body


def test_only_admins_assign_and_create_in_the_services(dbs: Session, event: Event) -> None:
    organiser = make_staff(dbs, "organiser", *LEAD, events=[event])
    other = make_staff(dbs, "organiser", "other@example.org", "other-password", events=())
    with pytest.raises(NotAllowed):
        assign_organiser(dbs, event, other.email, organiser)
    with pytest.raises(NotAllowed):
        unassign_organiser(dbs, event, organiser, organiser)
    with pytest.raises(NotAllowed):
        create_event(
            dbs, organiser, "x-forum", "X", "V", "C", "UTC",
            event.start_date, event.end_date, event.registration_deadline,
        )  # fmt: skip


def test_two_admins_assigning_at_once_get_a_message_not_an_error(
    dbs: Session, event: Event
) -> None:
    admin = make_staff(dbs, "admin", *ADMIN)
    lead = make_staff(dbs, "organiser", *LEAD, events=())
    assert event.organisers == []  # this session's view, before the other admin's insert
    dbs.execute(insert(event_organisers).values(event_id=event.id, user_id=lead.id))
    with pytest.raises(DomainError, match="already organises this event") as raised:
        assign_organiser(dbs, event, LEAD[0], admin)
    assert raised.value.field == "email"
    rows = dbs.scalar(select(func.count()).select_from(event_organisers))
    assert rows == 1
    assert dbs.scalar(select(User.id).where(User.email == LEAD[0])) == lead.id
