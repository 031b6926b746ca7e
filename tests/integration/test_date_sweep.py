"""The date sweep: MATCHMAKING_TEST_NOW moves the whole session's clock, or says why it cannot."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import TEST_NOW_VARIABLE, sweep_instant


@pytest.mark.dates
def test_the_clock_reads_the_instant_asked_for() -> None:
    instant = sweep_instant()
    if instant is None:
        pytest.skip(f"{TEST_NOW_VARIABLE} is not set")
    now = datetime.now(UTC)
    assert instant <= now < instant + timedelta(hours=1)  # it ticks on from there
    assert abs(date.today() - now.date()) <= timedelta(days=1)  # local date, any zone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("2028-02-29T23:30:00+00:00", datetime(2028, 2, 29, 23, 30, tzinfo=UTC)),
        ("2027-12-31T23:30:00+08:00", datetime(2027, 12, 31, 15, 30, tzinfo=UTC)),
    ],
    ids=["unset", "utc", "offset"],
)
def test_the_instant_is_read_with_its_offset(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: datetime | None
) -> None:
    monkeypatch.setenv(TEST_NOW_VARIABLE, value)
    assert sweep_instant() == expected


@pytest.mark.parametrize(
    "value", ["2028-02-30T09:30:00+00:00", "tomorrow", "2028-02-29T09:30:00"], ids=repr
)
def test_a_bad_instant_stops_the_run_with_a_message(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(TEST_NOW_VARIABLE, value)
    with pytest.raises(pytest.UsageError, match=TEST_NOW_VARIABLE):
        sweep_instant()
