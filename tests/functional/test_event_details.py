"""An event's name, venue and description are entered in en/zh/ru and shown in the reader's
language (issue 15, item 14)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event
from tests.conftest import csrf_from
from tests.functional.helpers import login, make_staff

URL = "/organiser/events/forum/details"


def _as(client: FlaskClient, lang: str) -> None:
    with client.session_transaction() as state:
        state["lang"] = lang


def test_organiser_enters_translations_and_readers_see_their_language(
    client: FlaskClient, dbs: Session, event: Event
):
    make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    token = csrf_from(client.get(URL).get_data(as_text=True))
    response = client.post(
        URL,
        data={
            "csrf_token": token,
            "name": "Chongqing-SCO Economic and Trade Cooperation Conference",
            "venue": "Chongqing International Expo Center",
            "city": "Chongqing",
            "description": "One-on-one negotiations.",
            "zh-name": "中国—上海合作组织经贸合作洽谈会",
            "zh-venue": "重庆国际博览中心",
            "zh-city": "重庆",
            "ru-name": "Конференция по торгово-экономическому сотрудничеству Чунцин–ШОС",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    dbs.expire_all()
    assert event.translations == {
        "zh": {
            "name": "中国—上海合作组织经贸合作洽谈会",
            "venue": "重庆国际博览中心",
            "city": "重庆",
        },
        "ru": {"name": "Конференция по торгово-экономическому сотрудничеству Чунцин–ШОС"},
    }
    with client.session_transaction() as state:
        state.clear()  # readers are anonymous visitors

    _as(client, "zh")
    page = client.get("/events/forum/").get_data(as_text=True)
    assert "中国—上海合作组织经贸合作洽谈会" in page and "重庆国际博览中心" in page
    assert "重庆国际博览中心, 重庆" in page and "Chongqing<" not in page
    _as(client, "ru")
    page = client.get("/events/forum/").get_data(as_text=True)
    assert "Чунцин–ШОС" in page
    assert "Chongqing International Expo Center" in page  # no Russian venue: the organisers' own
    _as(client, "en")
    page = client.get("/").get_data(as_text=True)
    assert "Chongqing-SCO Economic and Trade Cooperation Conference" in page


def test_details_need_a_name_and_stay_unchanged_when_refused(
    client: FlaskClient, dbs: Session, event: Event
):
    make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    token = csrf_from(client.get(URL).get_data(as_text=True))
    response = client.post(
        URL, data={"csrf_token": token, "name": "", "venue": "V", "city": "C", "zh-name": "新"}
    )
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    dbs.expire_all()
    assert event.name == "Test Chongqing-SCO Forum" and event.translations is None


def test_company_cannot_edit_details(client: FlaskClient, dbs: Session, event: Event):
    from tests.functional.helpers import make_company_user

    user = make_company_user(dbs, event)
    login(client, user.email, "buyer-password-1")
    assert client.get(URL).status_code in (403, 404)
