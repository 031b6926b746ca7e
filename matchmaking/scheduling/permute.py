"""Company-centred neighbourhood search on breaks: re-seat all of one company's meetings.

For a company c, a move picks the slots c meets in (its current ones, or its meetings on
one day packed into a window of consecutive slots there) and assigns c's pairs to those
slots optimally: each partner meets c once, so its breaks depend only on the slot its
meeting with c gets, and the best assignment is a linear assignment problem (OR-Tools'
``SimpleLinearSumAssignment``). The move is exact over every permutation at once, where
pairwise swaps see only two meetings. A move is kept when the total breaks fall and every
hard rule still holds (tables are checked after the assignment). When no company move
helps, swaps of two meetings of one zone (table loads unchanged) are tried. Optionally an
iterated local search follows: random re-seatings of companies with breaks ("kicks"), a
descent from them, and the best schedule kept.
Why: on generated events of Chongqing size it lowers breaks where CP-SAT on the whole
model and CP-SAT neighbourhoods find nothing in the same time (``benchmarks/README.md``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from ortools.graph.python.linear_sum_assignment import SimpleLinearSumAssignment

from .greedy import UNPLACED
from .problem import Problem
from .slotpool import Routing, SlotPool

_INFEASIBLE = 1 << 20


class _Board:
    """Busy slots per company as bit masks (a spacer bit between days) and table loads; with
    a ``SlotPool``, the interpreters' routing too (``slotpool``)."""

    def __init__(
        self, problem: Problem, slots: Sequence[int], pool: SlotPool | None = None
    ) -> None:
        self.problem = problem
        self.slots = list(slots)
        self.pool = pool
        self.routing = None if pool is None else Routing(pool, slots)
        # Bit of slot t: t + its day index, so runs never join across days.
        self.bit = [1 << (t + problem.day_of[t]) for t in range(problem.n_slots)]
        self.day_masks = [sum(self.bit[t] for t in day) for day in problem.days]
        self.one_day = len(problem.days) == 1
        self.mask = [0] * problem.n_companies
        for c, fixed in enumerate(problem.fixed_busy):
            for t in fixed:
                self.mask[c] |= self.bit[t]
        self.meets: list[list[int]] = [[] for _ in range(problem.n_companies)]
        self.load = [[0] * problem.n_slots for _ in problem.free_tables]
        for k, t in enumerate(self.slots):
            if t == UNPLACED:
                continue
            pair = problem.pairs[k]
            for c in (pair.a, pair.b):
                self.mask[c] |= self.bit[t]
                self.meets[c].append(k)
            self.load[pair.zone][t] += 1

    def breaks(self, mask: int) -> int:
        """Idle gaps between runs of meetings, per day."""
        runs = (mask & ~(mask << 1)).bit_count()
        if self.one_day:
            return runs - 1 if runs else 0
        return runs - sum(1 for day in self.day_masks if mask & day)

    def total(self) -> int:
        return sum(self.breaks(m) for m in self.mask)


def _targets(board: _Board, c: int) -> list[list[int]]:
    """Slot sets for c's open meetings: its current ones, and per day the same with that
    day's meetings (fixed ones included) packed into each window of consecutive slots."""
    problem = board.problem
    current = sorted(board.slots[k] for k in board.meets[c])
    sets = [current]
    fixed = problem.fixed_busy[c]
    possible: set[int] = set()
    for k in board.meets[c]:
        possible.update(problem.pairs[k].allowed)
    for day in problem.days:
        inside = set(day)
        mine = [t for t in current if t in inside]
        if not mine:
            continue
        pinned = [t for t in fixed if t in inside]
        others = [t for t in current if t not in inside]
        width = len(mine) + len(pinned)
        for start in range(len(day) - width + 1):
            window = day[start : start + width]
            if any(t not in fixed and t not in possible for t in window):
                continue
            if any(t not in window for t in pinned):
                continue
            chosen = sorted(others + [t for t in window if t not in fixed])
            if chosen != current:
                sets.append(chosen)
    return sets


def _costs(board: _Board, c: int) -> list[dict[int, int]]:
    """Per pair of c (``board.meets[c]`` order): partner's breaks by slot it could move to."""
    problem = board.problem
    rows = []
    for k in board.meets[c]:
        pair = problem.pairs[k]
        partner = pair.b if pair.a == c else pair.a
        base = board.mask[partner] & ~board.bit[board.slots[k]]
        rows.append(
            {t: board.breaks(base | board.bit[t]) for t in pair.allowed if not base & board.bit[t]}
        )
    return rows


def _levels(board: _Board, row: dict[int, int]) -> list[tuple[int, int]]:
    """A cost row as (cost, mask of the slots with that cost), cheapest first."""
    masks: dict[int, int] = {}
    for t, cost in row.items():
        masks[cost] = masks.get(cost, 0) | board.bit[t]
    return sorted(masks.items())


def _assign(costs: list[dict[int, int]], target: list[int]) -> tuple[int, list[int]] | None:
    """(partners' breaks, slot per pair) of the best assignment of the pairs with ``costs``
    to the slots of ``target``, or None when none fits."""
    solver = SimpleLinearSumAssignment()
    columns = set()
    for i, row in enumerate(costs):
        for j, t in enumerate(target):
            if t in row:
                solver.add_arc_with_cost(i, j, row[t])
                columns.add(j)
    if len(columns) < len(target) or solver.solve() != solver.OPTIMAL:
        return None
    seats = [target[solver.right_mate(i)] for i in range(len(costs))]
    return solver.optimal_cost(), seats


def _tables_ok(board: _Board, ks: Sequence[int], seats: Sequence[int]) -> bool:
    problem = board.problem
    delta: dict[tuple[int, int], int] = {}
    for k, t in zip(ks, seats, strict=True):
        zone = problem.pairs[k].zone
        delta[zone, board.slots[k]] = delta.get((zone, board.slots[k]), 0) - 1
        delta[zone, t] = delta.get((zone, t), 0) + 1
    if not all(
        board.load[z][t] + d <= problem.free_tables[z][t] for (z, t), d in delta.items() if d > 0
    ):
        return False
    return board.routing is None or board.routing.allows(
        [(k, board.slots[k], t) for k, t in zip(ks, seats, strict=True)]
    )


def _apply(board: _Board, c: int, seats: Sequence[int]) -> None:
    problem = board.problem
    ks = list(board.meets[c])
    if board.routing is not None:
        board.routing.apply([(k, board.slots[k], t) for k, t in zip(ks, seats, strict=True)])
    for k in ks:
        pair = problem.pairs[k]
        t = board.slots[k]
        board.load[pair.zone][t] -= 1
        for company in (pair.a, pair.b):
            board.mask[company] &= ~board.bit[t]
    for k, t in zip(ks, seats, strict=True):
        pair = problem.pairs[k]
        board.slots[k] = t
        board.load[pair.zone][t] += 1
        for company in (pair.a, pair.b):
            board.mask[company] |= board.bit[t]


def _partners(board: _Board, c: int) -> list[int]:
    pairs = board.problem.pairs
    return [pairs[k].b if pairs[k].a == c else pairs[k].a for k in board.meets[c]]


def _improve_company(board: _Board, c: int) -> bool:
    """The best re-seating of c's meetings when it lowers the total breaks (applied)."""
    ks = board.meets[c]
    if not ks:
        return False
    problem = board.problem
    partners = _partners(board, c)
    now = board.breaks(board.mask[c]) + sum(board.breaks(board.mask[p]) for p in partners)
    if now == 0:
        return False
    costs = _costs(board, c)
    levels = [_levels(board, row) for row in costs]
    if sum(row[0][0] if row else _INFEASIBLE for row in levels) >= now:
        return False  # even c's own breaks at zero would not help
    fixed_mask = 0
    for t in problem.fixed_busy[c]:
        fixed_mask |= board.bit[t]
    # Branch and bound over the targets: cheapest lower bound first (c's own breaks plus each
    # partner's cheapest slot among the target's), stopping at the first that cannot win.
    ranked = []
    for target in _targets(board, c):
        seats_mask = 0
        for t in target:
            seats_mask |= board.bit[t]
        own = board.breaks(fixed_mask | seats_mask)
        bound = own
        for row in levels:
            bound += next((cost for cost, mask in row if mask & seats_mask), _INFEASIBLE)
            if bound >= now:
                break
        if bound < now:
            ranked.append((bound, own, target))
    ranked.sort(key=lambda item: item[0])
    best_value, best_seats = now, None
    for bound, own, target in ranked:
        if bound >= best_value:
            break
        found = _assign(costs, target)
        if found is None:
            continue
        value = own + found[0]
        if value < best_value and _tables_ok(board, ks, found[1]):
            best_value, best_seats = value, found[1]
    if best_seats is None:
        return False
    _apply(board, c, best_seats)
    return True


def _swap_pass(board: _Board, companies: set[int], deadline: float) -> set[int]:
    """Swap the slots of two meetings of one zone (table loads unchanged) wherever that
    lowers the breaks of the (up to four) companies involved, the first meeting being one of
    ``companies`` with breaks; the companies whose days changed are returned."""
    problem = board.problem
    by_zone: dict[int, list[int]] = {}
    for k, t in enumerate(board.slots):
        if t != UNPLACED:
            by_zone.setdefault(problem.pairs[k].zone, []).append(k)
    changed: set[int] = set()
    mask, bit, breaks = board.mask, board.bit, board.breaks
    firsts = {k for c in companies if breaks(mask[c]) for k in board.meets[c]}
    for k1 in sorted(firsts):
        if time.monotonic() >= deadline:
            break
        p1 = problem.pairs[k1]
        for k2 in by_zone[p1.zone]:
            t1, t2 = board.slots[k1], board.slots[k2]
            if t1 == t2:
                continue
            p2 = problem.pairs[k2]
            b1, b2 = bit[t1], bit[t2]
            if t2 not in p1.allowed or t1 not in p2.allowed:
                continue
            new: dict[int, int] = {}
            for c in (p1.a, p1.b):
                new[c] = mask[c] & ~b1
            for c in (p2.a, p2.b):
                new[c] = new.get(c, mask[c]) & ~b2
            clash = False
            for c in (p1.a, p1.b):
                clash = clash or bool(new[c] & b2)
                new[c] |= b2
            for c in (p2.a, p2.b):
                clash = clash or bool(new[c] & b1)
                new[c] |= b1
            if clash:
                continue
            routing = board.routing
            if routing is not None and not routing.allows([(k1, t1, t2), (k2, t2, t1)]):
                continue
            if sum(breaks(m) for m in new.values()) < sum(breaks(mask[c]) for c in new):
                for c, m in new.items():
                    mask[c] = m
                if routing is not None:
                    routing.apply([(k1, t1, t2), (k2, t2, t1)])
                board.slots[k1], board.slots[k2] = t2, t1
                changed.update(new)
    return changed


def _descend(
    board: _Board,
    pending: set[int],
    partners: list[list[int]],
    rng: random.Random,
    deadline: float,
) -> None:
    """Improving moves from the companies in ``pending`` outwards until none is left."""
    n = board.problem.n_companies
    while pending and time.monotonic() < deadline:
        order = sorted(pending)
        rng.shuffle(order)
        changed: set[int] = set()
        for c in order:
            if time.monotonic() >= deadline:
                break
            if _improve_company(board, c):
                changed.add(c)
                changed.update(partners[c])
        if not changed:
            changed = _swap_pass(board, set(range(n)), deadline)
        pending = changed.union(*(partners[c] for c in changed))


def _kick(board: _Board, c: int, rng: random.Random) -> bool:
    """Re-seat c into a random other target (best assignment there), even if worse."""
    targets = _targets(board, c)[1:]
    rng.shuffle(targets)
    costs = _costs(board, c)
    for target in targets[:3]:
        found = _assign(costs, target)
        if found is not None and _tables_ok(board, board.meets[c], found[1]):
            _apply(board, c, found[1])
            return True
    return False


def reseat(
    problem: Problem,
    slots: Sequence[int],
    deadline: float,
    seed: int = 0,
    kicks: bool = False,
    pool: SlotPool | None = None,
) -> list[int]:
    """Lower the breaks of ``slots`` (same pairs placed) by company re-seating moves and
    same-zone swaps, until neither helps or the deadline passes. After the first round only
    companies near a change are looked at again (a move's value depends on the company's
    day and its partners' days). With ``kicks``, the time left goes to an iterated local
    search: a few companies with breaks are re-seated at random, the descent repeats from
    them, and the result is kept when it has no more breaks than the best. With ``pool``,
    no move leaves more meetings without an interpreter (``slotpool``)."""
    board = _Board(problem, slots, pool)
    rng = random.Random(seed)
    partners = [_partners(board, c) for c in range(problem.n_companies)]
    _descend(board, set(range(problem.n_companies)), partners, rng, deadline)
    best, best_total = list(board.slots), board.total()
    while kicks and best_total > 0 and time.monotonic() < deadline:
        broken = [c for c in range(problem.n_companies) if board.breaks(board.mask[c])]
        kicked = {c for c in rng.sample(broken, min(len(broken), 2)) if _kick(board, c, rng)}
        _descend(board, kicked.union(*(partners[c] for c in kicked)), partners, rng, deadline)
        total = board.total()
        if total <= best_total:
            best, best_total = list(board.slots), total
        else:
            board = _Board(problem, best, pool)
    return best


__all__ = ["reseat"]
