"""CSV exports: a cell that a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from matchmaking.blueprints.csv_response import csv_text, escape_formula


@pytest.mark.parametrize(
    "value",
    ["=1+2", "+1", "-1+2", "@SUM(A1)", "\t=1+2", "\r=1+2"],
    ids=["equals", "plus", "minus", "at", "tab", "carriage-return"],
)
def test_formula_starts_are_quoted(value: str) -> None:
    assert escape_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["", "Chongqing Tractor", "2027-02-03", "a=b", " =1"], ids=str)
def test_plain_text_is_unchanged(value: str) -> None:
    assert escape_formula(value) == value


def test_text_cells_are_escaped_numbers_kept() -> None:
    text = csv_text(("name", "amount"), [["=HYPERLINK(1)", Decimal("-5.00")], [], ["x", 3]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "amount"], ["'=HYPERLINK(1)", "-5.00"], [], ["x", "3"]]
