"""The anneal (``anneal``) and the break lower bound (``problem.break_bound``): fixed
meetings and availability gaps are respected by the moves and counted by the bound."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from hypothesis import given

from matchmaking.scheduling import parse_instance
from matchmaking.scheduling.anneal import anneal
from matchmaking.scheduling.greedy import UNPLACED, greedy
from matchmaking.scheduling.problem import break_bound, build_problem
from matchmaking.scheduling.solver import _tables

from .builders import instance
from .checker import breaks, violations
from .test_properties import SETTINGS, instances


def _schedule(data: dict[str, Any], slots: list[int]) -> dict[str, Any]:
    problem = build_problem(parse_instance(data))
    meetings = [m.to_dict() for m in _tables(problem, slots)]
    return {"format": "matchmaking-schedule/1", "meetings": meetings}


def _fixed(buyer: int, supplier: int, slot: int, table: int = 1) -> dict[str, Any]:
    return {
        "buyer": f"c{buyer}",
        "supplier": f"c{supplier}",
        "slot": f"d1-{slot:02d}",
        "zone": "z",
        "table": table,
    }


@SETTINGS
@given(instances(max_companies=8, max_pairs=16))
def test_anneal_keeps_the_rules_the_pairs_and_the_fixed_meetings(data: dict[str, Any]) -> None:
    problem = build_problem(parse_instance(data))
    before = greedy(problem)
    after = anneal(problem, before, time.monotonic() + 0.2)
    assert [t == UNPLACED for t in after] == [t == UNPLACED for t in before]
    schedule = _schedule(data, after)
    assert violations(data, schedule) == []
    assert breaks(data, schedule) <= breaks(data, _schedule(data, before))


def test_anneal_closes_the_gaps_of_a_scattered_schedule() -> None:
    # c0 meets c1 at 0 and c2 at 3, c2 meets c3 at 1: c0 and c2 both wait. One table per
    # slot, so meetings can only move into empty slots or trade places.
    data = instance(companies=4, pairs=[(0, 1), (0, 2), (2, 3)], per_day=4, tables=1)
    assert breaks(data, _schedule(data, [0, 3, 1])) == 2
    problem = build_problem(parse_instance(data))
    after = anneal(problem, [0, 3, 1], time.monotonic() + 1)
    assert breaks(data, _schedule(data, after)) == 0
    assert violations(data, _schedule(data, after)) == []


def test_anneal_never_moves_into_a_gap_or_over_a_fixed_meeting() -> None:
    # c0 cannot attend slot 1 and c1 has a fixed meeting with c2 at slot 2: c0-c1 stays at 3
    # or 0, and the fixed meeting stays where it is.
    data = instance(companies=3, pairs=[(0, 1), (1, 2)], per_day=4, tables=2)
    data["companies"][0]["available"] = ["d1-00", "d1-02", "d1-03"]
    data["fixed"] = [_fixed(1, 2, 2)]
    problem = build_problem(parse_instance(data))
    after = anneal(problem, [0], time.monotonic() + 0.3)
    schedule = _schedule(data, after)
    assert violations(data, schedule) == []
    assert after == [3]  # next to the fixed meeting: c1 has no break
    assert _fixed(1, 2, 2) in schedule["meetings"]


@pytest.mark.parametrize(
    ("fixed_slots", "meetings", "bound"),
    [
        ([0, 5], 2, 1),  # two fixed meetings far apart: one break whatever happens
        ([0, 5], 6, 0),  # enough meetings to fill the day between them
        ([0, 5], 5, 1),  # one short of filling it
        ([0, 2, 5], 3, 2),
        ([], 4, 0),
    ],
    ids=["apart", "filled", "one-short", "three-apart", "none"],
)
def test_break_bound_from_fixed_meetings(fixed_slots: list[int], meetings: int, bound: int) -> None:
    # Company c0 with its fixed meetings (one partner each) and open pairs to make up
    # ``meetings``; partners are free all day, so the bound is c0's alone.
    partners = len(fixed_slots) + meetings
    data = instance(companies=1 + partners, pairs=[], per_day=6, tables=4)
    data["fixed"] = [_fixed(0, i + 1, t) for i, t in enumerate(fixed_slots)]
    opened = meetings - len(fixed_slots)
    first = len(fixed_slots) + 1
    data["candidates"] = [
        {"buyer": "c0", "supplier": f"c{first + i}", "zone": "z", "score": 1.0}
        for i in range(opened)
    ] + [
        {"buyer": "c0", "supplier": f"c{i + 1}", "zone": "z", "score": 1.0}
        for i in range(len(fixed_slots))
    ]
    problem = build_problem(parse_instance(data))
    assert break_bound(problem, range(len(problem.pairs))) == bound


def test_break_bound_counts_an_availability_gap() -> None:
    # c0 cannot attend slot 2 and has four meetings in five other slots (0, 1, 3, 4, 5):
    # no run of four, so at least one break.
    data = instance(companies=5, pairs=[(0, 1), (0, 2), (0, 3), (0, 4)], per_day=6)
    data["companies"][0]["available"] = ["d1-00", "d1-01", "d1-03", "d1-04", "d1-05"]
    problem = build_problem(parse_instance(data))
    assert break_bound(problem, range(4)) == 1


@SETTINGS
@given(instances(max_companies=6, max_pairs=8))
def test_break_bound_is_never_above_any_schedule(data: dict[str, Any]) -> None:
    # Every assignment of the open pairs placing them all, by brute force on small cases.
    problem = build_problem(parse_instance(data))
    options = [pair.allowed for pair in problem.pairs]
    if not options or len(problem.pairs) > 6:
        return
    bound = break_bound(problem, range(len(problem.pairs)))
    for slots in itertools.islice(itertools.product(*options), 5000):
        schedule = _schedule(data, list(slots))
        if not violations(data, schedule):
            assert breaks(data, schedule) >= bound
