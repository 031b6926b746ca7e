"""An outcome filled in with no network is sent later with the version its form was opened
with: refused (409) if the meeting was moved or the outcome changed meanwhile, saved otherwise."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Outcome
from tests.conftest import csrf_from
from tests.functional.deals_helpers import PASSWORD, Fair, make_fair, report
from tests.functional.helpers import login

pytestmark = pytest.mark.dates

JSON = {"Accept": "application/json"}


@pytest.fixture
def fair(dbs: Session) -> Fair:
    return make_fair(dbs, {"steppe": "KZ", "cq": "CN"}, [("steppe", "cq")])


def url(fair: Fair) -> str:
    return f"/deals/meetings/{fair.meetings[('steppe', 'cq')].id}/outcome"


def opened(client: FlaskClient, fair: Fair) -> dict[str, str]:
    """The form's fields as the phone keeps them when it is filled in offline."""
    page = client.get(url(fair)).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', page)
    assert version is not None, "the form carries the version it was opened with"
    return {
        "stage": "signed",
        "amount": "2500000",
        "currency": "KZT",
        "sector": "",
        "product": "combine harvesters",
        "note": "entered offline",
        "version": version.group(1),
        "csrf_token": csrf_from(page),
    }


def stored(dbs: Session) -> tuple[str, Decimal | None] | None:
    dbs.expire_all()
    outcome = dbs.scalar(select(Outcome))
    return None if outcome is None else (outcome.stage, outcome.amount)


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "html"])
def test_an_entry_on_the_current_version_is_saved(
    client: FlaskClient, dbs: Session, fair: Fair, as_json: bool
) -> None:
    login(client, "steppe@forum.example", PASSWORD)
    fields = opened(client, fair)
    response = client.post(url(fair), data=fields, headers=JSON if as_json else {})
    if as_json:
        assert response.status_code == 200
        assert response.get_json()["ok"] is True
    else:
        assert response.status_code == 302
    assert stored(dbs) == ("signed", Decimal("2500000.00"))
    # The same queued entry sent twice (the answer was lost) is accepted, not refused.
    again = client.post(url(fair), data=fields, headers=JSON)
    assert again.status_code == 200


def test_an_entry_on_an_outcome_changed_meanwhile_is_refused(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    login(client, "steppe@forum.example", PASSWORD)
    fields = opened(client, fair)
    report(dbs, fair, ("steppe", "cq"), "steppe", stage="tentative", amount="10")  # elsewhere
    response = client.post(url(fair), data=fields, headers=JSON)
    assert response.status_code == 409
    answer = response.get_json()
    assert answer["ok"] is False and "changed by someone else" in answer["message"]
    assert stored(dbs) == ("tentative", Decimal("10.00"))  # never overwritten

    page = client.post(url(fair), data=fields)
    assert page.status_code == 409
    assert "changed by someone else" in page.get_data(as_text=True)
    assert stored(dbs) == ("tentative", Decimal("10.00"))


def test_an_entry_on_a_meeting_moved_meanwhile_is_refused(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    login(client, "steppe@forum.example", PASSWORD)
    fields = opened(client, fair)
    fair.meetings[("steppe", "cq")].sequence += 1  # what an organiser's move does
    dbs.flush()
    response = client.post(url(fair), data=fields, headers=JSON)
    assert response.status_code == 409
    assert stored(dbs) is None


def test_a_queued_entry_with_a_bad_field_names_it(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    login(client, "steppe@forum.example", PASSWORD)
    fields = opened(client, fair) | {"amount": "-5"}
    response = client.post(url(fair), data=fields, headers=JSON)
    assert response.status_code == 422
    assert response.get_json()["field"] == "amount"
    assert stored(dbs) is None
