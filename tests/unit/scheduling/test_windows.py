"""The window model (``windows``) against brute force: at the optimum K it finds a valid
schedule with at most K breaks, one below it it proves that none exists; as the solver's
anytime probe (``WindowProbe``) it finds and proves the optimum."""

from __future__ import annotations

import itertools
import random
import time

import pytest

from matchmaking.scheduling import parse_instance, solve, solver
from matchmaking.scheduling.maxsat import BreakMaxSat
from matchmaking.scheduling.problem import break_bound, build_problem, company_breaks
from matchmaking.scheduling.solver import _breaks, _tables
from matchmaking.scheduling.windows import WindowProbe, WindowSat, applicable

from .builders import changed, instance, random_small
from .checker import violations
from .test_breaks_optimal import brute_force


def random_instance(seed: int, fixed: bool = False) -> dict:
    rng = random.Random(seed)
    data = random_small(rng, max_slots=7, max_pairs=8, tables=(1, 2, 3), gaps=0.4, keep=0.75)
    for j in range(len(data["candidates"])):
        if rng.random() < 0.2:
            ids = [s["id"] for s in data["slots"] if rng.random() < 0.6]
            data = changed(data, f"candidates[{j}].slots", ids or [data["slots"][0]["id"]])
    if fixed:
        cand = data["candidates"][0]
        slot = cand.get("slots", [data["slots"][0]["id"]])[0]
        data = changed(data, "candidates[0].slots", [slot])
        for side in ("buyer", "supplier"):
            data = changed(data, f"companies[{int(cand[side][1:])}].available", None)
        data["fixed"] = [dict(cand_meeting(cand), slot=slot)]
    return data


def cand_meeting(cand: dict) -> dict:
    return {"buyer": cand["buyer"], "supplier": cand["supplier"], "zone": cand["zone"], "table": 1}


@pytest.mark.parametrize("seed", range(40))
def test_window_model_matches_brute_force(seed: int) -> None:
    data = random_instance(seed, fixed=seed % 4 == 0)
    problem = build_problem(parse_instance(data))
    assert applicable(problem)
    if not problem.pairs or len(problem.pairs) < len(data["candidates"]) - len(
        data.get("fixed", [])
    ):
        return
    expected = brute_force(problem)
    model = WindowSat(problem, range(len(problem.pairs)), 8)
    if expected is None:
        assert model.solve(8)[0] is False
        return
    if expected > 0:
        assert model.solve(expected - 1) == (False, None)
    answer, result = model.solve(expected)
    assert answer is True and result is not None
    assert _breaks(problem, result) == expected
    schedule = {"format": "matchmaking-schedule/1", "meetings": []}
    schedule["meetings"] = [m.to_dict() for m in _tables(problem, result)]
    assert violations(data, schedule) == []
    model.close()


def test_forced_free_companies_bound_breaks() -> None:
    # c0 meets c1 only in slot 0 and c2 only in slot 3: no window of two slots fits both.
    data = instance(companies=3, pairs=[(0, 1), (0, 2)], per_day=4)
    data = changed(data, "candidates[0].slots", ["d1-00"])
    data = changed(data, "candidates[1].slots", ["d1-03"])
    problem = build_problem(parse_instance(data))
    model = WindowSat(problem, range(2), 3)
    assert model.forced == 1
    assert model.solve(0)[0] is False
    assert model.solve(1)[0] is True


def test_maxsat_with_window_search_proves_the_optimum() -> None:
    # c0 meets c1, c2 and c3: in slots 0, 1 and 4 that is one break, in 0, 1, 2 none.
    data = instance(companies=4, pairs=[(0, 1), (0, 2), (0, 3)], per_day=5, tables=1)
    problem = build_problem(parse_instance(data))
    worst = [0, 1, 4]
    assert _breaks(problem, worst) == 1
    found, proven = BreakMaxSat(problem, range(3)).minimise_breaks(worst, time.monotonic() + 10)
    assert found is not None and proven
    assert _breaks(problem, found) == 0


def _complete(data: dict) -> bool:
    """Every candidate pair of ``data`` is in play (none blocked from the start)."""
    problem = build_problem(parse_instance(data))
    return bool(problem.pairs) and len(problem.pairs) == len(data["candidates"]) - len(
        data.get("fixed", [])
    )


@pytest.mark.parametrize("seed", range(40))
def test_window_probe_finds_and_proves_the_optimum(seed: int) -> None:
    data = random_instance(seed, fixed=seed % 4 == 0)
    if not _complete(data):
        return
    problem = build_problem(parse_instance(data))
    everything = range(len(problem.pairs))
    expected = brute_force(problem)
    probe = WindowProbe(problem, everything, break_bound(problem, everything))
    found, proven, lower = probe.start(time.monotonic() + 10).result()
    if expected is None:
        assert found is None
        return
    assert found is not None and proven
    assert _breaks(problem, found) == expected == lower
    schedule = {"format": "matchmaking-schedule/1", "meetings": []}
    schedule["meetings"] = [m.to_dict() for m in _tables(problem, found)]
    assert violations(data, schedule) == []


@pytest.mark.parametrize("seed", [11, 12, 16])
def test_solver_proves_breaks_with_the_probe_where_exact_searches_do_not_run(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Instances whose break optimum is above the companies' bound (``break_bound``): only a
    # search can prove it. With the exact searches off, as on a Chongqing-size event, the
    # probe does; without it the same solve proves nothing.
    data = random_instance(seed, fixed=seed % 4 == 0)
    problem = build_problem(parse_instance(data))
    everything = range(len(problem.pairs))
    expected = brute_force(problem)
    assert _complete(data) and expected is not None
    assert expected > break_bound(problem, everything)
    monkeypatch.setattr(solver, "MAXSAT_LIMIT", 0)
    monkeypatch.setattr(solver, "RESCHEDULE_LIMIT", 0)
    result = solve(parse_instance(data), 2.0)
    assert result.statistics["breaks"] == expected
    assert result.statistics["status"] == "optimal"
    assert violations(data, result.to_dict()) == []
    monkeypatch.setattr(solver, "PROBE_LIMIT", 0)
    assert solve(parse_instance(data), 2.0).statistics["status"] == "feasible"


def _capped_optimum(problem, cap: int) -> int | None:
    """Fewest breaks by brute force over schedules where no company has more than ``cap``."""
    best = None
    for combo in itertools.product(*(pair.allowed for pair in problem.pairs)):
        slots = list(combo)
        if violations_of(problem, slots):
            continue
        if max(company_breaks(problem, slots).values(), default=0) > cap:
            continue
        value = _breaks(problem, slots)
        best = value if best is None else min(best, value)
    return best


def violations_of(problem, slots: list[int]) -> bool:
    seen: set[tuple[int, int]] = set()
    load: dict[tuple[int, int], int] = {}
    for pair, t in zip(problem.pairs, slots, strict=True):
        if (pair.a, t) in seen or (pair.b, t) in seen:
            return True
        seen.update({(pair.a, t), (pair.b, t)})
        load[pair.zone, t] = load.get((pair.zone, t), 0) + 1
        if load[pair.zone, t] > problem.free_tables[pair.zone][t]:
            return True
    return False


@pytest.mark.parametrize("seed", range(40))
def test_capped_window_model_matches_brute_force(seed: int) -> None:
    # With a cap assumed, the model answers for the schedules where every company has at
    # most that many breaks; without it, for all of them (the caps cost nothing unasked).
    data = random_instance(seed, fixed=seed % 4 == 0)
    problem = build_problem(parse_instance(data))
    if not problem.pairs or len(problem.pairs) < len(data["candidates"]) - len(
        data.get("fixed", [])
    ):
        return
    model = WindowSat(problem, range(len(problem.pairs)), 8, caps=(1, 2))
    for cap in (1, 2, None):
        expected = brute_force(problem) if cap is None else _capped_optimum(problem, cap)
        if expected is None:
            assert model.solve(8, cap=cap)[0] is False
            continue
        if expected > 0:
            assert model.solve(expected - 1, cap=cap) == (False, None)
        answer, result = model.solve(expected, cap=cap)
        assert answer is True and result is not None
        assert _breaks(problem, result) == expected
        if cap is not None:
            assert max(company_breaks(problem, result).values(), default=0) <= cap
    model.close()


def test_a_cap_rules_out_a_company_with_two_breaks() -> None:
    # c0 meets c1, c2 and c3 only in slots 0, 2 and 4: two breaks, which one cap refuses.
    data = instance(companies=4, pairs=[(0, 1), (0, 2), (0, 3)], per_day=5)
    for j, slot in enumerate(("d1-00", "d1-02", "d1-04")):
        data = changed(data, f"candidates[{j}].slots", [slot])
    problem = build_problem(parse_instance(data))
    model = WindowSat(problem, range(3), 4, caps=(1, 2))
    assert model.solve(4, cap=1)[0] is False
    answer, result = model.solve(2, cap=2)
    assert answer is True and result is not None and _breaks(problem, result) == 2
    assert model.solve(2)[0] is True
    model.close()
    # The same with a cap of one break for c0 alone (``capped``), and for another company.
    model = WindowSat(problem, range(3), 4, company_caps=True)
    assert model.solve(4, capped=[0])[0] is False
    assert model.solve(2, capped=[1, 2, 3])[0] is True
    model.close()
