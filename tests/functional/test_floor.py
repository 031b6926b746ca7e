"""The floor day: check-in codes (signed, on the agenda and its PDF), floor staff scoped to
their events, check-in and attendance at the venue, and offline edits that conflict (409)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import CheckIn, Event, Participation, User
from matchmaking.models.user import Role
from matchmaking.services.check_ins import meeting_version
from matchmaking.services.company_codes import _signature, company_code
from tests.agenda_world import CHINESE_NAME, RUSSIAN_NAME, World, make_world, pdf_text
from tests.conftest import csrf_from, get_csrf, mail_text, make_event, read_outbox
from tests.functional.helpers import login

pytestmark = pytest.mark.dates

STAFF_PASSWORD = "floor-staff-password"
JSON = {"Accept": "application/json"}


def venue_today() -> datetime:
    return datetime.now(UTC).astimezone(Event(timezone="Asia/Shanghai").tz)


@pytest.fixture
def world(dbs: Session) -> World:
    """The agenda world on an event under way: its first day is today at the venue."""
    today = venue_today().date()
    event = make_event(
        dbs,
        start_date=today,
        end_date=today + timedelta(days=1),
        registration_deadline=datetime.now(UTC) - timedelta(days=5),
        status="closed",
    )
    return make_world(dbs, event)


def make_floor_staff(dbs: Session, event: Event, email: str = "floor@forum.example") -> User:
    user = User(
        email=email,
        full_name="Floor Staff",
        role=Role.FLOOR_STAFF,
        email_confirmed_at=datetime.now(UTC),
    )
    user.set_password(STAFF_PASSWORD)
    dbs.add(user)
    dbs.flush()
    from matchmaking.models import event_floor_staff

    dbs.execute(event_floor_staff.insert().values(event_id=event.id, user_id=user.id))
    dbs.flush()
    return user


def code_of(app: Flask, participation: Participation) -> str:
    return company_code(app.config["SECRET_KEY"], participation)


def check_in_url(world: World) -> str:
    return f"/floor/events/{world.event.slug}/check-in"


# -- the code on the agenda and its PDF ----------------------------------------------------


def test_agenda_and_pdf_carry_the_company_check_in_code(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, "buyer@example.kz", "buyer-password-1")
    client.get("/language/en")
    page = client.get(f"/company/events/{world.event.slug}/agenda").get_data(as_text=True)
    code = code_of(app, world.bp)
    assert code in page
    assert '<svg viewBox="' in page and "qrline" in page  # the QR code, inline (CSP: no data:)
    # A full QR code (at least 21 modules and the 4-module quiet zone, at scale 4), not a
    # Micro QR code, which phone cameras seldom read.
    size = int(page.split('<svg viewBox="0 0 ', 1)[1].split(" ", 1)[0])
    assert size >= (21 + 8) * 4
    assert "Last updated" in page
    pdf = client.get(f"/company/events/{world.event.slug}/agenda.pdf")
    assert code in pdf_text(pdf.data)
    # Another company's code is another code.
    assert code_of(app, world.sp) not in page


# -- forged and tampered codes -----------------------------------------------------------


@pytest.mark.parametrize(
    "loosely",
    [
        pytest.param(lambda code: code.lower().replace("-", " "), id="lower-case-spaces"),
        pytest.param(lambda code: code.replace("-", ""), id="no-separators"),
    ],
)
def test_staff_find_a_company_by_its_code_typed_loosely(
    app: Flask, dbs: Session, client: FlaskClient, world: World, loosely
) -> None:
    make_floor_staff(dbs, world.event)
    login(client, "floor@forum.example", STAFF_PASSWORD)
    typed = loosely(code_of(app, world.sp))
    page = client.get(check_in_url(world), query_string={"code": typed})
    assert page.status_code == 200
    assert CHINESE_NAME in page.get_data(as_text=True)


def test_staff_find_a_company_that_lost_its_code_by_name_in_any_script(
    app: Flask, dbs: Session, client: FlaskClient, world: World
) -> None:
    make_floor_staff(dbs, world.event)
    login(client, "floor@forum.example", STAFF_PASSWORD)
    for typed in ("长江机械", RUSSIAN_NAME.split()[-1].lower()):
        page = client.get(check_in_url(world), query_string={"code": typed})
        assert page.status_code == 200, typed
        html = page.get_data(as_text=True)
        assert "Companies with this name" in html
        # Each match links to the company's own code; nobody is checked in by a search.
        wanted = world.sp if typed == "长江机械" else world.other.company.participations[0]
        assert f"code={code_of(app, wanted)}" in html
    assert dbs.scalars(select(CheckIn)).all() == []
    unknown = client.get(check_in_url(world), query_string={"code": "Nobody Holdings"})
    assert unknown.status_code == 422
    assert "not valid for this event" in unknown.get_data(as_text=True)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda code, other: code[:-1] + ("A" if code[-1] != "A" else "B"),
            id="signature-changed",
        ),
        pytest.param(
            lambda code, other: other.split("-", 1)[0] + "-" + code.split("-", 1)[1],
            id="id-swapped",
        ),
        pytest.param(lambda code, other: code.split("-", 1)[0] + "-AAAAA-AAAAA", id="guessed"),
        pytest.param(lambda code, other: code.split("-", 1)[0], id="id-only"),
        pytest.param(lambda code, other: "'; DROP TABLE users; --", id="garbage"),
    ],
)
def test_forged_or_tampered_codes_are_refused(
    app: Flask, dbs: Session, client: FlaskClient, world: World, forge
) -> None:
    make_floor_staff(dbs, world.event)
    login(client, "floor@forum.example", STAFF_PASSWORD)
    code = forge(code_of(app, world.bp), code_of(app, world.sp))
    page = client.get(check_in_url(world), query_string={"code": code})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "not valid for this event" in text
    assert CHINESE_NAME not in text
    # Posting it checks nobody in.
    token = csrf_from(client.get(check_in_url(world)).get_data(as_text=True))
    answer = client.post(
        check_in_url(world),
        data={"code": code, "presence": "in", "csrf_token": token},
        headers=JSON,
    )
    assert answer.status_code == 422
    assert answer.get_json()["field"] == "code"
    assert dbs.scalars(select(CheckIn)).all() == []


def test_a_code_of_another_event_is_refused(
    app: Flask, dbs: Session, client: FlaskClient, world: World
) -> None:
    make_floor_staff(dbs, world.event)
    login(client, "floor@forum.example", STAFF_PASSWORD)
    other_event_id = world.event.id + 1
    signature = _signature(app.config["SECRET_KEY"], other_event_id, world.bp.id)
    code = f"{world.bp.id}-{signature[:5]}-{signature[5:]}"
    page = client.get(check_in_url(world), query_string={"code": code})
    assert page.status_code == 422
    assert "not valid for this event" in page.get_data(as_text=True)


# -- staff scoped to their events --------------------------------------------------------


def test_staff_of_one_event_are_refused_at_another(
    app: Flask, dbs: Session, client: FlaskClient, world: World
) -> None:
    other = make_event(dbs, slug="other-forum")
    dbs.flush()
    make_floor_staff(dbs, other)
    login(client, "floor@forum.example", STAFF_PASSWORD)
    assert client.get("/floor/events/other-forum/check-in").status_code == 200
    assert client.get(check_in_url(world)).status_code == 404
    code = code_of(app, world.bp)
    assert client.get(check_in_url(world), query_string={"code": code}).status_code == 404
    token = csrf_from(client.get("/floor/events/other-forum/check-in").get_data(as_text=True))
    posted = client.post(
        check_in_url(world), data={"code": code, "presence": "in", "csrf_token": token}
    )
    assert posted.status_code == 404
    marked = client.post(
        f"{check_in_url(world).rsplit('/', 1)[0]}/meetings/{world.m1.id}/attendance",
        data={"attendance": "no_show", "csrf_token": token},
    )
    assert marked.status_code == 404
    # The code of this event's company does not work at the staff's own event either.
    assert (
        client.get("/floor/events/other-forum/check-in", query_string={"code": code}).status_code
        == 422
    )
    # Staff are no organisers: the organiser pages, the staff list included, are closed.
    assert client.get(f"/organiser/events/{world.event.slug}/floor-staff").status_code == 403
    assert client.get(f"/organiser/events/{world.event.slug}/check-in").status_code == 403
    assert dbs.scalars(select(CheckIn)).all() == []
    assert world.m1.attendance is None


def test_companies_cannot_open_the_check_in_page(client: FlaskClient, world: World) -> None:
    login(client, "buyer@example.kz", "buyer-password-1")
    assert client.get(check_in_url(world)).status_code == 403


# -- check-in and attendance --------------------------------------------------------------


def test_staff_check_a_company_in_and_out_and_mark_its_meetings(
    app: Flask, dbs: Session, client: FlaskClient, world: World
) -> None:
    make_floor_staff(dbs, world.event)
    login(client, "floor@forum.example", STAFF_PASSWORD)
    code = code_of(app, world.bp)
    page = client.get(check_in_url(world), query_string={"code": code}).get_data(as_text=True)
    assert "Not checked in today" in page
    token = csrf_from(page)
    answer = client.post(
        check_in_url(world), data={"code": code, "presence": "in", "csrf_token": token}
    )
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Checked in at" in page
    # Twice (a queued check-in sent again) is still one check-in.
    again = client.post(
        check_in_url(world),
        data={"code": code, "presence": "in", "csrf_token": token},
        headers=JSON,
    )
    assert again.status_code == 200 and again.get_json()["ok"]
    records = dbs.scalars(select(CheckIn)).all()
    assert [(r.participation_id, r.day) for r in records] == [(world.bp.id, venue_today().date())]

    marked = client.post(
        f"/floor/events/{world.event.slug}/meetings/{world.m1.id}/attendance",
        data={
            "attendance": "held",
            "version": meeting_version(world.m1),
            "code": code,
            "csrf_token": token,
        },
    )
    assert marked.status_code == 302
    dbs.refresh(world.m1)
    assert world.m1.attendance == "held"

    left = client.post(
        check_in_url(world), data={"code": code, "presence": "out", "csrf_token": token}
    )
    assert left.status_code == 302
    dbs.refresh(records[0])
    assert records[0].checked_out_at is not None


def test_an_offline_mark_on_a_meeting_changed_meanwhile_is_refused_409(
    dbs: Session, client: FlaskClient, world: World
) -> None:
    make_floor_staff(dbs, world.event)
    login(client, "floor@forum.example", STAFF_PASSWORD)
    seen = meeting_version(world.m1)  # what the phone showed before losing the network
    token = get_csrf(client, check_in_url(world))
    # Meanwhile the organiser marks the meeting (or moves it): its version changes.
    world.m1.attendance = "held"
    world.m1.updated_at = world.m1.updated_at + timedelta(seconds=5)
    dbs.flush()
    url = f"/floor/events/{world.event.slug}/meetings/{world.m1.id}/attendance"
    answer = client.post(
        url, data={"attendance": "no_show", "version": seen, "csrf_token": token}, headers=JSON
    )
    assert answer.status_code == 409
    assert "changed by someone else" in answer.get_json()["message"]
    dbs.refresh(world.m1)
    assert world.m1.attendance == "held"  # not overwritten
    # The same mark as the one recorded is no conflict (an entry sent twice).
    same = client.post(
        url, data={"attendance": "held", "version": seen, "csrf_token": token}, headers=JSON
    )
    assert same.status_code == 200
    # On the current version the mark goes through.
    current = client.post(
        url,
        data={"attendance": "no_show", "version": meeting_version(world.m1), "csrf_token": token},
        headers=JSON,
    )
    assert current.status_code == 200
    dbs.refresh(world.m1)
    assert world.m1.attendance == "no_show"


def test_a_mark_on_a_cancelled_meeting_is_a_conflict(
    dbs: Session, client: FlaskClient, world: World
) -> None:
    from tests.agenda_world import cancel

    make_floor_staff(dbs, world.event)
    login(client, "floor@forum.example", STAFF_PASSWORD)
    seen = meeting_version(world.m2)
    token = get_csrf(client, check_in_url(world))
    cancel(dbs, world.m2, datetime.now(UTC))
    answer = client.post(
        f"/floor/events/{world.event.slug}/meetings/{world.m2.id}/attendance",
        data={"attendance": "held", "version": seen, "csrf_token": token},
        headers=JSON,
    )
    assert answer.status_code == 409
    dbs.refresh(world.m2)
    assert world.m2.attendance is None


def test_bad_attendance_input_is_422_and_names_the_field(
    dbs: Session, client: FlaskClient, world: World
) -> None:
    make_floor_staff(dbs, world.event)
    login(client, "floor@forum.example", STAFF_PASSWORD)
    token = get_csrf(client, check_in_url(world))
    url = f"/floor/events/{world.event.slug}/meetings/{world.m1.id}/attendance"
    for data, field in (
        ({"attendance": "maybe"}, "attendance"),
        ({"attendance": "held", "version": "yesterday"}, "version"),
    ):
        answer = client.post(url, data={**data, "csrf_token": token}, headers=JSON)
        assert answer.status_code == 422, data
        assert answer.get_json()["field"] == field
    dbs.refresh(world.m1)
    assert world.m1.attendance is None


# -- organisers create floor staff -------------------------------------------------------


def test_organisers_add_floor_staff_who_are_invited_and_land_on_check_in(
    app: Flask, dbs: Session, client: FlaskClient, world: World, outbox
) -> None:
    login(client, "org@example.org", "organiser-password")
    url = f"/organiser/events/{world.event.slug}/floor-staff"
    token = get_csrf(client, url)
    answer = client.post(
        url, data={"full_name": "Li Na", "email": "li.na@forum.example", "csrf_token": token}
    )
    assert answer.status_code == 302
    user = dbs.scalar(select(User).where(User.email == "li.na@forum.example"))
    assert user is not None and user.role == Role.FLOOR_STAFF and user.company_id is None
    assert "li.na@forum.example" in client.get(url).get_data(as_text=True)
    messages = read_outbox(outbox)
    assert [m["To"] for m in messages] == ["li.na@forum.example"]
    assert f"/floor/events/{world.event.slug}/check-in" in mail_text(messages[0])

    # A company's address cannot become floor staff.
    refused = client.post(
        url, data={"full_name": "X", "email": "buyer@example.kz", "csrf_token": token}
    )
    assert refused.status_code == 422
    assert "not floor staff" in refused.get_data(as_text=True)

    # The new account logs in and lands on its events.
    user.set_password(STAFF_PASSWORD)
    dbs.flush()
    client.post("/logout", data={"csrf_token": get_csrf(client, url)})
    landed = login(client, "li.na@forum.example", STAFF_PASSWORD)
    assert landed.headers["Location"].endswith("/floor/")
    assert world.event.display_name in client.get("/floor/").get_data(as_text=True)


def test_the_web_app_manifest_and_service_worker_are_served_by_the_app(client: FlaskClient) -> None:
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    icons = manifest.get_json()["icons"]
    assert {icon["sizes"] for icon in icons} == {"192x192", "512x512"}
    for icon in icons:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        image.close()
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert "networkFirst" in worker.get_data(as_text=True)
    worker.close()


def test_no_check_in_outside_the_days_of_the_event(
    app: Flask, dbs: Session, client: FlaskClient
) -> None:
    ahead = make_world(dbs, make_event(dbs))  # a month ahead
    make_floor_staff(dbs, ahead.event)
    login(client, "floor@forum.example", STAFF_PASSWORD)
    code = code_of(app, ahead.bp)
    token = get_csrf(client, check_in_url(ahead))
    answer = client.post(
        check_in_url(ahead), data={"code": code, "presence": "in", "csrf_token": token}
    )
    assert answer.status_code == 409
    assert "only on the days of the event" in answer.get_data(as_text=True)
    assert dbs.scalars(select(CheckIn)).all() == []
