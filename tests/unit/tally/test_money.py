"""Exact conversion and the one rounding step (largest remainder to the fen)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchmaking.tally.money import FEN, apportion, convert, exact_sum, to_fen

amounts = st.decimals(min_value=0, max_value=Decimal("9999999999999999.99"), places=2)
rates = st.decimals(min_value=Decimal("0.0000000001"), max_value=Decimal("9999999999"), places=10)
exact_values = st.decimals(min_value=0, max_value=Decimal("1e12"), places=12)


@given(amounts, rates)
def test_conversion_is_exact(amount: Decimal, rate: Decimal) -> None:
    assert Fraction(convert(amount, rate)) == Fraction(amount) * Fraction(rate)


@given(st.lists(exact_values, max_size=30))
def test_apportioned_parts_add_up_to_the_rounded_total(parts: list[Decimal]) -> None:
    rounded = apportion(parts)
    assert sum(rounded, Decimal(0)) == (to_fen(exact_sum(parts)) if parts else 0)
    for exact, shown in zip(parts, rounded, strict=True):
        assert shown == shown.quantize(FEN)
        assert abs(shown - exact) < FEN


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("0.005", "0.00", id="half-to-even-down"),
        pytest.param("0.015", "0.02", id="half-to-even-up"),
        pytest.param("0.0151", "0.02", id="above-half"),
        pytest.param("123456789.125", "123456789.12", id="large"),
    ],
)
def test_to_fen_rounds_half_even(value: str, expected: str) -> None:
    assert to_fen(Decimal(value)) == Decimal(expected)


def test_apportion_breaks_ties_by_order() -> None:
    assert apportion([Decimal("0.005"), Decimal("0.005"), Decimal("0.005")]) == [
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.00"),
    ]
