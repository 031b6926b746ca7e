"""A fast first schedule: pairs in priority order, each into its cheapest free slot.

An assignment is a list with one entry per ``Problem.pairs`` item: a slot index or -1.
``Board`` keeps the occupancy (company slots, per-day busy counts, caps, zone tables) so that
every placement it accepts keeps all hard rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from .problem import Problem
from .slotpool import Routing, SlotPool

UNPLACED = -1


class Board:
    """Occupancy of companies, days and zone tables for incremental placement; with a
    ``SlotPool``, also the interpreters (``slotpool.Routing``): a pair needing one fits only
    where it can be routed."""

    def __init__(self, problem: Problem, pool: SlotPool | None = None) -> None:
        self.problem = problem
        self.routing = None if pool is None else Routing(pool)
        self.busy = [set(s) for s in problem.fixed_busy]
        n_days = len(problem.days)
        self.per_day = [[0] * n_days for _ in range(problem.n_companies)]
        for c, slots in enumerate(problem.fixed_busy):
            for t in slots:
                self.per_day[c][problem.day_of[t]] += 1
        self.count = [0] * problem.n_companies
        self.tables = [list(row) for row in problem.free_tables]

    def fits(self, k: int, t: int) -> bool:
        """Whether pair k can meet in slot t without breaking a hard rule."""
        pair = self.problem.pairs[k]
        return (
            t not in self.busy[pair.a]
            and t not in self.busy[pair.b]
            and self.tables[pair.zone][t] > 0
            and self.count[pair.a] < self.problem.cap[pair.a]
            and self.count[pair.b] < self.problem.cap[pair.b]
            and (self.routing is None or self.routing.fits(k, t))
        )

    def break_delta(self, c: int, t: int) -> int:
        """Change in company c's breaks if it also meets in slot t (-1, 0 or +1)."""
        problem = self.problem
        day = problem.day_of[t]
        if self.per_day[c][day] == 0:
            return 0
        busy = self.busy[c]
        left = t > 0 and problem.day_of[t - 1] == day and (t - 1) in busy
        right = t + 1 < problem.n_slots and problem.day_of[t + 1] == day and (t + 1) in busy
        return -1 if left and right else 0 if left or right else 1

    def place(self, k: int, t: int) -> None:
        """Record pair k in slot t (the caller checked ``fits``)."""
        pair = self.problem.pairs[k]
        day = self.problem.day_of[t]
        for c in (pair.a, pair.b):
            self.busy[c].add(t)
            self.per_day[c][day] += 1
            self.count[c] += 1
        self.tables[pair.zone][t] -= 1
        if self.routing is not None:
            self.routing.apply([(k, UNPLACED, t)])

    def best_slot(self, k: int) -> int:
        """The free slot adding fewest breaks for pair k; ties go to the earliest slot."""
        pair = self.problem.pairs[k]
        routing = self.routing
        if routing is not None and routing.needs(k):
            # The interpreter check last and cheapest slot first: it costs the most.
            self.routing = None
            try:
                options = sorted(
                    (self.break_delta(pair.a, t) + self.break_delta(pair.b, t), t)
                    for t in pair.allowed
                    if self.fits(k, t)
                )
            finally:
                self.routing = routing
            return next((t for _, t in options if routing.fits(k, t)), UNPLACED)
        best, best_cost = UNPLACED, 3
        for t in pair.allowed:
            if self.fits(k, t):
                cost = self.break_delta(pair.a, t) + self.break_delta(pair.b, t)
                if cost < best_cost:
                    best, best_cost = t, cost
        return best


def priority_order(problem: Problem) -> list[int]:
    """Must pairs first, then higher score, then fewer allowed slots, then input order."""
    pairs = problem.pairs
    return sorted(
        range(len(pairs)),
        key=lambda k: (not pairs[k].must, -pairs[k].score, len(pairs[k].allowed), k),
    )


def greedy(
    problem: Problem, order: Iterable[int] | None = None, pool: SlotPool | None = None
) -> list[int]:
    """Place pairs in ``order`` (default ``priority_order``) into their cheapest free slot
    (with ``pool``, one where an interpreter can be routed to those needing one)."""
    board = Board(problem, pool)
    slots = [UNPLACED] * len(problem.pairs)
    for k in priority_order(problem) if order is None else order:
        t = board.best_slot(k)
        if t != UNPLACED:
            board.place(k, t)
            slots[k] = t
    return slots


def sweep(
    problem: Problem, pairs: Iterable[int], threshold: float = 0.0, pool: SlotPool | None = None
) -> list[int]:
    """Place ``pairs`` slot by slot in time order, keeping companies' runs unbroken.

    In each slot the open pairs are ranked: a company that met in the previous slot (its run
    continues) counts 4; one that has not started counts by how much of the rest of the day
    its pairs need (at most 1); a pair in its last allowed slot gets 2 more. Pairs ranked
    below ``threshold`` wait (so companies start later, when their runs can go on). Pairs
    are taken greedily in rank order (ties: fewer allowed slots left, then pair index);
    leftovers go to ``Board.best_slot`` at the end. With ``pool``, pairs needing an
    interpreter go only where one can be routed.
    """
    board = Board(problem, pool)
    slots = [UNPLACED] * len(problem.pairs)
    todo = set(pairs)
    remaining = [0] * problem.n_companies
    by_slot: list[list[int]] = [[] for _ in range(problem.n_slots)]
    for k in todo:
        pair = problem.pairs[k]
        remaining[pair.a] += 1
        remaining[pair.b] += 1
        for t in pair.allowed:
            by_slot[t].append(k)
    last_slot_of = [-1] * problem.n_slots
    for day in problem.days:
        for t in day:
            last_slot_of[t] = day[-1]
    for t in range(problem.n_slots):
        left_in_day = last_slot_of[t] - t + 1

        def urgency(c: int, t: int = t, left_in_day: int = left_in_day) -> float:
            if remaining[c] == 0:
                return 0.0
            continuing = (
                t > 0 and problem.day_of[t - 1] == problem.day_of[t] and (t - 1) in board.busy[c]
            )
            if continuing:
                return 4.0
            return min(1.0, remaining[c] / left_in_day)

        ranked = []
        for k in by_slot[t]:
            if k not in todo or not board.fits(k, t):
                continue
            pair = problem.pairs[k]
            later = sum(1 for s in pair.allowed if s > t)
            score = urgency(pair.a) + urgency(pair.b) + (2.0 if later == 0 else 0.0)
            if score >= threshold:
                ranked.append((-score, later, k))
        ranked.sort()
        for _, _, k in ranked:
            if board.fits(k, t):
                board.place(k, t)
                slots[k] = t
                todo.discard(k)
                pair = problem.pairs[k]
                remaining[pair.a] -= 1
                remaining[pair.b] -= 1
    for k in sorted(todo):
        t = board.best_slot(k)
        if t != UNPLACED:
            board.place(k, t)
            slots[k] = t
    return slots
