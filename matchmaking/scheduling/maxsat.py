"""Weighted MaxSAT model of the slot assignment, minimising breaks (RC2, python-sat).

The approach of Bofill et al., JAIR 74 (2022), the best on their published instances. Only
for the exact case: every pair in ``active`` meets exactly once. Hard clauses: each pair in
exactly one allowed slot; ``busy[c, t]`` is the OR of c's pairs in t, with at most one of
them; each zone within its free tables per slot; implied, a company is busy in exactly as
many slots as it has pairs. Soft unit clauses (weight 1): ``not brk[c, t]``, where
``brk[c, t]`` is forced by "c meets in t, not in t-1, and at some slot before t-1 that day":
a block of meetings that is not the first one, i.e. one break. Fixed meetings are constants.
Redundant, on one-day instances: a company either meets in one block of consecutive slots
(``y[c, s]``: it starts at s; at most one start) or is ``free[c]``, which needs a break; with
every break assumed away (RC2's first call) this propagates like an interval model.

RC2 is core-guided: it returns a proven optimum or nothing; its lower bound also steers the
window search of ``windows``, which runs beside it on one-day problems. A second window
search joins once RC2's bound stalls: on the lowest open K, RC2 making way, where RC2 proves
less than the window searches; else on the K above RC2's, which the first window search
then leaves to RC2. A search whose K is settled (refuted, or a schedule with at most K breaks
found) moves on.
All run under a wall-clock deadline (the SAT oracles are interrupted), so the caller keeps
its schedule when time is up.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.examples.rc2 import RC2Stratified
from pysat.formula import WCNF, IDPool
from pysat.solvers import Solver

from .greedy import UNPLACED
from .problem import Problem
from .satbreaks import break_clauses
from .windows import SAT_SOLVER, WindowSat, applicable

# Break bound of the window model's counters when no complete schedule bounds it.
WINDOW_CAP = 64
# First time given to each K of the window search (doubled every round).
PROBE_SECONDS = 0.5
# How long after the deadline the searches are waited for (see ``minimise_breaks``).
STOP_GRACE = 0.2
# Share of the time after which a second window search starts (``focused``), once RC2's lower
# bound has not risen for half as long (RC2 stops if below the window searches' bound, else
# goes on beside it); its clause order seed and SAT solver. Gluecard 3
# (Glucose 3 with native at-most-k constraints) is the second search's solver for diversity:
# at the optimum, single runs on fresh models (8 clause orders, 10 s cap, 2 cores) found
# forum-13crafb's K=6 in 7 of 8 runs (Minicard: 4 of 16) and ticf-13crafb's K=3 in 7 of 8
# (Minicard: 2 of 8 within 8 s), where Minicard stays the better first search (tic-13crafc).
FOCUS_AFTER = 0.15
FOCUS_SEED = 1
FOCUS_SOLVER = "gc3"


LOG = logging.getLogger(__name__)


class _Timeout(Exception):
    """The deadline passed during a SAT call."""


class BreakMaxSat:
    """The MaxSAT model over the pairs listed in ``active`` (each exactly once)."""

    def __init__(self, problem: Problem, active: Sequence[int]) -> None:
        self.problem = problem
        self.active = list(active)
        pool = IDPool()
        self.pool = pool
        wcnf = WCNF()
        self.wcnf = wcnf
        self.x: dict[tuple[int, int], int] = {}
        by_company: dict[tuple[int, int], list[int]] = defaultdict(list)
        by_zone: dict[tuple[int, int], list[int]] = defaultdict(list)
        degree: dict[int, int] = defaultdict(int)
        for k in self.active:
            pair = problem.pairs[k]
            degree[pair.a] += 1
            degree[pair.b] += 1
            row = []
            for t in pair.allowed:
                var = pool.id(("x", k, t))
                self.x[k, t] = var
                row.append(var)
                by_company[pair.a, t].append(var)
                by_company[pair.b, t].append(var)
                by_zone[pair.zone, t].append(var)
            self._card(row, 1, EncType.pairwise if len(row) <= 6 else EncType.seqcounter, True)
        for (z, t), row in by_zone.items():
            if len(row) > problem.free_tables[z][t]:
                self._card(row, problem.free_tables[z][t], EncType.seqcounter, False)
        busy: dict[tuple[int, int], int] = {}
        for (c, t), row in by_company.items():
            if len(row) == 1:
                busy[c, t] = row[0]
                continue
            var = pool.id(("b", c, t))
            busy[c, t] = var
            wcnf.append([-var, *row])
            for v in row:
                wcnf.append([-v, var])
            self._card(row, 1, EncType.pairwise if len(row) <= 6 else EncType.seqcounter, False)
        # Every active pair meets: impossible when a company has more than its cap.
        self.feasible = all(n <= problem.cap[c] for c, n in degree.items())
        cells: dict[int, list[int]] = defaultdict(list)
        for (c, _), var in busy.items():
            cells[c].append(var)
        for c, n in degree.items():
            if len(cells[c]) > n:
                self._card(cells[c], n, EncType.seqcounter, True)
        self.n_soft = 0
        self.brk: list[int] = []
        for c in sorted(degree):
            fixed = problem.fixed_busy[c]
            for day in problem.days:
                state: list[int | bool] = [
                    True if t in fixed else busy.get((c, t), False) for t in day
                ]
                if sum(1 for s in state if s is not False) < 2:
                    continue
                found, positions = break_clauses(pool, state, (c, day[0]))
                for clause in found:
                    wcnf.append(clause)
                breaks = [brk for _, brk in positions]
                for brk in breaks:
                    wcnf.append([-brk], weight=1)
                self.brk += breaks
                self.n_soft += len(breaks)
                if len(problem.days) == 1 and breaks:
                    self._blocks(c, day, state, breaks)

    def _blocks(self, c: int, day: list[int], state: list[int | bool], breaks: list[int]) -> None:
        """Redundant: unless ``free[c]`` (which needs a break), c meets in one block of
        consecutive slots, starting at one of the positions where such a block fits."""
        pool, wcnf = self.pool, self.wcnf
        n = sum(1 for s in state if s is True) + sum(
            1 for k in self.active if c in (self.problem.pairs[k].a, self.problem.pairs[k].b)
        )
        free = pool.id(("f", c))
        wcnf.append([-free, *breaks])
        covering: dict[int, list[int]] = defaultdict(list)
        starts = []
        for s in range(len(state) - n + 1):
            window = state[s : s + n]
            if any(v is False for v in window):
                continue
            if any(v is True for v in state[:s]) or any(v is True for v in state[s + n :]):
                continue
            y = pool.id(("y", c, s))
            starts.append(y)
            for i, v in enumerate(window):
                covering[s + i].append(y)
                if v is not True:
                    wcnf.append([-y, v])
        wcnf.append([free, *starts])
        for i in range(len(starts)):
            for j in range(i + 1, len(starts)):
                wcnf.append([-starts[i], -starts[j]])
        for i, v in enumerate(state):
            if v is True or v is False:
                continue
            wcnf.append([free, -v, *covering[i]])

    def _card(self, lits: list[int], bound: int, enc: int, exact: bool) -> None:
        if exact:
            cnf = CardEnc.equals(lits, bound, vpool=self.pool, encoding=enc)
        else:
            cnf = CardEnc.atmost(lits, bound, vpool=self.pool, encoding=enc)
        for clause in cnf.clauses:
            self.wcnf.append(clause)

    def _assignment(self, model: Sequence[int], slots: Sequence[int]) -> list[int] | None:
        true = {v for v in model if v > 0}
        result = list(slots)
        for k in self.active:
            result[k] = UNPLACED
        for (k, t), var in self.x.items():
            if var in true:
                result[k] = t
        if any(result[k] == UNPLACED for k in self.active):
            return None
        return result

    def _count(self, result: Sequence[int]) -> int:
        """Breaks of an assignment (fixed meetings included), per company and day."""
        problem = self.problem
        busy: dict[tuple[int, int], set[int]] = defaultdict(set)
        for c, fixed in enumerate(problem.fixed_busy):
            for t in fixed:
                busy[c, problem.day_of[t]].add(problem.pos_of[t])
        for k, t in enumerate(result):
            if t != UNPLACED:
                pair = problem.pairs[k]
                for c in (pair.a, pair.b):
                    busy[c, problem.day_of[t]].add(problem.pos_of[t])
        total = 0
        for positions in busy.values():
            ordered = sorted(positions)
            total += sum(1 for p, q in pairwise(ordered) if q > p + 1)
        return total

    def minimise_breaks(
        self, slots: Sequence[int], deadline: float
    ) -> tuple[list[int] | None, bool]:
        """(assignment placing every active pair, proven break-optimal) or (None, False)
        when none is found before the deadline (a ``time.monotonic`` value).

        Two threads at a time (Glucose and Minicard release the GIL in interruptible
        calls): RC2 (core-guided, lower bounds up, returns an optimum) and, on one-day
        problems, the window search (``windows``: K from the lower bound, RC2's included,
        up); on longer ones a linear search down from the breaks of ``slots`` (each solution
        found bounds the next call by its breaks minus one; an unsatisfiable call proves the
        last one optimal). On one day a second, focused window search joins (``focused``),
        RC2 making way when the first has proven more than RC2, else going on beside it
        (three threads; the first window search then leaves RC2's K alone). The first proof
        stops the others; the best so far is returned at the deadline.

        Measured on the published instances (20, full solves): ticf-13crafb (optimum 3)
        went from 29 breaks in most runs to its optimum in 5 of 5 runs, in 6.4-6.6 s.
        """
        if not self.feasible or time.monotonic() >= deadline:
            return None, False
        phases = [v if slots[k] == t else -v for (k, t), v in self.x.items()]
        stop = threading.Event()
        lock = threading.Lock()
        running: list[Solver] = []
        rc2_oracle: list[Solver] = []
        best: list[tuple[int, list[int], bool]] = []

        def halt() -> None:
            with lock:
                stop.set()
                for oracle in running:
                    oracle.interrupt()

        def offer(result: list[int] | None, optimal: bool) -> None:
            if result is None:
                return
            with lock:
                value = self._count(result)
                if not best or value < best[0][0] or (optimal and value <= best[0][0]):
                    best[:] = [(value, result, optimal)]

        def guarded(oracle: Solver, rc2: RC2Stratified | None = None) -> None:
            plain = oracle.solve_limited

            def limited(assumptions: Sequence[int] = (), expect_interrupt: bool = False) -> object:
                if rc2 is not None:
                    bound_rose(rc2)
                result = plain(assumptions=assumptions, expect_interrupt=True)
                if stop.is_set() or (rc2 is not None and yielded.is_set()):
                    raise _Timeout
                return result

            oracle.solve_limited = limited

        def core_guided() -> None:
            rc2 = RC2Stratified(self.wcnf, solver="g3", adapt=True, exhaust=True, minz=True)
            oracle = rc2.oracle
            oracle.set_phases(phases)
            guarded(oracle, rc2)
            with lock:
                running.append(oracle)
                rc2_oracle.append(oracle)
            try:
                if not stop.is_set():
                    model = rc2.compute()
                    LOG.debug("%.2f s: RC2 done, cost %s", time.monotonic() - started, rc2.cost)
                    if model is not None:
                        offer(self._assignment(model, slots), True)
                    halt()
            except _Timeout:
                pass
            finally:
                with lock:
                    running.remove(oracle)
                    rc2_oracle.remove(oracle)
                rc2.delete()

        def linear() -> None:
            bound = self._count(slots) - 1
            if bound < 0 or not self.brk or any(slots[k] == UNPLACED for k in self.active):
                return
            oracle = Solver(name="g4", bootstrap_with=self.wcnf.hard)
            oracle.set_phases(phases)
            guarded(oracle)
            counter = ITotalizer(lits=self.brk, ubound=bound + 1, top_id=self.pool.top)
            oracle.append_formula(counter.cnf.clauses)
            with lock:
                running.append(oracle)
            try:
                while bound >= 0 and not stop.is_set():
                    assumptions = [-counter.rhs[bound]] if bound < len(counter.rhs) else []
                    if not oracle.solve_limited(assumptions=assumptions):
                        if best:
                            with lock:
                                best[0] = (best[0][0], best[0][1], True)
                        else:
                            offer(list(slots), True)
                        halt()
                        return
                    found = self._assignment(oracle.get_model(), slots)
                    if found is None:
                        return
                    offer(found, False)
                    bound = self._count(found) - 1
                if bound < 0 and best:
                    with lock:
                        best[0] = (best[0][0], best[0][1], True)
                    halt()
            except _Timeout:
                pass
            finally:
                with lock:
                    running.remove(oracle)
                oracle.delete()
                counter.delete()

        lower = [0]  # RC2's proven lower bound (its cost so far)
        rose = [time.monotonic()]  # when it last rose
        refuted = [0]  # the window searches proved every K below this impossible
        found = [WINDOW_CAP]  # breaks of the best schedule the window searches found
        watched: dict[str, tuple[WindowSat, int]] = {}  # each window search and its K
        placed = all(slots[k] != UNPLACED for k in self.active)
        upper = min(self._count(slots), WINDOW_CAP) if placed else WINDOW_CAP

        def settled() -> None:
            """Interrupt the window searches working on a K now decided: known impossible,
            or at least the breaks of a schedule found."""
            with lock:
                for model, k in watched.values():
                    if k < max(lower[0], refuted[0]) or k >= found[0]:
                        model.interrupt(final=False)

        def bound_rose(rc2: RC2Stratified) -> None:
            if rc2.cost > lower[0]:
                lower[0] = rc2.cost
                rose[0] = time.monotonic()
                LOG.debug("%.2f s: RC2's lower bound %d", rose[0] - started, lower[0])
            settled()

        def impossible(k: int) -> None:
            LOG.debug("%.2f s: no schedule with %d breaks", time.monotonic() - started, k)
            refuted[0] = max(refuted[0], k + 1)
            settled()

        def window_model(solver: str = SAT_SOLVER) -> WindowSat | None:
            model = WindowSat(self.problem, self.active, upper, solver)
            with lock:
                if stop.is_set():
                    model.close()
                    return None
                running.append(model)
            return model

        def release(model: WindowSat, name: str) -> None:
            with lock:
                running.remove(model)
                watched.pop(name, None)
            model.close()

        def rounds_of(name: str, model: WindowSat, timed: bool, above: int = 0) -> None:
            """Probe K from the lowest open one up. ``timed``: in rounds, round r probing
            r + 1 values of K, from the highest down, for PROBE_SECONDS * 2**r each; else
            only the lowest open K plus ``above``, until it is decided (or the next one while
            the other search has it). The K the other search is on is skipped. A schedule at the
            lowest open K is the optimum; one above it is kept and bounds the next rounds."""
            other = "focused" if name == "ascending" else "ascending"
            rounds = 0
            while not stop.is_set():
                high = found[0]
                k = max(refuted[0], lower[0])
                if k >= high:
                    # Nothing below ``high``: the schedule found at it is optimal, or the
                    # given one when none was found; at the cap, nothing is known.
                    if high < upper:
                        with lock:
                            best[0] = (best[0][0], best[0][1], True)
                        halt()
                    elif placed and upper < WINDOW_CAP:
                        offer(list(slots), True)
                        halt()
                    return
                probes = range(k, min(high, k + rounds + 1))
                if not timed:
                    # The lowest open K (``above`` it while below the best found), or the
                    # next one while the other search has it.
                    target = k + above if k + above < high else k
                    if watched.get(other, (None, -1))[1] == target:
                        target += 1
                    probes = range(target, target + 1)
                probed = False
                for probe_k in reversed(probes):
                    if probe_k < max(refuted[0], lower[0]) or probe_k >= found[0]:
                        continue
                    if stop.is_set():
                        break
                    with lock:
                        if watched.get(other, (None, -1))[1] == probe_k:
                            continue
                        if timed and idle(probe_k):
                            continue
                        watched[name] = (model, probe_k)
                    probed = True
                    timer = None
                    if timed:
                        timer = threading.Timer(
                            PROBE_SECONDS * 2**rounds, model.interrupt, kwargs={"final": False}
                        )
                        timer.start()
                    answer, result = model.solve(probe_k)
                    if timer is not None:
                        timer.cancel()
                    with lock:
                        watched.pop(name, None)
                    if answer is False:
                        impossible(probe_k)
                    elif answer and result is not None:
                        value = self._count(result)
                        LOG.debug(
                            "%.2f s: %s search found %d breaks (K=%d)",
                            time.monotonic() - started,
                            name,
                            value,
                            probe_k,
                        )
                        with lock:
                            found[0] = min(found[0], value)
                        settled()
                        offer(result, value <= max(refuted[0], lower[0]))
                        break
                if probed or (timed and k + rounds + 1 < high):
                    # Timed: a round whose only K the other search holds is followed by a
                    # wider one (not when ``high`` limits it: rounds would grow while waiting).
                    rounds += 1
                if not probed:
                    stop.wait(0.05)  # the other search has the only K left

        def ascending() -> None:
            """Window model (``windows``), rounds from the highest K down."""
            model = window_model()
            if model is None:
                return
            refuted[0] = max(refuted[0], model.forced)
            try:
                if not placed and not stop.is_set():
                    # First any schedule placing every pair, for the caller to fall back on.
                    timer = threading.Timer(PROBE_SECONDS, model.interrupt, kwargs={"final": False})
                    timer.start()
                    answer, result = model.solve(upper - 1)
                    timer.cancel()
                    if answer and result is not None:
                        with lock:
                            found[0] = min(found[0], self._count(result))
                        offer(result, False)
                rounds_of("ascending", model, timed=True)
            finally:
                release(model, "ascending")

        yielded = threading.Event()  # RC2 gave its core to the focused search
        beside = threading.Event()  # RC2, not behind, keeps its K beside the focused search
        started = time.monotonic()

        def idle(k: int) -> bool:
            """Whether the first search leaves K alone: RC2's K while the focused search runs
            beside RC2, RC2 not behind the window searches (three searches on two cores,
            two of them on one K, starved the focused one on forum-13crafb). Not while
            nothing is proven: the first search finds most schedules with no break."""
            if not beside.is_set() or not rc2_oracle:
                return False
            return k == lower[0]

        def focused() -> None:
            """A second window model (its clauses in another order, another SAT solver)
            works on one K without a time limit: at the optimum, a schedule often takes
            several seconds of one solver's search, more than the rounds of the first search
            give any one K. It joins after FOCUS_AFTER of the time, once RC2's lower bound has
            not risen for half as long. Where that bound is below what the window searches
            proved, RC2 stops and this search takes the lowest open K; else (RC2 is stuck
            proving the lowest open K impossible, as on forum-13crafb at 5 of 6; or nothing
            is proven yet, and RC2's first call may still find a schedule with no break, as
            on ticf-13crafa) RC2 goes on with its K and this search takes the one above."""
            wait = FOCUS_AFTER * max(0.0, deadline - started)
            while not stop.wait(0.1):
                now = time.monotonic()
                if now >= started + wait and now >= rose[0] + wait / 2:
                    break
            else:
                return
            goes_on = lower[0] >= refuted[0]
            if goes_on and lower[0] > 0:
                beside.set()
            LOG.debug(
                "%.2f s: focused search joins (RC2 %s; upper %d)",
                time.monotonic() - started,
                "goes on" if goes_on else "yields",
                upper,
            )
            if not goes_on:
                with lock:
                    yielded.set()
                    for oracle in rc2_oracle:
                        oracle.interrupt()
            model = window_model(FOCUS_SOLVER)
            if model is None:
                return
            random.Random(FOCUS_SEED).shuffle(model.clauses)
            try:
                rounds_of("focused", model, timed=False, above=1 if goes_on else 0)
            finally:
                release(model, "focused")

        # RC2 finds the optima that need few breaks from the lower bound quickly; on one day
        # the window searches find the others, better than the linear search from above.
        one_day = applicable(self.problem)
        searches = [core_guided, ascending, focused] if one_day else [core_guided, linear]
        threads = [threading.Thread(target=search, daemon=True) for search in searches]
        timer = threading.Timer(max(0.0, deadline - time.monotonic()), halt)
        timer.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            # RC2's work between SAT calls cannot be interrupted; a search still busy
            # STOP_GRACE after the deadline is left to end on its own (it stops at its next
            # SAT call) and the best schedule so far is returned.
            thread.join(max(0.0, deadline + STOP_GRACE - time.monotonic()))
        timer.cancel()
        halt()
        with lock:
            if not best:
                return None, False
            _, result, optimal = best[0]
        return result, optimal


__all__ = ["BreakMaxSat"]
