"""Indexed form of an instance for the solvers: integers instead of ids, fixed meetings applied.

Invariants of ``Problem``: slots are 0..T-1 in start order; ``day_of[t]`` and ``pos_of[t]``
give a slot's day index and its position within that day; each open pair has a non-empty
``allowed`` tuple of slots where both companies are free and available, the candidate allows
the slot and its zone has a free table; fixed meetings are already subtracted from company
caps, busy slots and zone tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from .model import Candidate, Instance

UNCAPPED = 1 << 30


@dataclass(slots=True)
class Pair:
    """An open candidate pair: company indices, zone index, weights and allowed slots."""

    index: int
    a: int
    b: int
    zone: int
    must: bool
    score: float
    weight: int
    allowed: tuple[int, ...]


@dataclass(slots=True)
class Problem:
    """The instance in solver form; see the module docstring for its invariants."""

    instance: Instance
    n_slots: int
    day_of: list[int]
    pos_of: list[int]
    days: list[list[int]]
    n_companies: int
    cap: list[int]
    fixed_busy: list[set[int]]
    free_tables: list[list[int]]
    pairs: list[Pair]
    blocked: list[tuple[Candidate, str]] = field(default_factory=list)
    must_weight: int = 1
    # Slots each company can attend and has no fixed meeting in.
    open_slots: list[set[int]] = field(default_factory=list)

    def weight_of(self, pair: Pair) -> int:
        """Lexicographic weight: any must pair outweighs all scores together."""
        return pair.weight + (self.must_weight if pair.must else 0)


SCORE_RESOLUTION = 10_000


def build_problem(instance: Instance) -> Problem:
    """Index an instance and subtract its fixed meetings; unschedulable pairs go to ``blocked``."""
    slot_index = {s.id: t for t, s in enumerate(instance.slots)}
    day_ids: dict[object, int] = {}
    day_of: list[int] = []
    pos_of: list[int] = []
    days: list[list[int]] = []
    for t, slot in enumerate(instance.slots):
        d = day_ids.setdefault(slot.day, len(day_ids))
        if d == len(days):
            days.append([])
        pos_of.append(len(days[d]))
        days[d].append(t)
        day_of.append(d)
    company_index = {c.id: i for i, c in enumerate(instance.companies)}
    zone_index = {z.id: i for i, z in enumerate(instance.zones)}
    n_slots = len(instance.slots)
    free_tables = [[z.tables] * n_slots for z in instance.zones]
    cap = [UNCAPPED if c.max_meetings is None else c.max_meetings for c in instance.companies]
    fixed_busy: list[set[int]] = [set() for _ in instance.companies]
    fixed_pairs = set()
    for m in instance.fixed:
        t = slot_index[m.slot]
        free_tables[zone_index[m.zone]][t] -= 1
        for cid in m.pair:
            cap[company_index[cid]] -= 1
            fixed_busy[company_index[cid]].add(t)
        fixed_pairs.add(m.pair)
    free_slots = []
    for i, company in enumerate(instance.companies):
        avail = (
            set(range(n_slots))
            if company.available is None
            else {slot_index[s] for s in company.available}
        )
        free_slots.append(avail - fixed_busy[i])
    top = max((c.score for c in instance.candidates), default=1.0)
    pairs: list[Pair] = []
    blocked: list[tuple[Candidate, str]] = []
    for k, cand in enumerate(instance.candidates):
        if cand.pair in fixed_pairs:
            continue
        a, b = company_index[cand.buyer], company_index[cand.supplier]
        z = zone_index[cand.zone]
        allowed = free_slots[a] & free_slots[b]
        if cand.slots is not None:
            allowed &= {slot_index[s] for s in cand.slots}
        allowed = {t for t in allowed if free_tables[z][t] > 0}
        if not allowed:
            blocked.append((cand, "no common free slot"))
            continue
        if cap[a] <= 0 or cap[b] <= 0:
            blocked.append((cand, "max_meetings reached by fixed meetings"))
            continue
        weight = max(1, round(cand.score / top * SCORE_RESOLUTION))
        pairs.append(Pair(k, a, b, z, cand.must, cand.score, weight, tuple(sorted(allowed))))
    problem = Problem(
        instance=instance,
        n_slots=n_slots,
        day_of=day_of,
        pos_of=pos_of,
        days=days,
        n_companies=len(instance.companies),
        cap=cap,
        fixed_busy=fixed_busy,
        free_tables=free_tables,
        pairs=pairs,
        blocked=blocked,
        open_slots=free_slots,
    )
    problem.must_weight = sum(p.weight for p in pairs) + 1
    return problem


def company_break_bound(problem: Problem, c: int, meetings: int) -> int:
    """Fewest breaks company ``c`` can have with ``meetings`` meetings in all, its fixed ones
    included: each day's meetings cover its fixed slots and use only slots it can attend.

    Partners, tables and candidates' session slots are ignored, so this is a lower bound.
    Per day, ``runs[j]`` is the fewest runs of busy slots with j meetings that day (a
    dynamic programme over the day's slots); the days then share ``meetings`` out so that
    the sum of (runs - 1) is least. Returns 0 for an impossible count (not this bound's
    concern: the selection keeps counts feasible).
    """
    fixed = problem.fixed_busy[c]
    open_slots = problem.open_slots[c]
    if not fixed and sum(_longest_run(day, open_slots) for day in problem.days) >= meetings:
        return 0  # one run a day fits them all (the common case, without the programme)
    best = [0] + [UNCAPPED] * meetings  # total breaks by meetings placed so far
    for day in problem.days:
        runs = _day_runs(day, fixed, open_slots, meetings)
        merged = [UNCAPPED] * (meetings + 1)
        for used, breaks in enumerate(best):
            if breaks == UNCAPPED:
                continue
            for here, count in enumerate(runs):
                if count != UNCAPPED and used + here <= meetings:
                    value = breaks + max(0, count - 1)
                    merged[used + here] = min(merged[used + here], value)
        best = merged
    return 0 if best[meetings] == UNCAPPED else best[meetings]


def _longest_run(day: list[int], open_slots: set[int]) -> int:
    longest = current = 0
    for t in day:
        current = current + 1 if t in open_slots else 0
        longest = max(longest, current)
    return longest


def _day_runs(day: list[int], fixed: set[int], open_slots: set[int], limit: int) -> list[int]:
    """runs[j]: fewest runs of busy slots on ``day`` with j meetings (UNCAPPED: impossible),
    every fixed slot busy and every other busy slot in ``open_slots``."""
    # state[(j, busy at the previous slot)] = fewest runs so far
    state: dict[tuple[int, bool], int] = {(0, False): 0}
    for t in day:
        can_meet, must_meet = t in fixed or t in open_slots, t in fixed
        following: dict[tuple[int, bool], int] = {}
        for (j, was_busy), count in state.items():
            if not must_meet:
                key = (j, False)
                following[key] = min(following.get(key, UNCAPPED), count)
            if can_meet and j < limit:
                key = (j + 1, True)
                value = count + (0 if was_busy else 1)
                following[key] = min(following.get(key, UNCAPPED), value)
        state = following
    fewest = [UNCAPPED] * (limit + 1)
    for (j, _), count in state.items():
        fewest[j] = min(fewest[j], count)
    return fewest


def break_bound(problem: Problem, active: Sequence[int]) -> int:
    """A lower bound on the breaks of any schedule placing exactly the pairs ``active``
    (plus the fixed meetings): the sum of ``company_break_bound`` over companies."""
    count = [len(busy) for busy in problem.fixed_busy]
    for k in active:
        pair = problem.pairs[k]
        count[pair.a] += 1
        count[pair.b] += 1
    return sum(company_break_bound(problem, c, n) for c, n in enumerate(count) if n > 1)


def company_breaks(problem: Problem, slots: Sequence[int]) -> dict[int, int]:
    """Breaks of an assignment per company with any (fixed meetings included), all days."""
    busy: dict[tuple[int, int], set[int]] = defaultdict(set)
    for c, fixed in enumerate(problem.fixed_busy):
        for t in fixed:
            busy[c, problem.day_of[t]].add(problem.pos_of[t])
    for k, t in enumerate(slots):
        if t >= 0:  # placed
            pair = problem.pairs[k]
            for c in (pair.a, pair.b):
                busy[c, problem.day_of[t]].add(problem.pos_of[t])
    result: dict[int, int] = defaultdict(int)
    for (c, _), positions in busy.items():
        ordered = sorted(positions)
        found = sum(1 for p, q in pairwise(ordered) if q > p + 1)
        if found:
            result[c] += found
    return dict(result)


def count_breaks(problem: Problem, slots: Sequence[int]) -> int:
    """Breaks of an assignment (fixed meetings included), per company and day."""
    return sum(company_breaks(problem, slots).values())
