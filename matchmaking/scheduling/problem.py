"""Indexed form of an instance for the solvers: integers instead of ids, fixed meetings applied.

Invariants of ``Problem``: slots are 0..T-1 in start order; ``day_of[t]`` and ``pos_of[t]``
give a slot's day index and its position within that day; each open pair has a non-empty
``allowed`` tuple of slots where both companies are free and available, the candidate allows
the slot and its zone has a free table; fixed meetings are already subtracted from company
caps, busy slots and zone tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    )
    problem.must_weight = sum(p.weight for p in pairs) + 1
    return problem
