"""Online registration: the form, what bad input gets, e-mail confirmation."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking.models import Company, Event, EventDay, Participation, User
from tests.conftest import get_csrf, link_in, mail_text, make_event, read_outbox
from tests.functional.helpers import login, make_company_user, registration_data

pytestmark = pytest.mark.dates

URL = "/events/forum/register"


def _post(client: FlaskClient, event: Event, **overrides: Any) -> Any:
    token = get_csrf(client, URL)
    return client.post(URL, data={**registration_data(event, **overrides), "csrf_token": token})


def _companies(dbs: Session) -> int:
    return dbs.scalar(select(func.count(Company.id))) or 0


def test_landing_page_shows_zones_sectors_and_registration(client: FlaskClient, event: Event):
    html = client.get("/events/forum/").get_data(as_text=True)
    assert "Test Chongqing-SCO Forum" in html
    assert "New energy vehicles and auto parts" in html
    assert "General and agricultural machinery" in html
    assert "Imported goods from SCO countries" in html
    assert "Tractors" in html
    assert 'href="/events/forum/register"' in html


def test_registration_creates_pending_company_and_sends_confirmation(
    client: FlaskClient, event: Event, dbs: Session, outbox: Any
):
    response = _post(client, event)
    assert response.status_code == 302
    assert response.location.endswith("/events/forum/register/done")

    user = dbs.scalar(select(User).where(User.email == "aigerim@steppe-agro.kz"))
    assert user is not None and user.role == "company"
    assert user.password_hash != "correct horse battery"
    assert user.check_password("correct horse battery")
    assert user.email_confirmed_at is None
    company = user.company
    assert company is not None
    assert (company.legal_name, company.country, company.languages) == (
        "Steppe Agro LLP",
        "KZ",
        ["ru", "kk"],
    )
    participation = company.participations[0]
    assert participation.status == "pending"
    assert participation.role == "buyer"
    assert [o.sector.code for o in participation.buys] == ["agrimachinery.tractors"]
    assert str(participation.buys[0].volume_usd) == "250000.00"
    assert [
        (a.day, a.start_time.isoformat("minutes"), a.end_time.isoformat("minutes"))
        for a in participation.availability
    ] == [(event.start_date, "09:00", "17:30")]
    assert participation.max_meetings == 8 and participation.directory_consent

    mails = read_outbox(outbox)
    assert [m["To"] for m in mails] == ["aigerim@steppe-agro.kz"]
    assert "/confirm/" in link_in(mails[0])


def test_registration_in_chinese_sends_chinese_mail(client: FlaskClient, event: Event, outbox: Any):
    client.get("/language/zh")
    response = _post(client, event)
    assert response.status_code == 302
    (mail,) = read_outbox(outbox)
    assert "/confirm/" in link_in(mail)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in mail["Subject"] + mail_text(mail))


def test_registration_form_offers_each_day_at_the_hours_set_up(
    client: FlaskClient, event: Event, dbs: Session
):
    event.schedule_days = [
        EventDay(day=event.start_date, start_time=time(10, 0), end_time=time(18, 0)),
        EventDay(day=event.end_date, start_time=time(8, 30), end_time=time(12, 0)),
    ]
    dbs.flush()
    html = client.get(URL).get_data(as_text=True)
    assert 'name="availability-0-start" type="time" value="10:00"' in html
    assert 'name="availability-0-end" type="time" value="18:00"' in html
    assert 'name="availability-1-start" type="time" value="08:30"' in html
    assert 'name="availability-1-end" type="time" value="12:00"' in html


def test_company_can_sell_and_buy(client: FlaskClient, event: Event, dbs: Session):
    food = next(s for s in event.sectors if s.code == "imported.food")
    response = _post(
        client, event, **{"sells-0-sector": str(food.id), "sells-0-description": "sunflower oil"}
    )
    assert response.status_code == 302
    participation = dbs.scalar(select(Participation))
    assert participation is not None and participation.role == "both"


BAD_INPUT = [
    pytest.param(
        {"email": "not-an-address"}, "email", "Enter a valid e-mail address.", id="invalid-email"
    ),
    pytest.param({"email": None}, "email", "This field is required.", id="missing-email"),
    pytest.param(
        {"password": "short", "confirm": "short"},
        "password",
        "Use at least 10 characters.",
        id="short-password",
    ),
    pytest.param(
        {"confirm": "something else entirely"},
        "confirm",
        "The passwords differ.",
        id="passwords-differ",
    ),
    pytest.param({"full_name": ""}, "full_name", "This field is required.", id="no-name"),
    pytest.param({"legal_name": ""}, "legal_name", "This field is required.", id="no-company-name"),
    pytest.param({"country": "XX"}, "country", "Not a valid choice.", id="unknown-country"),
    pytest.param(
        {"languages": None}, "languages", "Choose at least one language.", id="no-language"
    ),
    pytest.param({"languages": ["xx"]}, "languages", "not a valid choice", id="unknown-language"),
    pytest.param({"website": "steppe agro"}, "website", "Enter a full address", id="bad-website"),
    pytest.param(
        {"buys-0-sector": ""},
        "sells",
        "Tell us at least one sector you sell in or want to buy from.",
        id="no-sector-line",
    ),
    pytest.param(
        {"buys-1-description": "combines"},
        "buys-1-sector",
        "Choose a sector for this line.",
        id="products-without-sector",
    ),
    pytest.param(
        {"buys-0-sector": "999999"}, "buys-0-sector", "Not a valid choice.", id="foreign-sector-id"
    ),
    pytest.param(
        {"buys-0-volume_usd": "-5"},
        "buys-0-volume_usd",
        "Number must be between",
        id="negative-volume",
    ),
    pytest.param(
        {"availability-0-attending": None},
        "availability",
        "Choose at least one day you attend.",
        id="no-day",
    ),
    pytest.param(
        {"availability-0-end": "08:00"},
        "availability-0-end",
        "Must be later than the start time.",
        id="end-before-start",
    ),
    pytest.param(
        {"availability-0-start": "9 o'clock"},
        "availability-0-start",
        "Not a valid time value.",
        id="bad-time",
    ),
    pytest.param(
        {"max_meetings": "0"},
        "max_meetings",
        "Number must be between 1 and 40.",
        id="zero-meetings",
    ),
    pytest.param(
        {"max_meetings": "many"},
        "max_meetings",
        "Not a valid integer value.",
        id="non-numeric-meetings",
    ),
    pytest.param(
        {"privacy_consent": None},
        "privacy_consent",
        "Registration needs this consent.",
        id="no-consent",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_registration_is_reshown_with_field_message_and_writes_nothing(
    client: FlaskClient,
    event: Event,
    dbs: Session,
    outbox: Any,
    overrides: dict[str, Any],
    field: str,
    message: str,
):
    response = _post(client, event, **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message.lower() in html.lower()
    assert f'id="{field}-error"' in html or f'id="{field}"' in html
    assert "Please correct the fields marked below." in html
    # The password is not sent back; the page says to enter it again.
    assert "enter it once more after a correction" in html
    # The form is re-shown with what was typed.
    if overrides.get("legal_name", "x"):
        assert "Steppe Agro LLP" in html
    assert _companies(dbs) == 0
    assert dbs.scalar(select(func.count(User.id))) == 0
    assert read_outbox(outbox) == []


@pytest.mark.parametrize(
    ("language", "message"), [("ru", "Обязательное поле."), ("zh", "该字段是必填字段。")]
)
def test_wtforms_own_messages_are_in_the_readers_language(
    client: FlaskClient, event: Event, dbs: Session, language: str, message: str
) -> None:
    # Read twice: the catalogue is kept after the first request, and must still be the
    # reader's language (not the one of the request that loaded it first).
    for _ in range(2):
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        response = _post(client, event, full_name="")
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = _post(client, event, full_name="")
    assert "This field is required." in response.get_data(as_text=True)
    assert _companies(dbs) == 0


def test_registration_without_csrf_token_is_refused(
    client: FlaskClient, event: Event, dbs: Session
):
    response = client.post(URL, data=registration_data(event))
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    assert _companies(dbs) == 0


def test_known_email_gets_same_answer_and_no_second_account(
    client: FlaskClient, event: Event, dbs: Session, outbox: Any
):
    make_company_user(dbs, event, email="aigerim@steppe-agro.kz")
    response = _post(client, event, email="Aigerim@Steppe-Agro.kz", legal_name="Other LLP")
    assert response.status_code == 302
    assert response.location.endswith("/events/forum/register/done")
    assert _companies(dbs) == 1
    (mail,) = read_outbox(outbox)
    assert mail["To"] == "Aigerim@Steppe-Agro.kz"
    assert "already has an account" in mail_text(mail)


def test_registration_after_deadline_is_closed(client: FlaskClient, dbs: Session):
    late = make_event(
        dbs, slug="late", registration_deadline=datetime.now(UTC) - timedelta(minutes=1)
    )
    page = client.get("/events/late/register")
    assert page.status_code == 403
    assert "Registration closed" in page.get_data(as_text=True)
    token = get_csrf(client, "/login")
    response = client.post(
        "/events/late/register", data={**registration_data(late), "csrf_token": token}
    )
    assert response.status_code == 403
    assert _companies(dbs) == 0


def test_draft_event_is_not_public(client: FlaskClient, dbs: Session):
    make_event(dbs, slug="secret", status="draft")
    assert client.get("/events/secret/").status_code == 404
    assert client.get("/events/secret/register").status_code == 404


def test_confirmation_link_confirms_then_login_works(
    client: FlaskClient, event: Event, dbs: Session, outbox: Any
):
    _post(client, event)
    link = link_in(read_outbox(outbox)[0])

    refused = login(client, "aigerim@steppe-agro.kz", "correct horse battery")
    assert refused.status_code == 200
    assert "Please confirm your e-mail address first" in refused.get_data(as_text=True)
    assert len(read_outbox(outbox)) == 2  # a fresh link was sent

    confirmed = client.get(link.split("localhost", 1)[-1])
    assert confirmed.status_code == 302
    user = dbs.scalar(select(User).where(User.email == "aigerim@steppe-agro.kz"))
    dbs.refresh(user)
    assert user is not None and user.email_confirmed_at is not None

    response = login(client, "aigerim@steppe-agro.kz", "correct horse battery")
    assert response.status_code == 302
    assert response.location.endswith("/company/")
    dashboard = client.get("/company/").get_data(as_text=True)
    assert "Steppe Agro LLP" in dashboard
    assert "Pending review" in dashboard


def test_tampered_confirmation_link_is_refused(client: FlaskClient, event: Event, outbox: Any):
    _post(client, event)
    link = link_in(read_outbox(outbox)[0])
    response = client.get(link.split("localhost", 1)[-1] + "x")
    assert response.status_code == 400
    assert "invalid or has expired" in response.get_data(as_text=True)
