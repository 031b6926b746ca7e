"""Bad input gets a message on its field (or a 4xx), never a 5xx or a half-written record.

The cases the fuzz test (``test_fuzz_forms``) first found, pinned one by one: control
characters in text, addresses and query strings; an availability with no end; NaN and
infinite numbers; time zone names that are not names; and the 500 page after a failed
database statement.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking.models import (
    Availability,
    Company,
    Event,
    ExchangeRate,
    MeetingRequest,
    Outcome,
    User,
)
from matchmaking.models import user as user_model
from tests.conftest import get_csrf, sector
from tests.functional.deals_helpers import PASSWORD, make_fair
from tests.functional.helpers import login, make_company_user, make_participant, make_staff

CONTROL_CHARACTERS = [
    pytest.param("\x00", id="NUL"),
    pytest.param("\x1b", id="escape"),
    pytest.param("\x7f", id="delete"),
    pytest.param("\x85", id="next-line"),
    pytest.param("\x1f", id="unit-separator"),  # whitespace to str.strip(), so to Optional()
]
CONTROL_MESSAGE = "Remove the control characters"


def _company(client: FlaskClient, dbs: Session, event: Event) -> User:
    user = make_company_user(dbs, event)
    assert login(client, user.email, "buyer-password-1").status_code == 302
    return user


def _profile_form(token: str, **overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": token,
        "legal_name": "Altai Motors LLP",
        "country": "KZ",
        "city": "Astana",
        "size": "small",
        "description": "Trucks and buses.",
        "languages": ["ru"],
    }
    data.update(overrides)
    return data


# --- control characters ------------------------------------------------------------------------


@pytest.mark.parametrize("character", CONTROL_CHARACTERS)
def test_control_character_in_company_name_is_refused_on_the_field(
    client: FlaskClient, dbs: Session, event: Event, character: str
) -> None:
    user = _company(client, dbs, event)
    token = get_csrf(client, "/company/profile")
    response = client.post(
        "/company/profile", data=_profile_form(token, legal_name=f"Evil{character}Corp")
    )
    assert response.status_code == 422
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    dbs.expire_all()
    assert dbs.get(Company, user.company_id).legal_name == "Altai Motors LLP"


def test_line_breaks_and_tabs_stay_allowed_in_multi_line_text(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    user = _company(client, dbs, event)
    token = get_csrf(client, "/company/profile")
    text = "Trucks\r\nand\tbuses."
    response = client.post("/company/profile", data=_profile_form(token, description=text))
    assert response.status_code == 302
    dbs.expire_all()
    assert dbs.get(Company, user.company_id).description == text


def test_line_break_in_a_single_line_field_is_refused(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    _company(client, dbs, event)
    token = get_csrf(client, "/company/profile")
    response = client.post("/company/profile", data=_profile_form(token, city="Astana\nX"))
    assert response.status_code == 422
    assert CONTROL_MESSAGE in response.get_data(as_text=True)


def test_nul_in_meeting_request_message_is_refused(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    make_participant(dbs, event, "Altai Motors LLP", buys=(("nev.parts", "brakes"),))
    other = make_participant(
        dbs, event, "Chongqing Brakes", country="CN", sells=(("nev.parts", "brakes"),)
    )
    assert login(client, "altai-kz@example.org", "company-pass-1").status_code == 302
    url = f"/events/{event.slug}/directory/{other.id}"
    response = client.post(
        url, data={"csrf_token": get_csrf(client, url), "message": "Hello\x00there"}
    )
    assert response.status_code == 422
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert dbs.scalar(select(func.count(MeetingRequest.id))) == 0


def test_nul_in_registration_is_refused_and_nothing_is_written(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    from tests.functional.helpers import registration_data

    url = f"/events/{event.slug}/register"
    data = registration_data(event, legal_name="Steppe\x00Agro", csrf_token=get_csrf(client, url))
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert dbs.scalar(select(func.count(Company.id))) == 0


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/press/events/%00", id="press-event"),
        pytest.param("/events/%00/", id="event-page"),
        pytest.param("/events/forum%1B/register", id="escape-in-slug"),
        pytest.param("/calendar/%00.ics", id="calendar-token"),
        pytest.param("/confirm/%00", id="confirm-token"),
        pytest.param("/deals/meetings/99999999999999999999/outcome", id="huge-id"),
        pytest.param("/static/%00", id="static-file"),
    ],
)
def test_control_characters_and_huge_ids_in_addresses_are_not_found(
    client: FlaskClient, event: Event, url: str
) -> None:
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("with_token", [True, False])
def test_a_form_part_whose_name_cannot_be_read_is_a_client_error(
    client: FlaskClient, dbs: Session, event: Event, with_token: bool
) -> None:
    """A multipart part named ``"\\"`` reaches the app as a field without a name, which the
    CSRF check could not handle (500, found by the form fuzzing)."""
    user = _company(client, dbs, event)
    token = get_csrf(client, "/company/profile")
    data = _profile_form(token if with_token else "", legal_name="Renamed Corp")
    data["\\"] = "\x00"
    response = client.post("/company/profile", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    dbs.expire_all()
    assert dbs.get(Company, user.company_id).legal_name == "Altai Motors LLP"


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("q=%00", id="NUL"),
        pytest.param("q=a%1Bb", id="escape"),
        pytest.param("sector=%00", id="NUL-in-select"),
        pytest.param("%00=x", id="NUL-in-name"),
    ],
)
def test_control_characters_in_registration_search_are_a_client_error(
    client: FlaskClient, dbs: Session, event: Event, query: str
) -> None:
    make_staff(dbs)
    assert login(client, "org@example.org", "organiser-password").status_code == 302
    response = client.get(f"/organiser/events/{event.slug}/registrations?{query}")
    assert response.status_code == 400


# --- availability ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "message"),
    [("end", "Give the time you leave."), ("start", "Give the time you arrive.")],
)
def test_availability_with_one_time_missing_gets_a_field_message(
    client: FlaskClient, dbs: Session, event: Event, missing: str, message: str
) -> None:
    user = _company(client, dbs, event)
    token = get_csrf(client, f"/company/events/{event.slug}")
    data = {
        "csrf_token": token,
        "buys-0-sector": str(sector(event, "nev.parts").id),
        "buys-0-description": "brake systems",
        "availability-0-day": event.start_date.isoformat(),
        "availability-0-attending": "y",
        "availability-0-start": "09:00",
        "availability-0-end": "17:30",
        "availability-1-day": event.end_date.isoformat(),
        "availability-1-attending": "y",
        "availability-1-start": "09:00",
        "availability-1-end": "12:00",
    }
    data[f"availability-1-{missing}"] = ""
    response = client.post(f"/company/events/{event.slug}", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    dbs.expire_all()
    windows = dbs.scalars(
        select(Availability).where(
            Availability.participation_id == user.company.participations[0].id
        )
    ).all()
    assert [w.day for w in windows] == [event.start_date]  # as before the request


def test_registration_with_an_availability_without_end_gets_a_field_message(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    from tests.functional.helpers import registration_data

    url = f"/events/{event.slug}/register"
    data = registration_data(event, csrf_token=get_csrf(client, url))
    data["availability-0-end"] = ""
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Give the time you leave." in response.get_data(as_text=True)
    assert dbs.scalar(select(func.count(Company.id))) == 0


# --- numbers -----------------------------------------------------------------------------------

NOT_FINITE = ["sNaN", "-sNaN", "NaN", "Infinity", "-Infinity", "inf"]


@pytest.mark.parametrize("amount", [*NOT_FINITE, "1e999", "9" * 40])
def test_deal_amount_must_be_an_ordinary_number(
    client: FlaskClient, dbs: Session, amount: str
) -> None:
    fair = make_fair(dbs, {"alpha": "KZ", "bravo": "CN"}, [("alpha", "bravo")])
    meeting = fair.meetings[("alpha", "bravo")]
    assert login(client, "alpha@forum.example", PASSWORD).status_code == 302
    url = f"/deals/meetings/{meeting.id}/outcome"
    response = client.post(
        url,
        data={
            "csrf_token": get_csrf(client, url),
            "stage": "signed",
            "amount": amount,
            "currency": "CNY",
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    messages = ("Enter a finite number.", "Enter a value of zero or more", "Enter a smaller value")
    assert any(message in body for message in messages)
    assert dbs.scalar(select(func.count(Outcome.id))) == 0


@pytest.mark.parametrize("rate", [*NOT_FINITE, "1e999", "1e-999"])
@pytest.mark.parametrize("field", ["to_cny", "to_usd"])
def test_exchange_rates_must_be_ordinary_numbers(
    client: FlaskClient, dbs: Session, rate: str, field: str
) -> None:
    fair = make_fair(dbs, {"alpha": "KZ", "bravo": "CN"}, [("alpha", "bravo")])
    assert login(client, fair.organiser.email, "organiser-password").status_code == 302
    url = f"/deals/events/{fair.event.slug}/rates"
    data = {
        "csrf_token": get_csrf(client, url),
        "currency": "EUR",
        "valid_from": fair.event.start_date.isoformat(),
        "to_cny": "7.8",
        "to_usd": "1.08",
        field: rate,
    }
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert dbs.scalar(select(func.count(ExchangeRate.id))) == 0


@pytest.mark.parametrize("weight", ["nan", "inf", "-inf", "1e999"])
def test_scoring_weights_must_be_ordinary_numbers(
    client: FlaskClient, dbs: Session, event: Event, weight: str
) -> None:
    from tests.conftest import csrf_from
    from tests.functional.fuzz_support import FormScraper

    make_staff(dbs)
    assert login(client, "org@example.org", "organiser-password").status_code == 302
    url = f"/organiser/events/{event.slug}/setup"
    page = client.get(url).get_data(as_text=True)
    scraper = FormScraper(url)
    scraper.feed(page)
    data = scraper.forms[-1].defaults()
    data["csrf_token"] = [csrf_from(page)]
    data["weight_sector"] = [weight]
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Enter a finite number." in response.get_data(as_text=True) or weight == "1e999"
    dbs.expire_all()
    assert dbs.get(Event, event.id).scoring_weights is None


# --- time zones --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "timezone",
    [
        pytest.param("A" * 300, id="overlong"),
        pytest.param("Asia/" + "Shanghai" * 40, id="overlong-path"),
        pytest.param("../../../etc/passwd", id="parent-directories"),
        pytest.param("/etc/localtime", id="absolute"),
        pytest.param("Asia/Shang\x00hai", id="NUL"),
        pytest.param("Asia", id="a-folder"),
        pytest.param("Not/A_Zone", id="unknown"),
    ],
)
def test_new_event_with_a_bad_time_zone_gets_a_field_message(
    client: FlaskClient, dbs: Session, timezone: str
) -> None:
    role = "admin" if "admin" in user_model.ROLES else "organiser"
    make_staff(dbs, role, "boss@example.org", "administrator-pass")
    assert login(client, "boss@example.org", "administrator-pass").status_code == 302
    token = get_csrf(client, "/organiser/events/new")
    response = client.post(
        "/organiser/events/new",
        data={
            "csrf_token": token,
            "name": "Zone Forum",
            "slug": "zone-forum",
            "venue": "Hall",
            "city": "Chongqing",
            "timezone": timezone,
            "start_date": "2031-05-01",
            "end_date": "2031-05-02",
            "registration_deadline": "2031-04-20T12:00",
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    messages = ("Unknown timezone", CONTROL_MESSAGE, "cannot be longer than 64 characters")
    assert any(message in body for message in messages)
    assert dbs.scalar(select(func.count(Event.id))) == 0


# --- the 500 page ------------------------------------------------------------------------------


def test_a_failed_statement_gives_the_500_page_and_logs_no_user_data(
    client: FlaskClient,
    dbs: Session,
    event: Event,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The handler rolls back before rendering (the page reads the user again), logs no data."""
    from matchmaking.blueprints.company import routes

    def broken_update(session: Session, company: Company, data: Any, actor: User) -> None:
        company.description = data.description
        company.legal_name = None  # NOT NULL: the flush fails with the values in its parameters
        session.flush()

    monkeypatch.setattr(routes, "update_company", broken_update)
    user = _company(client, dbs, event)
    token = get_csrf(client, "/company/profile")
    with caplog.at_level(logging.ERROR):
        response = client.post(
            "/company/profile", data=_profile_form(token, description="private-note-4711")
        )
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong on our side" in body
    assert user.email in body  # the page could read the logged-in user after the rollback
    assert "IntegrityError" in caplog.text
    assert "/company/profile" in caplog.text
    assert "private-note-4711" not in caplog.text
    assert "Altai Motors" not in caplog.text
    dbs.expire_all()
    assert dbs.get(Company, user.company_id).description != "private-note-4711"


def test_database_errors_never_quote_the_parameters(dbs: Session) -> None:
    """SQLAlchemy leaves the bound values out of its messages (PostgreSQL's own DETAIL line
    may still quote the row, which is why the 500 handler logs no message at all)."""
    from sqlalchemy.exc import IntegrityError

    dbs.add(Company(legal_name=None, country="KZ", city="secret-city-99", languages=["ru"]))
    with pytest.raises(IntegrityError) as caught:
        dbs.flush()
    dbs.rollback()
    assert "[SQL parameters hidden" in str(caught.value)
    assert "[parameters:" not in str(caught.value)


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_embargo_beyond_the_calendar_gets_a_field_message(
    client: FlaskClient, dbs: Session, value: str
) -> None:
    fair = make_fair(dbs, {"alpha": "KZ", "bravo": "CN"}, [("alpha", "bravo")])
    assert login(client, fair.organiser.email, "organiser-password").status_code == 302
    token = get_csrf(client, f"/deals/events/{fair.event.slug}/")
    response = client.post(
        f"/deals/events/{fair.event.slug}/publish",
        data={"csrf_token": token, "embargo_until": value},
    )
    assert response.status_code == 422
    assert "Enter a date between 1900 and 2999." in response.get_data(as_text=True)


def test_a_new_event_lasts_at_most_a_month(client: FlaskClient, dbs: Session) -> None:
    role = "admin" if "admin" in user_model.ROLES else "organiser"
    make_staff(dbs, role, "boss@example.org", "administrator-pass")
    assert login(client, "boss@example.org", "administrator-pass").status_code == 302
    token = get_csrf(client, "/organiser/events/new")
    data = {
        "csrf_token": token,
        "name": "Long Forum",
        "slug": "long-forum",
        "venue": "Hall",
        "city": "Chongqing",
        "timezone": "Asia/Shanghai",
        "start_date": "2031-05-01",
        "end_date": "2031-06-01",
        "registration_deadline": "2031-04-20T12:00",
    }
    response = client.post("/organiser/events/new", data=data)
    assert response.status_code == 422
    assert "An event lasts at most 31 days." in response.get_data(as_text=True)
    assert dbs.scalar(select(func.count(Event.id))) == 0


@pytest.mark.parametrize("start", ["0001-01-01", "1899-12-31", "3000-01-01"])
def test_a_new_event_in_another_millennium_gets_a_field_message(
    client: FlaskClient, dbs: Session, start: str
) -> None:
    role = "admin" if "admin" in user_model.ROLES else "organiser"
    make_staff(dbs, role, "boss@example.org", "administrator-pass")
    assert login(client, "boss@example.org", "administrator-pass").status_code == 302
    token = get_csrf(client, "/organiser/events/new")
    data = {
        "csrf_token": token,
        "name": "Old Forum",
        "slug": "old-forum",
        "venue": "Hall",
        "city": "Chongqing",
        "timezone": "America/New_York",
        "start_date": start,
        "end_date": start,
        "registration_deadline": f"{start}T00:00",
    }
    response = client.post("/organiser/events/new", data=data)
    assert response.status_code == 422
    assert "Enter a date between 1900 and 2999." in response.get_data(as_text=True)
    assert dbs.scalar(select(func.count(Event.id))) == 0
