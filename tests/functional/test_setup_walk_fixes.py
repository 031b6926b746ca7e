"""What a browser walk of event set-up, registration and the company import found: time zones
chosen from a list and shown with their offset, the two interpreter answers that exclude each
other, the import's interpreter columns and preview heading, new events' names in the
creator's language."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking.errors import InvalidInput
from matchmaking.i18n import zone_label
from matchmaking.models import Company, Event, Participation, User
from matchmaking.models.types import utcnow
from matchmaking.services.registration import update_participation
from matchmaking.services.taxonomy import DEFAULT_ZONES
from tests.agenda_world import make_world
from tests.conftest import csrf_from, get_csrf
from tests.functional.helpers import login, make_company_user, make_staff, registration_data

pytestmark = pytest.mark.dates

NEW_EVENT = "/organiser/events/new"
IMPORT = "/organiser/events/forum/registrations/import"
ORGANISER_PASSWORD = "organiser-password"


def _admin(client: FlaskClient, dbs: Session) -> None:
    make_staff(dbs, "admin", "admin@example.org", "admin-password")
    login(client, "admin@example.org", "admin-password")


def _new_event(client: FlaskClient, **changes: str) -> Any:
    data = {
        "csrf_token": get_csrf(client, NEW_EVENT),
        "name": "SCO Agro Forum",
        "slug": "sco-agro-2031",
        "venue": "Expo",
        "city": "Chongqing",
        "timezone": "Asia/Shanghai",
        "start_date": "2031-05-12",
        "end_date": "2031-05-13",
        "registration_deadline": "2031-05-01T18:00",
        **changes,
    }
    return client.post(NEW_EVENT, data=data)


# --- 1. time zones ----------------------------------------------------------------------------


def test_new_event_offers_time_zones_as_a_list_with_offsets(client: FlaskClient, dbs: Session):
    _admin(client, dbs)
    html = client.get(NEW_EVENT).get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="timezone".*?</select>', html, re.S)
    assert select_html, "the time zone is chosen from a list"
    options = re.findall(r'<option([^>]*)value="([^"]+)"[^>]*>([^<]*)</option>', select_html[0])
    labels = {value: text for _attrs, value, text in options}
    assert labels["Asia/Shanghai"] == "Asia/Shanghai, UTC+08:00"
    assert labels["Asia/Tashkent"] == "Asia/Tashkent, UTC+05:00"
    assert labels["Europe/Moscow"] == "Europe/Moscow, UTC+03:00"
    assert labels["Asia/Kolkata"] == "Asia/Kolkata, UTC+05:30"
    assert "selected" in next(a for a, v, _t in options if v == "Asia/Shanghai")  # the default
    values = [value for _attrs, value, _text in options]
    assert values.index("Asia/Shanghai") < values.index("Africa/Abidjan")  # SCO states first
    assert "SCO member and partner states" in select_html[0]
    others = values[values.index("Africa/Abidjan") :]
    assert others == sorted(others) and len(values) > 400
    # Only a region's cities are offered: no PRC, ROC, GMT0 or Etc/GMT+5 (its sign reads reversed).
    assert not {"PRC", "ROC", "GMT0", "Etc/GMT+5", "Factory"} & set(values)


@pytest.mark.parametrize("bad", ["Mars/Olympus", "Asia", "../../etc/passwd", ""])
def test_unknown_time_zone_is_refused_at_the_field_and_the_form_reshown(
    client: FlaskClient, dbs: Session, bad: str
):
    _admin(client, dbs)
    response = _new_event(client, timezone=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="timezone-error"' in html  # the message stands at the time zone field
    error = re.search(r'id="timezone-error"[^>]*>(.*?)</', html, re.S)
    assert error and ("timezone" in error[1].lower() or "required" in error[1].lower())
    assert 'name="timezone"' in html and 'value="SCO Agro Forum"' in html  # re-shown as typed
    assert dbs.scalar(select(func.count(Event.id)).where(Event.slug == "sco-agro-2031")) == 0


@pytest.mark.parametrize("stored", ["UTC", "Asia/Chongqing", "Europe/Minsk", "Etc/GMT+5"])
def test_zone_names_already_stored_are_still_accepted(
    client: FlaskClient, dbs: Session, stored: str
):
    """Events were created with names typed freely; every name the database knows (old
    aliases such as Asia/Chongqing included) is still a valid choice."""
    _admin(client, dbs)
    assert _new_event(client, timezone=stored).status_code == 302
    event = dbs.scalar(select(Event).where(Event.slug == "sco-agro-2031"))
    assert event is not None and event.timezone == stored


@pytest.mark.parametrize(
    ("zone", "day", "label"),
    [
        ("Asia/Shanghai", date(2031, 1, 10), "Asia/Shanghai, UTC+08:00"),
        ("Europe/Berlin", date(2031, 1, 10), "Europe/Berlin, UTC+01:00"),
        ("Europe/Berlin", date(2031, 7, 10), "Europe/Berlin, UTC+02:00"),
        ("America/St_Johns", date(2031, 1, 10), "America/St_Johns, UTC-03:30"),
        ("Asia/Kathmandu", date(2031, 1, 10), "Asia/Kathmandu, UTC+05:45"),
        ("Not/A_Zone", date(2031, 1, 10), "Not/A_Zone"),
    ],
    ids=["china", "winter", "summer", "negative-half-hour", "quarter-hour", "unknown"],
)
def test_zone_label_gives_the_offset_of_the_event_day(app: Flask, zone: str, day: date, label: str):
    assert zone_label(zone, day) == label


def test_event_page_and_agenda_show_the_zone_with_its_offset(
    client: FlaskClient, dbs: Session, event: Event
):
    html = client.get("/events/forum/").get_data(as_text=True)
    assert "(Asia/Shanghai, UTC+08:00)" in html  # "Registration closes on … (zone)."
    world = make_world(dbs, event)
    login(client, world.buyer.email, "buyer-password-1")
    client.get("/language/en")
    html = client.get(f"/company/events/{event.slug}/agenda").get_data(as_text=True)
    assert "All times are local time of the event (Asia/Shanghai, UTC+08:00)." in html


# --- 2. the two interpreter answers -------------------------------------------------------------


def test_registration_refuses_needing_and_bringing_an_interpreter(
    client: FlaskClient, dbs: Session, event: Event
):
    token = get_csrf(client, "/events/forum/register")
    data = registration_data(event, interpreter_needed="y", brings_interpreter="y")
    response = client.post("/events/forum/register", data={**data, "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'id="brings_interpreter-error"[^>]*>(.*?)</', html, re.S)
    assert error and "either you need an interpreter or you bring your own" in error[1]
    assert dbs.scalar(select(func.count(Company.id))) == 0
    # Either answer alone is fine.
    token = csrf_from(html)
    data = registration_data(event, brings_interpreter="y")
    response = client.post("/events/forum/register", data={**data, "csrf_token": token})
    assert response.status_code == 302
    participation = dbs.scalar(select(Participation))
    assert participation is not None
    assert participation.brings_interpreter and not participation.interpreter_needed


def test_participation_form_and_service_refuse_both_interpreter_answers(
    client: FlaskClient, dbs: Session, event: Event
):
    user = make_company_user(dbs, event)
    participation = user.company.participations[0]
    login(client, user.email, "buyer-password-1")
    url = f"/company/events/{event.slug}"
    html = client.get(url).get_data(as_text=True)
    data = registration_data(event, interpreter_needed="y", brings_interpreter="y")
    response = client.post(url, data={**data, "csrf_token": csrf_from(html)})
    assert response.status_code == 422
    assert 'id="brings_interpreter-error"' in response.get_data(as_text=True)
    dbs.refresh(participation)
    assert not (participation.interpreter_needed and participation.brings_interpreter)

    from matchmaking.blueprints.registration.forms import ParticipationForm

    with client.application.test_request_context():
        form = ParticipationForm(formdata=None)
        form.fill_participation(participation)
        base = form.participation_input()
    both = replace(base, interpreter_needed=True, brings_interpreter=True)
    with pytest.raises(InvalidInput) as refused:  # the same rule holds without the form
        update_participation(dbs, participation, both, user, utcnow())
    assert refused.value.field == "brings_interpreter"


# --- 2, 3, 4. the company import ----------------------------------------------------------------

HEADER = ["Company name", "Country", "City", "Buys", "Contact name", "E-mail",
          "Contact language", "Needs an interpreter", "Brings own interpreter"]  # fmt: skip


def _csv(rows: list[list[str]]) -> bytes:
    return "\r\n".join(",".join(f'"{c}"' for c in row) for row in rows).encode("utf-8-sig")


def _upload(client: FlaskClient, name: str, data: bytes) -> Any:
    token = get_csrf(client, IMPORT)
    return client.post(
        IMPORT,
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm(client: FlaskClient, html: str) -> Any:
    token = re.search(r'name="token"[^>]*value="([^"]+)"', html)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert token and csrf, "no import offered"
    return client.post(
        IMPORT + "/confirm",
        data={"csrf_token": csrf[1], "token": token[1], "status": "pending"},
    )


@pytest.fixture
def organiser(client: FlaskClient, dbs: Session, event: Event) -> User:
    user = make_staff(dbs, "organiser", "org@forum.example", ORGANISER_PASSWORD, events=[event])
    login(client, user.email, ORGANISER_PASSWORD)
    return user


def test_import_refuses_a_row_needing_and_bringing_an_interpreter(
    client: FlaskClient, dbs: Session, organiser: User
):
    rows = [
        HEADER,
        ["Steppe Agro", "KZ", "Almaty", "Tractors", "Aigerim", "a@steppe.example", "ru", "yes",
         "yes"],
        ["Volga Trade", "RU", "Kazan", "Tractors", "Oleg", "o@volga.example", "ru", "maybe", ""],
    ]  # fmt: skip
    before = dbs.scalar(select(func.count(Company.id)))
    response = _upload(client, "companies.csv", _csv(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Row 2, Brings own interpreter: a company that brings its own interpreter" in html
    assert "Row 3, Needs an interpreter: use yes or no" in html
    assert 'name="token"' not in html
    assert dbs.scalar(select(func.count(Company.id))) == before


def test_import_reads_the_interpreter_columns_in_any_language(
    client: FlaskClient, dbs: Session, organiser: User
):
    rows = [
        ["公司名称", "国家", "城市", "采购", "联系人", "邮箱", "联系语言", "需要翻译", "自带翻译"],
        ["重庆长安汽车", "CN", "重庆", "Tractors", "王伟", "wang@changan.example", "zh", "否",
         "是"],
        ["Volga Trade", "RU", "Kazan", "Tractors", "Oleg", "o@volga.example", "ru", "да", ""],
    ]  # fmt: skip
    response = _upload(client, "companies.csv", _csv(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, re.findall(r'class="error">([^<]*)', html)
    assert _confirm(client, html).status_code == 302
    answers = {
        p.company.legal_name: (p.interpreter_needed, p.brings_interpreter)
        for p in dbs.scalars(select(Participation))
    }
    assert answers["重庆长安汽车"] == (False, True)
    assert answers["Volga Trade"] == (True, False)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_import_template_has_a_brings_own_interpreter_column(
    client: FlaskClient, dbs: Session, organiser: User, kind: str
):
    response = client.get(IMPORT + f"/template.{kind}")
    if kind == "xlsx":
        sheet: Any = load_workbook(io.BytesIO(response.data)).worksheets[0]
        header = [c.value for c in sheet[1]]
        example = [c.value for c in sheet[2]]
    else:
        lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
        header, example = (line.split(",") for line in lines[:2])
    assert "Brings own interpreter" in header and "Needs an interpreter" in header
    assert example[header.index("Brings own interpreter")] == "yes"
    html = client.get(IMPORT).get_data(as_text=True)
    assert "<li>Brings own interpreter</li>" in html  # listed, optional
    response = _upload(client, f"template.{kind}", response.data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, re.findall(r'class="error">([^<]*)', html)
    assert 'data-label="Interpreter">Brings own interpreter</td>' in html  # in the preview
    assert _confirm(client, html).status_code == 302
    imported = dbs.scalar(select(Participation))
    assert imported is not None and imported.brings_interpreter


def test_import_preview_heads_the_contacts_language_column_so(client: FlaskClient, organiser: User):
    rows = [
        HEADER,
        ["Steppe Agro", "KZ", "Almaty", "Tractors", "Aigerim", "a@steppe.example", "ru", "", ""],
    ]
    html = _upload(client, "companies.csv", _csv(rows)).get_data(as_text=True)
    table = re.search(r'<table class="list cards" id="import-preview">(.*?)</table>', html, re.S)
    assert table, "a preview table, read as one card per row on a phone"
    head = re.search(r"<thead>(.*?)</thead>", table[1], re.S)
    assert head
    assert "<th>Contact language</th>" in head[1] and "<th>Language</th>" not in head[1]
    # Each cell names its column (shown before the value on a phone), the interpreter one too.
    assert 'data-label="Contact language">Russian</td>' in table[1]
    assert 'data-label="Interpreter">—</td>' in table[1]


# --- 5. new events' zones and break in the creator's language -----------------------------------


@pytest.mark.parametrize("locale", ["zh", "ru"])
def test_new_event_names_its_zones_and_break_in_the_creators_language(
    app: Flask, client: FlaskClient, dbs: Session, locale: str
):
    _admin(client, dbs)
    client.get(f"/language/{locale}")
    assert _new_event(client).status_code == 302
    event = dbs.scalar(select(Event).where(Event.slug == "sco-agro-2031"))
    assert event is not None
    with app.test_request_context(), force_locale(locale):
        expected = [gettext(name) for _code, name, _tables, _sectors in DEFAULT_ZONES]
        lunch = gettext("Lunch")
    assert [z.name for z in event.zones] == expected
    assert expected[0] != DEFAULT_ZONES[0][1]  # stored translated, not the English key
    assert {b.label for b in event.breaks} == {lunch}
    html = client.get(f"/organiser/events/{event.slug}/setup").get_data(as_text=True)
    assert expected[0] in html  # the organiser edits the names in their language
