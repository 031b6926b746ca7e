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

Why two kinds of search: RC2 is core-guided, so it proves lower bounds quickly and returns
a proven optimum or nothing; the window model (``windows``) finds the schedules near the
optimum that RC2's oracle struggles to build, asked for a whole schedule with at most K
breaks or, far from the optimum, for a better one around the best so far (large
neighbourhoods). ``_Searches`` runs them side by side under a
wall-clock deadline with one stop protocol (its docstring), so the caller keeps its own
schedule when time is up. Fixed meetings and availability gaps enter as constants in the
companies' day states (``satbreaks``). The experiments behind the choices below are in
``benchmarks/README.md``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Sequence

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.examples.rc2 import RC2Stratified
from pysat.formula import WCNF, IDPool
from pysat.solvers import Solver

from .greedy import UNPLACED
from .problem import Problem, count_breaks
from .satbreaks import break_clauses
from .windows import CAPS, SAT_SOLVER, Neighbourhoods, WindowSat, applicable

# Break bound of the window model's counters when no complete schedule bounds it.
WINDOW_CAP = 64
# First time given to each K of the window search (doubled every round, at most
# PROBE_DOUBLINGS times: refuting K after K quickly, as when the pairs cannot all be
# placed, would otherwise ask for a timer beyond the platform's range).
PROBE_SECONDS = 0.5
PROBE_DOUBLINGS = 10
# How long after the deadline the searches are waited for (see ``_Searches``).
STOP_GRACE = 0.2
# Share of the time after which a second window search starts (``focused``), once RC2's lower
# bound has not risen for half as long; its clause order seed and SAT solver (Gluecard 3,
# Glucose with native at-most-k constraints: another solver than the first search's, for
# diversity; it found the crafb optima far more often).
FOCUS_AFTER = 0.15
FOCUS_SEED = 1
FOCUS_SOLVER = "gc3"
# A schedule more than LNS_GAP breaks above the lower bound is far from it: the focused
# search then asks for a whole schedule capped (``capped``) while the first search turns to
# the neighbourhoods around the best schedule (``neighbourhoods``, with its random seed).
LNS_GAP = 2
LNS_SEED = 1
# Share of the time left that the capped search gets after a normal join.
CAPPED_SHARE = 0.5


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
        # After ``minimise_breaks``: proven, every schedule of the active pairs has at least
        # this many breaks (RC2's cost when stopped, or the K the window searches refuted).
        self.lower_bound = 0
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

    def minimise_breaks(
        self, slots: Sequence[int], deadline: float
    ) -> tuple[list[int] | None, bool]:
        """(assignment placing every active pair, proven break-optimal) or (None, False)
        when none is found before the deadline (a ``time.monotonic`` value); see
        ``_Searches`` for the searches and their stop protocol."""
        if not self.feasible or time.monotonic() >= deadline:
            return None, False
        searches = _Searches(self, slots, deadline)
        found = searches.run()
        self.lower_bound = max(searches.lower, searches.refuted)
        return found


class _Searches:
    """The break searches over one ``BreakMaxSat`` model, run as threads until a proof or
    the deadline.

    Searches: RC2 (core-guided: lower bounds up, returns an optimum); on one-day problems
    the window search ``ascending`` (``windows``: K from the best lower bound up, in timed
    rounds) and, once RC2's bound stalls (or earlier, see ``joined``), ``focused`` (a
    second window model, clauses shuffled, another SAT solver, one K at a time without a
    time limit). When the best schedule is far above the lower bound as it joins, the
    focused search first asks for a whole schedule with every company capped (``capped``)
    and the ascending search turns to ``neighbourhoods`` (search around the best schedule,
    ``windows.Neighbourhoods``, until the deadline or the bound); on longer ones
    ``linear`` (each schedule found bounds the next call by its breaks minus one).
    Glucose and Minicard release the GIL in interruptible calls, so the threads share the
    two cores.

    Stop protocol, the one way any search ends early:

    - every interruptible SAT oracle is registered in ``running`` while it works;
    - ``halt()`` sets ``stop`` and interrupts everything in ``running``; it is called by a
      search that proves its result optimal, and by a timer at the deadline;
    - a search checks ``stop`` before each call and after each interrupted one (RC2
      through ``_guard``, which raises ``_Timeout`` out of RC2's loop);
    - a window search on a K that another result has settled (refuted below, or a
      schedule with at most K breaks found) is interrupted with ``final=False`` and moves
      on (``settle``); RC2 gives way to the focused search through ``yielded``;
    - ``run`` waits for the threads until STOP_GRACE past the deadline (RC2's work
      between SAT calls cannot be interrupted) and returns the best schedule offered.
    """

    def __init__(self, model: BreakMaxSat, slots: Sequence[int], deadline: float) -> None:
        self.model = model
        self.slots = list(slots)
        self.deadline = deadline
        self.started = time.monotonic()
        self.phases = [v if slots[k] == t else -v for (k, t), v in model.x.items()]
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.running: list[Solver | WindowSat] = []
        self.rc2_oracle: list[Solver] = []
        self.best: tuple[int, list[int], bool] | None = None  # breaks, assignment, proven
        self.lower = 0  # RC2's proven lower bound (its cost so far)
        self.rose = self.started  # when it last rose
        self.refuted = 0  # the window searches proved every K below this impossible
        self.found = WINDOW_CAP  # breaks of the best schedule the window searches found
        self.watched: dict[str, tuple[WindowSat, int]] = {}  # each window search and its K
        self.placed = all(slots[k] != UNPLACED for k in model.active)
        self.upper = (
            min(count_breaks(model.problem, slots), WINDOW_CAP) if self.placed else WINDOW_CAP
        )
        self.yielded = threading.Event()  # RC2 gave its core to the focused search
        self.beside = threading.Event()  # RC2, not behind, keeps its K beside the focused one
        self.paused = threading.Event()  # the ascending search waits until RC2 stalls
        self.turn = threading.Event()  # the ascending search turns to the neighbourhoods

    def run(self) -> tuple[list[int] | None, bool]:
        """Start the searches, wait for them (see the stop protocol), return the best."""
        one_day = applicable(self.model.problem)
        # RC2 finds the optima that need few breaks from the lower bound quickly; on one
        # day the window searches find the others, better than the linear search.
        searches = (
            [self.core_guided, self.ascending, self.focused]
            if one_day
            else [self.core_guided, self.linear]
        )
        threads = [threading.Thread(target=search, daemon=True) for search in searches]
        timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self.halt)
        timer.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, self.deadline + STOP_GRACE - time.monotonic()))
        timer.cancel()
        self.halt()
        with self.lock:
            if self.best is None:
                return None, False
            _, result, optimal = self.best
        return result, optimal

    def _log(self, message: str, *args: object) -> None:
        LOG.debug("%.2f s: " + message, time.monotonic() - self.started, *args)

    # -- the stop protocol -------------------------------------------------------------

    def halt(self) -> None:
        """Stop every search: set ``stop`` and interrupt every running oracle."""
        with self.lock:
            self.stop.set()
            for oracle in self.running:
                oracle.interrupt()

    def offer(self, result: list[int] | None, optimal: bool) -> None:
        """Keep ``result`` if it has fewer breaks than the best (or proves its count)."""
        if result is None:
            return
        with self.lock:
            value = count_breaks(self.model.problem, result)
            best = self.best
            if best is None or value < best[0] or (optimal and value <= best[0]):
                self.best = (value, result, optimal)

    def prove_best(self) -> None:
        """The best schedule offered is optimal: mark it and stop every search."""
        with self.lock:
            if self.best is not None:
                self.best = (self.best[0], self.best[1], True)
        self.halt()

    def settle(self) -> None:
        """Interrupt the window searches working on a K now decided: known impossible,
        or at least the breaks of a schedule found."""
        with self.lock:
            for window, k in self.watched.values():
                if k < max(self.lower, self.refuted) or k >= self.found:
                    window.interrupt(final=False)

    def _guard(self, oracle: Solver, rc2: RC2Stratified | None = None) -> None:
        """Make ``oracle``'s calls interruptible and raise ``_Timeout`` when stopped (or,
        for RC2's oracle, when RC2 yielded); RC2's bound is read before each call."""
        plain = oracle.solve_limited

        def limited(assumptions: Sequence[int] = (), expect_interrupt: bool = False) -> object:
            if rc2 is not None:
                self.bound_rose(rc2)
            result = plain(assumptions=assumptions, expect_interrupt=True)
            if self.stop.is_set() or (rc2 is not None and self.yielded.is_set()):
                raise _Timeout
            return result

        oracle.solve_limited = limited

    # -- RC2 and the linear search -----------------------------------------------------

    def bound_rose(self, rc2: RC2Stratified) -> None:
        if rc2.cost > self.lower:
            self.lower = rc2.cost
            self.rose = time.monotonic()
            self._log("RC2's lower bound %d", self.lower)
        self.settle()

    def core_guided(self) -> None:
        """RC2 on the whole model: its answer is a proven optimum."""
        rc2 = RC2Stratified(self.model.wcnf, solver="g3", adapt=True, exhaust=True, minz=True)
        oracle = rc2.oracle
        oracle.set_phases(self.phases)
        self._guard(oracle, rc2)
        with self.lock:
            self.running.append(oracle)
            self.rc2_oracle.append(oracle)
        try:
            if not self.stop.is_set():
                try:
                    found = rc2.compute()
                except TypeError:
                    # PySAT's RC2 can fail extracting a model its oracle does not hold (seen
                    # on small event models; cause in PySAT not traced): that is no answer
                    # from RC2, and the other searches' schedules stand.
                    self._log("RC2 gave no model")
                    return
                self._log("RC2 done, cost %s", rc2.cost)
                if found is not None:
                    self.offer(self.model._assignment(found, self.slots), True)
                self.halt()
        except _Timeout:
            pass
        finally:
            with self.lock:
                self.running.remove(oracle)
                self.rc2_oracle.remove(oracle)
            rc2.delete()

    def linear(self) -> None:
        """Down from the given schedule's breaks: each call asks for one break fewer than
        the last schedule found; an unsatisfiable call proves that schedule optimal."""
        model = self.model
        bound = count_breaks(model.problem, self.slots) - 1
        if bound < 0 or not model.brk or not self.placed:
            return
        oracle = Solver(name="g4", bootstrap_with=model.wcnf.hard)
        oracle.set_phases(self.phases)
        self._guard(oracle)
        counter = ITotalizer(lits=model.brk, ubound=bound + 1, top_id=model.pool.top)
        oracle.append_formula(counter.cnf.clauses)
        with self.lock:
            self.running.append(oracle)
        try:
            while bound >= 0 and not self.stop.is_set():
                assumptions = [-counter.rhs[bound]] if bound < len(counter.rhs) else []
                if not oracle.solve_limited(assumptions=assumptions):
                    if self.best is None:
                        self.offer(list(self.slots), True)
                    self.prove_best()
                    return
                found = model._assignment(oracle.get_model(), self.slots)
                if found is None:
                    return
                self.offer(found, False)
                bound = count_breaks(model.problem, found) - 1
            if bound < 0 and self.best is not None:
                self.prove_best()
        except _Timeout:
            pass
        finally:
            with self.lock:
                self.running.remove(oracle)
            oracle.delete()
            counter.delete()

    # -- the window searches -----------------------------------------------------------

    def impossible(self, k: int) -> None:
        self._log("no schedule with %d breaks", k)
        self.refuted = max(self.refuted, k + 1)
        self.settle()

    def window_model(
        self, solver: str = SAT_SOLVER, caps: Sequence[int] = (), company_caps: bool = False
    ) -> WindowSat | None:
        problem, active = self.model.problem, self.model.active
        window = WindowSat(problem, active, self.upper, solver, caps, company_caps)
        with self.lock:
            if self.stop.is_set():
                window.close()
                return None
            self.running.append(window)
        return window

    def release(self, window: WindowSat, name: str) -> None:
        with self.lock:
            self.running.remove(window)
            self.watched.pop(name, None)
        window.close()

    def idle(self, k: int) -> bool:
        """Whether the first search leaves K alone: RC2's K while the focused search runs
        beside RC2, RC2 not behind the window searches (three searches on two cores, two
        of them on one K, starved the focused one). Not while nothing is proven: the first
        search finds most schedules with no break."""
        if not self.beside.is_set() or not self.rc2_oracle:
            return False
        return k == self.lower

    def rounds_of(self, name: str, window: WindowSat, timed: bool, above: int = 0) -> None:
        """Probe K from the lowest open one up. ``timed``: in rounds, round r probing r + 1
        values of K, from the highest down, for PROBE_SECONDS * 2**r each; else only the
        lowest open K plus ``above``, until it is decided (or the next one while the other
        search has it). The K the other search is on is skipped. A schedule at the lowest
        open K is the optimum; one above it is kept and bounds the next rounds."""
        other = "focused" if name == "ascending" else "ascending"
        rounds = 0
        while not self.stop.is_set():
            if timed and self.paused.is_set():
                self.hand_over()
                continue
            if timed and self.turn.is_set():
                self.turn.clear()
                if self.far():  # not if this search has just found a schedule near the bound
                    self.neighbourhoods()
                continue
            high = self.found
            k = max(self.refuted, self.lower)
            if k >= high:
                # Nothing below ``high``: the schedule found at it is optimal, or the given
                # one when none was found; at the cap, nothing is known.
                if high < self.upper:
                    self.prove_best()
                elif self.placed and self.upper < WINDOW_CAP:
                    self.offer(list(self.slots), True)
                    self.halt()
                return
            probes = range(k, min(high, k + rounds + 1))
            if not timed:
                target = k + above if k + above < high else k
                if self.watched.get(other, (None, -1))[1] == target:
                    target += 1
                probes = range(target, target + 1)
            probed = False
            for probe_k in reversed(probes):
                if probe_k < max(self.refuted, self.lower) or probe_k >= self.found:
                    continue
                if self.stop.is_set() or (timed and self.aside()):
                    break
                with self.lock:
                    if self.watched.get(other, (None, -1))[1] == probe_k:
                        continue
                    if timed and self.idle(probe_k):
                        continue
                    self.watched[name] = (window, probe_k)
                probed = True
                if self.probe(name, window, probe_k, timed, rounds):
                    break
            if probed or (timed and k + rounds + 1 < high):
                # Timed: a round whose only K the other search holds is followed by a wider
                # one (not when ``high`` limits it: rounds would grow while waiting).
                rounds += 1
            if not probed:
                self.stop.wait(0.05)  # the other search has the only K left

    def probe(self, name: str, window: WindowSat, k: int, timed: bool, rounds: int) -> bool:
        """One window call at K (timed: PROBE_SECONDS * 2**rounds); True if it found a
        schedule."""
        timer = None
        if timed:
            seconds = PROBE_SECONDS * 2 ** min(rounds, PROBE_DOUBLINGS)
            timer = threading.Timer(seconds, window.interrupt, kwargs={"final": False})
            timer.start()
        # The focused search first asks for a schedule with every company capped at one
        # break, then two (``windows.CAPS``), then without caps: capped, it finds the
        # optimum sooner where most companies meet in one window (measured in
        # ``benchmarks/README.md``); a capped refutation proves nothing, so K is decided
        # only by the uncapped call.
        for cap in (*window.caps, None):
            answer, result = window.solve(k, cap=cap)
            if answer is not False or cap is None:
                break
        if timer is not None:
            timer.cancel()
        with self.lock:
            self.watched.pop(name, None)
        if answer is False:
            self.impossible(k)
        elif answer and result is not None:
            self.window_found(f"{name} search", result, f"K={k}")
            return True
        return False

    def window_found(self, search: str, result: list[int], detail: str) -> int:
        """Take a window search's schedule: it bounds the K still to search (``found``),
        settles the searches on K now decided and is offered, proven optimal if at the
        lower bound. Its breaks."""
        value = count_breaks(self.model.problem, result)
        self._log("%s found %d breaks (%s)", search, value, detail)
        with self.lock:
            self.found = min(self.found, value)
        self.settle()
        self.offer(result, value <= max(self.refuted, self.lower))
        return value

    def ascending(self) -> None:
        """Window model (``windows``), timed rounds from the highest K down."""
        window = self.window_model()
        if window is None:
            return
        self.refuted = max(self.refuted, window.forced)
        try:
            if not self.placed and not self.stop.is_set():
                # First any schedule placing every pair, for the caller to fall back on.
                timer = threading.Timer(PROBE_SECONDS, window.interrupt, kwargs={"final": False})
                timer.start()
                answer, result = window.solve(self.upper - 1)
                timer.cancel()
                if answer and result is not None:
                    with self.lock:
                        self.found = min(self.found, count_breaks(self.model.problem, result))
                    self.offer(result, False)
            self.rounds_of("ascending", window, timed=True)
        finally:
            self.release(window, "ascending")

    def joined(self) -> str | None:
        """Wait until the second window search joins: "normal" after FOCUS_AFTER of the time,
        once RC2's bound has not risen for half as long (``stalled``); "early" at FOCUS_AFTER
        while RC2's bound still rises, if it is below what the window searches proved and the
        best schedule is far from that (forum-14.fixed020: K up to 19 refuted at 0.6 s, RC2
        at 20 only at 3 s, when the capped search then lacked the 4-6 s it needs). None if
        stopped first."""
        wait = FOCUS_AFTER * max(0.0, self.deadline - self.started)
        while not self.stop.wait(0.1):
            if time.monotonic() < self.started + wait:
                continue
            if self.stalled():
                return "normal"
            if self.refuted > self.lower and self.far():
                return "early"
        return None

    def stalled(self) -> bool:
        """Whether RC2's bound has not risen for half of FOCUS_AFTER of the time."""
        wait = FOCUS_AFTER * max(0.0, self.deadline - self.started)
        now = time.monotonic()
        return now >= self.started + wait and now >= self.rose + wait / 2

    def aside(self) -> bool:
        """Whether the ascending search is asked to pause or to turn (it leaves its K)."""
        return self.paused.is_set() or self.turn.is_set()

    def hand_over(self) -> None:
        """The paused ascending search waits for RC2's bound to stall, then RC2 yields if it
        is behind the window searches' proofs, and the ascending search turns to the
        neighbourhoods if the best schedule is still far."""
        if not self.stalled():
            self.stop.wait(0.05)
            return
        behind = self.lower < self.refuted
        self._log("RC2 stalls (%s)", "yields" if behind else "goes on")
        if behind:
            self.rc2_yields()
        if self.far():
            self.turn.set()
        self.paused.clear()

    def rc2_yields(self) -> None:
        with self.lock:
            self.yielded.set()
            for oracle in self.rc2_oracle:
                oracle.interrupt()

    def step_aside(self, event: threading.Event) -> None:
        """Ask the ascending search to pause or to turn, interrupting its probe."""
        event.set()
        with self.lock:
            ascending = self.watched.get("ascending")
        if ascending is not None:
            ascending[0].interrupt(final=False)

    def incumbent(self) -> tuple[int, list[int]] | None:
        """The best schedule offered, else the given one if it places every pair."""
        with self.lock:
            if self.best is not None:
                return self.best[0], self.best[1]
        return (self.upper, self.slots) if self.placed and self.upper < WINDOW_CAP else None

    def neighbourhoods(self, gap: int = 0) -> None:
        """Large-neighbourhood search around the best schedule (``windows.Neighbourhoods``)
        until ``gap`` breaks above the lower bound or the deadline: what the ascending search
        turns to after an early join, and the focused search's second part after a normal
        one (to LNS_GAP above). There the window searches, asked for a whole
        schedule, found nothing (the crafb forbidden-slot variants: 13-16 breaks after the
        anneal, the paper's optimum 5)."""
        window: WindowSat | None = None
        steps = 0
        try:
            while not self.stop.is_set():
                now = self.incumbent()
                low = max(self.lower, self.refuted)
                if now is None or now[0] <= low + gap:
                    return
                if window is None:
                    window = self.window_model(company_caps=True)
                    if window is None:
                        return
                    search = Neighbourhoods(window, LNS_SEED)
                    self._log("neighbourhood search from %d breaks", now[0])
                found = search.step(now[1], now[0])
                steps += 1
                if found is None:
                    continue
                value = self.window_found("neighbourhood search", found, f"step {steps}")
                if value <= max(self.refuted, self.lower):
                    self.prove_best()
        finally:
            if window is not None:
                self._log("neighbourhood search ends after %d steps", steps)
                self.release(window, "neighbourhoods")

    def focused(self) -> None:
        """A second window model (clauses in another order, another SAT solver) on one K
        without a time limit: at the optimum a schedule often takes several seconds of one
        solver's search, more than the timed rounds give any one K. It joins after
        FOCUS_AFTER of the time (``joined``):

        - "normal", once RC2's bound has not risen for half as long. Where that bound is
          below what the window searches proved, RC2 stops and this search takes the lowest
          open K; else (RC2 stuck proving the lowest open K impossible, or nothing proven
          yet, when RC2's first call may still find a schedule with no break) RC2 goes on
          with its K and this search takes the one above.
        - "early", while RC2's bound still rises below the window searches' proofs and the
          best schedule is far from them: RC2 goes on, the ascending search pauses until
          RC2's bound stalls (``hand_over``), and this search takes the lowest open K.

        When the best schedule is far (more than LNS_GAP breaks above the lower bound), it
        asks for whole schedules with every company capped at one break, then two
        (``capped``: forum-14.fixed020's optimum in 3-6 s, found by no other search). After
        an early join it does so until one is found, while the ascending search, once RC2
        stalls, turns to the neighbourhoods (the crafb forbidden-slot variants, where the
        capped calls find nothing). After a normal join it does so for CAPPED_SHARE of the
        time left, then runs the neighbourhood search itself until LNS_GAP above the bound:
        the ascending search keeps its rounds, which find the optimum of instances such as
        ticf-13crafc under load (turned to the neighbourhoods there too, it ended at 7
        breaks for 1). Then, or when near, it probes one K after another (``rounds_of``),
        capped first (``probe``)."""
        how = self.joined()
        if how is None:
            return
        goes_on = how == "early" or self.lower >= self.refuted
        if how == "normal" and goes_on and self.lower > 0:
            self.beside.set()
        self._log(
            "focused search joins, %s (RC2 %s at %d; proven %d; upper %d)",
            how,
            "goes on" if goes_on else "yields",
            self.lower,
            self.refuted,
            self.upper,
        )
        if not goes_on:
            self.rc2_yields()
        far = self.far()
        if far and how == "early":
            self.step_aside(self.paused)
        window = self.window_model(FOCUS_SOLVER, CAPS)
        if window is None:
            return
        random.Random(FOCUS_SEED).shuffle(window.clauses)
        above = 1 if how == "normal" and goes_on else 0
        try:
            if far and how == "early":
                self.capped(window, above)
                self.paused.clear()  # found, or the deadline: the ascending search goes on
            elif far:
                self.capped(window, above, CAPPED_SHARE)
                if self.far():
                    self.neighbourhoods(LNS_GAP)
            self.rounds_of("focused", window, timed=False, above=above)
        finally:
            self.release(window, "focused")

    def far(self) -> bool:
        """Whether the best schedule is more than LNS_GAP breaks above the lower bound."""
        now = self.incumbent()
        return now is not None and now[0] > max(self.lower, self.refuted) + LNS_GAP

    def capped(self, window: WindowSat, above: int, share: float = 1.0) -> None:
        """Whole schedules with every company capped at one break, then two
        (``windows.CAPS``): K from the lowest open one (plus ``above``) up, below the best
        schedule, until one is found, the deadline or ``share`` of the time left is spent.
        A capped "impossible" proves nothing
        for K (it only moves the search up; a cap of one is often impossible outright where
        fixed meetings force two breaks), and it comes quickly below the optimum
        (ticf-14crafa.fixed020: K = 18-20 refuted in 0.05 s, 21 found in 1.5-5 s)."""
        ends = time.monotonic() + share * max(0.0, self.deadline - time.monotonic())
        timer = threading.Timer(ends - time.monotonic(), window.interrupt, kwargs={"final": False})
        timer.start()
        try:
            self._capped(window, above, ends)
        finally:
            timer.cancel()

    def _capped(self, window: WindowSat, above: int, ends: float) -> None:
        for cap in window.caps:
            k = max(self.lower, self.refuted) + above
            while not self.stop.is_set() and time.monotonic() < ends:
                now = self.incumbent()
                if k >= min(self.found, now[0] if now is not None else WINDOW_CAP):
                    break
                with self.lock:
                    self.watched["focused"] = (window, k)
                answer, result = window.solve(k, cap=cap)
                with self.lock:
                    self.watched.pop("focused", None)
                self._log("capped search (%d) at K=%d: %s", cap, k, answer)
                if answer and result is not None:
                    value = self.window_found("capped search", result, f"K={k}")
                    if value <= max(self.refuted, self.lower):
                        self.prove_best()
                    return
                if answer is False:
                    k += 1
                else:
                    # Interrupted: by the deadline, or K settled, or late (an interrupt
                    # meant for the call before); on from the lowest open K.
                    k = max(k, max(self.lower, self.refuted) + above)


__all__ = ["BreakMaxSat"]
