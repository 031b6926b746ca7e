"""The organisers' tally: conversion, conflicts and the counting rule, rates, memoranda, CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking.models import ExchangeRate, Memorandum
from matchmaking.services.rates import RateInput, set_exchange_rate
from matchmaking.services.tally import compute_tally
from tests.conftest import get_csrf
from tests.functional.deals_helpers import Fair, make_fair, report
from tests.functional.helpers import login

pytestmark = pytest.mark.dates

COMPANIES = {"kz1": "KZ", "kz2": "KZ", "ru1": "RU", "ru2": "RU", "uz1": "UZ",
             "cq1": "CN", "cq2": "CN"}  # fmt: skip
PAIRS = [("kz1", "cq1"), ("kz2", "cq2"), ("kz1", "cq2"), ("ru1", "cq1"), ("ru2", "cq2"),
         ("uz1", "cq1")]  # fmt: skip
DASHBOARD = "/deals/events/forum/"


def rate(
    dbs: Session, fair: Fair, currency: str, to_cny: str, to_usd: str, days: int = -10
) -> None:
    set_exchange_rate(
        dbs,
        fair.event,
        RateInput(
            currency, fair.event.start_date + timedelta(days=days), Decimal(to_cny),
            Decimal(to_usd),
        ),
        fair.organiser,
    )  # fmt: skip


@pytest.fixture
def fair(dbs: Session) -> Fair:
    fair = make_fair(dbs, COMPANIES, PAIRS)
    rate(dbs, fair, "CNY", "1", "0.14")
    rate(dbs, fair, "USD", "7.1", "1")
    rate(dbs, fair, "KZT", "0.0145", "0.002")
    rate(dbs, fair, "KZT", "0.02", "0.003", days=5)  # valid after the event: never used
    report(dbs, fair, ("kz1", "cq1"), "kz1", amount="1000")
    report(dbs, fair, ("kz2", "cq2"), "cq2", amount="200", currency="USD", stage="signed")
    report(dbs, fair, ("kz1", "cq2"), "kz1", amount="500000", currency="KZT")
    report(dbs, fair, ("ru1", "cq1"), "ru1", amount="3000")
    report(dbs, fair, ("ru2", "cq2"), "ru2", amount="300")
    report(dbs, fair, ("uz1", "cq1"), "uz1", amount="50")
    return fair


@pytest.fixture
def organiser(client: FlaskClient, fair: Fair) -> FlaskClient:
    login(client, "org@forum.example", "organiser-password")
    return client


def test_totals_convert_exactly_with_the_rate_of_the_meeting_day(dbs: Session, fair: Fair) -> None:
    view = compute_tally(dbs, fair.event)
    # 1000 + 200*7.1 + 500000*0.0145 + 3000 + 300 + 50 CNY
    assert view.total.value_cny == Decimal("13020.00")
    # 1000*0.14 + 200 + 500000*0.002 + 3350*0.14
    assert view.total.value_usd == Decimal("1809.00")
    assert view.total.deals == 6 and view.total.companies == 7
    for figures in view.groups.values():
        assert sum(f.value_cny for f in figures) == view.total.value_cny
        assert sum(f.value_usd for f in figures) == view.total.value_usd
    stages = {f.key: f.value_cny for f in view.groups["stage"]}
    assert stages == {"signed": Decimal("1420.00"), "tentative": Decimal("11600.00")}


def test_dashboard_shows_totals_groups_and_chart(organiser: FlaskClient, fair: Fair) -> None:
    html = organiser.get(DASHBOARD).get_data(as_text=True)
    assert "CN¥13,020" in html and "$1,809" in html
    assert 'id="meetings-held">6<' in html
    assert html.count("<svg") == 6  # cumulative chart and one bar chart per dimension
    assert "Uzbekistan" in html  # organisers see every group, folded or not


@pytest.mark.parametrize("locale", ["zh", "ru", "en"])
def test_each_bar_chart_names_its_groups_as_its_table_does(
    organiser: FlaskClient, fair: Fair, locale: str
) -> None:
    """The sector chart once showed sector codes ("agrimachinery") over a table of names."""
    organiser.get(f"/language/{locale}")
    html = organiser.get(DASHBOARD).get_data(as_text=True)
    for dimension in ("sector", "zone", "country"):
        before, table = html.split(f'data-dimension="{dimension}"', 1)
        chart = before.rsplit("<svg", 1)[1]
        bars = re.findall(
            r'<text x="0" y="\d+" font-size="12" fill="#1d2733">([^<]*)</text>', chart
        )
        rows = re.findall(r"<tr><td>([^<]*)</td>", table.split("</table>", 1)[0])
        assert len(bars) == len(rows) > 0, dimension
        for bar, row in zip(bars, rows, strict=True):  # long names cut short in the chart
            assert row == bar or (bar.endswith("…") and row.startswith(bar[:-1])), dimension


def test_zones_are_named_in_the_reader_s_language_on_the_dashboard(
    organiser: FlaskClient, dbs: Session, fair: Fair
) -> None:
    for zone in fair.event.zones:
        zone.translations = {"zh": f"{zone.code}洽谈区", "ru": f"Зона {zone.code}"}
    dbs.flush()
    organiser.get("/language/zh")
    html = organiser.get(DASHBOARD).get_data(as_text=True)
    table = html.split('data-dimension="zone"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>([^<]*)</td>", table)
    assert rows and all(row.endswith("洽谈区") for row in rows), rows
    organiser.get("/language/ru")
    html = organiser.get(DASHBOARD).get_data(as_text=True)
    table = html.split('data-dimension="zone"', 1)[1].split("</table>", 1)[0]
    assert all(r.startswith("Зона ") for r in re.findall(r"<tr><td>([^<]*)</td>", table))


@pytest.mark.parametrize(
    ("locale", "cny", "usd", "kzt_rate"),
    [
        ("en", "CN¥13,020", "$1,809", "0.0145"),
        ("zh", "¥13,020", "US$1,809", "0.0145"),
        ("ru", "13\xa0020\xa0CN¥", "1\xa0809\xa0$", "0,0145"),
    ],
)
def test_figures_are_written_the_readers_way(
    organiser: FlaskClient, fair: Fair, locale: str, cny: str, usd: str, kzt_rate: str
) -> None:
    organiser.get(f"/language/{locale}")
    html = organiser.get(DASHBOARD).get_data(as_text=True)
    assert f'id="total-cny">{cny}<' in html and f'id="total-usd">{usd}<' in html
    assert "13020" not in html and "13,020.00" not in html
    rates = organiser.get(RATES).get_data(as_text=True)
    assert f"<td>{kzt_rate}</td>" in rates  # the exchange rate, not 0.0145000000 or 1.45E-2


def test_conflicts_are_shown_and_the_chosen_rule_counts(
    organiser: FlaskClient, dbs: Session, fair: Fair
) -> None:
    report(dbs, fair, ("ru2", "cq2"), "cq2", amount="100")
    html = organiser.get(DASHBOARD).get_data(as_text=True)
    assert 'id="conflicts"' in html and "Ru2 Trading" in html
    assert "CN¥12,820" in html  # the lower value (100 instead of 300) by default
    for rule, total in (("higher", "13,020"), ("supplier", "12,820"), ("buyer", "13,020")):
        response = organiser.post(
            "/deals/events/forum/rule",
            data={"rule": rule, "csrf_token": get_csrf(organiser, DASHBOARD)},
        )
        assert response.status_code == 302
        assert f"CN¥{total}" in organiser.get(DASHBOARD).get_data(as_text=True)
    bad = organiser.post(
        "/deals/events/forum/rule",
        data={"rule": "median", "csrf_token": get_csrf(organiser, DASHBOARD)},
    )
    assert bad.status_code == 422 and 'id="rule-error"' in bad.get_data(as_text=True)


def test_a_deal_without_a_rate_is_flagged_not_counted(
    organiser: FlaskClient, dbs: Session, fair: Fair
) -> None:
    report(dbs, fair, ("uz1", "cq1"), "uz1", amount="10000000", currency="UZS")
    html = organiser.get(DASHBOARD).get_data(as_text=True)
    assert 'id="missing-rates"' in html
    assert "CN¥12,970" in html


RATES = "/deals/events/forum/rates"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"currency": "ZZZ"}, "currency", id="unknown-currency"),
        pytest.param({"to_cny": "0"}, "to_cny", id="zero-rate"),
        pytest.param({"to_cny": "-1"}, "to_cny", id="negative-rate"),
        pytest.param({"to_usd": ""}, "to_usd", id="missing-usd"),
        pytest.param({"to_cny": "abc"}, "to_cny", id="not-a-number"),
        pytest.param({"valid_from": "28/05/2025"}, "valid_from", id="bad-date"),
        pytest.param({"to_cny": "0.00000000001"}, "to_cny", id="too-many-decimals"),
    ],
)
def test_bad_rates_are_refused(
    organiser: FlaskClient, dbs: Session, fair: Fair, fields: dict[str, str], field: str
) -> None:
    before = dbs.scalar(select(func.count(ExchangeRate.id)))
    data = {"currency": "UZS", "valid_from": "2025-05-01", "to_cny": "0.00056",
            "to_usd": "0.000078", "csrf_token": get_csrf(organiser, RATES)}  # fmt: skip
    data.update(fields)
    response = organiser.post(RATES, data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert dbs.scalar(select(func.count(ExchangeRate.id))) == before


def test_a_rate_counts_the_deal_once_added(
    organiser: FlaskClient, dbs: Session, fair: Fair
) -> None:
    report(dbs, fair, ("uz1", "cq1"), "uz1", amount="10000000", currency="UZS")
    data = {"currency": "UZS", "valid_from": "2020-01-01", "to_cny": "0.00056",
            "to_usd": "0.000078", "csrf_token": get_csrf(organiser, RATES)}  # fmt: skip
    assert organiser.post(RATES, data=data).status_code == 302
    assert "CN¥18,570" in organiser.get(DASHBOARD).get_data(as_text=True)


MEMORANDA = "/deals/events/forum/memoranda"


def test_memoranda_are_recorded_and_listed(
    organiser: FlaskClient, dbs: Session, fair: Fair
) -> None:
    bad = organiser.post(
        MEMORANDA,
        data={"partner": "", "country": "XX", "signed_on": "",
              "csrf_token": get_csrf(organiser, MEMORANDA)},
    )  # fmt: skip
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    for field in ("partner", "country", "signed_on"):
        assert f'id="{field}-error"' in html
    assert dbs.scalar(select(func.count(Memorandum.id))) == 0
    good = organiser.post(
        MEMORANDA,
        data={
            "partner": "Chamber of Commerce and Industry of the Kyrgyz Republic",
            "country": "KG",
            "signed_on": fair.event.start_date.isoformat(),
            "title": "Trade missions",
            "csrf_token": get_csrf(organiser, MEMORANDA),
        },
    )
    assert good.status_code == 302
    assert "Kyrgyz Republic" in organiser.get(MEMORANDA).get_data(as_text=True)
    assert "Kyrgyz Republic" in organiser.get(DASHBOARD).get_data(as_text=True)


def test_csv_export_lists_deals_adding_up_to_the_total(organiser: FlaskClient, fair: Fair) -> None:
    response = organiser.get("/deals/events/forum/deals.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    deals = [r for r in rows if r["meeting"] and r["meeting"] != "total" and r["value_cny"]]
    assert len(deals) == 6
    assert sum(Decimal(r["value_cny"]) for r in deals) == Decimal("13020.00")
    assert {r["buyer"] for r in deals} >= {"Kz1 Trading", "Uz1 Trading"}
