"""Hill climbing on breaks for a fixed set of placed pairs (a fast polish before CP-SAT).

Moves: relocate one meeting to another allowed slot where both companies and a table are
free; swap the slots of two meetings of one company (its own runs stay, its partners move).
A move is kept only when it lowers the total breaks; companies are visited in index order
and the pass repeats until no move helps or the deadline passes. Every kept move respects
the hard rules, so the result stays valid.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from itertools import pairwise

from .greedy import UNPLACED, Board
from .problem import Problem
from .slotpool import SlotPool

# Meetings needing an interpreter ``rescue`` tries evicting for a must pair in one slot.
RESCUE_TRIES = 30


class _State:
    """Board plus the pairs of each company, for break deltas."""

    def __init__(
        self, problem: Problem, slots: Sequence[int], pool: SlotPool | None = None
    ) -> None:
        self.problem = problem
        self.slots = list(slots)
        self.board = Board(problem, pool)
        self.meets: list[list[int]] = [[] for _ in range(problem.n_companies)]
        for k, t in enumerate(self.slots):
            if t != UNPLACED:
                self.board.place(k, t)
                pair = problem.pairs[k]
                self.meets[pair.a].append(k)
                self.meets[pair.b].append(k)

    def day_breaks(self, c: int, day: int) -> int:
        """Breaks of company c on one day."""
        positions = sorted(t for t in self.board.busy[c] if self.problem.day_of[t] == day)
        return sum(1 for p, q in pairwise(positions) if q > p + 1)

    def local(self, companies: Sequence[int], days: set[int]) -> int:
        return sum(self.day_breaks(c, d) for c in companies for d in days)

    def move(self, k: int, t: int) -> None:
        """Move pair k to slot t (no checks)."""
        pair = self.problem.pairs[k]
        old = self.slots[k]
        for c in (pair.a, pair.b):
            self.board.busy[c].discard(old)
            self.board.busy[c].add(t)
        self.board.tables[pair.zone][old] += 1
        self.board.tables[pair.zone][t] -= 1
        self.slots[k] = t
        if self.board.routing is not None:
            self.board.routing.apply([(k, old, t)])

    def routed(self, moves: Sequence[tuple[int, int, int]]) -> bool:
        """Whether the (pair, from, to) moves keep the interpreters routed as well as now."""
        return self.board.routing is None or self.board.routing.allows(moves)

    def unplace(self, k: int) -> None:
        """Take pair k out of the schedule."""
        pair = self.problem.pairs[k]
        t = self.slots[k]
        day = self.problem.day_of[t]
        for c in (pair.a, pair.b):
            self.board.busy[c].discard(t)
            self.board.per_day[c][day] -= 1
            self.board.count[c] -= 1
            self.meets[c].remove(k)
        self.board.tables[pair.zone][t] += 1
        self.slots[k] = UNPLACED
        if self.board.routing is not None:
            self.board.routing.apply([(k, t, UNPLACED)])

    def place(self, k: int, t: int) -> None:
        """Put unplaced pair k into slot t (the caller checked ``board.fits``)."""
        pair = self.problem.pairs[k]
        self.board.place(k, t)
        self.slots[k] = t
        self.meets[pair.a].append(k)
        self.meets[pair.b].append(k)

    def free(self, c: int, t: int) -> bool:
        return t not in self.board.busy[c]


def _try_relocate(state: _State, k: int) -> bool:
    problem = state.problem
    pair = problem.pairs[k]
    old = state.slots[k]
    for t in pair.allowed:
        if t == old or state.board.tables[pair.zone][t] <= 0:
            continue
        if not (state.free(pair.a, t) and state.free(pair.b, t)):
            continue
        if not state.routed([(k, old, t)]):
            continue
        days = {problem.day_of[old], problem.day_of[t]}
        before = state.local((pair.a, pair.b), days)
        state.move(k, t)
        if state.local((pair.a, pair.b), days) < before:
            return True
        state.move(k, old)
    return False


def _try_swap(state: _State, c: int) -> bool:
    problem = state.problem
    meets = state.meets[c]
    for i, k1 in enumerate(meets):
        for k2 in meets[i + 1 :]:
            t1, t2 = state.slots[k1], state.slots[k2]
            p1, p2 = problem.pairs[k1], problem.pairs[k2]
            o1 = p1.b if p1.a == c else p1.a
            o2 = p2.b if p2.a == c else p2.a
            if o1 == o2 or t2 not in p1.allowed or t1 not in p2.allowed:
                continue
            if not (state.free(o1, t2) and state.free(o2, t1)):
                continue
            if p1.zone != p2.zone and (
                state.board.tables[p1.zone][t2] <= 0 or state.board.tables[p2.zone][t1] <= 0
            ):
                continue
            if not state.routed([(k1, t1, t2), (k2, t2, t1)]):
                continue
            days = {problem.day_of[t1], problem.day_of[t2]}
            before = state.local((o1, o2), days)
            _swap(state, k1, k2)
            if state.local((o1, o2), days) < before:
                return True
            _swap(state, k1, k2)
    return False


def _swap(state: _State, k1: int, k2: int) -> None:
    """Exchange the slots of two meetings sharing a company (tables stay balanced)."""
    t1, t2 = state.slots[k1], state.slots[k2]
    p1, p2 = state.problem.pairs[k1], state.problem.pairs[k2]
    shared = {p1.a, p1.b} & {p2.a, p2.b}
    for c in {p1.a, p1.b} - shared:
        state.board.busy[c].discard(t1)
        state.board.busy[c].add(t2)
    for c in {p2.a, p2.b} - shared:
        state.board.busy[c].discard(t2)
        state.board.busy[c].add(t1)
    state.board.tables[p1.zone][t1] += 1
    state.board.tables[p1.zone][t2] -= 1
    state.board.tables[p2.zone][t2] += 1
    state.board.tables[p2.zone][t1] -= 1
    state.slots[k1], state.slots[k2] = t2, t1
    if state.board.routing is not None:
        state.board.routing.apply([(k1, t1, t2), (k2, t2, t1)])


def polish(
    problem: Problem, slots: Sequence[int], deadline: float, pool: SlotPool | None = None
) -> list[int]:
    """Lower the breaks of ``slots`` by relocations and swaps until stuck or out of time
    (with ``pool``, none leaving more meetings without an interpreter, ``slotpool``)."""
    state = _State(problem, slots, pool)
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for c in range(problem.n_companies):
            if time.monotonic() >= deadline:
                break
            if not any(state.day_breaks(c, d) for d in range(len(problem.days))):
                continue
            for k in list(state.meets[c]):
                if _try_relocate(state, k):
                    improved = True
            if _try_swap(state, c):
                improved = True
    return state.slots


def _relocate_anywhere(state: _State, k: int, avoid: int) -> bool:
    """Move placed pair k to any other free slot except ``avoid``; True on success."""
    pair = state.problem.pairs[k]
    old = state.slots[k]
    for t in pair.allowed:
        if t in (old, avoid) or state.board.tables[pair.zone][t] <= 0:
            continue
        if state.free(pair.a, t) and state.free(pair.b, t) and state.routed([(k, old, t)]):
            state.move(k, t)
            return True
    return False


def repair(
    problem: Problem,
    slots: Sequence[int],
    todo: Sequence[int],
    deadline: float = float("inf"),
    pool: SlotPool | None = None,
) -> list[int]:
    """Place unplaced pairs of ``todo`` by moving the meetings that block them.

    For each slot the pair allows (in order), the meetings holding its two companies there,
    and one meeting of its zone when all tables are taken, are moved to other free slots
    (first fit); the first slot where that works is used. Caps are respected since the set
    of placed pairs only grows by the repaired pair. With ``pool``, no move or placement
    leaves more meetings without an interpreter (``slotpool``).
    """
    state = _State(problem, slots, pool)
    board = state.board
    for k in todo:
        if state.slots[k] != UNPLACED:
            continue
        if time.monotonic() > deadline:
            break
        pair = problem.pairs[k]
        if board.count[pair.a] >= problem.cap[pair.a] or board.count[pair.b] >= problem.cap[pair.b]:
            continue
        for t in pair.allowed:
            if t in problem.fixed_busy[pair.a] or t in problem.fixed_busy[pair.b]:
                continue
            if _clear(state, k, t):
                state.place(k, t)
                break
    return state.slots


def rescue(
    problem: Problem, slots: Sequence[int], todo: Sequence[int], pool: SlotPool | None = None
) -> list[int]:
    """Place unplaced must pairs of ``todo`` by evicting the non-must meetings in their way.

    For each slot the must pair allows (in order): when every meeting holding its companies
    there, and one meeting of its zone if the zone is full, is not a must pair, those are
    unplaced and the must pair takes the slot. Evicted pairs are then repaired where
    possible. Lexicographically this never loses: a must pair outweighs all scores. With
    ``pool``, a must pair no interpreter can be routed to there also evicts one non-must
    meeting needing an interpreter (that slot's first, lowest score first) when that frees
    one (``slotpool``), else the slot is passed over.
    """
    state = _State(problem, slots, pool)
    board = state.board
    evicted: list[int] = []
    for k in todo:
        pair = problem.pairs[k]
        if state.slots[k] != UNPLACED or not pair.must:
            continue
        for t in pair.allowed:
            if t in problem.fixed_busy[pair.a] or t in problem.fixed_busy[pair.b]:
                continue
            out = {j for c in (pair.a, pair.b) for j in state.meets[c] if state.slots[j] == t}
            if (
                board.tables[pair.zone][t]
                - len([j for j in out if problem.pairs[j].zone == pair.zone])
                <= 0
            ):
                others = (
                    j
                    for j, s in enumerate(state.slots)
                    if s == t and problem.pairs[j].zone == pair.zone and j not in out
                )
                spare = next((j for j in others if not problem.pairs[j].must), None)
                if spare is None:
                    continue
                out.add(spare)
            if any(problem.pairs[j].must for j in out):
                continue
            cap_ok = all(
                board.count[c]
                - sum(1 for j in out if c in (problem.pairs[j].a, problem.pairs[j].b))
                < problem.cap[c]
                for c in (pair.a, pair.b)
            )
            if not cap_ok:
                continue
            moves = [(j, t, UNPLACED) for j in out] + [(k, UNPLACED, t)]
            if not state.routed(moves):
                spare = _interpreter_spare(state, k, t, moves)
                if spare is None:
                    continue
                out.add(spare)
            for j in sorted(out):
                state.unplace(j)
                evicted.append(j)
            state.place(k, t)
            break
    return repair(problem, state.slots, evicted, pool=pool) if evicted else state.slots


def _interpreter_spare(
    state: _State, k: int, t: int, moves: list[tuple[int, int, int]]
) -> int | None:
    """A placed non-must pair needing an interpreter whose eviction, with ``moves``, lets
    an interpreter be routed to must pair k in slot t (at most RESCUE_TRIES tried)."""
    routing = state.board.routing
    if routing is None:
        return None
    problem = state.problem
    taken = {j for j, _, _ in moves}
    spares = sorted(
        (
            j
            for j in routing.pool.needing
            if state.slots[j] != UNPLACED and j not in taken and not problem.pairs[j].must
        ),
        key=lambda j: (state.slots[j] != t, problem.pairs[j].weight, j),
    )
    for j in spares[:RESCUE_TRIES]:
        if routing.allows([*moves, (j, state.slots[j], UNPLACED)]):
            return j
    return None


def _clear(state: _State, k: int, t: int) -> bool:
    """Move the meetings blocking pair k in slot t elsewhere; undo and False on failure."""
    problem, board = state.problem, state.board
    pair = problem.pairs[k]
    blockers = [
        j for c in (pair.a, pair.b) for j in state.meets[c] if state.slots[j] == t and j != k
    ]
    moved: list[int] = []
    for j in dict.fromkeys(blockers):
        if not _relocate_anywhere(state, j, t):
            _undo(state, moved, t)
            return False
        moved.append(j)
    if board.tables[pair.zone][t] <= 0:
        same_zone = [
            j for j, s in enumerate(state.slots) if s == t and problem.pairs[j].zone == pair.zone
        ]
        freed = next((j for j in same_zone if _relocate_anywhere(state, j, t)), None)
        if freed is None:
            _undo(state, moved, t)
            return False
        moved.append(freed)
    if board.fits(k, t):
        return True
    _undo(state, moved, t)
    return False


def _undo(state: _State, moved: list[int], t: int) -> None:
    for j in reversed(moved):
        state.move(j, t)
