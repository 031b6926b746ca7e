"""Companies record meeting outcomes; organisers correct them; every change is kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking.models import Outcome, OutcomeChange
from tests.conftest import get_csrf, make_event, sector
from tests.functional.deals_helpers import PASSWORD, Fair, make_fair, report
from tests.functional.helpers import login, make_company_user, make_meeting, make_slots, make_staff

pytestmark = pytest.mark.dates


@pytest.fixture
def fair(dbs: Session) -> Fair:
    return make_fair(dbs, {"steppe": "KZ", "cq": "CN", "other": "UZ"}, [("steppe", "cq")])


def url(fair: Fair) -> str:
    return f"/deals/meetings/{fair.meetings[('steppe', 'cq')].id}/outcome"


def form(client: FlaskClient, page: str, **fields: str) -> dict[str, str]:
    data = {
        "stage": "tentative",
        "amount": "1500000",
        "currency": "KZT",
        "sector": "",
        "product": "wheeled tractors",
        "note": "",
        "csrf_token": get_csrf(client, page),
    }
    data.update(fields)
    return data


def count(dbs: Session, model: type) -> int:
    return int(dbs.scalar(select(func.count()).select_from(model)) or 0)


def test_company_records_its_outcome_and_the_meeting_counts_as_held(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    login(client, "steppe@forum.example", PASSWORD)
    tractors = sector(fair.event, "agrimachinery.tractors")
    response = client.post(url(fair), data=form(client, url(fair), sector=str(tractors.id)))
    assert response.status_code == 302
    outcome = dbs.scalar(select(Outcome))
    assert outcome is not None
    assert (outcome.stage, outcome.amount, outcome.currency) == (
        "tentative",
        Decimal("1500000.00"),
        "KZT",
    )
    assert outcome.participation_id == fair.parts["steppe"].id
    assert outcome.sector_id == tractors.id
    assert [c.amount for c in outcome.changes] == [Decimal("1500000.00")]
    dbs.refresh(fair.meetings[("steppe", "cq")])
    assert fair.meetings[("steppe", "cq")].attendance == "held"
    listing = client.get("/deals/events/forum/meetings").get_data(as_text=True)
    assert "Cq Trading" in listing and "KZT\xa01,500,000" in listing


def test_corrections_are_kept_in_the_history(client: FlaskClient, dbs: Session, fair: Fair) -> None:
    login(client, "steppe@forum.example", PASSWORD)
    client.post(url(fair), data=form(client, url(fair)))
    client.post(url(fair), data=form(client, url(fair), stage="signed", amount="2000000"))
    client.post(url(fair), data=form(client, url(fair), stage="signed", amount="2000000"))
    changes = dbs.scalars(select(OutcomeChange).order_by(OutcomeChange.id)).all()
    assert [(c.stage, c.amount) for c in changes] == [
        ("tentative", Decimal("1500000.00")),
        ("signed", Decimal("2000000.00")),
    ]  # saving identical data adds nothing
    page = client.get(url(fair)).get_data(as_text=True)
    assert "History" in page and "1,500,000" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param({"amount": ""}, "amount", "A deal needs its value.", id="deal-without-value"),
        pytest.param({"amount": "-5"}, "amount", "zero or more", id="negative"),
        pytest.param({"amount": "12abc"}, "amount", "Not a valid decimal", id="not-a-number"),
        pytest.param({"amount": "1.234"}, "amount", "At most two decimals", id="three-decimals"),
        pytest.param({"currency": "ZZZ"}, "currency", "Not a valid choice", id="unknown-currency"),
        pytest.param({"currency": ""}, "currency", "Choose a currency", id="no-currency"),
        pytest.param({"stage": "won"}, "stage", "Not a valid choice", id="unknown-stage"),
        pytest.param({"product": "x" * 201}, "product", "200", id="product-too-long"),
    ],
)
def test_bad_input_is_refused_with_field_messages(
    client: FlaskClient, dbs: Session, fair: Fair, fields: dict[str, str], field: str, message: str
) -> None:
    login(client, "steppe@forum.example", PASSWORD)
    response = client.post(url(fair), data=form(client, url(fair), **fields))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert count(dbs, Outcome) == 0 and count(dbs, OutcomeChange) == 0


def test_no_deal_outcome_needs_no_value(client: FlaskClient, dbs: Session, fair: Fair) -> None:
    login(client, "steppe@forum.example", PASSWORD)
    data = form(client, url(fair), stage="follow_up", amount="99", currency="USD")
    assert client.post(url(fair), data=data).status_code == 302
    outcome = dbs.scalar(select(Outcome))
    assert outcome is not None and outcome.amount is None and outcome.currency is None


def test_a_future_meeting_takes_no_outcome(client: FlaskClient, dbs: Session) -> None:
    event = make_event(dbs, "later")
    buyer = make_company_user(dbs, event, email="b@later.example", password=PASSWORD)
    supplier = make_company_user(dbs, event, email="s@later.example", name="CQ Parts")
    meeting = make_meeting(
        dbs, buyer.company.participations[0], supplier.company.participations[0],
        make_slots(dbs, event, 1)[0],
    )  # fmt: skip
    login(client, "b@later.example", PASSWORD)
    page = f"/deals/meetings/{meeting.id}/outcome"
    response = client.post(page, data=form(client, page))
    assert response.status_code == 409  # MeetingNotHeld: a conflict with the meeting's state
    assert "once the meeting has started" in response.get_data(as_text=True)
    assert count(dbs, Outcome) == 0


def test_a_company_never_sees_another_companys_outcome(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    report(dbs, fair, ("steppe", "cq"), "steppe", amount="7654321")
    login(client, "other@forum.example", PASSWORD)
    assert client.get(url(fair)).status_code == 404
    assert client.post(url(fair), data={"stage": "signed"}).status_code in (400, 404)
    client.post("/logout", data={"csrf_token": get_csrf(client, "/deals/events/forum/meetings")})
    # The counterpart sees its own (empty) form, not the buyer's figures.
    login(client, "cq@forum.example", PASSWORD)
    page = client.get(url(fair)).get_data(as_text=True)
    assert "7654321" not in page and "7,654,321" not in page
    listing = client.get("/deals/events/forum/meetings").get_data(as_text=True)
    assert "7,654,321" not in listing


def test_organiser_records_and_corrects_on_a_companys_behalf(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    report(dbs, fair, ("steppe", "cq"), "cq", amount="100")
    login(client, "org@forum.example", "organiser-password")
    meeting = fair.meetings[("steppe", "cq")]
    page = f"/deals/meetings/{meeting.id}/outcome/{fair.parts['cq'].id}"
    assert "on behalf of" in client.get(page).get_data(as_text=True)
    response = client.post(page, data=form(client, page, amount="120", currency="CNY"))
    assert response.status_code == 302
    outcome = dbs.scalar(select(Outcome))
    assert outcome is not None and outcome.amount == Decimal("120.00")
    assert [c.on_behalf for c in outcome.changes] == [False, True]
    other = f"/deals/meetings/{meeting.id}/outcome/{fair.parts['other'].id}"
    assert client.get(other).status_code == 404
    overview = client.get("/deals/events/forum/outcomes").get_data(as_text=True)
    assert "CN¥120" in overview


@pytest.mark.parametrize(
    "path",
    [
        "/deals/",
        "/deals/events/forum/",
        "/deals/events/forum/outcomes",
        "/deals/events/forum/rates",
        "/deals/events/forum/memoranda",
        "/deals/events/forum/deals.csv",
        "/deals/reporters",
    ],
)
def test_organiser_pages_are_closed_to_others(
    client: FlaskClient, dbs: Session, fair: Fair, path: str
) -> None:
    assert client.get(path).status_code == 302  # anonymous: to the login page
    login(client, "steppe@forum.example", PASSWORD)
    assert client.get(path).status_code == 403
    client.post("/logout", data={"csrf_token": get_csrf(client, "/deals/events/forum/meetings")})
    make_staff(dbs, role="reporter", email="press@example.org", password="reporter-password")
    login(client, "press@example.org", "reporter-password")
    assert client.get(path).status_code == 403


def test_a_reporter_cannot_reach_company_figures(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    report(dbs, fair, ("steppe", "cq"), "steppe")
    make_staff(dbs, role="reporter", email="press@example.org", password="reporter-password")
    login(client, "press@example.org", "reporter-password")
    meeting = fair.meetings[("steppe", "cq")]
    assert client.get(url(fair)).status_code == 403
    assert (
        client.get(f"/deals/meetings/{meeting.id}/outcome/{fair.parts['steppe'].id}").status_code
        == 403
    )
    assert client.get("/deals/events/forum/meetings").status_code == 403


def test_the_database_refuses_impossible_outcomes(dbs: Session, fair: Fair) -> None:
    from sqlalchemy.exc import IntegrityError

    meeting, steppe = fair.meetings[("steppe", "cq")], fair.parts["steppe"]
    bad = [
        {"stage": "tentative", "amount": Decimal(-1), "currency": "CNY"},
        {"stage": "tentative", "amount": None, "currency": None},
        {"stage": "no_interest", "amount": Decimal(5), "currency": "CNY"},
        {"stage": "won", "amount": None, "currency": None},
    ]
    for values in bad:
        nested = dbs.begin_nested()
        dbs.add(Outcome(meeting_id=meeting.id, participation_id=steppe.id, **values))
        with pytest.raises(IntegrityError):
            dbs.flush()
        nested.rollback()
    report(dbs, fair, ("steppe", "cq"), "steppe")
    nested = dbs.begin_nested()
    dbs.add(Outcome(meeting_id=meeting.id, participation_id=steppe.id, stage="follow_up"))
    with pytest.raises(IntegrityError):  # one outcome per meeting and company
        dbs.flush()
    nested.rollback()
