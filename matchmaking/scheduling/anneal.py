"""Simulated annealing on breaks with Kempe-chain moves between two slots.

A move takes one meeting in slot t and a slot u it may use, and follows the chain: every
company of a meeting moving t -> u brings its meeting in u (if any) to t, and so on, until
closed. Swapping the whole chain keeps every company at one meeting per slot, so only the
moved meetings' allowed slots (availability gaps, sessions, fixed meetings already taken
out) and the table counts of both slots are checked. A chain that reaches a fixed meeting
is dropped: fixed meetings never move. Only companies with a meeting on one side of the
chain change their busy slots; the move's cost is their change in breaks, known from bit
masks (``permute._Board``).

Why: with fixed meetings and gaps, the exact models (``maxsat``, ``windows``) often find
nothing within a short limit and CP-SAT neighbourhoods move slowly; these moves are cheap
(thousands a second in Python), never leave the feasible region, and a schedule's breaks
mostly come from a few companies that such chains can shift. The placed pairs never
change, so the weight is kept.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence

from .greedy import UNPLACED
from .permute import _Board
from .problem import Problem
from .slotpool import SlotPool

# Longest chain tried (meetings on both sides together).
CHAIN_LIMIT = 40
# Start and end temperature (breaks): an uphill move of one break is taken with probability
# e^(-1/T); cooling is geometric, REHEATS times over the time given, each from the best.
HOT, COLD = 0.6, 0.05
REHEATS = 3
_FIXED = -2
# Share of moves aimed next to a company's run of meetings.
NEAR_SHARE = 0.5


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


class _Annealer:
    """The schedule as a company x slot table of meetings, with the board's masks."""

    def __init__(
        self,
        problem: Problem,
        slots: Sequence[int],
        rng: random.Random,
        pool: SlotPool | None = None,
    ) -> None:
        self.problem = problem
        self.rng = rng
        self.board = _Board(problem, slots, pool)
        self.at = [[UNPLACED] * problem.n_slots for _ in range(problem.n_companies)]
        for c, fixed in enumerate(problem.fixed_busy):
            for t in fixed:
                self.at[c][t] = _FIXED
        for k, t in enumerate(self.board.slots):
            if t != UNPLACED:
                pair = problem.pairs[k]
                self.at[pair.a][t] = self.at[pair.b][t] = k
        self.allowed = [set(pair.allowed) for pair in problem.pairs]
        self.slot_of_bit = {bit.bit_length() - 1: t for t, bit in enumerate(self.board.bit)}
        self.placed = [k for k, t in enumerate(self.board.slots) if t != UNPLACED]

    def chain(self, k: int, u: int) -> tuple[list[int], list[int]] | None:
        """Meetings moving t -> u and u -> t for the chain of ``k`` (now in t), or None."""
        problem, at, allowed = self.problem, self.at, self.allowed
        t = self.board.slots[k]
        forward: list[int] = [k]
        backward: list[int] = []
        seen = {k}
        queue = [(k, t, u)]
        while queue:
            m, here, there = queue.pop()
            pair = problem.pairs[m]
            for c in (pair.a, pair.b):
                other = at[c][there]
                if other == UNPLACED or other in seen:
                    continue
                if other == _FIXED or here not in allowed[other]:
                    return None
                seen.add(other)
                (backward if there == u else forward).append(other)
                if len(seen) > CHAIN_LIMIT:
                    return None
                queue.append((other, there, here))
        return forward, backward

    def delta(self, forward: list[int], backward: list[int], t: int, u: int) -> int | None:
        """Change in breaks of the move, or None when a table count would overflow."""
        problem, board = self.problem, self.board
        shift: dict[int, int] = {}
        for m in forward:
            zone = problem.pairs[m].zone
            shift[zone] = shift.get(zone, 0) + 1
        for m in backward:
            zone = problem.pairs[m].zone
            shift[zone] = shift.get(zone, 0) - 1
        for zone, change in shift.items():
            if change > 0 and board.load[zone][u] + change > problem.free_tables[zone][u]:
                return None
            if change < 0 and board.load[zone][t] - change > problem.free_tables[zone][t]:
                return None
        routing = board.routing
        if routing is not None and not routing.allows(
            [(m, t, u) for m in forward] + [(m, u, t) for m in backward]
        ):
            return None  # more meetings than interpreters free (``slotpool``)
        flip = board.bit[t] | board.bit[u]
        moved: dict[int, int] = {}
        for m in forward + backward:
            pair = problem.pairs[m]
            for c in (pair.a, pair.b):
                moved[c] = moved.get(c, 0) + 1
        change = 0
        for c, count in moved.items():
            if count == 1:  # busy on one side only: its busy slot moves
                mask = board.mask[c]
                change += board.breaks(mask ^ flip) - board.breaks(mask)
        return change

    def apply(self, forward: list[int], backward: list[int], t: int, u: int) -> None:
        problem, board, at = self.problem, self.board, self.at
        if board.routing is not None:
            board.routing.apply([(m, t, u) for m in forward] + [(m, u, t) for m in backward])
        for m, old in [(m, t) for m in forward] + [(m, u) for m in backward]:
            pair = problem.pairs[m]
            for c in (pair.a, pair.b):
                if at[c][old] == m:
                    at[c][old] = UNPLACED
                board.mask[c] ^= board.bit[old]
            board.load[pair.zone][old] -= 1
        for m, new in [(m, u) for m in forward] + [(m, t) for m in backward]:
            pair = problem.pairs[m]
            for c in (pair.a, pair.b):
                at[c][new] = m
                board.mask[c] ^= board.bit[new]
            board.load[pair.zone][new] += 1
            board.slots[m] = new

    def target(self, k: int) -> int:
        """A slot for meeting k: half the time one next to a run of one of its companies
        (where a move can close a gap), else any allowed slot."""
        options = self.problem.pairs[k].allowed
        if self.rng.random() < NEAR_SHARE:
            pair = self.problem.pairs[k]
            masks = self.board.mask
            c = pair.a if self.rng.random() < 0.5 else pair.b
            mask = masks[c] & ~self.board.bit[self.board.slots[k]]
            near = ((mask << 1) | (mask >> 1)) & ~mask
            slots = [
                t
                for bit in _bits(near)
                if (t := self.slot_of_bit.get(bit, -1)) >= 0 and t in self.allowed[k]
            ]
            if slots:
                return self.rng.choice(slots)
        return options[self.rng.randrange(len(options))]

    def pick(self) -> int:
        """A meeting to move: mostly one of a company with breaks."""
        board, problem = self.board, self.problem
        if self.rng.random() < 0.8:
            c = self.rng.randrange(problem.n_companies)
            for _ in range(8):
                if board.meets[c] and board.breaks(board.mask[c]):
                    return self.rng.choice(board.meets[c])
                c = self.rng.randrange(problem.n_companies)
        return self.rng.choice(self.placed)


def anneal(
    problem: Problem,
    slots: Sequence[int],
    deadline: float,
    seed: int = 0,
    lower: int = 0,
    pool: SlotPool | None = None,
) -> list[int]:
    """Fewer breaks for the same placed pairs, by annealing until ``deadline``
    (``time.monotonic()``) or a schedule with ``lower`` breaks (a proven lower bound);
    returns the best assignment seen (never worse than ``slots``). With ``pool``, no move
    leaves more meetings without an interpreter (``slotpool``)."""
    rng = random.Random(seed)
    state = _Annealer(problem, slots, rng, pool)
    if not state.placed:
        return list(slots)
    best, best_total = list(state.board.slots), state.board.total()
    total = best_total
    started = time.monotonic()
    span = max(1e-3, deadline - started) / REHEATS
    temperature = HOT
    steps = heat = 0
    # The current schedule is the best but not yet copied: copied before it worsens, so
    # that a run of improvements costs one copy (large events have 50,000 pairs).
    unsaved = False
    while best_total > lower:
        steps += 1
        if steps % 256 == 0:
            now = time.monotonic()
            if now >= deadline:
                break
            if int((now - started) / span) > heat:
                # Reheat from the best schedule so far.
                heat = int((now - started) / span)
                if unsaved:
                    best, unsaved = list(state.board.slots), False
                state, total = _Annealer(problem, best, rng, pool), best_total
            progress = ((now - started) % span) / span
            temperature = HOT * (COLD / HOT) ** progress
        k = state.pick()
        t = state.board.slots[k]
        u = state.target(k)
        if u == t:
            continue
        found = state.chain(k, u)
        if found is None:
            continue
        forward, backward = found
        change = state.delta(forward, backward, t, u)
        if change is None:
            continue
        if change <= 0 or rng.random() < math.exp(-change / temperature):
            if change > 0 and unsaved:
                best, unsaved = list(state.board.slots), False
            state.apply(forward, backward, t, u)
            total += change
            if total < best_total:
                best_total, unsaved = total, True
    return list(state.board.slots) if unsaved else best


__all__ = ["anneal"]
