"""Interpreters: organisers register them (form, file), each logs in and reads its own agenda."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, Interpreter, User
from matchmaking.models.user import Role
from matchmaking.services.interpreters import InterpreterInput, register_interpreter
from tests.conftest import csrf_from, get_csrf, link_in, mail_text, make_event, read_outbox
from tests.functional.helpers import (
    login,
    make_meeting,
    make_participant,
    make_slots,
    make_staff,
)

PASSWORD = "interpreter-pass-1"


def _form(client: FlaskClient, event: Event, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": get_csrf(client, f"/organiser/events/{event.slug}/interpreters"),
        "name": "Ли Вэй",
        "email": "li.wei@interp.example",
        "languages": "zh ru",
        "hours": "",
        "max_meetings": "10",
        "cost": "25.50",
        "locale": "ru",
    }
    data.update(fields)
    return data


def _organiser(client: FlaskClient, dbs: Session) -> User:
    user = make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    return user


def test_organiser_registers_an_interpreter_who_gets_an_invitation(
    client: FlaskClient, dbs: Session, event: Event, outbox: object
) -> None:
    _organiser(client, dbs)
    day = event.start_date.isoformat()
    response = client.post(
        f"/organiser/events/{event.slug}/interpreters",
        data=_form(client, event, hours=f"{day} 09:00-13:00", zones=[event.zones[0].code]),
    )
    assert response.status_code == 302
    page = client.get(f"/organiser/events/{event.slug}/interpreters").get_data(as_text=True)
    assert "Ли Вэй" in page and "li.wei@interp.example" in page
    interpreter = dbs.scalar(select(Interpreter).where(Interpreter.event_id == event.id))
    assert interpreter is not None
    assert interpreter.languages == ["zh", "ru"]
    assert [z.code for z in interpreter.zones] == [event.zones[0].code]
    assert interpreter.availability[0].day == event.start_date
    assert interpreter.user.role == Role.INTERPRETER
    [message] = read_outbox(outbox)  # type: ignore[arg-type]
    assert message["To"] == "li.wei@interp.example"
    assert event.name in mail_text(message)
    # The invitation's link sets a password; the interpreter then logs in to its own pages.
    link = link_in(message).replace("http://localhost", "")
    client.post("/logout", data={"csrf_token": get_csrf(client, "/organiser/")})
    token = get_csrf(client, link)
    client.post(link, data={"csrf_token": token, "password": PASSWORD, "confirm": PASSWORD})
    response = login(client, "li.wei@interp.example", PASSWORD)
    assert response.headers["Location"].endswith("/interpreter/")
    home = client.get("/interpreter/").get_data(as_text=True)
    assert event.name in home


def test_bad_input_is_refused_with_the_field_named(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    _organiser(client, dbs)
    url = f"/organiser/events/{event.slug}/interpreters"
    # The example is the event's own first day: an example date outside it was refused.
    example = f"{event.start_date.isoformat()} 09:00-17:00"
    assert f"such as “{example}”" in client.get(url).get_data(as_text=True)
    cases = [
        ({"languages": "zh xx"}, "Unknown language code “xx”"),
        ({"languages": "zh"}, "at least two languages"),
        ({"languages": "zh chinese"}, "at least two languages"),
        ({"hours": "monday morning"}, f"Write each day as “{example}”."),
        ({"hours": "1999-01-01 09:00-12:00"}, "is not a day of the event"),
        ({"max_meetings": "0"}, "Most meetings"),
        ({"cost": "-3"}, "Enter an amount from 0 to 10 million."),  # not "10000000.0"
        ({"cost": "10000000.01"}, "Enter an amount from 0 to 10 million."),
        ({"email": "not-an-address"}, "E-mail"),
    ]
    for fields, message in cases:
        response = client.post(url, data=_form(client, event, **fields))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, fields
        assert message in page, (fields, message)
        assert 'aria-invalid="true"' in page
    assert dbs.scalar(select(Interpreter.id)) is None


def test_a_new_interpreter_gets_e_mails_in_the_organisers_language_by_default(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    _organiser(client, dbs)
    url = f"/organiser/events/{event.slug}/interpreters"
    for language in ("ru", "zh", "en"):
        client.get(f"/language/{language}")
        page = client.get(url).get_data(as_text=True)
        chosen = re.search(r'<option selected value="(\w+)">|<option value="(\w+)" selected>', page)
        assert chosen is not None and language in chosen.groups(), language
    # A value sent is kept, whatever the page's language.
    data = _form(client, event, locale="zh")
    assert client.post(url, data=data).status_code == 302
    interpreter = dbs.scalar(select(Interpreter).where(Interpreter.event_id == event.id))
    assert interpreter is not None and interpreter.user.locale == "zh"


def test_a_company_address_cannot_become_an_interpreter(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    make_participant(dbs, event, "Steppe Agro", email="steppe@example.kz")
    _organiser(client, dbs)
    response = client.post(
        f"/organiser/events/{event.slug}/interpreters",
        data=_form(client, event, email="steppe@example.kz"),
    )
    assert response.status_code == 422
    assert "not an interpreter" in response.get_data(as_text=True)


def test_organisers_of_other_events_and_companies_cannot_reach_the_pages(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    other = make_event(dbs, slug="other")
    make_staff(dbs, events=[other])
    login(client, "org@example.org", "organiser-password")
    assert client.get(f"/organiser/events/{event.slug}/interpreters").status_code == 404
    assert client.get(f"/organiser/events/{other.slug}/interpreters").status_code == 200


CSV_HEADER = "Name,E-mail,Languages,Working hours,Zones,Most meetings,Cost per slot (USD)\n"


def _upload(client: FlaskClient, event: Event, text: str) -> tuple[int, str]:
    url = f"/organiser/events/{event.slug}/interpreters/import"
    response = client.post(
        url,
        data={
            "csrf_token": get_csrf(client, url),
            "file": (io.BytesIO(text.encode("utf-8")), "interpreters.csv"),
        },
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


def test_import_names_row_and_column_of_each_error_and_saves_nothing(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    _organiser(client, dbs)
    day = event.start_date.isoformat()
    text = CSV_HEADER + (
        f"Anna Petrova,anna@interp.example,ru zh,{day} 09:00-12:00,,12,30\n"
        "Bolat,bolat@interp.example,kk qq,,,,\n"
        "Chen,chen@interp.example,zh,,,,\n"
        "Dina,dina@interp.example,ru kk,,nowhere,,\n"
        "Anna again,anna@interp.example,ru en,,,,\n"
        "Erlan,erlan@interp.example,ru uz,1999-01-01 09:00-10:00,,abc,-1\n"
    )
    status, page = _upload(client, event, text)
    assert status == 422
    errors = re.findall(r'<li class="error">([^<]+)</li>', page)
    expected = [
        "Row 3, Languages: unknown language code “qq”",
        "Row 4, Languages: give at least two languages to interpret between",
        "Row 5, Zones: unknown zone “nowhere”",
        "Row 6, E-mail: the same address as row 2",
        "Row 7, Working hours: 1999-01-01 is not a day of the event",
        "Row 7, Most meetings: a whole number from 1 to 200",
        "Row 7, Cost per slot (USD): an amount in US dollars from 0 to 10 million, such as 25.00",
    ]
    assert [e.replace("&#34;", '"') for e in errors] == expected
    assert "Register" not in page.split("Preview", 1)[1] or "import/confirm" not in page
    assert dbs.scalar(select(Interpreter.id)) is None


def test_import_previews_then_registers_every_row(
    client: FlaskClient, dbs: Session, event: Event, outbox: object
) -> None:
    _organiser(client, dbs)
    zone = event.zones[0]
    text = CSV_HEADER + (
        f"Anna Petrova,anna@interp.example,ru zh,,{zone.name},12,30\n"
        "Bolat Serikov,bolat@interp.example,Russian; Kazakh,,,,\n"
    )
    status, page = _upload(client, event, text)
    assert status == 200, page
    assert "Anna Petrova" in page and "import/confirm" in page
    assert dbs.scalar(select(Interpreter.id)) is None  # nothing before the confirmation
    rows = re.search(r'name="rows" type="hidden" value="([^"]+)"', page)
    assert rows is not None
    import html

    response = client.post(
        f"/organiser/events/{event.slug}/interpreters/import/confirm",
        data={"csrf_token": csrf_from(page), "rows": html.unescape(rows.group(1))},
    )
    assert response.status_code == 302
    names = dbs.scalars(select(Interpreter.name).order_by(Interpreter.name)).all()
    assert names == ["Anna Petrova", "Bolat Serikov"]
    anna = dbs.scalar(select(Interpreter).where(Interpreter.name == "Anna Petrova"))
    assert anna is not None and [z.code for z in anna.zones] == [zone.code]
    assert anna.max_meetings == 12
    assert len(read_outbox(outbox)) == 2  # type: ignore[arg-type]


def _interpreter(dbs: Session, event: Event, email: str, name: str) -> Interpreter:
    organiser = dbs.scalar(select(User).where(User.role == Role.ORGANISER)) or make_staff(dbs)
    interpreter, _new = register_interpreter(
        dbs, event, InterpreterInput(name, email, ("zh", "ru")), organiser
    )
    interpreter.user.set_password(PASSWORD)
    interpreter.user.email_confirmed_at = datetime.now(UTC)
    dbs.flush()
    return interpreter


def test_interpreter_logs_in_and_sees_only_its_own_meetings(
    app: Flask, client: FlaskClient, dbs: Session, event: Event
) -> None:
    make_staff(dbs)
    buyer = make_participant(dbs, event, "Steppe Agro", languages=("ru",))
    supplier = make_participant(dbs, event, "Chongqing Pumps", country="CN", languages=("zh",))
    other_buyer = make_participant(dbs, event, "Tashkent Textiles", country="UZ")
    slots = make_slots(dbs, event, 3)
    mine = _interpreter(dbs, event, "li@interp.example", "Li Wei")
    theirs = _interpreter(dbs, event, "wang@interp.example", "Wang Fang")
    meeting = make_meeting(dbs, buyer, supplier, slots[0])
    meeting.interpreter = mine
    other = make_meeting(dbs, other_buyer, supplier, slots[1], table=2)
    other.interpreter = theirs
    # Another event where the same person interprets, with a meeting of its own.
    second = make_event(dbs, slug="second", name="Second Forum")
    b2 = make_participant(dbs, second, "Almaty Grain", email="grain@example.kz")
    s2 = make_participant(dbs, second, "Sichuan Feed", country="CN", email="feed@example.cn")
    second_slots = make_slots(dbs, second, 1)
    dbs.flush()
    login(client, "li@interp.example", PASSWORD)
    page = client.get(f"/interpreter/events/{event.slug}/agenda").get_data(as_text=True)
    assert "Steppe Agro" in page and "Chongqing Pumps" in page
    assert "Tashkent Textiles" not in page
    assert "Almaty Grain" not in page
    # Not an interpreter of the second event: as if it did not exist.
    make_meeting(dbs, b2, s2, second_slots[0])
    assert client.get(f"/interpreter/events/{second.slug}/agenda").status_code == 404
    home = client.get("/interpreter/").get_data(as_text=True)
    assert event.name in home and "Second Forum" not in home
    ics = client.get(f"/interpreter/events/{event.slug}/agenda.ics")
    assert ics.status_code == 200 and b"Steppe Agro" in ics.data
    assert b"Tashkent" not in ics.data
    feed = re.search(r"<code>(http[^<]+)</code>", home)
    assert feed is not None
    feed_path = feed.group(1).replace("http://localhost", "")
    subscribed = client.get(feed_path)
    assert subscribed.status_code == 200 and b"Steppe Agro" in subscribed.data
    pdf = client.get(f"/interpreter/events/{event.slug}/agenda.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # A company cannot open the interpreter's pages.
    client.post("/logout", data={"csrf_token": csrf_from(home)})
    assert client.get(feed_path).status_code == 200  # logging out keeps the subscription
    mine.user.set_password("another-password-1")
    dbs.flush()
    assert client.get(feed_path).status_code == 404  # a new password ends it
    login(client, "steppe-kz@example.org", "company-pass-1")
    assert client.get(f"/interpreter/events/{event.slug}/agenda").status_code == 403


def test_removing_an_interpreter_leaves_its_meetings_without_one(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    _organiser(client, dbs)
    buyer = make_participant(dbs, event, "Steppe Agro", languages=("ru",))
    supplier = make_participant(dbs, event, "Chongqing Pumps", country="CN", languages=("zh",))
    li = _interpreter(dbs, event, "li@interp.example", "Li Wei")
    meeting = make_meeting(dbs, buyer, supplier, make_slots(dbs, event, 1)[0])
    meeting.interpreter = li
    dbs.flush()
    url = f"/organiser/events/{event.slug}/interpreters"
    page = client.get(url).get_data(as_text=True)
    assert f'id="interpreter-{li.id}"' in page and ">1<" in page  # one meeting published
    li_id, meeting_id = li.id, meeting.id
    response = client.post(f"{url}/{li_id}/remove", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    dbs.expire_all()
    assert dbs.get(Interpreter, li_id) is None
    assert dbs.get(type(meeting), meeting_id).interpreter_id is None
    assert dbs.scalar(select(User.id).where(User.email == "li@interp.example")) is not None
    after = client.get(url).get_data(as_text=True)
    assert "Li Wei no longer interprets at this event." in after
    assert f'id="interpreter-{li_id}"' not in after and 'id="no-interpreters"' in after


def test_organiser_edits_an_interpreter_and_bad_input_is_reshown(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    _organiser(client, dbs)
    li = _interpreter(dbs, event, "li@interp.example", "Li Wei")
    url = f"/organiser/events/{event.slug}/interpreters/{li.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="zh ru"' in page and "li@interp.example" in page
    day = event.end_date.isoformat()
    data = {
        "csrf_token": csrf_from(page),
        "name": "Li Wei",
        "languages": "zh ru kk",
        "hours": f"{day} 13:00-17:00",
        "zones": [event.zones[1].code],
        "max_meetings": "8",
        "cost": "",
        "locale": "zh",
    }
    bad = client.post(url, data={**data, "languages": "zh klingon"})
    assert bad.status_code == 422
    assert "Unknown language code “klingon”" in bad.get_data(as_text=True)
    assert client.post(url, data=data).status_code == 302
    dbs.expire_all()
    assert li.languages == ["zh", "ru", "kk"] and li.max_meetings == 8
    assert [(a.day, a.start_time.hour) for a in li.availability] == [(event.end_date, 13)]
    assert [z.code for z in li.zones] == [event.zones[1].code]
    assert li.user.locale == "zh" and li.user.email == "li@interp.example"
    # The same day again, other hours: the old row makes way.
    data["hours"] = f"{day} 09:00-12:00"
    assert client.post(url, data=data).status_code == 302
    dbs.expire_all()
    assert [(a.day, a.start_time.hour) for a in li.availability] == [(event.end_date, 9)]
