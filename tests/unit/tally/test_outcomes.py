"""Conflict rules: which report counts when the two companies disagree."""

from __future__ import annotations

from decimal import Decimal

import pytest

from matchmaking.tally.outcomes import MeetingReports, Report, resolve


def deal(amount: str, stage: str = "tentative", currency: str = "CNY") -> Report:
    value = Decimal(amount)
    return Report(stage, value, currency, value, value / 8, "nev")


NONE = Report("no_interest")
KEYS = {"zone": "z", "country": "KZ", "day": "2025-05-28"}


def meeting(buyer: Report | None, supplier: Report | None) -> MeetingReports:
    return MeetingReports(1, 10, 20, buyer, supplier, KEYS)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param("lower", Decimal(100), id="lower"),
        pytest.param("higher", Decimal(300), id="higher"),
        pytest.param("buyer", Decimal(300), id="buyer"),
        pytest.param("supplier", Decimal(100), id="supplier"),
    ],
)
def test_rules_pick_a_value(rule: str, expected: Decimal) -> None:
    result = resolve(meeting(deal("300"), deal("100")), rule)
    assert result.conflict
    assert result.deal is not None and result.deal.value_cny == expected
    assert result.deal.companies == frozenset({10, 20})


def test_lower_treats_no_interest_as_zero() -> None:
    result = resolve(meeting(deal("300"), NONE), "lower")
    assert result.conflict and result.deal is None
    assert resolve(meeting(deal("300"), NONE), "higher").deal is not None


def test_one_report_counts_alone_without_conflict() -> None:
    result = resolve(meeting(None, deal("50", "signed")), "buyer")
    assert not result.conflict
    assert result.deal is not None and result.deal.keys["stage"] == "signed"


def test_agreeing_reports_are_no_conflict() -> None:
    assert not resolve(meeting(deal("5"), deal("5")), "lower").conflict


def test_missing_rate_is_flagged_not_counted() -> None:
    no_rate = Report("signed", Decimal(5), "XAF", None, None, "nev")
    result = resolve(meeting(no_rate, deal("1")), "lower")
    assert result.rate_missing and result.deal is None
    assert resolve(meeting(no_rate, deal("1")), "supplier").deal is not None
