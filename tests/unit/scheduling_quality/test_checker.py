"""The independent checker: one violation of each hard rule, and the command line."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks import checker

INSTANCE: dict[str, Any] = {
    "format": "matchmaking-instance/1",
    "event": {"name": "test", "timezone": "Asia/Shanghai"},
    "slots": [{"id": f"s{i}", "start": f"2025-06-12T09:{20 * i:02d}:00+08:00"} for i in range(3)],
    "zones": [{"id": "nev", "name": "NEV", "tables": 2}, {"id": "imp", "name": "Imp", "tables": 1}],
    "companies": [
        {"id": "kz", "max_meetings": 2},
        {"id": "uz", "available": ["s0", "s1"]},
        {"id": "cq1"},
        {"id": "cq2"},
        {"id": "cq3"},
    ],
    "candidates": [
        {"buyer": "kz", "supplier": "cq1", "zone": "nev", "score": 0.9, "must": True},
        {"buyer": "kz", "supplier": "cq2", "zone": "nev", "score": 0.5},
        {"buyer": "uz", "supplier": "cq1", "zone": "nev", "score": 0.4, "slots": ["s1"]},
        {"buyer": "cq3", "supplier": "uz", "zone": "imp", "score": 0.7},
        {"buyer": "kz", "supplier": "cq3", "zone": "nev", "score": 0.3},
    ],
    "fixed": [{"buyer": "cq3", "supplier": "uz", "slot": "s0", "zone": "imp", "table": 1}],
}
VALID: list[dict[str, Any]] = [
    {"buyer": "cq3", "supplier": "uz", "slot": "s0", "zone": "imp", "table": 1},
    {"buyer": "kz", "supplier": "cq1", "slot": "s0", "zone": "nev", "table": 1},
    {"buyer": "uz", "supplier": "cq1", "slot": "s1", "zone": "nev", "table": 2},
    {"buyer": "kz", "supplier": "cq2", "slot": "s1", "zone": "nev", "table": 1},
]


def meeting(buyer: str, supplier: str, slot: str, zone: str, table: int) -> dict[str, Any]:
    return {"buyer": buyer, "supplier": supplier, "slot": slot, "zone": zone, "table": table}


def add(extra: dict[str, Any]) -> Callable[[list[dict[str, Any]]], None]:
    return lambda meetings: meetings.append(extra)


def change(index: int, **fields: Any) -> Callable[[list[dict[str, Any]]], None]:
    return lambda meetings: meetings[index].update(fields)


def test_valid_schedule_has_no_violations() -> None:
    assert checker.check(INSTANCE, {"meetings": copy.deepcopy(VALID)}) == []


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (add(meeting("cq2", "cq1", "s2", "nev", 1)), "not-candidate"),
        (add(meeting("cq1", "kz", "s2", "nev", 1)), "not-candidate"),
        (change(3, zone="imp", table=1), "wrong-zone"),
        (change(2, slot="s2"), "slot-not-allowed"),
        (add(meeting("kz", "cq1", "s2", "nev", 1)), "pair-repeated"),
        (change(3, slot="s0", table=2), "double-booked"),
        (add(meeting("cq3", "uz", "s2", "imp", 1)), "company-unavailable"),
        (add(meeting("kz", "cq3", "s2", "nev", 1)), "over-cap"),
        (change(1, table=0), "table-out-of-range"),
        (change(1, table=3), "table-out-of-range"),
        (change(3, table=2), "table-clash"),
        (lambda meetings: meetings.pop(0), "fixed-missing"),
        (change(0, table=2), "fixed-missing"),
        (add(meeting("kz", "cq3", "s9", "nev", 2)), "unknown-slot"),
        (add({"buyer": "kz", "supplier": "cq3", "slot": "s2", "zone": "nev"}), "malformed"),
        (change(1, table="1"), "malformed"),
        (change(1, table=True), "malformed"),
    ],
    ids=[
        "not a candidate",
        "candidate the wrong way round",
        "wrong zone",
        "outside the candidate's slots",
        "pair meets twice",
        "company double-booked",
        "company unavailable",
        "over max_meetings",
        "table 0",
        "table above the zone's count",
        "table used twice",
        "fixed meeting dropped",
        "fixed meeting moved",
        "unknown slot",
        "missing field",
        "table as a string",
        "table as a boolean",
    ],
)
def test_each_rule_is_caught(mutate: Callable[[list[dict[str, Any]]], None], code: str) -> None:
    meetings = copy.deepcopy(VALID)
    mutate(meetings)
    violations = checker.check(INSTANCE, {"meetings": meetings})
    assert any(v.startswith(f"{code}:") for v in violations), violations


def test_missing_meetings_list() -> None:
    assert checker.check(INSTANCE, {}) == ["malformed: schedule has no 'meetings' list"]


def test_checker_imports_nothing_from_matchmaking() -> None:
    source = Path(checker.__file__).read_text(encoding="utf-8")
    assert "matchmaking." not in source.replace("matchmaking-", "")
    assert "import matchmaking" not in source


@pytest.mark.parametrize(
    ("meetings", "status"), [(VALID, 0), (VALID[1:], 1)], ids=["valid", "invalid"]
)
def test_command_line_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], meetings: list, status: int
) -> None:
    instance_file, schedule_file = tmp_path / "i.json", tmp_path / "s.json"
    instance_file.write_text(json.dumps(INSTANCE), encoding="utf-8")
    schedule_file.write_text(json.dumps({"meetings": meetings}), encoding="utf-8")
    assert checker.main([str(instance_file), str(schedule_file)]) == status
    assert ("INVALID" in capsys.readouterr().out) == bool(status)


def test_command_line_unreadable_file(tmp_path: Path) -> None:
    assert checker.main([str(tmp_path / "missing.json"), str(tmp_path / "x.json")]) == 1
