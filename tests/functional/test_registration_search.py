"""Organisers search registrations in any script, and see likely duplicates across scripts."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event, Participation, User
from matchmaking.services.duplicates import likely_duplicates
from matchmaking.services.review import RegistrationFilter, list_registrations
from tests.functional.helpers import login, make_company_user, make_participant, make_staff

LIST = "/organiser/events/forum/registrations"


def _register(
    session: Session,
    event: Event,
    name: str,
    email: str,
    country: str = "KZ",
    city: str = "Astana",
    website: str = "",
    contact: str = "",
) -> Participation:
    user = make_company_user(session, event, email=email, name=name, country=country)
    company = user.company
    assert company is not None
    company.city, company.website = city, website
    if contact:
        user.full_name = contact
    session.flush()
    return company.participations[0]


@pytest.fixture
def organiser_client(client: FlaskClient, dbs: Session, event: Event) -> FlaskClient:
    make_staff(dbs)
    assert login(client, "org@example.org", "organiser-password").status_code == 302
    return client


@pytest.fixture
def registrations(dbs: Session, event: Event) -> dict[str, Participation]:
    return {
        "step": _register(
            dbs,
            event,
            "ТОО «Степь Агро Импорт»",
            "a.sadykova@step-agro.kz",
            city="Алматы",
            website="https://www.step-agro.kz/ru",
            contact="Айгерим Садыкова",
        ),
        "step_latin": _register(
            dbs,
            event,
            "TOO Step Agro Import",
            "a.sadykova+forum@step-agro.kz",
            city="Almaty",
            website="step-agro.kz",
        ),
        "changan": _register(
            dbs,
            event,
            "重庆长安汽车股份有限公司",
            "sales@changan.com.cn",
            country="CN",
            city="重庆",
        ),
        "motors": _register(
            dbs, event, "Tashkent Motors", "tashkent.motors@mail.ru", country="UZ", city="Tashkent"
        ),
        "textile": _register(
            dbs, event, "Samarkand Textile", "samarkand.textile@mail.ru", country="UZ"
        ),
    }


def _shown(client: FlaskClient, query: str, parts: dict[str, Participation]) -> set[str]:
    response = client.get(f"{LIST}?q={quote(query)}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return {key for key, p in parts.items() if f'/organiser/registrations/{p.id}"' in html}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("Степь", {"step", "step_latin"}, id="cyrillic"),
        pytest.param("СТЕПЬ", {"step", "step_latin"}, id="cyrillic-upper-case"),
        pytest.param("степь", {"step", "step_latin"}, id="cyrillic-lower-case"),
        pytest.param("STEP", {"step", "step_latin"}, id="latin-finds-cyrillic"),
        pytest.param("Stepʹ", {"step", "step_latin"}, id="latin-with-soft-sign-prime"),
        pytest.param("«Степь Агро»", {"step", "step_latin"}, id="quotes-and-two-words"),
        pytest.param("Агро Степь", {"step", "step_latin"}, id="words-in-any-order"),
        pytest.param("ТОО", {"step", "step_latin"}, id="legal-form-either-script"),
        pytest.param("Алматы", {"step", "step_latin"}, id="city-cyrillic"),
        pytest.param("almaty", {"step", "step_latin"}, id="city-latin"),
        pytest.param("Айгерим", {"step"}, id="contact-name"),
        pytest.param("aygerim", {"step"}, id="contact-name-latin"),
        pytest.param("Садыкова", {"step", "step_latin"}, id="contact-name-or-email"),
        pytest.param("重庆", {"changan"}, id="chinese"),
        pytest.param("长安汽车", {"changan"}, id="chinese-inside-name"),
        pytest.param("zhongqing", {"changan"}, id="chinese-by-anyascii-pinyin"),
        pytest.param("Степь Tashkent", set(), id="every-word-must-match"),
    ],
)
def test_search_is_case_and_script_insensitive(
    organiser_client: FlaskClient, registrations: dict, query: str, expected: set[str]
):
    assert _shown(organiser_client, query, registrations) == expected


def test_search_follows_renames(organiser_client: FlaskClient, registrations: dict, dbs: Session):
    company = registrations["motors"].company
    company.legal_name, company.city = "Ташкент Моторс", "Ташкент"
    dbs.flush()
    assert _shown(organiser_client, "tashkent motors", registrations) == {"motors"}
    contact = dbs.get(User, company.contacts[0].id)
    assert contact is not None
    contact.full_name = "Рустам Алиев"
    dbs.flush()
    assert _shown(organiser_client, "aliev", registrations) == {"motors"}


def test_service_searches_in_sql(dbs: Session, event: Event, registrations: dict):
    found = list_registrations(dbs, event, RegistrationFilter(q="stepʹ almaty"))
    assert {p.id for p in found} == {registrations["step"].id, registrations["step_latin"].id}


def test_same_company_in_two_scripts_is_flagged_with_reasons(
    organiser_client: FlaskClient, registrations: dict
):
    step, latin = registrations["step"], registrations["step_latin"]
    html = organiser_client.get(LIST).get_data(as_text=True)
    assert html.count("Likely duplicate</span>") == 2
    detail = organiser_client.get(f"/organiser/registrations/{step.id}").get_data(as_text=True)
    assert "Likely duplicate of:" in detail and "TOO Step Agro Import" in detail
    assert "same name once transliterated (step agro import)" in detail
    assert "same mailbox (a.sadykova@step-agro.kz)" in detail
    assert "same website (step-agro.kz)" in detail
    other = organiser_client.get(f"/organiser/registrations/{latin.id}").get_data(as_text=True)
    assert "ТОО «Степь Агро Импорт»" in other


def test_public_mail_domain_alone_is_no_duplicate(dbs: Session, event: Event, registrations: dict):
    duplicates = likely_duplicates(dbs, event)
    assert registrations["motors"].id not in duplicates  # mail.ru, like Samarkand Textile
    assert registrations["textile"].id not in duplicates
    assert registrations["changan"].id not in duplicates
    (match,) = duplicates[registrations["step"].id]
    assert match.participation_id == registrations["step_latin"].id


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        pytest.param(
            ("Steppe Agro Import LLP", "a@one.kz", ""),
            ("Step Agro Imports", "b@two.kz", ""),
            "similar names once transliterated (steppe agro import / step agro imports)",
            id="similar-name",
        ),
        pytest.param(
            ("Altyn Dala", "info@altyndala.kz", ""),
            ("Golden Steppe Trading", "sales@altyndala.kz", ""),
            "same e-mail domain (altyndala.kz)",
            id="company-mail-domain",
        ),
        pytest.param(
            ("Altyn Dala", "altyn@mail.ru", "http://www.altyn-dala.kz/"),
            ("Golden Steppe Trading", "golden@inbox.ru", "altyn-dala.kz/en"),
            "same website (altyn-dala.kz)",
            id="website",
        ),
    ],
)
def test_each_reason_alone_flags(
    dbs: Session, event: Event, first: tuple, second: tuple, reason: str
):
    a = _register(dbs, event, first[0], first[1], website=first[2])
    b = _register(dbs, event, second[0], second[1], website=second[2])
    (match,) = likely_duplicates(dbs, event)[a.id]
    assert (match.participation_id, match.reasons) == (b.id, (reason,))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("Kazakh Agro Import", "Kazakh Agro Export", id="other-word"),
        pytest.param("Agro Branch No.1", "Agro Branch No.2", id="other-number"),
        pytest.param("Altai Motors", "Altai Motors Service", id="more-words"),
    ],
)
def test_different_names_are_not_flagged(dbs: Session, event: Event, first: str, second: str):
    a = _register(dbs, event, first, "one@gmail.com")
    _register(dbs, event, second, "two@gmail.com")
    assert a.id not in likely_duplicates(dbs, event)


def test_same_name_in_other_country_is_not_flagged(dbs: Session, event: Event):
    a = _register(dbs, event, "Agro Trade LLP", "one@gmail.com", country="KZ")
    _register(dbs, event, "ООО «Агро Трейд»", "two@gmail.com", country="RU")
    assert a.id not in likely_duplicates(dbs, event)


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        pytest.param("Степь", "ТОО «Степь Агро»", "重庆长安汽车", id="cyrillic"),
        pytest.param("step", "ТОО «Степь Агро»", "重庆长安汽车", id="latin-finds-cyrillic"),
        pytest.param("ТРАКТОРЫ", "ТОО «Степь Агро»", "重庆长安汽车", id="offering-upper-case"),
        pytest.param("长安", "重庆长安汽车", "ТОО «Степь Агро»", id="chinese"),
    ],
)
def test_directory_search_is_script_insensitive(
    client: FlaskClient, dbs: Session, event: Event, query: str, present: str, absent: str
):
    make_participant(dbs, event, "Buyer One", email="me@example.org")
    make_participant(
        dbs, event, "ТОО «Степь Агро»", sells=(("agrimachinery.tractors", "тракторы"),)
    )
    make_participant(dbs, event, "重庆长安汽车", "CN", sells=(("nev.parts", "brakes"),))
    assert login(client, "me@example.org", "company-pass-1").status_code == 302
    html = client.get(f"/events/forum/directory?q={quote(query)}").get_data(as_text=True)
    table = html.split('<table class="list cards prose">', 1)[1]
    assert present in table and absent not in table


def test_duplicates_follow_every_change_of_names_sites_and_contacts(dbs: Session, event: Event):
    """The analysis is kept between views, but never past a change of what it reads."""
    a = _register(dbs, event, "Altyn Dala", "altyn@mail.ru")
    b = _register(dbs, event, "Golden Steppe Trading", "golden@inbox.ru")
    assert a.id not in likely_duplicates(dbs, event)
    assert likely_duplicates(dbs, event) is likely_duplicates(dbs, event)  # kept, not redone

    b.company.legal_name = "Altyn Dala"
    dbs.flush()
    (match,) = likely_duplicates(dbs, event)[a.id]
    assert match.participation_id == b.id
    assert match.reasons == ("same name once transliterated (altyn dala)",)

    b.company.legal_name = "Golden Steppe Trading"
    b.company.website = "altyn-dala.kz"
    a.company.website = "https://altyn-dala.kz/ru"
    dbs.flush()
    (match,) = likely_duplicates(dbs, event)[a.id]
    assert match.reasons == ("same website (altyn-dala.kz)",)

    b.company.website = ""
    b.company.contacts[0].email = "altyn+golden@mail.ru"
    dbs.flush()
    (match,) = likely_duplicates(dbs, event)[a.id]
    assert match.reasons == ("same mailbox (altyn@mail.ru)",)
