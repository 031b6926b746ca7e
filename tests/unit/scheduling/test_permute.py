"""The company re-seating search (``permute.reseat``): same pairs, valid, fewer breaks."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import given

from matchmaking.scheduling import parse_instance
from matchmaking.scheduling.greedy import UNPLACED, greedy
from matchmaking.scheduling.permute import reseat
from matchmaking.scheduling.problem import build_problem
from matchmaking.scheduling.solver import _tables

from .builders import instance
from .checker import breaks, violations
from .test_properties import SETTINGS, instances


def _schedule(data: dict[str, Any], slots: list[int]) -> dict[str, Any]:
    problem = build_problem(parse_instance(data))
    meetings = [m.to_dict() for m in _tables(problem, slots)]
    return {"format": "matchmaking-schedule/1", "meetings": meetings}


def _reseated(data: dict[str, Any], slots: list[int]) -> list[int]:
    problem = build_problem(parse_instance(data))
    return reseat(problem, slots, time.monotonic() + 5)


@SETTINGS
@given(instances(max_companies=8, max_pairs=16))
def test_reseating_keeps_the_rules_and_the_pairs_and_never_adds_breaks(
    data: dict[str, Any],
) -> None:
    problem = build_problem(parse_instance(data))
    before = greedy(problem)
    after = _reseated(data, before)
    assert [t == UNPLACED for t in after] == [t == UNPLACED for t in before]
    schedule = _schedule(data, after)
    assert violations(data, schedule) == []
    assert breaks(data, schedule) <= breaks(data, _schedule(data, before))


def test_partners_trade_slots_so_that_neither_waits() -> None:
    # c0 meets c1 and c2 in slots 1 and 2; c1 is already booked in slot 3 and c2 in slot 0.
    # c1 at 1 and c2 at 2 leave both with a gap; swapping them leaves none.
    data = instance(companies=5, pairs=[(0, 1), (0, 2), (1, 3), (2, 4)], per_day=4, tables=3)
    data["fixed"] = [
        {"buyer": "c1", "supplier": "c3", "slot": "d1-03", "zone": "z", "table": 1},
        {"buyer": "c2", "supplier": "c4", "slot": "d1-00", "zone": "z", "table": 1},
    ]
    assert breaks(data, _schedule(data, [1, 2])) == 2
    after = _reseated(data, [1, 2])
    assert after == [2, 1]
    assert breaks(data, _schedule(data, after)) == 0


def test_a_scattered_day_is_packed_into_one_window() -> None:
    # c0 meets c1, c2 and c3 in slots 0, 2 and 4: two breaks; any three consecutive slots
    # leave none.
    data = instance(companies=4, pairs=[(0, 1), (0, 2), (0, 3)], per_day=5, tables=1)
    after = _reseated(data, [0, 2, 4])
    assert sorted(after) in ([0, 1, 2], [1, 2, 3], [2, 3, 4])
    assert breaks(data, _schedule(data, after)) == 0


def test_full_tables_are_respected_by_swapping_within_a_zone() -> None:
    # One table: c0-c1 in slot 0 and c0-c2 in slot 2 leave c0 a gap; c3-c4 holds slot 1.
    # Moving c0-c2 to slot 1 needs c3-c4 to move to slot 2: a swap keeps one meeting per slot.
    data = instance(companies=5, pairs=[(0, 1), (0, 2), (3, 4)], per_day=3, tables=1)
    after = _reseated(data, [0, 2, 1])
    schedule = _schedule(data, after)
    assert violations(data, schedule) == []
    assert breaks(data, schedule) == 0
