"""Break-optimal schedules: the MaxSAT model (``maxsat``) against brute force on small
instances, and the solver on published B2B instances whose optimum is known."""

from __future__ import annotations

import itertools
import random
import threading
import time
from typing import Any

import pytest

from benchmarks.b2b import ORIGINAL, PUBLISHED_OPTIMA, published_paths, read_dzn
from matchmaking.scheduling import maxsat, parse_instance, solve
from matchmaking.scheduling.maxsat import BreakMaxSat
from matchmaking.scheduling.problem import build_problem
from matchmaking.scheduling.solver import _breaks
from matchmaking.scheduling.windows import applicable

from .builders import changed, instance, random_small
from .checker import breaks, violations


def brute_force(problem: Any) -> int | None:
    """Fewest breaks over all valid assignments placing every pair (None: none exists)."""
    best = None
    for combo in itertools.product(*(pair.allowed for pair in problem.pairs)):
        seen: set[tuple[int, int]] = set()
        load: dict[tuple[int, int], int] = {}
        ok = True
        for pair, t in zip(problem.pairs, combo, strict=True):
            if (pair.a, t) in seen or (pair.b, t) in seen:
                ok = False
                break
            seen.update({(pair.a, t), (pair.b, t)})
            load[pair.zone, t] = load.get((pair.zone, t), 0) + 1
            if load[pair.zone, t] > problem.free_tables[pair.zone][t]:
                ok = False
                break
        if ok:
            value = _breaks(problem, list(combo))
            best = value if best is None else min(best, value)
    return best


@pytest.mark.parametrize("seed", range(30))
def test_maxsat_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    data = random_small(rng, max_slots=6, max_pairs=7, tables=2, gaps=0.5, keep=0.7)
    problem = build_problem(parse_instance(data))
    if len(problem.pairs) < len(data["candidates"]):
        return
    expected = brute_force(problem)
    found, proven = BreakMaxSat(problem, range(len(problem.pairs))).minimise_breaks(
        [-1] * len(problem.pairs), time.monotonic() + 10
    )
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert proven
        assert _breaks(problem, found) == expected


def test_forced_break_is_the_only_one() -> None:
    # c0 meets c1 (slot 0 only), c2 (slot 3 only), c3 and c4 (anywhere): one break at
    # least (slots 0..3 with two meetings between would close it: c3, c4 fill 1 and 2).
    data = instance(companies=6, pairs=[(0, 1), (0, 2), (0, 3), (3, 4), (4, 5)], per_day=5)
    data = changed(data, "companies[1].available", ["d1-00"])
    data = changed(data, "companies[2].available", ["d1-04"])
    schedule = solve(parse_instance(data), time_limit=5).to_dict()
    assert violations(data, schedule) == []
    assert len(schedule["meetings"]) == 5
    assert breaks(data, schedule) == 1


@pytest.mark.skipif(not ORIGINAL.is_dir(), reason=f"published B2B instances not at {ORIGINAL}")
@pytest.mark.parametrize("name", ["tic-12", "forum-13", "forum-13crafc", "forumt-14crafd"])
def test_published_optimum(name: str) -> None:
    (path,) = [p for p in published_paths() if p.name.startswith(name + ".")]
    data = read_dzn(path)
    schedule = solve(parse_instance(data)).to_dict()
    assert violations(data, schedule) == []
    assert len(schedule["meetings"]) == len(data["candidates"])
    assert schedule["statistics"]["breaks"] == PUBLISHED_OPTIMA[name]
    assert schedule["statistics"]["status"] == "optimal"


class StalledRC2:
    """Stands in for RC2 when it gets nowhere: every SAT call waits until interrupted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.cost = 0
        self.oracle = self
        self.wake = threading.Event()

    def set_phases(self, literals: Any) -> None:
        pass

    def solve_limited(self, assumptions: Any = (), expect_interrupt: bool = False) -> None:
        self.wake.wait()
        self.wake.clear()

    def interrupt(self) -> None:
        self.wake.set()

    def compute(self) -> None:
        while True:
            self.oracle.solve_limited()

    def delete(self) -> None:
        pass


# Seeds whose optimum is 2 to 4 breaks (most random instances need none or cannot be placed).
@pytest.mark.parametrize("seed", [8, 9, 17, 21, 39, 43, 46, 49, 51, 54, 55, 57])
def test_window_searches_prove_the_optimum_when_rc2_stalls(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RC2 makes way at once: the two window searches share what they prove (impossible K,
    # schedules found) and must still return a proven optimum, as brute force finds it.
    monkeypatch.setattr(maxsat, "RC2Stratified", StalledRC2)
    monkeypatch.setattr(maxsat, "FOCUS_AFTER", 0.0)
    rng = random.Random(seed)
    data = random_small(rng, max_slots=7, max_pairs=9, tables=1, gaps=0.3, keep=0.8)
    problem = build_problem(parse_instance(data))
    if len(problem.pairs) < len(data["candidates"]) or not applicable(problem):
        return
    expected = brute_force(problem)
    deadline = time.monotonic() + 20
    found, proven = BreakMaxSat(problem, range(len(problem.pairs))).minimise_breaks(
        [-1] * len(problem.pairs), deadline
    )
    assert expected is not None and expected >= 2
    assert found is not None and proven
    assert _breaks(problem, found) == expected
