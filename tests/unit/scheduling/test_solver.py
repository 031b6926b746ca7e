"""solve on small hand-made instances and on the published B2B instances."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.b2b import ORIGINAL, PUBLISHED_OPTIMA, published_paths, read_dzn
from matchmaking.scheduling import parse_instance, solve

from .builders import changed, instance
from .checker import breaks, violations


def solved(data: dict[str, Any], seconds: float = 1.0) -> dict[str, Any]:
    schedule = solve(parse_instance(data), time_limit=seconds).to_dict()
    assert violations(data, schedule) == []
    return schedule


def pairs(schedule: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m["buyer"], m["supplier"]) for m in schedule["meetings"]}


def test_empty_instance() -> None:
    schedule = solved(instance(pairs=[]))
    assert schedule["meetings"] == []
    assert schedule["statistics"]["status"] == "optimal"


def test_everything_fits() -> None:
    schedule = solved(instance())
    assert pairs(schedule) == {("c0", "c1"), ("c2", "c3"), ("c0", "c3")}
    assert schedule["statistics"]["breaks"] == 0


def test_must_beats_score() -> None:
    # c0 can meet once: the must pair wins although its score is lower.
    data = instance(pairs=[(0, 1), (0, 2)])
    data["companies"][0]["max_meetings"] = 1
    data["candidates"][0].update({"score": 9.0})
    data["candidates"][1].update({"score": 0.5, "must": True})
    assert pairs(solved(data)) == {("c0", "c2")}


def test_higher_score_wins_a_conflict() -> None:
    data = instance(pairs=[(0, 1), (0, 2)], per_day=1)
    data["candidates"][1]["score"] = 2.0
    assert pairs(solved(data)) == {("c0", "c2")}


def test_tables_limit_meetings_per_slot() -> None:
    data = instance(companies=6, pairs=[(0, 1), (2, 3), (4, 5)], per_day=1, tables=2)
    schedule = solved(data)
    assert len(schedule["meetings"]) == 2
    assert sorted(m["table"] for m in schedule["meetings"]) == [1, 2]
    assert len(schedule["unscheduled"]) == 1


def test_availability_and_candidate_slots() -> None:
    data = instance(pairs=[(0, 1), (0, 2)], per_day=4)
    data["companies"][1]["available"] = ["d1-03"]
    data["candidates"][1]["slots"] = ["d1-02"]
    schedule = solved(data)
    where = {(m["buyer"], m["supplier"]): m["slot"] for m in schedule["meetings"]}
    assert where == {("c0", "c1"): "d1-03", ("c0", "c2"): "d1-02"}
    assert schedule["statistics"]["breaks"] == 0


def test_breaks_avoided_when_possible() -> None:
    # c0 meets four companies in four slots: any order is break-free only when contiguous.
    data = instance(companies=5, pairs=[(0, 1), (0, 2), (0, 3), (0, 4)], per_day=8)
    data["companies"][3]["available"] = ["d1-05"]
    schedule = solved(data)
    assert len(schedule["meetings"]) == 4
    assert schedule["statistics"]["breaks"] == breaks(data, schedule) == 0


def test_fixed_meetings_kept_and_counted() -> None:
    data = instance(pairs=[(0, 1), (0, 2), (0, 3)], per_day=3, tables=1)
    data["companies"][0]["max_meetings"] = 2
    data["fixed"] = [{"buyer": "c0", "supplier": "c3", "slot": "d1-01", "zone": "z", "table": 1}]
    schedule = solved(data)
    assert data["fixed"][0] in schedule["meetings"]
    assert len(schedule["meetings"]) == 2


def test_breaks_counted_per_day() -> None:
    data = instance(pairs=[(0, 1), (0, 2)], per_day=2, days=2)
    data["candidates"][0]["slots"] = ["d1-01"]
    data["candidates"][1]["slots"] = ["d2-00"]
    # Last slot of day 1, first of day 2: no break (breaks never span days).
    assert solved(data)["statistics"]["breaks"] == 0


def test_tiny_time_limit_still_valid() -> None:
    data = instance(companies=8, pairs=[(a, b) for a in range(4) for b in range(4, 8)], per_day=5)
    schedule = solved(data, seconds=0.01)
    assert schedule["statistics"]["must_scheduled"] == 0


def test_zero_capacity_company() -> None:
    data = changed(instance(), "companies[0].max_meetings", 0)
    assert pairs(solved(data)) == {("c2", "c3")}


PUBLISHED = published_paths()
# The published files sit beside the project (``../shared``), not in it.
needs_published = pytest.mark.skipif(
    not ORIGINAL.is_dir(), reason=f"published B2B instances not found at {ORIGINAL}"
)


@needs_published
def test_twenty_published_instances_found() -> None:
    assert {p.name.split(".")[0] for p in PUBLISHED} == set(PUBLISHED_OPTIMA)


@pytest.mark.parametrize("path", PUBLISHED, ids=[p.name.split(".")[0] for p in PUBLISHED])
def test_published_instance_schedules_every_meeting(path: Any) -> None:
    data = read_dzn(path)
    schedule = solved(data, seconds=2.0)
    assert len(schedule["meetings"]) == len(data["candidates"])
    assert schedule["statistics"]["breaks"] >= PUBLISHED_OPTIMA[path.name.split(".")[0]]


@needs_published
def test_published_conversion() -> None:
    data = read_dzn(next(p for p in PUBLISHED if p.name.startswith("forum-13crafb")))
    assert len(data["slots"]) == 22 and data["zones"][0]["tables"] == 14
    # One pair is requested twice in the file and kept once.
    assert len(data["candidates"]) == 194
    assert all(c["must"] and c["score"] == 1 for c in data["candidates"])
    assert any("available" in c for c in data["companies"])
    assert all(c["buyer"] < c["supplier"] for c in data["candidates"])
