"""Large neighbourhood search on breaks: re-solve small parts exactly with CP-SAT.

Each round picks a company that has breaks (seeded random choice), frees every meeting of it
and of its partners (in random order, up to ``FREE_LIMIT`` meetings), turns all other
meetings into fixed ones and re-solves the freed meetings with the exact ``SlotModel``
(each freed pair placed once, starting from its current slot). The result is kept when
the breaks of the touched companies do not grow, so the schedule stays valid and the set of
placed pairs never changes. Used when the whole model is too big, and after it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import replace

from .cpsat import SlotModel
from .greedy import UNPLACED
from .problem import Problem, company_breaks
from .slotpool import Routing, SlotPool

FREE_LIMIT = 90
ROUND_SECONDS = 0.5
WORKERS = 2  # CP-SAT workers per round (the target machine has two cores)
WINDOW_SHARE = 0.3


def _subproblem(problem: Problem, slots: Sequence[int], freed: set[int]) -> Problem:
    """The problem with every placed pair outside ``freed`` turned into a fixed meeting."""
    fixed_busy = [set(s) for s in problem.fixed_busy]
    tables = [list(row) for row in problem.free_tables]
    for k, t in enumerate(slots):
        if t != UNPLACED and k not in freed:
            pair = problem.pairs[k]
            fixed_busy[pair.a].add(t)
            fixed_busy[pair.b].add(t)
            tables[pair.zone][t] -= 1
    pairs = list(problem.pairs)
    for k in freed:
        pair = pairs[k]
        allowed = tuple(
            t
            for t in pair.allowed
            if t not in fixed_busy[pair.a]
            and t not in fixed_busy[pair.b]
            and tables[pair.zone][t] > 0
        )
        pairs[k] = replace(pair, allowed=allowed)
    return replace(problem, fixed_busy=fixed_busy, free_tables=tables, pairs=pairs)


def _around(
    problem: Problem, meets: list[list[int]], broken: list[int], rng: random.Random
) -> set[int]:
    """A company with breaks, its partners and a few other broken companies."""
    centre = rng.choice(broken)
    freed = set(meets[centre])
    partners = [p.b if p.a == centre else p.a for p in (problem.pairs[k] for k in freed)]
    rng.shuffle(partners)
    extra = [c for c in broken if c != centre]
    rng.shuffle(extra)
    for c in partners + extra[:3]:
        if len(freed) + len(meets[c]) <= FREE_LIMIT:
            freed.update(meets[c])
    return freed


def _window(problem: Problem, slots: Sequence[int], rng: random.Random) -> set[int]:
    """The meetings of a few consecutive slots of one day (a random sample if too many)."""
    day = rng.choice(problem.days)
    width = min(len(day), rng.randint(3, 6))
    first = rng.randint(0, len(day) - width)
    window = set(day[first : first + width])
    inside = [k for k, t in enumerate(slots) if t in window]
    rng.shuffle(inside)
    return set(inside[:FREE_LIMIT])


def improve(
    problem: Problem,
    slots: Sequence[int],
    deadline: float,
    seed: int = 0,
    pool: SlotPool | None = None,
) -> list[int]:
    """Lower the breaks of ``slots`` by repeated exact re-solves of small neighbourhoods
    (with ``pool``, a re-solve leaving more meetings without an interpreter is dropped:
    ``slotpool``; the CP-SAT model does not know them)."""
    rng = random.Random(seed)
    routing = None if pool is None else Routing(pool, slots)
    # Short budgets get shorter rounds, so that several neighbourhoods are tried.
    round_seconds = min(ROUND_SECONDS, max(0.1, (deadline - time.monotonic()) / 8))
    slots = list(slots)
    meets: list[list[int]] = [[] for _ in range(problem.n_companies)]
    for k, t in enumerate(slots):
        if t != UNPLACED:
            meets[problem.pairs[k].a].append(k)
            meets[problem.pairs[k].b].append(k)
    while time.monotonic() < deadline - 0.05:
        breaks = company_breaks(problem, slots)
        broken = sorted(breaks)
        if not broken:
            break
        if rng.random() < WINDOW_SHARE:
            freed = _window(problem, slots, rng)
        else:
            freed = _around(problem, meets, broken, rng)
        touched = {c for k in freed for c in (problem.pairs[k].a, problem.pairs[k].b)}
        before = sum(breaks.get(c, 0) for c in touched)
        sub = _subproblem(problem, slots, freed)
        model = SlotModel(sub, sorted(freed), exact=True, workers=WORKERS)
        seconds = min(round_seconds, deadline - time.monotonic())
        found, _, verdict = model.minimise_breaks(slots, seconds)
        if verdict != "feasible":
            continue
        after_breaks = company_breaks(problem, found)
        after = sum(after_breaks.get(c, 0) for c in touched)
        moves = [(k, t, found[k]) for k, t in enumerate(slots) if found[k] != t]
        if after <= before and (routing is None or routing.allows(moves)):
            if routing is not None:
                routing.apply(moves)
            slots = found
    return slots
