"""CP-SAT model of the slot assignment of a set of pairs, minimising breaks.

Variables: ``x[k, t]`` (pair k meets in slot t, only for its allowed slots), ``busy[c, t]``
(company c meets in slot t: the sum of its x), ``later[c, t]`` (c meets in t or later that
day) and ``gap[c, t]`` (c meets in t-1, not in t, and later: one break). Constraints: each
pair at most once (exactly once in the exact model, which also states the implied
constraint that a company is busy in exactly as many slots as it has pairs), a company at
most once per slot and within its cap, each zone within its free tables per slot. Fixed
meetings are constants. The solve starts from a complete hint (every variable, replayed
from an assignment), so its first solution is the hint and it never returns a worse one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from .greedy import UNPLACED
from .problem import Problem

SEED = 20220301


class SlotModel:
    """The CP-SAT model over the pairs listed in ``active``."""

    def __init__(
        self, problem: Problem, active: Sequence[int], exact: bool = False, workers: int = 2
    ) -> None:
        self.problem = problem
        self.workers = workers
        self.active = list(active)
        model = cp_model.CpModel()
        self.model = model
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        by_company: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        by_zone: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        per_company: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        degree: dict[int, int] = defaultdict(int)
        for k in self.active:
            pair = problem.pairs[k]
            degree[pair.a] += 1
            degree[pair.b] += 1
            row = []
            for t in pair.allowed:
                var = model.new_bool_var(f"x{k}_{t}")
                self.x[k, t] = var
                row.append(var)
                by_company[pair.a, t].append(var)
                by_company[pair.b, t].append(var)
                by_zone[pair.zone, t].append(var)
                per_company[pair.a].append(var)
                per_company[pair.b].append(var)
            if exact:
                model.add_exactly_one(row)
            else:
                model.add_at_most_one(row)
        for (z, t), row in by_zone.items():
            if len(row) > problem.free_tables[z][t]:
                model.add(cp_model.LinearExpr.sum(row) <= problem.free_tables[z][t])
        for c, row in per_company.items():
            if problem.cap[c] < len(row):
                model.add(cp_model.LinearExpr.sum(row) <= problem.cap[c])
        self.busy: dict[tuple[int, int], cp_model.IntVar] = {}
        # Auxiliary booleans in creation order, each the OR (busy, later) or AND (gaps) of
        # literals; replayed by ``_hint`` so that hints are complete.
        self.defs: list[tuple[cp_model.IntVar, list[tuple[cp_model.IntVar, bool]]]] = []
        self.ands: set[int] = set()
        for (c, t), row in by_company.items():
            if len(row) == 1:
                self.busy[c, t] = row[0]
                continue
            var = model.new_bool_var(f"b{c}_{t}")
            model.add(cp_model.LinearExpr.sum(row) == var)
            self.busy[c, t] = var
            self.defs.append((var, [(v, False) for v in row]))
        if exact:
            # Implied: a company is busy in exactly as many slots as it has meetings.
            cells: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            for (c, _), var in self.busy.items():
                cells[c].append(var)
            for c, n in degree.items():
                model.add(cp_model.LinearExpr.sum(cells[c]) == n)
        self.breaks = self._breaks()

    def _breaks(self) -> cp_model.LinearExpr:
        """Sum of e[c, t]: c meets in t-1, not in t, and again later that day."""
        problem, model = self.problem, self.model
        terms: list[cp_model.IntVar] = []
        constant = 0
        companies = sorted({c for c, _ in self.busy})
        for c in companies:
            fixed = problem.fixed_busy[c]
            for day in problem.days:
                state = [1 if t in fixed else self.busy.get((c, t), 0) for t in day]
                if sum(1 for s in state if not isinstance(s, int) or s == 1) < 2:
                    continue
                later: list[cp_model.IntVar | int] = [0] * (len(state) + 1)
                for i in range(len(state) - 1, -1, -1):
                    s, nxt = state[i], later[i + 1]
                    if (isinstance(s, int) and s == 1) or (isinstance(nxt, int) and nxt == 1):
                        later[i] = 1
                    elif isinstance(s, int):
                        later[i] = nxt
                    elif isinstance(nxt, int):
                        later[i] = s
                    else:
                        var = model.new_bool_var("")
                        model.add_max_equality(var, [s, nxt])
                        later[i] = var
                        self.defs.append((var, [(s, False), (nxt, False)]))
                for i in range(1, len(state) - 1):
                    before, now, after = state[i - 1], state[i], later[i + 1]
                    if any(isinstance(v, int) and v == 0 for v in (before, after)):
                        continue
                    if isinstance(now, int) and now == 1:
                        continue
                    signed = [(v, False) for v in (before, after) if not isinstance(v, int)]
                    if not isinstance(now, int):
                        signed.append((now, True))
                    if not signed:
                        constant += 1
                        continue
                    lits = [~v if negated else v for v, negated in signed]
                    gap = model.new_bool_var("")
                    model.add_bool_and(lits).only_enforce_if(gap)
                    model.add_bool_or([~v for v in lits] + [gap])
                    terms.append(gap)
                    self.defs.append((gap, signed))
                    self.ands.add(gap.index)
        return cp_model.LinearExpr.sum(terms) + constant

    def _hint(self, slots: Sequence[int]) -> None:
        """Hint every variable: x from ``slots``, auxiliaries by replaying their definitions."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]  # unannotated in OR-Tools
        value: dict[int, bool] = {}
        for (k, t), var in self.x.items():
            value[var.index] = slots[k] == t
            self.model.add_hint(var, value[var.index])
        for var, signed in self.defs:
            lits = [value[v.index] != negated for v, negated in signed]
            value[var.index] = all(lits) if var.index in self.ands else any(lits)
            self.model.add_hint(var, value[var.index])

    def _run(self, seconds: float) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = SEED
        return solver, solver.solve(self.model)

    def _read(self, solver: cp_model.CpSolver, slots: Sequence[int]) -> list[int]:
        result = list(slots)
        for k in self.active:
            result[k] = UNPLACED
            for t in self.problem.pairs[k].allowed:
                if solver.boolean_value(self.x[k, t]):
                    result[k] = t
        return result

    def maximise_weight(self, slots: Sequence[int], seconds: float) -> tuple[list[int], bool]:
        """Phase A: the largest total pair weight (a must pair outweighs all others together).

        Starts from ``slots`` (a valid assignment); returns the best assignment found and
        whether its weight is proven optimal.
        """
        self._hint(slots)
        variables = list(self.x.items())
        self.model.maximize(
            cp_model.LinearExpr.weighted_sum(
                [var for _, var in variables],
                [self.problem.weight_of(self.problem.pairs[k]) for (k, _), _ in variables],
            )
        )
        solver, status = self._run(seconds)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return list(slots), False
        return self._read(solver, slots), status == cp_model.OPTIMAL

    def minimise_breaks(
        self, slots: Sequence[int], seconds: float, penalty: int = 0
    ) -> tuple[list[int], bool, str]:
        """Phase B: fewest breaks, plus ``penalty`` per active pair left out (non-exact model).

        Returns the assignment, whether it is proven optimal, and the verdict "feasible",
        "infeasible" or "unknown" (no solution within the time limit).
        """
        self._hint(slots)
        missing = len(self.active) - cp_model.LinearExpr.sum(list(self.x.values()))
        self.model.minimize(self.breaks + penalty * missing if penalty else self.breaks)
        solver, status = self._run(seconds)
        if status == cp_model.INFEASIBLE:
            return list(slots), False, "infeasible"
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return list(slots), False, "unknown"
        return self._read(solver, slots), status == cp_model.OPTIMAL, "feasible"
