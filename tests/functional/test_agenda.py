"""Agenda routes: companies see only their own meetings; organisers print sheets and check in."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from matchmaking.models import Event, SentMessage
from tests.agenda_world import CHINESE_NAME, RUSSIAN_NAME, World, make_world, pdf_fonts, pdf_text
from tests.conftest import csrf_from, get_csrf, make_event
from tests.functional.helpers import login

pytestmark = pytest.mark.dates


@pytest.fixture
def world(dbs: Session, event: Event) -> World:
    return make_world(dbs, event)


def as_buyer(client: FlaskClient) -> None:
    login(client, "buyer@example.kz", "buyer-password-1")


def as_supplier(client: FlaskClient) -> None:
    login(client, "sales@cq-machinery.cn", "buyer-password-1")


def as_other(client: FlaskClient) -> None:
    login(client, "export@volga.ru", "buyer-password-1")


def as_organiser(client: FlaskClient) -> None:
    login(client, "org@example.org", "organiser-password")


def uids(ics: bytes) -> set[str]:
    return {str(c["UID"]) for c in Calendar.from_ical(ics).walk("VEVENT")}


# -- company agenda ---------------------------------------------------------------------


def test_agenda_page_shows_time_place_counterpart_language_and_reason(
    client: FlaskClient, world: World
) -> None:
    as_buyer(client)
    client.get("/language/en")
    page = client.get(f"/company/events/{world.event.slug}/agenda").get_data(as_text=True)
    assert CHINESE_NAME in page
    assert RUSSIAN_NAME in page
    assert world.event.zones[0].name in page
    assert "Table 2" in page
    assert re.search(r"\b9:00\W*AM", page)  # 09:00 in the event's timezone (01:00 UTC)
    assert "both speak Russian" in page
    assert "No common language" in page
    assert "Bring an English-Russian interpreter" in page
    assert "brake discs" in page


def test_a_company_sees_only_its_own_meetings(client: FlaskClient, world: World) -> None:
    as_other(client)
    slug = world.event.slug
    page = client.get(f"/company/events/{slug}/agenda").get_data(as_text=True)
    assert "Altai Motors LLP" in page
    assert CHINESE_NAME not in page
    ics = client.get(f"/company/events/{slug}/agenda.ics")
    assert ics.mimetype == "text/calendar"
    assert uids(ics.data) == {world.m2.uid}
    assert CHINESE_NAME not in pdf_text(client.get(f"/company/events/{slug}/agenda.pdf").data)


def test_agenda_of_an_event_the_company_is_not_in_is_404(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    other_event = make_event(dbs, slug="other-forum")
    dbs.flush()
    as_buyer(client)
    for suffix in ("", ".pdf", ".ics"):
        assert client.get(f"/company/events/{other_event.slug}/agenda{suffix}").status_code == 404


def test_agenda_routes_need_a_company_login(client: FlaskClient, world: World) -> None:
    url = f"/company/events/{world.event.slug}/agenda.pdf"
    assert client.get(url).status_code == 302
    as_organiser(client)
    assert client.get(url).status_code == 403


def test_pdf_is_in_the_contacts_language_with_cjk_font(client: FlaskClient, world: World) -> None:
    as_supplier(client)
    response = client.get(f"/company/events/{world.event.slug}/agenda.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert CHINESE_NAME in text
    assert "哈萨克斯坦" in text  # Kazakhstan, the counterpart's country, in Chinese
    assert any("NotoSansCJK" in f.replace("-", "") for f in pdf_fonts(response.data))


RUSSIAN_WEEKDAYS = (
    "понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье",
)  # fmt: skip
RUSSIAN_MONTHS = (  # genitive, as in "5 января"
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip


def test_russian_pdf(client: FlaskClient, world: World) -> None:
    as_buyer(client)
    text = pdf_text(client.get(f"/company/events/{world.event.slug}/agenda.pdf").data)
    assert RUSSIAN_NAME in text
    day = world.slots[0].local_start().date()  # the fixtures put it 30 days ahead of today
    weekday, month = RUSSIAN_WEEKDAYS[day.weekday()], RUSSIAN_MONTHS[day.month - 1]
    assert f"{weekday}, {day.day} {month} {day.year} г." in text


def test_a_long_word_breaks_inside_its_pdf_column(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    """The zone column is 30 mm wide: "сельскохозяйственная" ran over the next column."""
    world.m1.zone.name = "Общее машиностроение и сельскохозяйственная техника"
    dbs.flush()
    as_buyer(client)
    text = pdf_text(client.get(f"/company/events/{world.event.slug}/agenda.pdf").data)
    assert "сельскохозяйственная" not in text  # not on one line
    joined = re.sub(r"[-\u2010\u00ad]?\n", "", text)
    assert "сельскохозяйственная" in joined  # but all there, broken inside the cell


def test_unpublished_schedule_shows_nothing(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    world.version.status = "draft"
    world.version.published_at = None
    dbs.flush()
    as_buyer(client)
    client.get("/language/en")
    page = client.get(f"/company/events/{world.event.slug}/agenda").get_data(as_text=True)
    assert CHINESE_NAME not in page
    assert "not been published" in page
    assert uids(client.get(f"/company/events/{world.event.slug}/agenda.ics").data) == set()


# -- calendar feed ----------------------------------------------------------------------


def _create_feed(client: FlaskClient, slug: str) -> str:
    url = f"/company/events/{slug}/agenda"
    token = get_csrf(client, url)
    response = client.post("/company/calendar-feed", data={"csrf_token": token, "next": url})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    match = re.search(r"https?://[^<\s]+/calendar/([A-Za-z0-9_-]+)\.ics", page)
    assert match, "no feed URL on the page"
    return match.group(1)


def test_feed_works_without_login_and_a_wrong_token_is_404(
    app: object, client: FlaskClient, world: World
) -> None:
    as_buyer(client)
    token = _create_feed(client, world.event.slug)
    anonymous = client.application.test_client()
    response = anonymous.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert "METHOD" not in calendar
    assert uids(response.data) == {world.m1.uid, world.m2.uid}
    assert anonymous.get(f"/calendar/{token[:-1]}x.ics").status_code == 404
    assert anonymous.get("/calendar/nothing.ics").status_code == 404


def test_regenerating_the_feed_revokes_the_old_link(client: FlaskClient, world: World) -> None:
    as_buyer(client)
    first = _create_feed(client, world.event.slug)
    second = _create_feed(client, world.event.slug)
    assert first != second
    anonymous = client.application.test_client()
    assert anonymous.get(f"/calendar/{first}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{second}.ics").status_code == 200


def test_feed_regeneration_needs_csrf(client: FlaskClient, world: World) -> None:
    as_buyer(client)
    assert client.post("/company/calendar-feed", data={}).status_code == 400


# -- organisers -------------------------------------------------------------------------


def test_organiser_sheets_are_pdfs(client: FlaskClient, world: World) -> None:
    as_organiser(client)
    slug = world.event.slug
    assert client.get(f"/organiser/events/{slug}/sheets").status_code == 200
    tables = client.get(f"/organiser/events/{slug}/sheets/tables.pdf")
    assert tables.mimetype == "application/pdf"
    text = pdf_text(tables.data)
    assert CHINESE_NAME in text
    assert "Table 2" in text
    overview = client.get(f"/organiser/events/{slug}/sheets/overview.pdf")
    assert RUSSIAN_NAME in pdf_text(overview.data)


def test_table_sheets_name_the_zone_in_the_reader_s_language(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    world.m1.zone.translations = {"zh": "新能源汽车展区B", "en": "Hall B"}
    dbs.flush()
    as_organiser(client)
    client.get("/language/zh")
    tables = client.get(f"/organiser/events/{world.event.slug}/sheets/tables.pdf")
    assert "新能源汽车展区B" in pdf_text(tables.data).replace(" ", "")
    client.get("/language/en")
    tables = client.get(f"/organiser/events/{world.event.slug}/sheets/tables.pdf")
    assert "Hall B" in pdf_text(tables.data)


def test_sheets_and_check_in_are_organiser_only(client: FlaskClient, world: World) -> None:
    slug = world.event.slug
    as_buyer(client)
    for url in (
        f"/organiser/events/{slug}/sheets",
        f"/organiser/events/{slug}/sheets/tables.pdf",
        f"/organiser/events/{slug}/sheets/overview.pdf",
        f"/organiser/events/{slug}/check-in",
        "/organiser/messages",
    ):
        assert client.get(url).status_code == 403, url
    token = get_csrf(client, f"/company/events/{slug}/agenda")
    response = client.post(
        f"/organiser/events/{slug}/check-in/{world.m1.id}",
        data={"csrf_token": token, "attendance": "held"},
    )
    assert response.status_code == 403
    assert world.m1.attendance is None


def _check_in(client: FlaskClient, world: World, value: str, meeting_id: int | None = None) -> int:
    slug = world.event.slug
    page = client.get(f"/organiser/events/{slug}/check-in?slot={world.m1.slot_id}")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        f"/organiser/events/{slug}/check-in/{meeting_id or world.m1.id}",
        data={"csrf_token": token, "attendance": value},
    )
    return response.status_code


def test_check_in_marks_held_and_no_show(client: FlaskClient, dbs: Session, world: World) -> None:
    as_organiser(client)
    page = client.get(f"/organiser/events/{world.event.slug}/check-in?slot={world.m1.slot_id}")
    assert CHINESE_NAME in page.get_data(as_text=True)
    assert _check_in(client, world, "held") == 302
    dbs.refresh(world.m1)
    assert world.m1.attendance == "held"
    assert _check_in(client, world, "no_show") == 302
    dbs.refresh(world.m1)
    assert world.m1.attendance == "no_show"
    assert _check_in(client, world, "clear") == 302
    dbs.refresh(world.m1)
    assert world.m1.attendance is None


@pytest.mark.parametrize("value", ["maybe", "", "HELD", "held'; --"], ids=repr)
def test_bogus_attendance_is_rejected_and_nothing_written(
    client: FlaskClient, dbs: Session, world: World, value: str
) -> None:
    as_organiser(client)
    assert _check_in(client, world, value) == 422
    dbs.refresh(world.m1)
    assert world.m1.attendance is None


def test_check_in_without_csrf_is_refused(client: FlaskClient, dbs: Session, world: World) -> None:
    as_organiser(client)
    response = client.post(
        f"/organiser/events/{world.event.slug}/check-in/{world.m1.id}", data={"attendance": "held"}
    )
    assert response.status_code == 400
    dbs.refresh(world.m1)
    assert world.m1.attendance is None


def test_check_in_of_a_meeting_of_another_event_is_404(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    make_event(dbs, slug="other-forum")
    dbs.flush()
    as_organiser(client)
    page = client.get(f"/organiser/events/{world.event.slug}/check-in")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        f"/organiser/events/other-forum/check-in/{world.m1.id}",
        data={"csrf_token": token, "attendance": "held"},
    )
    assert response.status_code == 404


def test_cancelled_meeting_cannot_be_checked_in(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    world.m1.status = "cancelled"
    dbs.flush()
    as_organiser(client)
    assert _check_in(client, world, "held", world.m1.id) in (404, 409)  # a conflict
    dbs.refresh(world.m1)
    assert world.m1.attendance is None


def test_failed_messages_are_listed_for_organisers(
    client: FlaskClient, dbs: Session, world: World
) -> None:
    now = datetime.now(UTC)
    dbs.add(
        SentMessage(
            kind="agenda",
            subject_key="version:1:p:1",
            recipient="lost@example.kz",
            event_id=world.event.id,
            subject="Your meeting agenda",
            status="failed",
            attempts=5,
            last_error="could not send e-mail: (550, b'mailbox unavailable')",
            created_at=now,
            updated_at=now,
        )
    )
    dbs.flush()
    as_organiser(client)
    for url in ("/organiser/messages", f"/organiser/events/{world.event.slug}/sheets"):
        page = client.get(url).get_data(as_text=True)
        assert "lost@example.kz" in page
        assert "mailbox unavailable" in page
