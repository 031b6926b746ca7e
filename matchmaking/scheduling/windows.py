"""SAT search for one-day schedules with at most K breaks, by meeting windows (python-sat).

Used for the exact case (every pair in ``active`` meets once) on one-day problems, where it
finds the schedules that the break-minimising MaxSAT model (``maxsat``) proves optimal but
its SAT oracle struggles to build. The view: in a schedule with at most K breaks, all but
at most K companies meet in one *window* of consecutive slots, as many as their meetings.

Variables and clauses:

- each pair's slot in the order encoding (``le[k][t]``: it meets at slot t or earlier) and
  one-hot ``x[k, t]`` linked to it, so that windows prune slots through binary clauses;
- per company, the window start, order encoded (``ge[c][s]``: it starts at s or later);
  unless ``free[c]``, each of its pairs meets inside the window, the window covers its
  fixed meetings and leaves no slot of it idle;
- at most one meeting per company and slot; a break ``brk[c, t]`` is forced by "meets at t,
  not at t-1, and earlier that day", and only a free company may have one;
- cardinalities (incremental totalizers): at most K breaks and at most K free companies;
- implied, after Bofill et al.: at most 2 x free tables companies busy per slot; window
  starts where a company's pairs cannot meet in distinct slots (a bipartite matching) are
  excluded, and a company left without any is free (``forced`` counts them: a lower bound);
- each zone within its free tables per slot. These and the busy-company limits are native
  cardinality constraints of the SAT solver (Minicard), not clauses;
- optionally (``caps``), at most one or two breaks per company, each cap switched on by
  assuming its selector (``solve``'s ``cap``): a restriction that helps find schedules
  where most companies meet in one window, never used to refute K.

An unsatisfiable answer proves that every schedule of ``active`` has more than K breaks.
With pairs kept in their slots by assumptions, the same model searches the neighbourhood of
a schedule (``Neighbourhoods``).
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Sequence

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.formula import IDPool
from pysat.solvers import Solver

from .greedy import UNPLACED
from .problem import Problem, company_breaks, count_breaks
from .satbreaks import break_clauses

# Minicard (MiniSat 2.2 with native at-most-k constraints): its calls can be interrupted
# and release the GIL (CaDiCaL's and Kissat's can't, in python-sat), and the table and
# busy-company limits stay native constraints instead of counters (the fastest at the
# optimal K; figures in ``benchmarks/README.md``).
SAT_SOLVER = "mc"
# ``WindowProbe``: the first round's time per K (doubled every round), and how far above
# the lower bound K is searched (the breaks counters stop there: a smaller model, built
# faster; the probe gets through a few K in its time).
PROBE_FIRST_SECONDS = 0.3
PROBE_SPAN = 6
# ``Neighbourhoods``: conflicts per step, and the neighbourhood's first and smallest size
# in companies (measured on the crafb forbidden-slot variants: budgets of 100 and 1,000
# did worse than 300 in 8 s, 7-10 and 8-10 breaks against 5-6).
LNS_CONFLICTS = 300
LNS_FIRST_SIZE = 20
LNS_SMALLEST = 4
# Per-company break caps (``WindowSat``'s ``caps``), asked for in this order by the
# focused search (``maxsat``) before the uncapped model.
CAPS = (1, 2)


def applicable(problem: Problem) -> bool:
    """The model needs one day (each company's meetings then form at most K+1 runs)."""
    return len(problem.days) == 1


def _fits(problem: Problem, ks: Sequence[int], window: range) -> bool:
    """Whether pairs ``ks`` can meet in distinct slots of ``window`` (a bipartite matching,
    by augmenting paths)."""
    owner: dict[int, int] = {}

    def augment(k: int, seen: set[int]) -> bool:
        for t in problem.pairs[k].allowed:
            if t in window and t not in seen:
                seen.add(t)
                if t not in owner or augment(owner[t], seen):
                    owner[t] = k
                    return True
        return False

    return all(augment(k, set()) for k in ks)


class WindowSat:
    """The window model of ``active`` (pairs of one-day ``problem``, each meeting once)."""

    def __init__(
        self,
        problem: Problem,
        active: Sequence[int],
        max_breaks: int,
        solver: str = SAT_SOLVER,
        caps: Sequence[int] = (),
        company_caps: bool = False,
    ) -> None:
        self.problem = problem
        self.solver = solver
        self.active = list(active)
        pool = IDPool()
        self.pool = pool
        true = pool.id("true")
        self.clauses: list[list[int]] = [[true]]
        clauses = self.clauses
        n_slots = problem.n_slots
        self.x: dict[tuple[int, int], int] = {}
        le: dict[int, list[int]] = {}
        # Each company's active pairs.
        self.pairs_of: dict[int, list[int]] = defaultdict(list)
        mine = self.pairs_of
        for k in self.active:
            pair = problem.pairs[k]
            mine[pair.a].append(k)
            mine[pair.b].append(k)
            low, high = pair.allowed[0], pair.allowed[-1]
            order = [
                -true if t < low else true if t >= high else pool.id(("le", k, t))
                for t in range(n_slots)
            ]
            le[k] = order
            for t in range(1, n_slots):
                clauses.append([-order[t - 1], order[t]])
            allowed = set(pair.allowed)
            for t in range(n_slots):
                before = order[t - 1] if t > 0 else -true
                if t not in allowed:
                    clauses.append([-order[t], before])
                    continue
                var = pool.id(("x", k, t))
                self.x[k, t] = var
                clauses += [[-var, order[t]], [-var, -before], [var, -order[t], before]]
        # Every active pair meets: impossible when a company has more than its cap.
        self.feasible = all(len(ks) <= problem.cap[c] for c, ks in mine.items())
        self.brk: list[int] = []
        self.brk_of: dict[int, list[int]] = defaultdict(list)  # each company's breaks
        self.free: list[int] = []
        # Companies without any window: each has a break, so at least this many breaks.
        self.forced = 0
        self.busy_rows: dict[int, list[int]] = defaultdict(list)
        # At-most-k constraints (literals, k): boundary counts, tables per zone and slot,
        # busy companies per slot.
        self.atmost: list[tuple[list[int], int]] = []
        for c, ks in mine.items():
            self._company(c, ks, le, true)
        self.table_rows: dict[tuple[int, int], list[int]] = defaultdict(list)
        for (k, t), var in self.x.items():
            self.table_rows[problem.pairs[k].zone, t].append(var)
        self.atmost += [
            (row, problem.free_tables[z][t])
            for (z, t), row in self.table_rows.items()
            if len(row) > problem.free_tables[z][t]
        ]
        for t in range(n_slots):
            self.atmost += self._busy_card(t)
        # Per-company break caps, each switched on by assuming its selector (``solve``).
        self.caps: dict[int, int] = {}
        for cap in caps:
            self.caps[cap] = pool.id(("cap", cap))
            for lits in self.brk_of.values():
                self._switched_atmost(lits, cap, self.caps[cap])
        # With ``company_caps``, one break at most for each company whose selector is
        # assumed (``solve``'s ``capped``): the neighbourhood search keeps the companies
        # with at most one break there.
        self.capped_at_one: dict[int, int] = {}
        for c, lits in self.brk_of.items() if company_caps else ():
            self.capped_at_one[c] = pool.id(("cap1", c))
            self._switched_atmost(lits, 1, self.capped_at_one[c])
        bound = max(0, max_breaks) + 1
        self.counters: list[ITotalizer] = []
        for lits in (self.brk, self.free):
            if lits:
                counter = ITotalizer(lits=lits, ubound=bound, top_id=pool.top)
                pool.top = counter.top_id
                clauses += counter.cnf.clauses
                self.counters.append(counter)
        self.oracle: Solver | None = None
        self.lock = threading.Lock()
        self.stopped = False

    def _company(self, c: int, ks: list[int], le: dict[int, list[int]], true: int) -> None:
        problem, pool, clauses = self.problem, self.pool, self.clauses
        n_slots = problem.n_slots
        fixed = sorted(problem.fixed_busy[c])
        n = len(ks) + len(fixed)
        possible = set(fixed)
        for k in ks:
            possible.update(problem.pairs[k].allowed)
        starts = [
            s
            for s in range(n_slots - n + 1)
            if all(t in possible for t in range(s, s + n))
            and all(s <= f < s + n for f in fixed)
            and _fits(problem, ks, range(s, s + n))
        ]
        free = pool.id(("free", c))
        self.free.append(free)
        rows = {t: [self.x[k, t] for k in ks if (k, t) in self.x] for t in range(n_slots)}
        for row in rows.values():
            if len(row) > 1:
                enc = EncType.pairwise if len(row) <= 6 else EncType.ladder
                clauses += CardEnc.atmost(row, 1, vpool=pool, encoding=enc).clauses
        cover: dict[int, list[int]] = {}
        if not starts:
            clauses.append([free])
            self.forced += 1
        else:
            first, last = starts[0], starts[-1]
            ge = [
                true if s <= first else -true if s > last else pool.id(("ge", c, s))
                for s in range(n_slots + 1)
            ]
            for s in range(1, n_slots + 1):
                clauses.append([-ge[s], ge[s - 1]])
            for s in range(first, last + 1):
                if s not in starts:
                    clauses.append([-ge[s], ge[s + 1]])
            for k in ks:
                order = le[k]
                for s in range(1, n_slots):
                    # start >= s: meets at s or later; start <= s - 1: by s + n - 2.
                    clauses.append([free, -ge[s], -order[s - 1]])
                    if s + n - 2 < n_slots:
                        clauses.append([free, ge[s], order[s + n - 2]])
            self._boundaries(ks, n, fixed, ge, free, le, true, range(first + 1, last + n))
            fixed_set = set(fixed)
            for t in range(n_slots):
                if t in fixed_set:
                    continue
                # Inside the window (start <= t and start >= t - n + 1): a meeting at t.
                clauses.append([free, ge[t + 1], -ge[max(0, t - n + 1)], *rows[t]])
                if rows[t]:
                    cover[t] = [free, ge[t + 1], -ge[max(0, t - n + 1)]]
        # Breaks: a run of meetings that is not the first of the day.
        state: list[int | bool] = []
        for t in range(n_slots):
            if t in problem.fixed_busy[c]:
                state.append(True)
            elif not rows[t]:
                state.append(False)
            elif len(rows[t]) == 1:
                state.append(rows[t][0])
            else:
                busy = pool.id(("busy", c, t))
                clauses.append([-busy, *rows[t]])
                clauses.extend([-v, busy] for v in rows[t])
                state.append(busy)
            if state[t] is not True and state[t] is not False:
                self.busy_rows[t].append(state[t])
                if t in cover:
                    clauses.append([*cover[t], state[t]])
        found, breaks = break_clauses(pool, state, c)
        clauses += found
        for _, brk in breaks:
            clauses.append([-brk, free])
            self.brk.append(brk)
            self.brk_of[c].append(brk)

    def _switched_atmost(self, lits: list[int], bound: int, selector: int) -> None:
        """At most ``bound`` of ``lits`` while ``selector`` is assumed (clauses)."""
        if len(lits) > bound:
            cnf = CardEnc.atmost(lits, bound, vpool=self.pool, encoding=EncType.seqcounter)
            self.clauses += [[-selector, *clause] for clause in cnf.clauses]

    def _boundaries(
        self,
        ks: list[int],
        n: int,
        fixed: list[int],
        ge: list[int],
        free: int,
        le: dict[int, list[int]],
        true: int,
        straddled: range,
    ) -> None:
        """Implied: unless free, a company starting at s has exactly clamp(B - s, 0, n) of
        its n meetings before slot B. Stated at the boundaries B where one of its pairs'
        allowed slots begin or end (a session's edge, a forbidden slot), as two native
        at-most-k constraints over the order encodings; relaxed by n literals that are
        true when the company is free. Without them the solver has to find by search
        that more meetings are pushed before B than the window leaves room for
        (a pigeonhole), which made the published instances with sessions slow."""
        edges: set[int] = set()
        for k in ks:
            allowed = set(self.problem.pairs[k].allowed)
            edges.update(t for t in straddled if (t - 1 in allowed) != (t in allowed))
        if not edges:
            return
        relax = [self.pool.id() for _ in range(n)]
        for lit in relax:
            self.clauses += [[free, lit], [-free, -lit]]

        def atmost(lits: list[int], bound: int) -> None:
            bound -= sum(1 for lit in lits if lit == true)
            real = [lit for lit in lits if abs(lit) != true]
            if len(real) > bound:
                self.atmost.append((real + relax, bound + n))

        n_slots = self.problem.n_slots
        for b in sorted(edges):
            before = sum(1 for f in fixed if f < b)
            # Before b: at most max(0, b - s) = b - (ge[1] + ... + ge[b]).
            atmost([le[k][b - 1] for k in ks] + ge[1 : b + 1], b - before)
            # From b on: at most max(0, s + n - b) = ge[low] + ... + ge[T] + max(0, 1 - low')
            # where low' = b - n + 1 and low = max(1, low').
            lowest = b - n + 1
            tail = ge[max(1, lowest) : n_slots + 1]
            atmost(
                [-le[k][b - 1] for k in ks] + [-g for g in tail],
                len(tail) + max(0, 1 - lowest) - (len(fixed) - before),
            )

    def _busy_card(self, t: int) -> list[tuple[list[int], int]]:
        """Implied: at most 2 x free tables companies busy in slot t (all zones together)."""
        row = self.busy_rows[t]
        limit = 2 * sum(tables[t] for tables in self.problem.free_tables)
        return [(row, limit)] if len(row) > limit else []

    def _assumptions(self, k_breaks: int) -> list[int]:
        return [-c.rhs[k_breaks] for c in self.counters if k_breaks < len(c.rhs)]

    def _assignment(self, model: Sequence[int]) -> list[int]:
        true = {v for v in model if v > 0}
        result = [UNPLACED] * len(self.problem.pairs)
        for (k, t), var in self.x.items():
            if var in true:
                result[k] = t
        return result

    def interrupt(self, final: bool = True) -> None:
        """Stop a running ``solve`` (from another thread); it then answers ``None``. Unless
        ``final``, later calls run again (the caller changed its mind about K)."""
        with self.lock:
            self.stopped = self.stopped or final
            if self.oracle is not None:
                self.oracle.interrupt()

    def solve(
        self,
        k_breaks: int,
        keep: Sequence[int] = (),
        conflicts: int = 0,
        cap: int | None = None,
        capped: Sequence[int] = (),
    ) -> tuple[bool | None, list[int] | None]:
        """(True, assignment with at most ``k_breaks`` breaks), (False, None) when none
        exists, or (None, None) when interrupted or out of ``conflicts`` (a budget; 0: none).
        ``keep``: an assignment of the active pairs (``UNPLACED`` for those free to move);
        the others stay where it puts them, and False then only means none among those.
        ``cap`` (one of ``caps``): every company at most that many breaks; ``capped``:
        these companies at most one (with ``company_caps``); False then only means none
        within the caps.
        The SAT call releases the GIL (``expect_interrupt``), so other threads run
        meanwhile."""
        if not self.feasible:
            return False, None
        oracle = self.prepare()
        if self.stopped:
            return None, None
        assumptions = self._assumptions(k_breaks)
        if keep:
            assumptions += [self.x[k, keep[k]] for k in self.active if keep[k] != UNPLACED]
        if cap is not None:
            assumptions.append(self.caps[cap])
        assumptions += [self.capped_at_one[c] for c in capped if c in self.capped_at_one]
        if conflicts:
            oracle.conf_budget(conflicts)
        answer = oracle.solve_limited(assumptions=assumptions, expect_interrupt=True)
        if answer is None:
            oracle.clear_interrupt()
            return None, None
        if not answer:
            return False, None
        return True, self._assignment(oracle.get_model())

    def prepare(self) -> Solver:
        """The SAT solver, made on the first call (a large model takes a while)."""
        with self.lock:
            if self.oracle is None:
                self.oracle = self._oracle()
            return self.oracle

    def _oracle(self) -> Solver:
        """The SAT solver with every constraint; sequential counters for the at-most-k
        constraints if ``self.solver`` has no native ones."""
        oracle = Solver(name=self.solver, bootstrap_with=self.clauses)
        for lits, bound in self.atmost:
            if oracle.supports_atmost():
                oracle.add_atmost(lits, bound)
            else:
                cnf = CardEnc.atmost(lits, bound, vpool=self.pool, encoding=EncType.seqcounter)
                oracle.append_formula(cnf.clauses)
        return oracle

    def close(self) -> None:
        """Free the SAT solver and the counters (C++ objects)."""
        with self.lock:
            if self.oracle is not None:
                self.oracle.delete()
                self.oracle = None
            for counter in self.counters:
                counter.delete()
            self.counters = []


class Neighbourhoods:
    """Large-neighbourhood search with the window model around a schedule of its active
    pairs: each ``step`` keeps every pair outside a neighbourhood where the schedule has
    it (SAT assumptions, so the model is built once and its learnt clauses kept) and asks
    for fewer breaks, with a small conflict budget. Two kinds of neighbourhood, in turn at
    random: a few companies with breaks grown along their pairs (a fifth of them at random)
    to ``size`` companies, every pair of one of them free; or a run of slots, every pair
    meeting in it free. ``size`` grows when a neighbourhood holds no better schedule and
    shrinks when the budget runs out first. With a model built with ``company_caps``, every
    company with at most one break keeps at most one: a smaller space for each step's
    budget (about 4% fewer breaks after 5 s on six hard variants, ``benchmarks/README.md``).

    Where the exact searches find nothing, this is what gets near the optimum: on the
    forbidden-slot variants of forum-13crafb, 13-15 breaks after the anneal, 5-7 after 8 s
    (the paper's optimum 5), where the window model alone found no schedule with 8 breaks
    in 20 s (``benchmarks/README.md``)."""

    def __init__(self, window: WindowSat, seed: int = 0) -> None:
        self.window = window
        self.rng = random.Random(seed)
        self.pairs_of = window.pairs_of
        self.companies = sorted(self.pairs_of)
        self.size = min(LNS_FIRST_SIZE, len(self.companies))

    def _kept(self, slots: Sequence[int], now: dict[int, int]) -> list[int]:
        """``slots`` (with breaks ``now`` per company) with the pairs of one neighbourhood
        ``UNPLACED``."""
        problem, rng, active = self.window.problem, self.rng, self.window.active
        kept = list(slots)
        with_breaks = sorted(c for c in now if c in self.pairs_of)
        if with_breaks and rng.random() < 0.5:
            chosen = set(rng.sample(with_breaks, min(len(with_breaks), rng.randint(1, 3))))
            while len(chosen) < self.size:
                c = rng.choice(sorted(chosen))
                pair = problem.pairs[rng.choice(self.pairs_of[c])]
                chosen.add(pair.b if pair.a == c else pair.a)
                if rng.random() < 0.2:
                    chosen.add(rng.choice(self.companies))
            for k in active:
                pair = problem.pairs[k]
                if pair.a in chosen or pair.b in chosen:
                    kept[k] = UNPLACED
        else:
            n_slots = problem.n_slots
            length = min(n_slots, max(2, self.size * n_slots // len(self.companies)))
            start = rng.randrange(n_slots - length + 1)
            for k in active:
                if start <= slots[k] < start + length:
                    kept[k] = UNPLACED
        return kept

    def step(self, slots: Sequence[int], breaks: int) -> list[int] | None:
        """A schedule with fewer than ``breaks`` breaks in one neighbourhood of ``slots``
        (a schedule of the active pairs with that many), or None."""
        now = company_breaks(self.window.problem, slots)
        capped = [c for c in self.companies if now.get(c, 0) <= 1]
        kept = self._kept(slots, now)
        answer, result = self.window.solve(breaks - 1, kept, LNS_CONFLICTS, capped=capped)
        if answer is False:
            self.size = min(len(self.companies), self.size + 1)
        elif answer is None:
            self.size = max(LNS_SMALLEST, self.size - 1)
        if not answer or result is None:
            return None
        active = set(self.window.active)
        return [result[k] if k in active else t for k, t in enumerate(slots)]


class WindowProbe:
    """The window model as an anytime search beside the solver's heuristics, for one-day
    models too large for the exact searches (``maxsat``) in the time given, such as a
    Chongqing-size event: in a thread, K from the lowest open value up, in rounds with
    short timeouts that double (``PROBE_FIRST_SECONDS``), round r probing up to r + 2
    values; a schedule at K bounds the next rounds. On the generated Chongqing family the
    model builds in about 0.45 s and most instances then have a schedule with 0-2 breaks
    within 0.6 s, where the heuristics alone ended at 6-18 breaks (``benchmarks/README.md``).

    The constructor builds the model (in the caller's thread: built beside the anneal,
    both ran at half speed, holding the GIL in turn); ``start`` runs the SAT calls in a
    thread (they release the GIL, so the caller's searches go on on the other core) until
    the deadline (a ``time.monotonic`` value) or a proof. ``best`` returns the best
    schedule found so far, ``result`` the same once the search has ended."""

    def __init__(self, problem: Problem, active: Sequence[int], lower: int) -> None:
        self.problem = problem
        self.active = list(active)
        self.breaks = lower + PROBE_SPAN + 1  # K is searched below this
        self.deadline = 0.0  # set by ``start``
        self.refuted = lower  # every K below this is impossible
        self.found: tuple[int, list[int]] | None = None  # breaks, assignment
        window = WindowSat(problem, self.active, self.breaks - 1)
        self.refuted = max(self.refuted, window.forced)
        window.prepare()
        self.window: WindowSat | None = window
        self.lock = threading.Lock()
        self.halted = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self, deadline: float) -> WindowProbe:
        self.deadline = deadline
        self.thread.start()
        return self

    def _run(self) -> None:
        window = self.window
        assert window is not None
        rounds = 0
        try:
            while window.feasible and not self.halted.is_set():
                high = self.breaks if self.found is None else self.found[0]
                low = self.refuted
                if low >= high:
                    return  # the schedule found is optimal, or nothing below PROBE_SPAN
                seconds = PROBE_FIRST_SECONDS * 2**rounds
                for k in range(low, min(high, low + rounds + 2)):
                    if k < self.refuted or (self.found is not None and k >= self.found[0]):
                        continue
                    left = self.deadline - time.monotonic()
                    if left <= 0 or self.halted.is_set():
                        return
                    timer = threading.Timer(
                        min(seconds, left), window.interrupt, kwargs={"final": False}
                    )
                    timer.start()
                    answer, result = window.solve(k)
                    timer.cancel()
                    with self.lock:
                        if answer is False:
                            self.refuted = max(self.refuted, k + 1)
                        elif answer and result is not None:
                            self.found = (count_breaks(self.problem, result), result)
                    if answer:
                        break
                rounds += 1
        finally:
            with self.lock:
                self.window = None
            window.close()

    def best(self) -> tuple[list[int] | None, bool, int]:
        """(the schedule of the active pairs found so far or None, whether it is proven
        optimal, proven lower bound on their breaks); the search goes on."""
        with self.lock:
            found, refuted = self.found, self.refuted
        if found is None:
            return None, False, refuted
        return found[1], found[0] <= refuted, refuted

    def result(self) -> tuple[list[int] | None, bool, int]:
        """``best`` once the search has ended: waits for it until the deadline, then
        stops it."""
        self.thread.join(max(0.0, self.deadline - time.monotonic()))
        self.halt()
        self.thread.join()
        return self.best()

    def halt(self) -> None:
        with self.lock:
            self.halted.set()
            if self.window is not None:
                self.window.interrupt()


__all__ = ["Neighbourhoods", "WindowProbe", "WindowSat", "applicable"]
