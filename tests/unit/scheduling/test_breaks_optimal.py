"""Break-optimal schedules: the MaxSAT model (``maxsat``) against brute force on small
instances, and the solver on published B2B instances whose optimum is known."""

from __future__ import annotations

import itertools
import random
import threading
import time
from typing import Any

import pytest
from pysat.examples.rc2 import RC2Stratified

from benchmarks.b2b import ORIGINAL, PUBLISHED_OPTIMA, published_paths, read_dzn
from matchmaking.scheduling import maxsat, parse_instance, solve
from matchmaking.scheduling.maxsat import BreakMaxSat
from matchmaking.scheduling.problem import break_bound, build_problem
from matchmaking.scheduling.solver import _breaks
from matchmaking.scheduling.windows import applicable

from .builders import changed, instance, random_small
from .checker import breaks, violations


def brute_force(problem: Any) -> int | None:
    """Fewest breaks over all valid assignments placing every pair (None: none exists)."""
    found = by_breaks(problem)
    return min(found, default=None)


def by_breaks(problem: Any) -> dict[int, list[int]]:
    """One valid assignment placing every pair for each number of breaks that occurs."""
    found: dict[int, list[int]] = {}
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
            found.setdefault(_breaks(problem, list(combo)), list(combo))
    return found


def minimise(problem: Any, seconds: float) -> tuple[list[int] | None, bool]:
    """The MaxSAT break search over every pair, from no schedule, for ``seconds``."""
    return BreakMaxSat(problem, range(len(problem.pairs))).minimise_breaks(
        [-1] * len(problem.pairs), time.monotonic() + seconds
    )


def _small_case(seed: int) -> tuple[dict[str, Any], Any, int | None] | None:
    """A small random instance whose pairs all fit on their own, its problem and its
    brute-force optimum (None when no schedule holds every pair); None for other seeds."""
    data = random_small(random.Random(seed), max_slots=6, max_pairs=7, tables=2, gaps=0.5, keep=0.7)
    problem = build_problem(parse_instance(data))
    if len(problem.pairs) < len(data["candidates"]):
        return None
    return data, problem, brute_force(problem)


@pytest.mark.parametrize("seed", range(30))
def test_maxsat_matches_brute_force(seed: int) -> None:
    """The optimum, proven; the lower bound the searches report (RC2's cost, the K refuted)
    never above it."""
    case = _small_case(seed)
    if case is None:
        return
    _, problem, expected = case
    model = BreakMaxSat(problem, range(len(problem.pairs)))
    found, proven = model.minimise_breaks([-1] * len(problem.pairs), time.monotonic() + 10)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert proven
        assert _breaks(problem, found) == expected
        assert model.lower_bound <= expected


def test_a_bound_the_searches_proved_is_the_solve_s_lower_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stopped before a proof, the searches' bound still counts: the solve reports it as
    ``breaks_lower_bound`` (above the companies' own bound, ``break_bound``)."""
    for seed in range(200):
        case = _small_case(seed)
        if case is None:
            continue
        data, problem, expected = case
        if expected and break_bound(problem, range(len(problem.pairs))) < expected:
            break
    else:
        pytest.fail("no small instance whose optimum is above the companies' bound")
    searched: list[int] = []

    def stopped_early(self: BreakMaxSat, slots: Any, deadline: float) -> tuple[None, bool]:
        searched.append(len(self.active))
        self.lower_bound = expected  # as RC2 proves it, then time runs out
        return None, False

    monkeypatch.setattr(BreakMaxSat, "minimise_breaks", stopped_early)
    monkeypatch.setattr(
        "matchmaking.scheduling.solver.SlotModel.minimise_breaks",
        lambda self, slots, seconds, penalty=0: (list(slots), False, "unknown"),
    )
    schedule = solve(parse_instance(data), time_limit=5)
    assert searched == [len(problem.pairs)]
    assert schedule.statistics["breaks_lower_bound"] == expected


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
    found, proven = minimise(problem, 20)
    assert expected is not None and expected >= 2
    assert found is not None and proven
    assert _breaks(problem, found) == expected


class ScriptedWindows:
    """Stands in for the window model (``windows.WindowSat``) with known answers. At K of
    ``optimum`` or more, the valid schedule with the most breaks up to K (from ``schedules``:
    breaks -> schedule), so that better ones are found step by step; below, "impossible"
    where ``refutable(K, optimum)`` says so, else no answer until interrupted (as on the
    hard published instances). ``forced`` (the model's lower bound) is set by the test."""

    schedules: dict[int, list[int]] = {}
    optimum = 0
    forced = 0
    refutable: Any = staticmethod(lambda k, optimum: True)
    # (model, K) with no answer until interrupted, at any K; models numbered from 1 as built
    hangs: Any = staticmethod(lambda model, k: False)
    lucky = False  # the schedule with the fewest breaks up to K, not the most
    slow_first = 0.0  # seconds the first model takes to build
    built = 0
    asked: list[tuple[int, int]] = []  # (model, K) of every call, in order

    def __init__(self, *args: Any) -> None:
        type(self).built += 1
        self.number = type(self).built
        if self.number == 1:
            time.sleep(self.slow_first)
        self.clauses: list[list[int]] = []
        self.caps: dict[int, int] = {}  # no per-company caps: every answer is uncapped
        self.wake = threading.Event()
        self.stopped = False

    def solve(self, k: int, cap: int | None = None) -> tuple[bool | None, list[int] | None]:
        if self.stopped:
            return None, None
        self.asked.append((self.number, k))
        if k >= self.optimum and not self.hangs(self.number, k):
            pick = min if self.lucky else max
            return True, list(self.schedules[pick(b for b in self.schedules if b <= k)])
        if k < self.optimum and self.refutable(k, self.optimum):
            return False, None
        self.wake.wait()
        self.wake.clear()
        return None, None

    def interrupt(self, final: bool = True) -> None:
        self.stopped = self.stopped or final
        self.wake.set()

    def close(self) -> None:
        pass


def _scripted(
    monkeypatch: pytest.MonkeyPatch,
    refutable: Any,
    forced: int = 0,
    slow_first: float = 0.0,
    rc2_bound: int = 0,
    hangs: Any = None,
    lucky: bool = False,
) -> tuple[Any, list[int]]:
    """A small one-day problem with an optimum of 3 breaks and schedules with more, RC2
    stalled at ``rc2_bound``, the window model scripted (``ScriptedWindows``); its optimal
    schedule."""

    class Stalled(StalledRC2):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__()
            self.cost = rc2_bound

    monkeypatch.setattr(maxsat, "RC2Stratified", Stalled)
    monkeypatch.setattr(maxsat, "FOCUS_AFTER", 0.0)
    monkeypatch.setattr(maxsat, "PROBE_SECONDS", 0.05)
    # The scripted models answer whole-model calls only: no neighbourhood search.
    monkeypatch.setattr(maxsat, "LNS_GAP", 1 << 20)
    data = random_small(random.Random(8), max_slots=7, max_pairs=9, tables=1, gaps=0.3, keep=0.8)
    problem = build_problem(parse_instance(data))
    schedules = by_breaks(problem)
    assert min(schedules) == 3 and len(schedules) > 2 and applicable(problem)

    class Script(ScriptedWindows):
        pass

    Script.schedules, Script.optimum, Script.forced = schedules, 3, forced
    Script.slow_first, Script.lucky, Script.asked = slow_first, lucky, []
    Script.refutable = staticmethod(refutable)
    if hangs is not None:
        Script.hangs = staticmethod(hangs)
    monkeypatch.setattr(maxsat, "WindowSat", Script)
    return problem, schedules[3]


def _since_second_joined() -> list[tuple[int, int]]:
    """The (model, K) calls to the scripted window models from the second model's first."""
    asked = list(maxsat.WindowSat.asked)
    return asked[asked.index(next(call for call in asked if call[0] == 2)) :]


def test_a_schedule_is_proven_optimal_once_every_lower_k_is_refuted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem, best = _scripted(monkeypatch, lambda k, optimum: True)
    found, proven = minimise(problem, 10)
    assert found == best and proven


@pytest.mark.parametrize("forced", [0, 1])
@pytest.mark.parametrize("open_k", ["all", "just_below"])
def test_a_schedule_is_not_called_optimal_while_a_lower_k_is_open(
    open_k: str, forced: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the K right below the optimum (or every K below it) undecided, the searches must
    # still find the best schedule by the deadline, but not claim it optimal, whatever lower
    # bound the model starts from.
    problem, _ = _scripted(
        monkeypatch, lambda k, optimum: open_k == "just_below" and k < optimum - 1, forced
    )
    found, proven = minimise(problem, 1.5)
    assert _breaks(problem, found) == 3 and not proven


def test_the_first_search_moves_on_when_the_second_holds_the_lowest_k(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first window search's model is slow to build, so the second one takes the lowest
    # K first and never decides it: the first must probe the K above, not wait for it.
    problem, _ = _scripted(monkeypatch, lambda k, optimum: False, slow_first=0.4)
    found, proven = minimise(problem, 2.0)
    assert _breaks(problem, found) == 3 and not proven


def test_a_second_search_takes_the_k_above_where_rc2_is_stuck(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # RC2 proved 2 breaks at least and is stuck on 2, which no window search decides either;
    # the first search's rounds stay on 2 for longer than the time given, so only a second
    # search on the K above finds the optimum, 3 (not proven: 2 is still open).
    problem, best = _scripted(monkeypatch, lambda k, optimum: k < optimum - 1, rc2_bound=2)
    monkeypatch.setattr(maxsat, "PROBE_SECONDS", 10.0)
    found, proven = minimise(problem, 1.5)
    assert found == best and not proven


def test_the_first_search_leaves_rc2_its_k_while_the_second_runs_beside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # RC2 is stuck on 2 and goes on; the second search joins and finds the optimum, 3, which
    # the first one does not. Two searches on RC2's K would share two cores three ways: once
    # the second one has joined, the first one leaves 2 to RC2 (a call already started
    # aside).
    problem, best = _scripted(
        monkeypatch, lambda k, optimum: False, rc2_bound=2, hangs=lambda model, k: model == 1
    )
    monkeypatch.setattr(maxsat, "PROBE_SECONDS", 0.02)
    found, proven = minimise(problem, 1.5)
    asked = _since_second_joined()
    assert asked.count((1, 2)) <= 1
    assert found == best and not proven


def test_a_search_whose_k_a_schedule_found_settles_moves_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # RC2 is stuck on 2; the second search takes 3 (or 4) and gets no answer there, while
    # the first, from a given schedule with 6 breaks and stuck on 3 itself, finds one with 3
    # by probing a higher K. The second one's K is then settled: it must stop working on it
    # and take the lowest open K, 2.
    problem, best = _scripted(
        monkeypatch,
        lambda k, optimum: False,
        rc2_bound=2,
        hangs=lambda model, k: model == 2 or k == 3,
        lucky=True,
    )
    monkeypatch.setattr(maxsat, "PROBE_SECONDS", 0.2)
    given = maxsat.WindowSat.schedules[6]
    found, proven = BreakMaxSat(problem, range(len(problem.pairs))).minimise_breaks(
        given, time.monotonic() + 1.5
    )
    second = [k for model, k in maxsat.WindowSat.asked if model == 2]
    assert second[0] >= 3 and second[1:2] == [2]
    assert found == best and not proven


def test_rc2_is_not_stopped_before_anything_is_proven(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing proven yet (every K open) when the second window search joins: RC2 goes on,
    # as its first SAT call, slow here, may well find the optimum (on ticf-13crafa, with no
    # break, it takes about 1 s where the window model takes several).
    problem, _ = _scripted(monkeypatch, lambda k, optimum: False, hangs=lambda model, k: True)

    class SlowRC2(RC2Stratified):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            real_solve, real_interrupt = self.oracle.solve_limited, self.oracle.interrupt
            woken, calls = threading.Event(), []

            def solve_limited(assumptions: Any = (), expect_interrupt: bool = False) -> Any:
                calls.append(1)
                if len(calls) == 1 and woken.wait(0.6):
                    return None
                return real_solve(assumptions=assumptions, expect_interrupt=expect_interrupt)

            def interrupt() -> None:
                woken.set()
                real_interrupt()

            self.oracle.solve_limited = solve_limited
            self.oracle.interrupt = interrupt

    monkeypatch.setattr(maxsat, "RC2Stratified", SlowRC2)
    found, proven = minimise(problem, 3.0)
    assert found is not None and _breaks(problem, found) == 3 and proven


def test_with_nothing_proven_the_first_search_keeps_the_lowest_k(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # RC2 has proven nothing (its first call is still running) when the second search joins:
    # RC2 goes on, but its K, 0, is not left to it alone; the first window search, which
    # finds schedules with no break faster on most published instances, still probes it.
    problem, _ = _scripted(monkeypatch, lambda k, optimum: False, hangs=lambda model, k: True)
    monkeypatch.setattr(maxsat, "PROBE_SECONDS", 0.02)
    minimise(problem, 1.5)
    asked = _since_second_joined()
    assert asked.count((1, 0)) > 1


def test_rc2_goes_on_where_it_has_proven_as_much_as_the_window_searches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # RC2 and the window model both know that 2 breaks are needed; RC2 is on 2, the lowest
    # open K, so it is not behind: it is not stopped before the deadline but goes on with 2
    # (on forum-13crafb, at 5, a long proof), and the second search takes the K above, where
    # the optimum is.
    problem, best = _scripted(
        monkeypatch,
        lambda k, optimum: False,
        forced=2,
        hangs=lambda model, k: model == 1,
    )
    interrupted: list[float] = []

    class Recording(StalledRC2):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__()
            self.cost = 2

        def interrupt(self) -> None:
            interrupted.append(time.monotonic())
            super().interrupt()

    monkeypatch.setattr(maxsat, "RC2Stratified", Recording)
    deadline = time.monotonic() + 1.5
    found, _ = minimise(problem, 1.5)
    assert min(interrupted) >= deadline - 0.05
    asked = list(maxsat.WindowSat.asked)
    joined = asked.index(next(call for call in asked if call[0] == 2))
    # The K above RC2's, or the next one while the ascending search holds it (on a loaded
    # machine its timed rounds may be on 3 just then).
    ascending_on = [k for model, k in asked[: joined + 2] if model == 1][-2:]
    assert asked[joined][1] == 3 or (asked[joined][1] == 4 and 3 in ascending_on)
    if asked[joined][1] == 3:
        assert found == best
    else:  # the ascending search holds 3 (scripted to hang there): the K found above it
        assert _breaks(problem, found) <= 4 and (1, 3) in asked[joined:]
