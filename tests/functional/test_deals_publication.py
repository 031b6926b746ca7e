"""Publication: snapshots, embargo, the press page, the JSON API with tokens, folding."""

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
    publish_tally,
    published_snapshot,
    refresh_tally_snapshots,
)
from tests.conftest import get_csrf
from tests.functional.deals_helpers import Fair, make_fair, report
from tests.functional.helpers import login, make_staff
from tests.functional.test_deals_tally import COMPANIES, PAIRS, rate

API = "/api/v1/events/forum/deals/totals"
PRESS = "/press/events/forum"


@pytest.fixture
def fair(dbs: Session) -> Fair:
    fair = make_fair(dbs, COMPANIES, PAIRS)
    rate(dbs, fair, "CNY", "1", "0.14")
    for pair, amount in zip(PAIRS, ("1000", "2000", "500", "3000", "300", "7777"), strict=True):
        report(dbs, fair, pair, pair[0], amount=amount)
    return fair


def publish(dbs: Session, fair: Fair, embargo_hours: float | None = None) -> None:
    embargo = utcnow() + timedelta(hours=embargo_hours) if embargo_hours is not None else None
    publish_tally(dbs, fair.event, embargo, fair.organiser, utcnow())
    dbs.flush()


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
    assert "14,577.00 CNY" in html and "<svg" in html
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    # Uzbekistan has one deal between two companies: it is folded into "Other".
    assert "Uzbekistan" not in html and "Other" in html
    for user in fair.users.values():
        assert user.company.legal_name not in html
    assert "7,777.00" not in html


def test_api_totals_add_up_and_fold_small_groups(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    publish(dbs, fair)
    body = client.get(API, query_string={"group_by": "country"}).get_json()
    assert body["event"]["slug"] == "forum" and body["currency"] == "CNY"
    assert body["total"] == {"cny": "14577.00", "usd": "2040.78", "deals": 6, "companies": 7}
    keys = [g["key"] for g in body["groups"]]
    assert "UZ" not in keys and keys[-1] == "other"
    assert all(g["companies"] >= 3 for g in body["groups"])
    assert sum(Decimal(g["cny"]) for g in body["groups"]) == Decimal(body["total"]["cny"])
    assert sum(Decimal(g["usd"]) for g in body["groups"]) == Decimal(body["total"]["usd"])
    assert sum(g["deals"] for g in body["groups"]) == 6
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
    assert published_snapshot(dbs, fair.event, later).total_cny == Decimal("14577.00")


def test_refresh_job_is_idempotent_and_picks_up_new_outcomes(dbs: Session, fair: Fair) -> None:
    publish(dbs, fair)
    first = dbs.scalar(select(TallySnapshot))
    assert first is not None
    computed = first.computed_at
    assert refresh_tally_snapshots(dbs, utcnow()) == 0
    assert dbs.scalar(select(TallySnapshot)).computed_at == computed  # type: ignore[union-attr]
    report(dbs, fair, ("kz1", "cq1"), "cq1", amount="1000", stage="signed")  # a conflict
    report(dbs, fair, ("kz1", "cq1"), "kz1", amount="1000", stage="signed")
    assert refresh_tally_snapshots(dbs, utcnow()) == 1
    snapshot = dbs.scalar(select(TallySnapshot))
    assert snapshot is not None
    assert [g.key for g in snapshot.groups_by("stage")] in (["tentative", "other"], ["other"])
    assert refresh_tally_snapshots(dbs, utcnow()) == 0


def test_fewer_than_three_companies_publish_only_a_notice(
    client: FlaskClient, dbs: Session
) -> None:
    fair = make_fair(dbs, {"kz": "KZ", "cq": "CN"}, [("kz", "cq")], slug="small")
    rate(dbs, fair, "CNY", "1", "0.14")
    report(dbs, fair, ("kz", "cq"), "kz", amount="123456")
    publish(dbs, fair)
    body = client.get("/api/v1/events/small/deals/totals?group_by=zone").get_json()
    assert body["total"] is None and body["groups"] == [] and body["notice"]
    html = client.get("/press/events/small").get_data(as_text=True)
    assert "123,456" not in html and "Fewer than three companies" in html
    lines = client.get("/press/events/small/totals.csv").get_data(as_text=True).splitlines()
    assert len(lines) == 1  # the header only


def test_press_csv_holds_the_published_figures(
    client: FlaskClient, dbs: Session, fair: Fair
) -> None:
    publish(dbs, fair)
    response = client.get(PRESS + "/totals.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["dimension"] == "total" and rows[0]["value_cny"] == "14577.00"
    for dimension in ("zone", "country", "sector", "day", "stage"):
        group = [r for r in rows if r["dimension"] == dimension]
        assert sum(Decimal(r["value_cny"]) for r in group) == Decimal("14577.00")
        assert all(int(r["companies"]) >= 3 for r in group)


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
