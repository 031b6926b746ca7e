"""Pair selection: a max-weight degree-constrained subgraph, slots ignored.

Each company takes at most min(cap, slots it could use) pairs, each zone at most its free
table-slots; the objective is lexicographic (must first, then score). ``lp_pairs`` solves
the linear relaxation (GLOP: must count, then score at that count) and rounds it greedily;
``select_pairs`` solves the integer problem with CP-SAT from a hint. The selection is a
relaxation that the slot phase then realises as far as it can.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from .cpsat import SEED
from .problem import Problem


def _limits(problem: Problem) -> tuple[dict[int, list[int]], dict[int, int], dict[int, list[int]]]:
    """Pairs per company, each company's pair limit, and pairs per zone."""
    incident: dict[int, list[int]] = defaultdict(list)
    reach: dict[int, set[int]] = defaultdict(set)
    zone_pairs: dict[int, list[int]] = defaultdict(list)
    for k, pair in enumerate(problem.pairs):
        for c in (pair.a, pair.b):
            incident[c].append(k)
            reach[c].update(pair.allowed)
        zone_pairs[pair.zone].append(k)
    limit = {c: min(problem.cap[c], len(reach[c])) for c in incident}
    return incident, limit, zone_pairs


def lp_pairs(problem: Problem, seconds: float | None = None) -> tuple[list[bool], bool]:
    """Round the must-first LP optimum: pairs by LP value, must, score, index, while room.

    Also says whether the LP optimum was integral and kept, i.e. the selection is optimal.
    When GLOP does not finish within ``seconds``, pairs go by must, score and index.
    """
    incident, limit, zone_pairs = _limits(problem)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SuppressOutput()
    if seconds is not None:
        solver.SetTimeLimit(max(1, int(seconds * 1000)))
    x = [solver.NumVar(0.0, 1.0, "") for _ in problem.pairs]
    for c, ks in incident.items():
        if len(ks) > limit[c]:
            row = solver.Constraint(0.0, float(limit[c]))
            for k in ks:
                row.SetCoefficient(x[k], 1.0)
    room = {z: sum(problem.free_tables[z]) for z in zone_pairs}
    for z, ks in zone_pairs.items():
        if len(ks) > room[z]:
            row = solver.Constraint(0.0, float(room[z]))
            for k in ks:
                row.SetCoefficient(x[k], 1.0)
    objective = solver.Objective()
    objective.SetMaximization()
    for var, pair in zip(x, problem.pairs, strict=True):
        objective.SetCoefficient(var, 1.0 if pair.must else 0.0)
    values = [0.0] * len(x)
    if solver.Solve() == pywraplp.Solver.OPTIMAL:
        musts = objective.Value()
        keep = solver.Constraint(min(float(int(musts + 1e-6)), musts) - 1e-6, solver.infinity())
        for var, pair in zip(x, problem.pairs, strict=True):
            keep.SetCoefficient(var, 1.0 if pair.must else 0.0)
            objective.SetCoefficient(var, pair.score)
        if solver.Solve() == pywraplp.Solver.OPTIMAL:
            values = [var.solution_value() for var in x]
    pairs = problem.pairs
    order = sorted(
        range(len(pairs)),
        key=lambda k: (-round(values[k], 6), not pairs[k].must, -pairs[k].score, k),
    )
    used: defaultdict[int, int] = defaultdict(int)
    zone_used: defaultdict[int, int] = defaultdict(int)
    chosen = [False] * len(pairs)
    for k in order:
        pair = pairs[k]
        free = used[pair.a] < limit[pair.a] and used[pair.b] < limit[pair.b]
        if free and zone_used[pair.zone] < room[pair.zone]:
            chosen[k] = True
            used[pair.a] += 1
            used[pair.b] += 1
            zone_used[pair.zone] += 1
    integral = bool(values) and all(v < 1e-6 or v > 1 - 1e-6 for v in values)
    solved = any(values) or not problem.pairs
    return chosen, integral and solved and all(
        c == (v > 0.5) for c, v in zip(chosen, values, strict=True)
    )


def select_pairs(
    problem: Problem, deadline: float, hint: Sequence[bool] = ()
) -> tuple[list[bool], bool]:
    """Which pairs to schedule and whether that is proven optimal; all False if none found.

    ``hint`` (a feasible selection) seeds the search.
    """
    model = cp_model.CpModel()
    y = [model.new_bool_var(f"y{k}") for k in range(len(problem.pairs))]
    incident, limit, zone_pairs = _limits(problem)
    for c, ks in incident.items():
        if len(ks) > limit[c]:
            model.add(cp_model.LinearExpr.sum([y[k] for k in ks]) <= limit[c])
    for z, ks in zone_pairs.items():
        room = sum(problem.free_tables[z])
        if len(ks) > room:
            model.add(cp_model.LinearExpr.sum([y[k] for k in ks]) <= room)
    model.maximize(
        cp_model.LinearExpr.weighted_sum(y, [problem.weight_of(p) for p in problem.pairs])
    )
    for k, chosen in enumerate(hint):
        model.add_hint(y[k], chosen)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, deadline - time.monotonic())
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = SEED
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [False] * len(problem.pairs), False
    return [solver.boolean_value(v) for v in y], status == cp_model.OPTIMAL
