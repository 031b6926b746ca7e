"""Pair selection: a max-weight degree-constrained subgraph, slots ignored.

Each company takes at most min(cap, slots it could use) pairs, each zone at most its free
table-slots; the objective is lexicographic (must first, then score). ``lp_pairs`` solves
the linear relaxation (GLOP: must count, then score at that count) and rounds it greedily;
``select_pairs`` solves the integer problem with CP-SAT from a hint. The selection is a
relaxation that the slot phase then realises as far as it can.

Interpreters (hard rule 4): when the pool cannot serve every open pair needing an
interpreter, both models also respect its interpreter-slots (``InterpreterCapacity``).
Interpreters alike in languages, zones and availability form a group offering the sum of
their min(``max_meetings``, available slots), less their fixed meetings; pairs alike in
languages and zone form a kind, which may draw on every group qualified for it (a transport
problem: a flow per kind and group, each group within its interpreter-slots). The rounding
admits a pair needing an interpreter only while the loads can still be routed (augmenting
paths over the groups), in the same order, so must pairs keep first call and the objective
order is unchanged. Slots are ignored here as for companies: an interpreter serves one
meeting per slot, and per day or per slot clashes are left to staffing
(``interpreters.staff``), which moves or drops the few meetings they hit. A plentiful pool
adds nothing to the models. ``within_capacity`` and ``fill_order`` apply the same count to
the solver's greedy start and to its final filling of spare room.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from .cpsat import SEED
from .interpreters import qualified
from .model import LanguageNeed
from .problem import Problem
from .slotpool import fixed_interpreter_slots


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


class InterpreterCapacity:
    """Interpreter-slots per language pair and zone: a transport problem, slots ignored.

    Interpreters are grouped by (languages, zones, availability); a group offers the sum of
    its members' interpreter-slots (min(``max_meetings``, available slots), less those
    their fixed meetings take). Pairs needing an interpreter are grouped into kinds (their
    ``LanguageNeed`` and zone); a kind may draw on every group qualified for it. ``add``
    admits one more pair of a kind when the loads can still be routed to the groups (an
    augmenting path over groups), so admitting in priority order keeps must pairs first.
    """

    def __init__(self, problem: Problem) -> None:
        instance = problem.instance
        n_slots = len(instance.slots)
        people = instance.interpreters
        taken = fixed_interpreter_slots(instance)
        groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
        for j, p in enumerate(people):
            groups[(p.languages, p.zones, p.available)].append(j)
        self.members = list(groups.values())
        self.room: list[int] = []
        for members in self.members:
            total = 0
            for j in members:
                p = people[j]
                open_slots = n_slots if p.available is None else len(p.available)
                cap = open_slots if p.max_meetings is None else min(open_slots, p.max_meetings)
                total += max(0, cap - len(taken[j]))  # max_meetings counts fixed meetings
            self.room.append(total)
        kinds: dict[tuple[LanguageNeed, str], int] = {}
        self.kind_of: list[int | None] = []
        self.groups_of: list[list[int]] = []
        for pair in problem.pairs:
            cand = instance.candidates[pair.index]
            if cand.interpreter is None:
                self.kind_of.append(None)
                continue
            key = (cand.interpreter, cand.zone)
            q = kinds.get(key)
            if q is None:
                q = kinds[key] = len(kinds)
                self.groups_of.append(
                    [
                        g
                        for g, members in enumerate(self.members)
                        if qualified(cand.interpreter, cand.zone, people[members[0]])
                    ]
                )
            self.kind_of.append(q)
        self.load = [[0] * len(self.members) for _ in self.groups_of]  # kind x group
        self.free = list(self.room)

    @property
    def needed(self) -> bool:
        """Whether any open pair needs an interpreter."""
        return bool(self.groups_of)

    def add(self, q: int) -> bool:
        """Route one more pair of kind q; False (nothing changed) when no group can take it."""
        parent: dict[int, tuple[int, int] | None] = dict.fromkeys(self.groups_of[q])
        queue = list(self.groups_of[q])
        for g in queue:
            if self.free[g] > 0:
                self.free[g] -= 1
                while True:
                    step = parent[g]
                    if step is None:
                        self.load[q][g] += 1
                        return True
                    before, via = step
                    self.load[via][g] += 1
                    self.load[via][before] -= 1
                    g = before
            for via, row in enumerate(self.load):
                if row[g] > 0:
                    for other in self.groups_of[via]:
                        if other not in parent:
                            parent[other] = (g, via)
                            queue.append(other)
        return False

    def admits_all(self, ks: Sequence[int]) -> bool:
        """Whether every pair of ``ks`` (problem indices) fits together; loads ``ks``."""
        for k in ks:
            q = self.kind_of[k]
            if q is not None and not self.add(q):
                return False
        return True


def within_capacity(problem: Problem, slots: Sequence[int]) -> list[int]:
    """``slots`` with the placed pairs needing an interpreter beyond the pool's
    interpreter-slots (``InterpreterCapacity``, priority order) taken out: no slot
    arrangement could staff them."""
    capacity = InterpreterCapacity(problem)
    if not capacity.needed:
        return list(slots)
    pairs = problem.pairs
    order = sorted(
        (k for k, t in enumerate(slots) if t >= 0 and capacity.kind_of[k] is not None),
        key=lambda k: (-problem.weight_of(pairs[k]), k),
    )
    found = list(slots)
    for k in order:
        q = capacity.kind_of[k]
        assert q is not None
        if not capacity.add(q):
            found[k] = -1
    return found


def fill_order(problem: Problem, slots: Sequence[int], order: Sequence[int]) -> list[int]:
    """``order`` without the unplaced pairs needing an interpreter that the pool's
    interpreter-slots cannot take beside the placed pairs (admitted in ``order``)."""
    capacity = InterpreterCapacity(problem)
    if not capacity.needed:
        return list(order)
    for k in order:  # placed pairs beyond the pool stay placed: staffing handles them
        q = capacity.kind_of[k]
        if slots[k] >= 0 and q is not None:
            capacity.add(q)
    found = []
    for k in order:
        q = capacity.kind_of[k]
        if slots[k] >= 0 or q is None or capacity.add(q):
            found.append(k)
    return found


def _binding(problem: Problem) -> InterpreterCapacity | None:
    """The interpreter capacity when it binds (some open pairs needing an interpreter
    cannot all be served whatever is selected), else None: nothing to add to the models."""
    capacity = InterpreterCapacity(problem)
    if not capacity.needed or capacity.admits_all(range(len(problem.pairs))):
        return None
    return InterpreterCapacity(problem)


def _kinds(capacity: InterpreterCapacity) -> dict[int, list[int]]:
    """Pairs (problem indices) per kind of interpreter need."""
    found: dict[int, list[int]] = defaultdict(list)
    for k, q in enumerate(capacity.kind_of):
        if q is not None:
            found[q].append(k)
    return found


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
    capacity = _binding(problem)
    if capacity is not None:
        # Interpreters: each kind's pairs draw on the groups qualified for it (flows f).
        per_group: dict[int, list[object]] = defaultdict(list)
        for q, ks in _kinds(capacity).items():
            row = solver.Constraint(-solver.infinity(), 0.0)
            for k in ks:
                row.SetCoefficient(x[k], 1.0)
            for g in capacity.groups_of[q]:
                f = solver.NumVar(0.0, float(capacity.room[g]), "")
                row.SetCoefficient(f, -1.0)
                per_group[g].append(f)
        for g, flows in per_group.items():
            row = solver.Constraint(0.0, float(capacity.room[g]))
            for f in flows:
                row.SetCoefficient(f, 1.0)
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
            kind = None if capacity is None else capacity.kind_of[k]
            if kind is not None and capacity is not None and not capacity.add(kind):
                continue
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
    capacity = _binding(problem)
    if capacity is not None:
        per_group: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for q, ks in _kinds(capacity).items():
            flows = [model.new_int_var(0, capacity.room[g], "") for g in capacity.groups_of[q]]
            for g, f in zip(capacity.groups_of[q], flows, strict=True):
                per_group[g].append(f)
            drawn = cp_model.LinearExpr.sum(flows)
            model.add(cp_model.LinearExpr.sum([y[k] for k in ks]) <= drawn)
        for g, flows in per_group.items():
            model.add(cp_model.LinearExpr.sum(flows) <= capacity.room[g])
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
