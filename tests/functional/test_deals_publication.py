"""Publication: snapshots, embargo, the press page, the JSON API with tokens, folding.

Public figures protect single companies: a published group holds deals of three buyers and
three suppliers, and a new snapshot is published only when subtracting the previous one
cannot single out a deal.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import ApiToken, TallySnapshot
from matchmaking.models.types import utcnow
from matchmaking.services.api_tokens import create_token, hash_token, revoke_token
from matchmaking.services.tally import (
    get_snapshot,
    publish_tally,
    published_snapshot,
    refresh_tally_snapshots,
)
from matchmaking.tally.outcomes import DIMENSIONS
from tests.conftest import get_csrf
from tests.functional.deals_helpers import Fair, make_fair, report
from tests.functional.helpers import login, make_staff
from tests.functional.test_deals_tally import rate

pytestmark = pytest.mark.dates

API = "/api/v1/events/forum/deals/totals"
PRESS = "/press/events/forum"
# Three Kazakh and three Russian buyers with three suppliers; one Uzbek buyer with the same
# three suppliers (passed the old rule, which counted buyers and suppliers together).
COMPANIES = {"kz1": "KZ", "kz2": "KZ", "kz3": "KZ", "ru1": "RU", "ru2": "RU", "ru3": "RU",
             "uz1": "UZ", "cq1": "CN", "cq2": "CN", "cq3": "CN"}  # fmt: skip
PAIRS = [("kz1", "cq1"), ("kz2", "cq2"), ("kz3", "cq3"), ("ru1", "cq1"), ("ru2", "cq2"),
         ("ru3", "cq3"), ("uz1", "cq1"), ("uz1", "cq2"), ("uz1", "cq3")]  # fmt: skip
AMOUNTS = ("1000", "2000", "500", "3000", "300", "400", "7777", "100", "200")
UNREPORTED = [("kz1", "cq2"), ("kz1", "cq3"), ("ru1", "cq3")]  # held, no outcome yet
TOTAL = "15277.00"


@pytest.fixture
def fair(dbs: Session) -> Fair:
    fair = make_fair(dbs, COMPANIES, PAIRS + UNREPORTED)
    rate(dbs, fair, "CNY", "1", "0.14")
    for pair, amount in zip(PAIRS, AMOUNTS, strict=True):
        report(dbs, fair, pair, pair[0], amount=amount)
    return fair


def publish(dbs: Session, fair: Fair, embargo_hours: float | None = None) -> None:
    embargo = utcnow() + timedelta(hours=embargo_hours) if embargo_hours is not None else None
    publish_tally(dbs, fair.event, embargo, fair.organiser, utcnow())
    dbs.flush()


def public_figures(client: FlaskClient) -> dict[str, object]:
    """Everything the public reads: the press page, its CSV, the API by every grouping."""
    figures: dict[str, object] = {
        "press": client.get(PRESS).get_data(as_text=True),
        "csv": client.get(PRESS + "/totals.csv").get_data(as_text=True),
        "api": client.get(API).get_json(),
    }
    for dimension in DIMENSIONS:
        figures[dimension] = client.get(API, query_string={"group_by": dimension}).get_json()
    return figures


def test_nothing_is_public_until_published(client: FlaskClient, fair: Fair) -> None:
    assert client.get(PRESS).status_code == 404
    response = client.get(API)
    assert response.status_code == 404 and response.is_json
    assert "not published" in response.get_json()["message"]
    assert client.get(PRESS + "/totals.csv").status_code == 404


def test_the_organiser_publishes_from_the_dashboard(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    login(client, "org@forum.example", "organiser-password")
    token = get_csrf(client, "/deals/events/forum/")
    bad = client.post(
        "/deals/events/forum/publish", data={"embargo_until": "tomorrow", "csrf_token": token}
    )
    assert bad.status_code == 422 and 'id="embargo_until-error"' in bad.get_data(as_text=True)
    assert client.post("/deals/events/forum/publish", data={"csrf_token": token}).status_code == 302
    assert dbs.scalar(select(TallySnapshot)) is not None
    assert client.get(PRESS).status_code == 200
    client.post("/deals/events/forum/unpublish", data={"csrf_token": token})
    assert client.get(API).status_code == 404


def test_press_page_shows_published_groups_only(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    publish(dbs, fair)
    response = client.get(PRESS)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "CN¥15,277" in html and "<svg" in html
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    # Uzbekistan's deals are one buyer's (with three suppliers): folded into "Other".
    assert "Uzbekistan" not in html and "Other" in html
    for user in fair.users.values():
        assert user.company.legal_name not in html
    assert "8,077" not in html


def test_api_totals_add_up_and_fold_small_groups(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    publish(dbs, fair)
    body = client.get(API, query_string={"group_by": "country"}).get_json()
    assert body["event"]["slug"] == "forum" and body["currency"] == "CNY"
    assert body["total"] == {"cny": TOTAL, "usd": "2138.78", "deals": 9, "companies": 10}
    # Uzbekistan alone would be one buyer; with it alone in "other", total minus Russia minus
    # Kazakhstan would be that buyer's deals, so the smaller of the two joins "other" too.
    assert [(g["key"], g["cny"]) for g in body["groups"]] == [
        ("RU", "3700.00"),
        ("other", "11577.00"),
    ]
    assert sum(Decimal(g["cny"]) for g in body["groups"]) == Decimal(body["total"]["cny"])
    assert sum(Decimal(g["usd"]) for g in body["groups"]) == Decimal(body["total"]["usd"])
    assert sum(g["deals"] for g in body["groups"]) == 9
    plain = client.get(API).get_json()
    assert plain["groups"] == [] and plain["total"] == body["total"]


def test_bad_group_by_is_a_json_400_naming_the_parameter(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    publish(dbs, fair)
    response = client.get(API, query_string={"group_by": "company"})
    assert response.status_code == 400
    assert response.get_json()["parameter"] == "group_by"
    assert "group_by" in response.get_json()["message"]
    missing = client.get("/api/v1/events/nope/deals/totals")
    assert missing.status_code == 404 and missing.get_json()["parameter"] == "slug"


def test_reporter_token_reads_the_same_snapshot(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    publish(dbs, fair)
    reporter = make_staff(dbs, role="reporter", email="press@example.org")
    row, token = create_token(dbs, reporter, "newsroom", reporter, utcnow())
    headers = {"Authorization": f"Bearer {token}"}
    with_token = client.get(API, query_string={"group_by": "zone"}, headers=headers)
    assert with_token.status_code == 200
    assert with_token.get_json() == client.get(API, query_string={"group_by": "zone"}).get_json()
    dbs.refresh(row)
    assert row.last_used_at is not None
    revoke_token(dbs, row, fair.organiser, utcnow())
    refused = client.get(API, headers=headers)
    assert refused.status_code == 401 and refused.get_json()["parameter"] == "Authorization"
    assert client.get(API, headers={"Authorization": "Bearer mmr_guess"}).status_code == 401


def test_embargo_hides_the_figures_until_its_time(
    dbs: Session, fair: Fair, client: FlaskClient
) -> None:
    publish(dbs, fair, embargo_hours=2)
    response = client.get(API)
    assert response.status_code == 404 and "embargo" in response.get_json()["message"]
    assert client.get(PRESS).status_code == 404
    later = utcnow() + timedelta(hours=3)
    assert published_snapshot(dbs, fair.event, later).total_cny == Decimal(TOTAL)


def test_refresh_job_is_idempotent_and_picks_up_new_outcomes(dbs: Session, fair: Fair) -> None:
    publish(dbs, fair)
    first = get_snapshot(dbs, fair.event)
    assert first is not None
    assert refresh_tally_snapshots(dbs, utcnow()) == 0
    assert get_snapshot(dbs, fair.event) == first
    # New and changed deals of three buyers and three suppliers.
    report(dbs, fair, ("kz1", "cq2"), "kz1", amount="1000", stage="signed")
    report(dbs, fair, ("ru1", "cq3"), "cq3", amount="1000", stage="signed")
    report(dbs, fair, ("uz1", "cq1"), "uz1", amount="7000")
    assert refresh_tally_snapshots(dbs, utcnow()) == 1
    second = get_snapshot(dbs, fair.event)
    assert second is not None and second.id != first.id
    assert second.total_cny == Decimal(TOTAL) + 2000 - 777
    assert refresh_tally_snapshots(dbs, utcnow()) == 0


def _one_buyer_three_suppliers(dbs: Session, fair: Fair) -> None:
    report(dbs, fair, ("kz1", "cq1"), "kz1", amount="1234")
    report(dbs, fair, ("kz1", "cq2"), "kz1", amount="50")
    report(dbs, fair, ("kz1", "cq3"), "kz1", amount="60")


def _move_to_another_zone(dbs: Session, fair: Fair) -> None:
    fair.meetings[("kz1", "cq1")].zone = fair.event.zones[1]
    dbs.flush()


ONE_DEAL_CHANGES = {
    "amount": lambda dbs, fair: report(dbs, fair, ("kz1", "cq1"), "kz1", amount="1234"),
    "stage": lambda dbs, fair: report(dbs, fair, ("kz1", "cq1"), "kz1", stage="signed"),
    "zone": _move_to_another_zone,
    "added": lambda dbs, fair: report(dbs, fair, ("kz1", "cq2"), "kz1", amount="50"),
    "withdrawn": lambda dbs, fair: report(dbs, fair, ("kz1", "cq1"), "kz1", stage="no_interest"),
    "one buyer, three suppliers": _one_buyer_three_suppliers,
}


@pytest.mark.parametrize("change", list(ONE_DEAL_CHANGES))
def test_a_change_of_one_company_leaves_the_public_figures_alone(
    client: FlaskClient, dbs: Session, fair: Fair, change: str
) -> None:
    # The differencing attack: subtracting the figures before from those after would give
    # one company's deal (its value, zone, country, stage).
    publish(dbs, fair)
    before = public_figures(client)
    shown = get_snapshot(dbs, fair.event)
    ONE_DEAL_CHANGES[change](dbs, fair)
    assert refresh_tally_snapshots(dbs, utcnow()) == 0
    assert public_figures(client) == before
    assert get_snapshot(dbs, fair.event) == shown  # and its time


def test_the_organiser_dashboard_stays_live_while_the_public_figures_wait(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    publish(dbs, fair)
    report(dbs, fair, ("kz1", "cq1"), "kz1", amount="1234")
    refresh_tally_snapshots(dbs, utcnow())
    login(client, "org@forum.example", "organiser-password")
    html = client.get("/deals/events/forum/").get_data(as_text=True)
    assert "15,511" in html  # 15,277 + 234, live
    assert 'id="publication-pending"' in html
    assert client.get(API).get_json()["total"]["cny"] == TOTAL


def test_changes_of_three_buyers_and_suppliers_publish_figures_no_deal_can_be_read_from(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    publish(dbs, fair)
    before = public_figures(client)
    # Three buyers (kz1, ru2, uz1) and three suppliers, each deal up by a different power of
    # two, so that any difference of published figures tells which deals it holds.
    report(dbs, fair, ("kz1", "cq1"), "kz1", amount="1100")  # +100
    report(dbs, fair, ("ru2", "cq2"), "ru2", amount="500")  # +200
    report(dbs, fair, ("uz1", "cq3"), "uz1", amount="600")  # +400
    assert refresh_tally_snapshots(dbs, utcnow()) == 1
    after = public_figures(client)
    assert after != before
    assert after["api"]["total"]["cny"] == "15977.00"  # type: ignore[index]
    # Every difference an observer can take between the same figure in the two publications
    # holds all three changes (+700) or none of them.
    for dimension in DIMENSIONS:
        old = {g["key"]: Decimal(g["cny"]) for g in before[dimension]["groups"]}  # type: ignore[index]
        new = {g["key"]: Decimal(g["cny"]) for g in after[dimension]["groups"]}  # type: ignore[index]
        named = (old.keys() & new.keys()) - {"other"}
        assert all(new[k] - old[k] in (0, 700) for k in named), (dimension, old, new)
        rest = sum(new.values()) - sum(old.values()) - sum(new[k] - old[k] for k in named)
        assert rest in (0, 700), (dimension, old, new)
    # Russia's only change is one deal's: Russia is no longer shown on its own.
    assert "RU" not in [g["key"] for g in after["country"]["groups"]]  # type: ignore[index]


def test_changes_undone_cannot_be_subtracted_from_an_older_publication(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    publish(dbs, fair)
    first = public_figures(client)
    for pair, amount in ((("kz1", "cq1"), "1100"), (("ru2", "cq2"), "500"),
                         (("kz3", "cq3"), "900")):  # fmt: skip
        report(dbs, fair, pair, pair[0], amount=amount)
    assert refresh_tally_snapshots(dbs, utcnow()) == 1
    second = public_figures(client)
    # Back to the first figures, except for one deal: against the first publication, only
    # that deal changed.
    for pair, amount in ((("kz1", "cq1"), "1000"), (("ru2", "cq2"), "300"),
                         (("kz3", "cq3"), "500"), (("uz1", "cq2"), "150")):  # fmt: skip
        report(dbs, fair, pair, pair[0], amount=amount)
    assert refresh_tally_snapshots(dbs, utcnow()) == 0
    assert public_figures(client) == second != first


def test_republishing_after_a_withdrawal_keeps_the_figures_the_public_saw(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    publish(dbs, fair)
    before = public_figures(client)
    login(client, "org@forum.example", "organiser-password")
    token = get_csrf(client, "/deals/events/forum/")
    client.post("/deals/events/forum/unpublish", data={"csrf_token": token})
    assert client.get(API).status_code == 404
    report(dbs, fair, ("kz1", "cq1"), "kz1", amount="1234")
    response = client.post(
        "/deals/events/forum/publish", data={"csrf_token": token}, follow_redirects=True
    )
    assert "published with its earlier figures" in response.get_data(as_text=True)
    assert public_figures(client)["api"] == before["api"]


def test_one_supplier_with_many_buyers_publishes_only_a_notice(
    client: FlaskClient, dbs: Session
) -> None:
    companies = {"kz": "KZ", "ru": "RU", "uz": "UZ", "cq": "CN"}
    pairs = [("kz", "cq"), ("ru", "cq"), ("uz", "cq")]
    fair = make_fair(dbs, companies, pairs, slug="small")
    rate(dbs, fair, "CNY", "1", "0.14")
    for pair in pairs:
        report(dbs, fair, pair, pair[0], amount="123456")
    publish(dbs, fair)
    body = client.get("/api/v1/events/small/deals/totals?group_by=zone").get_json()
    assert body["total"] is None and body["groups"] == [] and body["notice"]
    html = client.get("/press/events/small").get_data(as_text=True)
    assert "123,456" not in html and "370,368" not in html
    assert "fewer than three buyers or three suppliers" in html
    lines = client.get("/press/events/small/totals.csv").get_data(as_text=True).splitlines()
    assert len(lines) == 1  # the header only


def test_press_csv_holds_the_published_figures(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    publish(dbs, fair)
    response = client.get(PRESS + "/totals.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["dimension"] == "total" and rows[0]["value_cny"] == TOTAL
    for dimension in ("zone", "country", "sector", "day", "stage"):
        group = [r for r in rows if r["dimension"] == dimension]
        assert sum(Decimal(r["value_cny"]) for r in group) == Decimal(TOTAL)
        assert all(int(r["companies"]) >= 6 for r in group)  # three buyers, three suppliers


@pytest.mark.parametrize(
    "name", ["=1+2", "\t=1+2", "\r=1+2"], ids=["equals", "tab", "carriage-return"]
)
def test_press_csv_shows_formula_like_labels_as_text(
    client: FlaskClient, dbs: Session, fair: Fair, name: str
) -> None:
    for zone in fair.event.zones:
        zone.name = name
    dbs.flush()
    publish(dbs, fair)
    body = client.get(PRESS + "/totals.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["label"] for r in rows if r["dimension"] == "zone"} == {"'" + name}


def test_reporter_manages_own_tokens_shown_once(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    reporter = make_staff(dbs, role="reporter", email="press@example.org", password="reporter-pw-1")
    other = make_staff(dbs, role="reporter", email="other@example.org")
    _row, _token = create_token(dbs, other, "theirs", other, utcnow())
    login(client, "press@example.org", "reporter-pw-1")
    bad = client.post(
        "/deals/tokens", data={"name": "", "csrf_token": get_csrf(client, "/deals/tokens")}
    )
    assert bad.status_code == 422 and 'id="name-error"' in bad.get_data(as_text=True)
    response = client.post(
        "/deals/tokens", data={"name": "laptop", "csrf_token": get_csrf(client, "/deals/tokens")}
    )
    html = response.get_data(as_text=True)
    token = html.split('id="new-token">')[1].split("<")[0]
    row = dbs.scalar(select(ApiToken).where(ApiToken.user_id == reporter.id))
    assert row is not None and row.token_hash == hash_token(token) and token not in row.token_hash
    assert token not in client.get("/deals/tokens").get_data(as_text=True)  # shown once
    theirs = dbs.scalar(select(ApiToken).where(ApiToken.user_id == other.id))
    assert theirs is not None
    csrf = get_csrf(client, "/deals/tokens")
    assert (
        client.post(f"/deals/tokens/{theirs.id}/revoke", data={"csrf_token": csrf}).status_code
        == 404
    )
    assert (
        client.post(f"/deals/tokens/{row.id}/revoke", data={"csrf_token": csrf}).status_code == 302
    )
    dbs.refresh(row)
    assert row.revoked_at is not None


def test_organiser_creates_reporters_and_their_tokens(
    client: FlaskClient, dbs: Session, fair: Fair, outbox: object
) -> None:
    login(client, "org@forum.example", "organiser-password")
    bad = client.post(
        "/deals/reporters",
        data={"full_name": "Li Wei", "email": "not-an-address",
              "csrf_token": get_csrf(client, "/deals/reporters")},
    )  # fmt: skip
    assert bad.status_code == 422 and 'id="email-error"' in bad.get_data(as_text=True)
    response = client.post(
        "/deals/reporters",
        data={"full_name": "Li Wei", "email": "li@news.example",
              "csrf_token": get_csrf(client, "/deals/reporters")},
    )  # fmt: skip
    assert response.status_code == 302
    page = response.headers["Location"]
    created = client.post(page, data={"name": "desk", "csrf_token": get_csrf(client, page)})
    assert 'id="new-token">mmr_' in created.get_data(as_text=True)


def test_the_api_is_rate_limited_with_a_json_429(
    app: Flask, client: FlaskClient, dbs: Session, fair: Fair, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(dbs, fair)
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    assert [client.get(API).status_code for _ in range(3)] == [200, 200, 429]
    assert "Too many" in client.get(API).get_json()["message"]
    reporter = make_staff(dbs, role="reporter", email="press@example.org")
    _row, token = create_token(dbs, reporter, "desk", reporter, utcnow())
    assert client.get(API, headers={"Authorization": f"Bearer {token}"}).status_code == 200
