"""``solve``: the scheduler behind ``matchmaking solve``.

Objective, lexicographic: most must pairs, then most score, then fewest breaks. Pipeline:

1. index the instance, fixed meetings applied (``problem``); a greedy schedule (``greedy``);
2. choose pairs: the must-first LP relaxation (GLOP) rounded, or CP-SAT when the LP is
   fractional (``select``); slots ignored, so its weight is an upper bound when proven;
   pairs needing an interpreter within the pool's interpreter-slots (``select``);
3. slots for those pairs: a time sweep that keeps runs unbroken, a repair that moves
   blocking meetings, hill climbing on breaks, then company re-seating (each company's
   meetings assigned optimally to its slots or a window, ``greedy``, ``local``, ``permute``);
4. a lower bound on breaks from each company's fixed meetings and gaps (``problem``), and a
   short anneal with Kempe-chain moves (``anneal``) so that what follows starts from, and
   falls back on, a good schedule rather than the constructed one;
5. the exact break searches: on small models MaxSAT and the window SAT model (``maxsat``,
   ``windows``; the latter also as a large-neighbourhood search around the best schedule
   when that is far above the lower bound), on smaller ones CP-SAT on the whole slot
   assignment (``cpsat``);
6. spare capacity filled with any pair that still fits, then, unless the breaks are proven
   optimal (by a search or by meeting the lower bound), the anneal again, an iterated
   re-seating search (``permute``) and neighbourhood search with CP-SAT (``lns``) until the
   deadline;
7. interpreters staffed (``interpreters.staff``) in time kept for it within the limit;
   tables numbered last per zone and slot. With a pool that can run short, every phase
   placing or moving meetings (greedy, sweep, repair, rescue, hill climbing, re-seating,
   anneal, neighbourhood search; the exact models' results are checked) keeps the meetings
   needing an interpreter where one can be routed (``slotpool``), so staffing rarely has
   anything to move or drop.

Every intermediate assignment is valid and only replaced by a lexicographically better one,
so a short time limit still returns the best schedule found so far.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence

from .anneal import anneal
from .cpsat import SlotModel
from .greedy import UNPLACED, greedy, priority_order, sweep
from .interpreters import STAFF_STEPS_SHARE, staff, staffing_seconds
from .lns import improve
from .local import polish, repair, rescue
from .maxsat import BreakMaxSat
from .model import Instance, Meeting, Schedule
from .permute import reseat
from .problem import Problem, break_bound, build_problem
from .select import fill_order, lp_pairs, select_pairs, within_capacity
from .slotpool import Routing, SlotPool, excess
from .stats import gaps, measure
from .windows import WindowProbe, applicable

# Above this many (pair, slot) variables the whole CP-SAT model would take too long to build
# and presolve, so the weight is not maximised over every pair with it.
FULL_MODEL_LIMIT = 20_000
# Above this many the integer pair selection (CP-SAT) is skipped: the rounded LP is close
# and, unlike a slower integer optimum, is known to schedule well.
SELECT_LIMIT = 200_000
# Up to this many (pair, slot) variables, and with at least ``MAXSAT_SECONDS`` left, the
# MaxSAT model (``maxsat``) gets ``MAXSAT_SHARE`` of the remaining time first: it returns a
# proven break optimum, or its best schedule so far, and unless proven optimal the CP-SAT
# model and neighbourhood search follow.
MAXSAT_LIMIT = 12_000
MAXSAT_SECONDS = 3.0
MAXSAT_SHARE = 0.7
EXACT_SHARE = 0.9
# Up to this many (pair, slot) variables of the chosen pairs, CP-SAT re-solves their slots
# exactly (``_reschedule``); above, its time goes to the iterated re-seating search, which
# does better there.
RESCHEDULE_LIMIT = 3_000
# The window probe (``windows.WindowProbe``) for one-day models too large for the exact
# searches: up to this many (pair, slot) variables of the chosen pairs (the generated
# Chongqing family has about 28,000; its model builds in 0.45 s), with more than this many
# seconds left.
PROBE_LIMIT = 60_000
PROBE_MIN_SECONDS = 0.6
# Smaller models get the probe instead when less time than this is left after choosing the
# pairs: the exact searches would then not get their MAXSAT_SECONDS.
PROBE_BELOW_SECONDS = 4.0
# Share of the time left at the end for the iterated re-seating search (``permute``); the
# CP-SAT neighbourhood search (``lns``) gets the rest.
ILS_SHARE = 0.75
# Time kept after the searches for the tables and statistics: at most FINISH_SECONDS, and
# at most FINISH_SHARE of a short limit.
FINISH_SECONDS = 0.3
FINISH_SHARE = 0.03
# Share of the time left for the anneal (``anneal``) before the exact break searches, and
# at the end before the re-seating search.
ANNEAL_FIRST_SHARE = 0.05
ANNEAL_SHARE = 0.6
# A sweep with its repair takes up to this many greedy passes (measured on the generated
# families); with less time left, the greedy schedule is improved by the searches that can
# stop at the deadline instead.
CONSTRUCT_UNITS = 4
# Sweep start thresholds tried in turn (see ``greedy.sweep``); the best schedule is kept.
SWEEP_THRESHOLDS = (1.2, 0.0, 0.8, 1.5, 1.0, 2.0, 0.5)


def _weight(problem: Problem, slots: Sequence[int]) -> int:
    return sum(problem.weight_of(p) for p, t in zip(problem.pairs, slots, strict=True) if t >= 0)


def _musts(problem: Problem, slots: Sequence[int]) -> int:
    return sum(1 for p, t in zip(problem.pairs, slots, strict=True) if t >= 0 and p.must)


def _tables(problem: Problem, slots: Sequence[int]) -> list[Meeting]:
    """Fixed meetings unchanged, then new ones at the lowest free table of their zone and slot."""
    instance = problem.instance
    used: dict[tuple[str, str], set[int]] = defaultdict(set)
    for m in instance.fixed:
        used[m.zone, m.slot].add(m.table)
    meetings = list(instance.fixed)
    for pair, t in zip(problem.pairs, slots, strict=True):
        if t == UNPLACED:
            continue
        cand = instance.candidates[pair.index]
        slot = instance.slots[t].id
        taken = used[cand.zone, slot]
        table = 1
        while table in taken:
            table += 1
        taken.add(table)
        meetings.append(Meeting(cand.buyer, cand.supplier, slot, cand.zone, table))
    return meetings


def _unscheduled(problem: Problem, slots: Sequence[int]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for cand, reason in problem.blocked:
        rows.append({"buyer": cand.buyer, "supplier": cand.supplier, "reason": reason})
    for pair, t in zip(problem.pairs, slots, strict=True):
        if t == UNPLACED:
            cand = problem.instance.candidates[pair.index]
            reason = "no room left (companies, caps or tables)"
            rows.append({"buyer": cand.buyer, "supplier": cand.supplier, "reason": reason})
    return rows


def _breaks(problem: Problem, slots: Sequence[int]) -> int:
    return gaps(problem.instance, _tables(problem, slots))[0]


def _variables(problem: Problem) -> int:
    return sum(len(pair.allowed) for pair in problem.pairs)


def _as_slots(picked: Sequence[bool]) -> list[int]:
    """A selection as a pseudo-assignment (slot 0 for chosen pairs), for ``_weight``."""
    return [0 if chosen else UNPLACED for chosen in picked]


def _better(problem: Problem, new: Sequence[int], old: Sequence[int]) -> bool:
    """Lexicographic comparison: weight (must, then score) first, then fewer breaks."""
    w_new, w_old = _weight(problem, new), _weight(problem, old)
    if w_new != w_old:
        return w_new > w_old
    return _breaks(problem, new) < _breaks(problem, old)


def _construct(
    problem: Problem,
    chosen: Sequence[int],
    greedy_slots: Sequence[int],
    stop: float,
    first_complete: bool = False,
    pool: SlotPool | None = None,
) -> list[int]:
    """Best of several sweeps (start thresholds in ``SWEEP_THRESHOLDS`` order) after repair;
    at least one is always built, more while time lasts before ``stop`` (with
    ``first_complete``, only until one places every chosen pair). With ``pool``, pairs
    needing an interpreter go only where one is free (``slotpool``)."""
    best: list[int] | None = None
    for threshold in SWEEP_THRESHOLDS:
        if best is not None and time.monotonic() > stop:
            break
        if first_complete and best is not None and all(best[k] != UNPLACED for k in chosen):
            break
        found = sweep(problem, chosen, threshold, pool)
        found = repair(problem, found, chosen, stop, pool)
        musts = _musts(problem, found)
        if musts < _musts(problem, greedy_slots) or (
            pool is not None and musts < sum(1 for k in chosen if problem.pairs[k].must)
        ):
            found = rescue(problem, found, priority_order(problem), pool)
            found = within_capacity(problem, found)
        if best is None or _better(problem, found, best):
            best = found
    assert best is not None
    return best


def _routed(problem: Problem, slots: Sequence[int], pool: SlotPool | None) -> list[int]:
    """``slots`` (from a model ignoring interpreters) with each meeting no interpreter could
    be routed to (``slotpool``) taken out, lowest weight first, then re-placed where
    moving others makes room with an interpreter free (``repair``); unchanged without
    excess."""
    if pool is None:
        return list(slots)
    routing = Routing(pool, slots)
    if not routing.unrouted:
        return list(slots)
    found = list(slots)
    pairs = problem.pairs
    needing = [k for k, t in enumerate(found) if t >= 0 and routing.needs(k)]
    taken = []
    for k in sorted(needing, key=lambda k: (problem.weight_of(pairs[k]), k)):
        before = routing.unrouted
        routing.apply([(k, found[k], UNPLACED)])
        if routing.unrouted < before:
            found[k] = UNPLACED
            taken.append(k)
        else:
            routing.apply([(k, UNPLACED, found[k])])
        if not routing.unrouted:
            break
    order = priority_order(problem)
    rank = {k: i for i, k in enumerate(order)}
    return repair(problem, found, sorted(taken, key=rank.__getitem__), pool=pool)


def _reschedule(
    problem: Problem, pairs: Sequence[int], hint: Sequence[int], seconds: float
) -> tuple[list[int], bool, bool]:
    """Slots for ``pairs`` with fewest breaks: (assignment, breaks optimal, all placed).

    When the hint already places every pair, the exact model (each pair exactly once, each
    company busy in as many slots as it has pairs) starts from it. Otherwise the exact model
    first gets a share of the time to place them all; failing that, the at-most-once model
    with a penalty per missing pair (larger than any break count) starts from the hint.
    Only called for models up to ``RESCHEDULE_LIMIT`` variables.
    """
    stop = time.monotonic() + seconds
    complete = all(hint[k] != UNPLACED for k in pairs)
    if not complete:
        # When every pair of the problem is in play (each fits on its own), one long exact
        # solve beats splitting the time; otherwise keep time for the penalty model.
        share = 1.0 if len(pairs) == len(problem.pairs) else 0.4
        model = SlotModel(problem, pairs, exact=True)
        found, optimal, verdict = model.minimise_breaks(hint, share * seconds)
        if verdict == "feasible":
            hint, complete = found, True
            if optimal or share == 1.0:
                return found, optimal, True
    if complete:
        model = SlotModel(problem, pairs, exact=True)
        found, optimal, verdict = model.minimise_breaks(hint, stop - time.monotonic())
        return (found, optimal, True) if verdict == "feasible" else (list(hint), False, True)
    model = SlotModel(problem, pairs)
    penalty = 2 * len(pairs) + 1
    found, _, verdict = model.minimise_breaks(hint, stop - time.monotonic(), penalty)
    if verdict != "feasible":
        return list(hint), False, False
    return found, False, all(found[k] != UNPLACED for k in pairs)


def _probed(
    problem: Problem,
    probe: WindowProbe,
    slots: list[int],
    optimal: bool,
    pool: SlotPool | None,
    end: bool,
) -> tuple[list[int], bool, tuple[frozenset[int], int]]:
    """``slots``, or the window probe's schedule where better (with the pairs that only
    ``slots`` places added to it, by ``repair``); whether the breaks of the one returned
    are proven optimal (``optimal``: those of ``slots``); and the probe's lower bound on
    the breaks of its pairs (``searched`` in ``solve``). What the probe found so far
    (``WindowProbe.best``), or with ``end`` once it has ended (``result``)."""
    found, proven, lower = probe.result() if end else probe.best()
    searched = (frozenset(probe.active), lower)
    if found is not None:
        added = [k for k, t in enumerate(slots) if t != UNPLACED and found[k] == UNPLACED]
        if added:
            found, proven = repair(problem, found, added, pool=pool), False
        if excess(pool, found) <= excess(pool, slots) and _better(problem, found, slots):
            return found, proven, searched
    return slots, optimal, searched


def _default_seconds(problem: Problem) -> float:
    """Search time when none is given, by model size: thorough for small events (like the
    published ones), interactive for one-day conferences, bounded for the largest. Small
    events keep 2 s in hand under 10 s: the command line adds about 0.9 s (start-up,
    reading, quality figures; measured 9.42 s in all with 8.5 s here), and the searches are
    waited for up to STOP_GRACE past the deadline."""
    size = _variables(problem)
    if size <= 12_000:
        return 8.0
    if size <= 120_000:
        return 1.75
    if size <= 1_000_000:
        return 18.0
    return 52.0


def solve(instance: Instance, time_limit: float | None = None) -> Schedule:
    """Schedule an instance: most must pairs, then most score, then fewest breaks."""
    started = time.monotonic()
    problem = build_problem(instance)
    budget = _default_seconds(problem) if time_limit is None else time_limit
    # The searches stop a little early: numbering tables, the statistics and waiting for the
    # SAT threads (``maxsat.STOP_GRACE``) come after them and must fit in the limit too.
    # Interpreter staffing (``interpreters.staff``) runs after the searches: its time is kept
    # too (``staffing_seconds``: none without interpreter needs); its steps after the first
    # stop at STAFF_STEPS_SHARE of it, leaving the rest for its reasons and figures.
    finish = min(FINISH_SECONDS, FINISH_SHARE * budget)
    # Interpreters per slot (``slotpool``): the phases that place or move meetings keep the
    # meetings needing one where one is free, so staffing rarely moves or drops any. None
    # (no checks at all) without needs or with a pool that never runs short; staffing then
    # only matches, in little of the time.
    pool = SlotPool.of(problem)
    reserve = staffing_seconds(problem, budget, plentiful=pool is None)
    deadline = started + budget - finish - reserve
    staffing_stop = deadline + STAFF_STEPS_SHARE * reserve
    everything = range(len(problem.pairs))
    # Pairs needing an interpreter beyond the pool's interpreter-slots are left out from the
    # start (``select.within_capacity``): no slot arrangement could staff them.
    slots = within_capacity(problem, greedy(problem, pool=pool))
    # The greedy pass's time is the yardstick for the passes that cannot be interrupted: the
    # LP takes about twice as long, a sweep with its repair several times.
    unit = time.monotonic() - started
    top = _weight(problem, [0] * len(problem.pairs))
    bound, bound_proven = top, True
    breaks_optimal = False

    def left(share: float = 1.0) -> float:
        return share * (deadline - time.monotonic())

    chosen = list(everything)
    if problem.pairs and _weight(problem, slots) < top and left() > max(0.05, unit):
        # Pairs first (a degree-constrained subgraph), then slots for exactly those pairs.
        picked, bound_proven = lp_pairs(problem, left(0.5))
        if not bound_proven and left() > 0.5 and _variables(problem) <= SELECT_LIMIT:
            better, bound_proven = select_pairs(problem, time.monotonic() + left(0.25), picked)
            if _weight(problem, _as_slots(better)) >= _weight(problem, _as_slots(picked)):
                picked = better
        if any(picked):
            chosen = [k for k in priority_order(problem) if picked[k]]
            bound = _weight(problem, _as_slots(picked))
    probe: WindowProbe | None = None
    size = sum(len(problem.pairs[k].allowed) for k in chosen)
    if (
        problem.pairs
        and pool is None
        and applicable(problem)
        and size <= PROBE_LIMIT
        and (size > MAXSAT_LIMIT or left() < PROBE_BELOW_SECONDS)
        and left() > PROBE_MIN_SECONDS
    ):
        # Too large for the exact searches in the time (a Chongqing-size event): the window
        # model on the chosen pairs as an anytime search, in a thread beside the heuristics
        # (``windows.WindowProbe``; taken in ``_probed``). Not with a pool that can run
        # short: the model ignores interpreters, and its schedules routed too few of them
        # (seed 1 of the Chongqing family, scarce pool: 41 breaks against 25 without it).
        probe = WindowProbe(problem, chosen, break_bound(problem, chosen))
        probe.start(deadline)
    # One-day models small enough for the exact break search (MaxSAT and the window model)
    # leave it most of the time: a first schedule only has to be good enough to fall back on.
    exact = _variables(problem) <= MAXSAT_LIMIT and applicable(problem)
    if problem.pairs and left() > CONSTRUCT_UNITS * unit:
        first = _construct(problem, chosen, slots, time.monotonic() + left(0.2), exact, pool)
        first = polish(problem, first, time.monotonic() + left(0.05 if exact else 0.2), pool)
        first = reseat(problem, first, time.monotonic() + left(0.05 if exact else 0.2), pool=pool)
        if _better(problem, first, slots):
            slots = first
    if (
        problem.pairs
        and _weight(problem, slots) < bound
        and left() > 0.05
        and _variables(problem) <= FULL_MODEL_LIMIT
    ):
        # The LP's pairs ignore slot conflicts and may not all fit: maximise the weight (must
        # pairs first) exactly over every pair, from the best assignment so far. When every
        # pair weighs the same, its result is taken only with a proof or the LP's count: on the
        # paper's 40%-fixed variants the fixed meetings leave room for fewer pairs than the
        # LP allows, and this model proves how many (tic-12.fixed040: 123 of 125 in 0.7 s;
        # before, 123 unproven after 10 s); where the LP's pairs do fit (forbidden-slot
        # variants), an unproven schedule of other pairs, even one more than constructed,
        # would keep the exact break searches from placing them (232 of 234 on
        # forumt-14crafe.forb0007, against 234 proven).
        uniform = len({problem.weight_of(p) for p in problem.pairs}) == 1
        found, proven = SlotModel(problem, everything).maximise_weight(slots, left(0.25))
        staffable = _routed(problem, within_capacity(problem, found), pool)
        proven = proven and staffable == found  # else optimal only without interpreters
        found = staffable
        adopt = proven or not uniform or _weight(problem, found) >= bound
        if adopt and _better(problem, found, slots):
            slots = found
        if proven:
            # The optimum is known: later phases work on exactly the pairs it places.
            bound, bound_proven = _weight(problem, slots), True
            chosen = [k for k in priority_order(problem) if slots[k] != UNPLACED]
    lower = 0  # proven lower bound on the breaks of the placed pairs (``break_bound``)
    # The exact searches' lower bound on the breaks of the pairs they placed, when stopped
    # by the deadline (RC2's cost so far): it holds for the result only with those pairs.
    searched: tuple[frozenset[int], int] = (frozenset(), 0)
    if problem.pairs and left() > 0.3:
        # A short anneal first: the exact searches then start from, and are bounded by, a
        # far better schedule than the constructed one (33 breaks against 11-17 on the
        # forbidden-slot variants of forum-13crafb), and it is what they fall back on.
        # Not while chosen pairs are left to place: a packed schedule has less room for
        # them, and the searches below place them first.
        placed = [k for k in everything if slots[k] != UNPLACED]
        lower = break_bound(problem, placed)
        if _breaks(problem, slots) > lower and set(placed) >= set(chosen):
            stop = time.monotonic() + left(ANNEAL_FIRST_SHARE)
            found = anneal(problem, slots, stop, lower=lower, pool=pool)
            if _better(problem, found, slots):
                slots = found
            breaks_optimal = _breaks(problem, slots) <= lower
    if problem.pairs and left() > 0.3 and not breaks_optimal:
        placed = [k for k in everything if slots[k] != UNPLACED]
        target = chosen if set(placed) < set(chosen) else placed
        size = sum(len(problem.pairs[k].allowed) for k in target)
        if probe is None and size <= MAXSAT_LIMIT and left() >= MAXSAT_SECONDS:
            share = EXACT_SHARE if exact else MAXSAT_SHARE
            maxsat = BreakMaxSat(problem, target)
            exact_slots, proven = maxsat.minimise_breaks(slots, time.monotonic() + left(share))
            searched = (frozenset(target), maxsat.lower_bound)
            if (
                exact_slots is not None
                and not _better(problem, slots, exact_slots)
                and excess(pool, exact_slots) <= excess(pool, slots)
            ):
                slots, breaks_optimal = exact_slots, proven
        if not breaks_optimal and size <= RESCHEDULE_LIMIT:
            found, breaks_optimal, _ = _reschedule(problem, target, slots, left(0.75))
            if excess(pool, found) > excess(pool, slots):
                found, breaks_optimal = slots, False  # the model ignores interpreters
            if _better(problem, found, slots):
                slots = found
            elif _better(problem, slots, found):
                breaks_optimal = False
    if problem.pairs and left() > 0.05:
        # Spare capacity after the chosen pairs: any other pair that still fits.
        todo = fill_order(problem, slots, priority_order(problem))
        filled = repair(problem, slots, todo, time.monotonic() + left(0.1), pool)
        if filled != slots:
            slots, breaks_optimal = filled, False
    if problem.pairs and not breaks_optimal and left() > 0.1:
        lower = break_bound(problem, [k for k in everything if slots[k] != UNPLACED])
        stop = time.monotonic() + left(ANNEAL_SHARE)
        found = anneal(problem, slots, stop, seed=1, lower=lower, pool=pool)
        if _better(problem, found, slots):
            slots = found
    if probe is not None:
        # What the probe found so far: the searches below improve it, or end if it is
        # proven optimal; the probe goes on and is asked again at the end.
        slots, breaks_optimal, searched = _probed(
            problem, probe, slots, breaks_optimal, pool, end=False
        )
        if breaks_optimal:
            probe.halt()
    if problem.pairs and not breaks_optimal and left() > 0.1:
        found = reseat(problem, slots, time.monotonic() + left(ILS_SHARE), kicks=True, pool=pool)
        if _better(problem, found, slots):
            slots = found
    if problem.pairs and not breaks_optimal and left() > 0.1:
        found = improve(problem, slots, deadline, pool=pool)
        if _better(problem, found, slots):
            slots = found
    if probe is not None:
        if breaks_optimal:
            probe.halt()  # nothing left to wait for
        slots, breaks_optimal, searched = _probed(
            problem, probe, slots, breaks_optimal, pool, end=True
        )
    # Interpreters (hard rule 4, ``interpreters``): staff the meetings that need one, re-place
    # or drop the rest; a no-op without interpreter needs. Kept last: no later phase moves them.
    slots, staffing = staff(problem, slots, staffing_stop)
    breaks_optimal = (breaks_optimal and not staffing.changed) or _breaks(problem, slots) == 0
    # A proven lower bound on breaks for the pairs placed: the companies' bound, or the
    # breaks themselves when a search proved them optimal.
    placed = [k for k in everything if slots[k] != UNPLACED]
    lower = break_bound(problem, placed)
    if searched[0] == frozenset(placed):
        lower = max(lower, searched[1])
    breaks_optimal = breaks_optimal or _breaks(problem, slots) <= lower
    weight = _weight(problem, slots)
    weight_optimal = weight == top or (bound_proven and weight >= bound)
    optimal = (weight_optimal and breaks_optimal) or not problem.pairs
    status = "optimal" if optimal else "feasible"
    meetings = _tables(problem, slots)
    statistics = measure(instance, meetings)
    statistics["solve_seconds"] = round(time.monotonic() - started, 3)
    statistics["status"] = status
    statistics["weight_proven"] = weight_optimal
    statistics["breaks_lower_bound"] = statistics["breaks"] if breaks_optimal else lower
    return staffing.complete(Schedule(meetings, statistics, _unscheduled(problem, slots)))
