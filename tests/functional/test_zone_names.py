"""A zone's name in each language participants read: given at set-up, and for a new event's
default zones taken from the catalogue, so an event made in Russian is not shown in Russian
to Chinese readers."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event
from tests.conftest import csrf_from
from tests.functional.helpers import login, make_staff
from tests.functional.test_event_setup import URL, _form

pytestmark = pytest.mark.dates


def _read_as(client: FlaskClient, lang: str, url: str) -> str:
    with client.session_transaction() as state:
        state["lang"] = lang
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_new_event_made_in_russian_names_its_zones_in_every_language(
    client: FlaskClient, dbs: Session
) -> None:
    make_staff(dbs, "admin", "admin@example.org", "admin-password")
    login(client, "admin@example.org", "admin-password")
    client.get("/language/ru")
    url = "/organiser/events/new"
    data = {
        "csrf_token": csrf_from(client.get(url).get_data(as_text=True)),
        "name": "Форум ШОС",
        "slug": "sco-ru-forum",
        "venue": "Экспоцентр",
        "city": "Чунцин",
        "timezone": "Asia/Shanghai",
        "start_date": "2027-03-01",
        "end_date": "2027-03-01",
        "registration_deadline": "2027-02-20T18:00",
    }
    assert client.post(url, data=data).status_code == 302
    event = dbs.scalar(select(Event).where(Event.slug == "sco-ru-forum"))
    assert event is not None
    russian = [zone.name for zone in event.zones]
    assert all(any("а" <= ch <= "я" for ch in name.lower()) for name in russian), russian
    assert all(set(zone.translations or {}) == {"en", "zh", "ru"} for zone in event.zones)
    assert [zone.translations["ru"] for zone in event.zones] == russian
    event.status = "open"
    dbs.flush()
    chinese = _read_as(client, "zh", "/events/sco-ru-forum/")
    english = _read_as(client, "en", "/events/sco-ru-forum/")
    for zone in event.zones:
        assert zone.translations["zh"] in chinese and zone.name not in chinese
        assert zone.translations["en"] in english and zone.name not in english
    assert russian[0] in _read_as(client, "ru", "/events/sco-ru-forum/")


def test_the_organiser_names_a_zone_in_each_language_and_readers_see_their_own(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    data = _form(
        client,
        **{
            "zones-0-name": "Зона новой энергетики",
            "zones-0-name_zh": "新能源汽车洽谈区",
            "zones-0-name_en": "  New energy hall  ",
            "zones-0-name_ru": "",
        },
    )
    response = client.post(URL, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    dbs.expire_all()
    zone = event.zones[0]
    assert zone.name == "Зона новой энергетики"
    assert zone.translations == {"zh": "新能源汽车洽谈区", "en": "New energy hall"}
    setup = client.get(URL).get_data(as_text=True)
    assert 'value="新能源汽车洽谈区"' in setup  # shown again to edit
    assert "新能源汽车洽谈区" in _read_as(client, "zh", f"/events/{event.slug}/")
    assert "New energy hall" in _read_as(client, "en", f"/events/{event.slug}/")
    assert "Зона новой энергетики" in _read_as(client, "ru", f"/events/{event.slug}/")


def test_a_zone_name_too_long_in_one_language_is_refused_at_its_field(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    before = event.zones[0].translations
    response = client.post(URL, data=_form(client, **{"zones-0-name_zh": "区" * 201}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Field cannot be longer than 200 characters." in page
    assert '<details class="zone-names" open>' in page  # the field with its message is shown
    dbs.expire_all()
    assert event.zones[0].translations == before


def test_the_set_up_page_shows_the_names_readers_see_and_renaming_keeps_them(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    """The default zones' names come from the catalogues: the page shows them in each
    language, so a new own name saved with them leaves Chinese and Russian readers' names."""
    make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    zone = event.zones[0]
    assert zone.translations is None
    with client.session_transaction() as state:
        state["lang"] = "zh"
    chinese = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    with client.session_transaction() as state:
        state["lang"] = "en"
    data = _form(client)
    assert data["zones-0-name_en"] == zone.name
    assert data["zones-0-name_zh"] != zone.name and data["zones-0-name_zh"] in chinese
    data["zones-0-name"] = "Hall A"
    data["zones-0-name_en"] = "Hall A"
    response = client.post(URL, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert data["zones-0-name_zh"] in _read_as(client, "zh", f"/events/{event.slug}/")
    assert "Hall A" in _read_as(client, "en", f"/events/{event.slug}/")
