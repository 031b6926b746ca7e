"""parse_instance: valid instances load, each malformed one names its first problem."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from matchmaking.scheduling import InstanceError, parse_instance, parse_instance_file

from .builders import DELETE, changed, instance


def base() -> dict[str, Any]:
    data = instance()
    data["companies"][0].update({"available": ["d1-00", "d1-01"], "max_meetings": 2})
    data["candidates"][0].update({"must": True, "slots": ["d1-00"]})
    data["fixed"] = [{"buyer": "c2", "supplier": "c3", "slot": "d1-01", "zone": "z", "table": 1}]
    return data


def test_valid_instance_loads() -> None:
    parsed = parse_instance(base())
    assert [s.id for s in parsed.slots][:2] == ["d1-00", "d1-01"]
    assert parsed.slots[0].day == date(2025, 6, 12)
    assert parsed.companies[0].available == frozenset({"d1-00", "d1-01"})
    assert parsed.companies[0].max_meetings == 2
    assert parsed.companies[1].available is None
    assert parsed.candidates[0].must and parsed.candidates[0].slots == frozenset({"d1-00"})
    assert parsed.fixed[0].table == 1
    assert parsed.timezone == "Asia/Shanghai"


def test_day_follows_event_timezone() -> None:
    data = base()
    data["event"]["timezone"] = "America/New_York"
    # 09:00 in Shanghai is 21:00 the previous day in New York.
    assert parse_instance(data).slots[0].day == date(2025, 6, 11)


def test_integer_score_and_absent_optionals() -> None:
    data = changed(instance(), "candidates[0].score", 3)
    del data["companies"][0]["role"]
    parsed = parse_instance(data)
    assert parsed.candidates[0].score == 3.0
    assert parsed.companies[0].role == "both"
    assert parsed.fixed == ()


BAD = [
    ("not-object", None, "instance: must be an object"),
    ("format", ("format", "matchmaking-instance/2"), "format: expected 'matchmaking-instance/1'"),
    ("no-event", ("event", DELETE), "event: missing required field"),
    ("timezone", ("event.timezone", "Mars/Base"), "event.timezone: unknown time zone 'Mars/Base'"),
    ("slots-type", ("slots", {}), "slots: must be a list"),
    ("slot-id-missing", ("slots[1].id", DELETE), "slots[1].id: missing required field"),
    ("slot-id-dup", ("slots[1].id", "d1-00"), "slots[1].id: duplicate id 'd1-00'"),
    (
        "slot-start-naive",
        ("slots[2].start", "2025-06-12T09:40:00"),
        "slots[2].start: not an ISO 8601 datetime with offset",
    ),
    ("slot-start-text", ("slots[2].start", "soon"), "slots[2].start: not an ISO 8601"),
    (
        "slot-end-before",
        ("slots[0].end", "2025-06-12T08:00:00+08:00"),
        "slots[0].end: must be after start",
    ),
    (
        "slot-order",
        ("slots[1].start", "2025-06-12T08:00:00+08:00"),
        "slots[1].start: slots must be ordered by start",
    ),
    ("zone-tables-bool", ("zones[0].tables", True), "zones[0].tables: must be an integer >= 0"),
    ("zone-tables-neg", ("zones[0].tables", -1), "zones[0].tables: must be an integer >= 0"),
    ("zone-tables-float", ("zones[0].tables", 2.5), "zones[0].tables: must be an integer >= 0"),
    ("company-id-dup", ("companies[3].id", "c0"), "companies[3].id: duplicate id 'c0'"),
    ("company-id-int", ("companies[3].id", 7), "companies[3].id: must be a string"),
    ("company-id-empty", ("companies[3].id", " "), "companies[3].id: must be a non-empty string"),
    ("role", ("companies[1].role", "seller"), "companies[1].role: must be 'buyer'"),
    (
        "available-unknown",
        ("companies[0].available", ["d1-00", "x"]),
        "companies[0].available[1]: unknown slot 'x'",
    ),
    (
        "max-meetings-bool",
        ("companies[0].max_meetings", False),
        "companies[0].max_meetings: must be an integer >= 0",
    ),
    ("languages", ("companies[0].languages", "ru"), "companies[0].languages: must be a list"),
    (
        "candidate-buyer-unknown",
        ("candidates[1].buyer", "x"),
        "candidates[1].buyer: unknown company 'x'",
    ),
    (
        "candidate-supplier-missing",
        ("candidates[1].supplier", DELETE),
        "candidates[1].supplier: missing required field",
    ),
    ("candidate-self", ("candidates[1].supplier", "c2"), "candidates[1].supplier: same company"),
    ("candidate-zone", ("candidates[1].zone", "q"), "candidates[1].zone: unknown zone 'q'"),
    ("score-zero", ("candidates[0].score", 0), "candidates[0].score: must be a number > 0"),
    ("score-bool", ("candidates[0].score", True), "candidates[0].score: must be a number > 0"),
    ("score-text", ("candidates[0].score", "1"), "candidates[0].score: must be a number > 0"),
    ("score-nan", ("candidates[0].score", float("nan")), "candidates[0].score: must be a number"),
    ("must-int", ("candidates[0].must", 1), "candidates[0].must: must be true or false"),
    (
        "candidate-slot",
        ("candidates[0].slots", ["nope"]),
        "candidates[0].slots[0]: unknown slot 'nope'",
    ),
    (
        "pair-dup-reversed",
        ("candidates[1]", {"buyer": "c1", "supplier": "c0", "zone": "z", "score": 1}),
        "candidates[1]: pair 'c1'-'c0' already listed at candidates[0]",
    ),
    ("fixed-type", ("fixed", {}), "fixed: must be a list"),
    ("fixed-table-zero", ("fixed[0].table", 0), "fixed[0].table: must be an integer >= 1"),
    ("fixed-table-high", ("fixed[0].table", 3), "fixed[0].table: zone 'z' has only 2 tables"),
    ("fixed-slot", ("fixed[0].slot", "x"), "fixed[0].slot: unknown slot 'x'"),
    ("fixed-zone", ("fixed[0].zone", "x"), "fixed[0].zone: unknown zone 'x'"),
    ("fixed-not-pair", ("fixed[0].buyer", "c1"), "fixed[0]: ('c1', 'c3') is not a candidate pair"),
    ("fixed-reversed", ("fixed[0].buyer", "c3"), "fixed[0]: ('c3', 'c3') is not a candidate"),
    (
        "fixed-candidate-slot",
        ("fixed[0]", {"buyer": "c0", "supplier": "c1", "slot": "d1-01", "zone": "z", "table": 1}),
        "fixed[0].slot: not one of the candidate's slots",
    ),
    (
        "fixed-unavailable",
        ("fixed[0]", {"buyer": "c0", "supplier": "c3", "slot": "d1-02", "zone": "z", "table": 1}),
        "fixed[0]: company 'c0' is not available in slot 'd1-02'",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"), [(c, m) for _, c, m in BAD], ids=[i for i, _, _ in BAD]
)
def test_bad_instance_names_first_problem(change: tuple[str, Any] | None, message: str) -> None:
    data: Any = [] if change is None else changed(base(), *change)
    with pytest.raises(InstanceError) as caught:
        parse_instance(data)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def two_fixed(second: dict[str, Any], cap: int | None = None) -> dict[str, Any]:
    data = base()
    if cap is not None:
        data["companies"][2]["max_meetings"] = cap
    data["candidates"].append({"buyer": "c1", "supplier": "c2", "zone": "z", "score": 1})
    data["fixed"].append(second)
    return data


FIXED = [
    (
        "company-busy",
        two_fixed({"buyer": "c0", "supplier": "c3", "slot": "d1-01", "zone": "z", "table": 2}),
        "fixed[1]: company 'c3' already meets in slot 'd1-01'",
    ),
    (
        "table-taken",
        two_fixed({"buyer": "c1", "supplier": "c2", "slot": "d1-01", "zone": "z", "table": 1}),
        "fixed[1].table: table 1 in zone 'z' taken in slot 'd1-01'",
    ),
    (
        "pair-twice",
        two_fixed({"buyer": "c2", "supplier": "c3", "slot": "d1-02", "zone": "z", "table": 1}),
        "fixed[1]: pair 'c2'-'c3' already meets",
    ),
    (
        "over-cap",
        two_fixed({"buyer": "c1", "supplier": "c2", "slot": "d1-02", "zone": "z", "table": 1}, 1),
        "fixed[1]: company 'c2' exceeds max_meetings 1",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"), [(d, m) for _, d, m in FIXED], ids=[i for i, _, _ in FIXED]
)
def test_fixed_meeting_breaking_a_rule(data: dict[str, Any], message: str) -> None:
    with pytest.raises(InstanceError, match="^" + re.escape(message)):
        parse_instance(data)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match="cannot read file"):
        parse_instance_file(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(InstanceError, match=r"invalid JSON: .*line 1"):
        parse_instance_file(broken)
    nan = tmp_path / "nan.json"
    nan.write_text(json.dumps(base()).replace('"score": 1.0', '"score": NaN', 1), encoding="utf-8")
    with pytest.raises(InstanceError, match="invalid JSON"):
        parse_instance_file(nan)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(base()), encoding="utf-8")
    assert len(parse_instance_file(good).candidates) == 3
