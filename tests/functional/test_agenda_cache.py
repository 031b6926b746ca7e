"""The company agenda page reuses its meeting list while nothing it shows has changed (issue
16): any change shows on the very next request, and forms keep each session's own token."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.blueprints.agenda import routes as agenda_routes
from matchmaking.models import (
    Interpreter,
    Meeting,
    Offering,
    RefillOffer,
    ScheduleVersion,
    User,
)
from matchmaking.models.schedule import Attendance
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services import agendas
from matchmaking.services.schedule_edits import publish_version
from tests.agenda_world import CHINESE_NAME, RUSSIAN_NAME, World, cancel, make_world, move
from tests.conftest import TEST_DB_URL, csrf_from, make_event, sector
from tests.functional.helpers import login, make_meeting, make_participant, sql_statements
from tests.refill_world import PASSWORD, build_floor, venue_clock

pytestmark = pytest.mark.dates


@pytest.fixture
def world(dbs: Session) -> World:
    return make_world(dbs, make_event(dbs, slug="cached-forum"))


def _page(client: FlaskClient, world: World) -> str:
    response = client.get(f"/company/events/{world.event.slug}/agenda")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _row(page: str, meeting: Meeting) -> str:
    """The table row of ``meeting`` on the page ("" when it is not listed)."""
    found = re.search(rf'<tr id="meeting-{meeting.id}">(.*?)</tr>', page, re.S)
    return found.group(1) if found else ""


def _as_buyer(client: FlaskClient) -> None:
    login(client, "buyer@example.kz", "buyer-password-1")
    client.get("/language/en")


def _same_instant(dbs: Session, meeting: Meeting, updated_at: object) -> None:
    """Put back the meeting's last-change time: a change within the same clock tick."""
    meeting.updated_at = updated_at  # type: ignore[assignment]
    dbs.flush()


def test_an_unchanged_agenda_is_not_built_again(
    app: Flask, client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_buyer(client)
    first = _page(client, world)
    built: list[int] = []
    build = agendas.build_agenda
    monkeypatch.setattr(
        "matchmaking.blueprints.agenda.routes.build_agenda",
        lambda session, participation: built.append(1) or build(session, participation),
    )
    with sql_statements(app) as statements:
        second = _page(client, world)
    assert built == []
    assert len(statements) <= 5
    assert _row(second, world.m1) == _row(first, world.m1) != ""
    assert CHINESE_NAME in second and RUSSIAN_NAME in second


def test_a_moved_meeting_shows_at_its_new_time_on_the_next_request(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    _as_buyer(client)
    assert re.search(r"\b9:00\W*AM", _row(_page(client, world), world.m1))
    updated_at = world.m1.updated_at
    move(dbs, world.m1, world.slots[4], utcnow())
    _same_instant(dbs, world.m1, updated_at)
    page = _page(client, world)
    new_time = world.slots[4].starts_at.astimezone(world.event.tz)
    assert f"{new_time:%-I}:{new_time:%M}" in _row(page, world.m1)
    assert not re.search(r"\b9:00\W*AM", _row(page, world.m1))
    assert "Moved to another time" in page  # the latest changes


def test_a_cancelled_meeting_leaves_the_list_on_the_next_request(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    _as_buyer(client)
    assert _row(_page(client, world), world.m2)
    updated_at = world.m2.updated_at
    cancel(dbs, world.m2, utcnow())
    _same_instant(dbs, world.m2, updated_at)
    page = _page(client, world)
    assert _row(page, world.m2) == ""
    assert "Cancelled: " + RUSSIAN_NAME in page


def test_a_newly_published_version_shows_on_the_next_request(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    _as_buyer(client)
    assert RUSSIAN_NAME in _page(client, world)
    draft = ScheduleVersion(event=world.event, number=2, status="draft")
    kept = make_meeting(dbs, world.bp, world.sp, world.slots[1], table=3, version=draft)
    publish_version(dbs, draft, world.organiser, utcnow())
    dbs.flush()
    page = _page(client, world)
    assert RUSSIAN_NAME not in page  # its meeting is not in the new version
    assert "Table 3" in _row(page, kept)


def test_an_unpublished_schedule_shows_once_published(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    world.version.status = "draft"
    world.version.published_at = None
    dbs.flush()
    _as_buyer(client)
    assert "not been published" in _page(client, world)
    world.version.status = "published"
    world.version.published_at = utcnow() - timedelta(minutes=1)
    dbs.flush()
    page = _page(client, world)
    assert "not been published" not in page
    assert CHINESE_NAME in _row(page, world.m1)


def test_counterpart_details_and_an_interpreter_show_on_the_next_request(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    _as_buyer(client)
    assert "brake discs" in _row(_page(client, world), world.m2)
    other = world.op
    other.company.legal_name = "Volga Export Trading"
    other.offerings.clear()  # as the registration form replaces them
    dbs.flush()
    other.offerings.append(
        Offering(kind="sell", sector=sector(world.event, "nev.parts"), description="brake pads")
    )
    user = User(email="anna@interpreters.example", full_name="Anna", role=Role.INTERPRETER)
    user.set_password("interpreter-password-1")
    interpreter = Interpreter(
        event=world.event, user=user, name="Anna Interpreter", languages=["en", "ru"]
    )
    dbs.add_all([user, interpreter])
    world.m2.interpreter = interpreter
    dbs.flush()
    row = _row(_page(client, world), world.m2)
    assert "Volga Export Trading" in row
    assert "brake pads" in row and "brake discs" not in row
    assert "Anna Interpreter" in row


def test_a_zone_named_in_the_reader_s_language_shows_on_the_next_request(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    _as_buyer(client)
    client.get("/language/zh")
    zone = world.m1.zone
    assert "新能源汽车洽谈区" not in _row(_page(client, world), world.m1)
    zone.translations = {"zh": "新能源汽车洽谈区"}
    dbs.flush()
    assert "新能源汽车洽谈区" in _row(_page(client, world), world.m1)
    client.get("/language/en")
    assert "新能源汽车洽谈区" not in _page(client, world)


def test_a_company_without_meetings_is_told_so_and_then_sees_a_new_one(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    _as_buyer(client)
    for meeting in (world.m1, world.m2):
        meeting.status = "cancelled"
    dbs.flush()
    assert "You have no meetings" in _page(client, world)
    newcomer = make_participant(dbs, world.event, "Newcomer Ltd", "KZ")
    added = make_meeting(dbs, world.bp, newcomer, world.slots[5], table=4, version=world.version)
    page = _page(client, world)
    assert "You have no meetings" not in page
    assert "Newcomer Ltd" in _row(page, added)


def test_the_list_follows_the_language_chosen(client: FlaskClient, world: World) -> None:
    _as_buyer(client)
    assert "Why you meet" in _page(client, world)
    client.get("/language/ru")
    page = _page(client, world)
    assert "Why you meet" not in page
    client.get("/language/en")
    assert "Why you meet" in _page(client, world)


def test_each_session_gets_its_own_form_tokens(app: Flask, world: World) -> None:
    first, second = app.test_client(), app.test_client()
    _as_buyer(first)
    _as_buyer(second)
    pages = [_page(first, world), _page(second, world)]
    tokens = [csrf_from(page[page.index("Calendar subscription") :]) for page in pages]
    assert tokens[0] != tokens[1]
    next_url = f"/company/events/{world.event.slug}/agenda"
    for client, token in ((first, tokens[1]), (second, tokens[0])):  # the other session's token
        response = client.post(
            "/company/calendar-feed", data={"csrf_token": token, "next": next_url}
        )
        assert response.status_code == 400
    for client, token in ((first, tokens[0]), (second, tokens[1])):
        response = client.post(
            "/company/calendar-feed", data={"csrf_token": token, "next": next_url}
        )
        assert response.status_code == 302


def test_a_confirmed_refill_shows_in_the_list_on_the_next_request(
    client: FlaskClient, dbs: Session
) -> None:
    with venue_clock():
        floor = build_floor(dbs, slug="cached-floor")
        floor.no_show.attendance = Attendance.NO_SHOW
        offer = RefillOffer(
            event_id=floor.event.id,
            version_id=floor.version.id,
            slot_id=floor.next_slot.id,
            zone_id=floor.no_show.zone_id,
            table_number=1,
            buyer_id=floor.b1.id,
            supplier_id=floor.s4.id,
            rank=1,
            score=0.5,
            language="ru",
            created_at=utcnow(),
        )
        dbs.add(offer)
        dbs.flush()
        assert login(client, floor.email(floor.s4), PASSWORD).status_code == 302
        url = f"/company/events/{floor.event.slug}/agenda"
        page = client.get(url).get_data(as_text=True)
        table = page[: page.index('id="refill"')]
        assert floor.b1.company.legal_name not in table  # only proposed, in the refill panel
        confirm = f"/company/events/{floor.event.slug}/refills/{offer.id}/confirm"
        assert client.post(confirm, data={"csrf_token": csrf_from(page)}).status_code == 302
        page = client.get(url).get_data(as_text=True)
        assert floor.b1.company.legal_name in page[: page.index('id="refill"')]


@pytest.mark.skipif(
    not (TEST_DB_URL or "").startswith("postgresql"), reason="LATERAL: PostgreSQL only"
)
def test_both_forms_of_the_agenda_stamp_read_the_same(dbs: Session, world: World) -> None:
    """PostgreSQL reads the stamp's figures with LATERAL subqueries, SQLite with scalar
    ones: on the same data both give the same rows, also after a change."""
    participation = world.bp
    params = {
        "participation_id": participation.id,
        "company_id": participation.company_id,
        "event_id": participation.event_id,
        "day": world.slots[0].starts_at.date(),
        "now": utcnow(),
    }

    def both() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        lateral, scalar = (
            [tuple(row) for row in dbs.execute(agendas._stamp_query(form), params).all()]
            for form in (True, False)
        )
        return lateral, scalar

    lateral, scalar = both()
    assert lateral == scalar and len(lateral) == 2
    world.op.offerings.append(
        Offering(kind="buy", sector=sector(world.event, "nev.parts"), description="Пресс")
    )
    dbs.flush()
    changed, scalar = both()
    assert changed == scalar != lateral


def _updated(page: str) -> str:
    found = re.search(r"Last updated ([^<]+)</p>", page)
    assert found is not None
    return found.group(1)


def _a_minute_ago() -> datetime:
    """Five seconds into the minute before this one: early in a minute, so two requests fall in
    the same minute, and in the past, so what is signed then (the session cookie, a form's
    token) is not from the future when a later request comes at the real time; a signature
    from the future is refused (at 12:00:03, "now with second=5" was 12:00:05)."""
    return (utcnow() - timedelta(minutes=1)).replace(second=5, microsecond=0)


def test_a_reloaded_agenda_is_reused_whole_with_the_reader_s_own_token(
    client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(_a_minute_ago(), tick=False):
        _as_buyer(client)
        first = _page(client, world)
        rendered: list[str] = []
        render = agenda_routes.render_template
        monkeypatch.setattr(
            agenda_routes,
            "render_template",
            lambda name, **context: rendered.append(name) or render(name, **context),
        )
        second = _page(client, world)
    assert rendered == []  # neither the page nor its meeting list made again
    assert _row(second, world.m1) == _row(first, world.m1) != ""
    token = csrf_from(second[second.index("Calendar subscription") :])
    assert csrf_from(second) == token  # the log-out form's too
    next_url = f"/company/events/{world.event.slug}/agenda"
    response = client.post("/company/calendar-feed", data={"csrf_token": token, "next": next_url})
    assert response.status_code == 302


def test_a_flashed_message_shows_once_on_the_agenda_and_the_new_link_at_once(
    client: FlaskClient, world: World
) -> None:
    _as_buyer(client)
    page = _page(client, world)
    assert "/calendar/" not in page
    next_url = f"/company/events/{world.event.slug}/agenda"
    response = client.post(
        "/company/calendar-feed",
        data={"csrf_token": csrf_from(page), "next": next_url},
        follow_redirects=True,
    )
    shown = response.get_data(as_text=True)
    assert "A new calendar link was created" in shown
    link = re.search(r"<code>(http[^<]+)</code>", shown)
    assert link is not None
    again = _page(client, world)
    assert "A new calendar link was created" not in again
    assert link.group(1) in again


def test_the_last_updated_time_follows_the_clock(client: FlaskClient, world: World) -> None:
    start = _a_minute_ago()
    with time_machine.travel(start, tick=False):
        _as_buyer(client)
        first = _updated(_page(client, world))
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert _updated(_page(client, world)) == first
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        later = _updated(_page(client, world))
    assert later != first
    assert _row(_page(client, world), world.m1) != ""
