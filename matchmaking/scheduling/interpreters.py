"""Hard rule 4: interpreters for the meetings of pairs with no common language.

``staff(problem, slots)`` runs once the solver's slots are final (the other phases keep
only a relaxation, ``slotpool``: per slot and group of alike interpreters, caps summed) and
returns a valid assignment with an interpreter for each meeting that needs one:

1. **Assign.** For the meetings as placed, each needing meeting gets a qualified
   interpreter (speaks one of the buyer's and one of the supplier's languages, available in
   that slot, serving that zone), at most one meeting per interpreter and slot and at most
   its ``max_meetings``: augmenting paths in priority order when they serve every meeting,
   else a min-cost flow where leaving a meeting unserved costs its weight, so must pairs are
   served first, then the highest scores (the solver's objective order).
2. **Re-place.** Unserved meetings are taken out. Then every unplaced pair of a company that
   lost a meeting, and every unplaced pair needing an interpreter that a qualified one
   still has room for, in priority order (must, then score), goes into the free slot adding
   the fewest company breaks where both companies, a table and, if it needs one, an
   interpreter are free (an augmenting path may hand another meeting of that slot to a
   different interpreter). A must pair that still does not fit may displace non-must
   meetings of its two companies (or a qualified interpreter's), which are then re-placed
   if they can be (first, ``shift`` tries moving its companies' meetings in the way to
   other slots); failing that, all interpreters are re-planned by the flow with that pair
   in one of its best slots (``rescue``: a must pair may take an interpreter-slot from a
   non-must one). When anything moved, a hill climb moves single meetings (every rule
   kept, rule 4 included) to close company breaks.
3. **Tie-break.** Slot by slot, the interpreters of that slot's meetings are re-matched to
   lower the interpreters' penalty: zone changes between an interpreter's consecutive
   meetings of a day plus its breaks (idle gaps between meetings, as for companies). This
   never changes which pairs meet when, so the objective is untouched.

The companies' objective is lexicographic as in the solver; the interpreter penalty is the
documented tie-break among schedules equal on it.

Reasons for pairs needing an interpreter left out: "no interpreter free" when it was
dropped, when it would fit where its companies and a table are free but no interpreter is,
and for a must pair when every qualified interpreter is taken or at its cap in each slot
the pair allows (the pair selection gave the pool's interpreter-slots to other must pairs,
so its companies' full agendas are not the cause); "no interpreter speaks both languages
in this zone" when none qualifies.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

from .model import Interpreter, LanguageNeed, Schedule
from .problem import Problem

UNPLACED = -1
FIXED = -2  # an interpreter's slot taken by a fixed meeting
NO_INTERPRETER_FREE = "no interpreter free"
NO_INTERPRETER = "no interpreter speaks both languages in this zone"
# Step 1 always runs (without it a schedule could break hard rule 4); the other steps run
# in turn until ``staff``'s deadline, and at least STAFF_FLOOR_SECONDS. The solver keeps
# ``staffing_seconds`` of its limit for ``staff``: STAFF_SECONDS, or STAFF_SECONDS_PER_PAIR
# per open pair when more, at most STAFF_SHARE of the limit; steps 2-3 stop after
# STAFF_STEPS_SHARE of it, the rest is for the step running then and the reasons and
# figures after them. Measured under load on the generated families: chongqing (1,500
# pairs, scarce pool) 0.05-0.1 s in all, of which 0.01 s for the reasons; regional (10,000
# pairs) 0.2 s for steps 1-2 from the solver's schedule. With a plentiful pool (``slotpool``
# finds no slot where one can run short) step 1 serves every meeting and step 2 has nothing
# to do: PLENTIFUL_SECONDS_PER_PAIR per open pair is kept, at least STAFF_FLOOR_SECONDS
# (measured on chongqing, 1,400-1,500 pairs: step 1 0.007-0.012 s, the tie-break
# 0.02-0.035 s more, which stops at the deadline like step 2), so that the searches get
# nearly the time they get without interpreter needs and the schedule matches it.
STAFF_SECONDS = 0.12
STAFF_SECONDS_PER_PAIR = 20e-6
PLENTIFUL_SECONDS_PER_PAIR = 15e-6
STAFF_SHARE = 0.25
STAFF_STEPS_SHARE = 0.7
STAFF_FLOOR_SECONDS = 0.02
TIE_BREAK_PASSES = 3
# Slots tried per must pair by ``_Staffer.rescue`` (each try is one min-cost flow).
RESCUE_SLOTS = 3


@dataclass(slots=True)
class Staffing:
    """The outcome of ``staff``: interpreters per pair, reasons for pairs it left out."""

    interpreter_of: dict[tuple[str, str], str] = field(default_factory=dict)
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    statistics: dict[str, Any] = field(default_factory=dict)
    changed: bool = False

    def complete(self, schedule: Schedule) -> Schedule:
        """Name each meeting's interpreter, give the reasons of the pairs left out for want
        of one, and add the interpreter statistics."""
        if not self.statistics:
            return schedule
        meetings = [
            m
            if m.interpreter is not None or m.pair not in self.interpreter_of
            else replace(m, interpreter=self.interpreter_of[m.pair])
            for m in schedule.meetings
        ]
        unscheduled = []
        for row in schedule.unscheduled:
            reason = self.reasons.get((str(row["buyer"]), str(row["supplier"])))
            unscheduled.append(row if reason is None else {**row, "reason": reason})
        statistics = {**schedule.statistics, "interpreters": self.statistics}
        return Schedule(meetings, statistics, unscheduled)


def qualified(need: LanguageNeed, zone: str, interpreter: Interpreter) -> bool:
    """Whether ``interpreter`` speaks the pair's languages and serves ``zone``."""
    serves = interpreter.zones is None or zone in interpreter.zones
    return serves and need.served_by(interpreter)


def spread(zones_by_position: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """(zone changes, breaks) of an interpreter's day: ``zones_by_position`` lists (position
    in the day, zone) of its meetings in position order."""
    changes = breaks = 0
    for (p, z), (q, y) in pairwise(zones_by_position):
        changes += z != y
        breaks += q > p + 1
    return changes, breaks


class _Staffer:
    """Named state of one ``staff`` run: company and table occupancy plus interpreter rosters."""

    def __init__(self, problem: Problem, slots: Sequence[int]) -> None:
        self.problem = problem
        instance = problem.instance
        self.slots = list(slots)
        self.people = instance.interpreters
        slot_index = {s.id: t for t, s in enumerate(instance.slots)}
        zone_index = {z.id: i for i, z in enumerate(instance.zones)}
        # Companies and tables, as in the solver's boards.
        self.busy: list[set[int]] = [set(s) for s in problem.fixed_busy]
        self.per_day = [[0] * len(problem.days) for _ in range(problem.n_companies)]
        for c, taken in enumerate(problem.fixed_busy):
            for t in taken:
                self.per_day[c][problem.day_of[t]] += 1
        self.count = [0] * problem.n_companies
        self.tables = [list(row) for row in problem.free_tables]
        self.meeting_at: dict[tuple[int, int], int] = {}
        # Interpreters: slot -> pair index (FIXED for fixed meetings), count, cap.
        self.roster: list[dict[int, int]] = [{} for _ in self.people]
        self.count_i = [0] * len(self.people)
        self.cap_i = [
            len(instance.slots) if p.max_meetings is None else p.max_meetings for p in self.people
        ]
        self.open_i: list[set[int]] = [
            set(range(len(instance.slots)))
            if p.available is None
            else {slot_index[s] for s in p.available}
            for p in self.people
        ]
        person_index = {p.id: j for j, p in enumerate(self.people)}
        self.zone_at: dict[tuple[int, int], int] = {}  # (interpreter, slot) -> zone
        for m in instance.fixed:
            if m.interpreter is not None:
                j, t = person_index[m.interpreter], slot_index[m.slot]
                self.roster[j][t] = FIXED
                self.zone_at[j, t] = zone_index[m.zone]
                self.count_i[j] += 1
        # Interpreters below their cap: an augmenting path must end at one of them.
        self.spare = {j for j in range(len(self.people)) if self.count_i[j] < self.cap_i[j]}
        self.assigned: dict[int, int] = {}  # pair index -> interpreter
        self.dropped: set[int] = set()
        self.flow_seconds = 0.0  # the last min-cost flow's, to foresee the next one's
        self.touched: set[int] = set()  # companies that lost a meeting
        self._qualified: dict[tuple[LanguageNeed, str], list[int]] = {}
        self._qualified_k: dict[int, list[int]] = {}
        self.needs: list[LanguageNeed | None] = [
            instance.candidates[pair.index].interpreter for pair in problem.pairs
        ]
        for k, t in enumerate(self.slots):
            if t != UNPLACED:
                self._occupy(k, t)

    # -- occupancy -------------------------------------------------------------------------

    def _occupy(self, k: int, t: int) -> None:
        pair = self.problem.pairs[k]
        for c in (pair.a, pair.b):
            self.busy[c].add(t)
            self.per_day[c][self.problem.day_of[t]] += 1
            self.count[c] += 1
            self.meeting_at[c, t] = k
        self.tables[pair.zone][t] -= 1
        self.slots[k] = t

    def _vacate(self, k: int) -> None:
        pair = self.problem.pairs[k]
        t = self.slots[k]
        for c in (pair.a, pair.b):
            self.busy[c].discard(t)
            self.per_day[c][self.problem.day_of[t]] -= 1
            self.count[c] -= 1
            del self.meeting_at[c, t]
            self.touched.add(c)
        self.tables[pair.zone][t] += 1
        self.slots[k] = UNPLACED
        j = self.assigned.pop(k, None)
        if j is not None:
            self._release(j, t)

    def _hire(self, j: int, k: int, t: int) -> None:
        self.roster[j][t] = k
        self.zone_at[j, t] = self.problem.pairs[k].zone
        self.count_i[j] += 1
        if self.count_i[j] >= self.cap_i[j]:
            self.spare.discard(j)
        self.assigned[k] = j

    def _release(self, j: int, t: int) -> None:
        del self.roster[j][t]
        del self.zone_at[j, t]
        self.count_i[j] -= 1
        if self.count_i[j] < self.cap_i[j]:
            self.spare.add(j)

    def fits(self, k: int, t: int) -> bool:
        pair = self.problem.pairs[k]
        cap = self.problem.cap
        return (
            t not in self.busy[pair.a]
            and t not in self.busy[pair.b]
            and self.tables[pair.zone][t] > 0
            and self.count[pair.a] < cap[pair.a]
            and self.count[pair.b] < cap[pair.b]
        )

    def break_delta(self, c: int, t: int) -> int:
        """Change in company c's breaks if it also meets in slot t (-1, 0 or +1)."""
        problem = self.problem
        day = problem.day_of[t]
        busy = self.busy[c]
        if not self.per_day[c][day]:
            return 0
        left = t > 0 and problem.day_of[t - 1] == day and (t - 1) in busy
        right = t + 1 < problem.n_slots and problem.day_of[t + 1] == day and (t + 1) in busy
        return -1 if left and right else 0 if left or right else 1

    # -- interpreters ----------------------------------------------------------------------

    def qualified_for(self, k: int) -> list[int]:
        """Interpreters speaking pair k's languages and serving its zone (cached per kind)."""
        found = self._qualified_k.get(k)
        if found is None:
            need = self.needs[k]
            assert need is not None
            zone = self.problem.instance.candidates[self.problem.pairs[k].index].zone
            key = (need, zone)
            found = self._qualified.get(key)
            if found is None:
                found = [j for j, p in enumerate(self.people) if qualified(need, zone, p)]
                self._qualified[key] = found
            self._qualified_k[k] = found
        return found

    def can_take(self, j: int, t: int) -> bool:
        """Interpreter j is free in slot t, available then and below its cap."""
        return t in self.open_i[j] and t not in self.roster[j] and self.count_i[j] < self.cap_i[j]

    def _augment(self, k: int, t: int, seen: set[int]) -> list[tuple[int, int]] | None:
        """A chain of (pair, interpreter) hand-overs in slot t ending with a free interpreter
        so that pair k is served (Kuhn's augmenting path), or None."""
        for j in self.qualified_for(k):
            if j in seen or t not in self.open_i[j]:
                continue
            seen.add(j)
            holder = self.roster[j].get(t)
            if holder is None:
                if self.count_i[j] < self.cap_i[j]:
                    return [(k, j)]
                continue
            if holder == FIXED:
                continue
            rest = self._augment(holder, t, seen)
            if rest is not None:
                return [(k, j), *rest]
        return None

    def _apply_chain(self, chain: list[tuple[int, int]], t: int) -> None:
        """Hand each pair of the chain to its new interpreter in slot t (the first pair
        has none yet)."""
        for k, _ in chain[1:]:
            j_old = self.assigned.pop(k)
            self._release(j_old, t)
        for k, j in reversed(chain):
            self._hire(j, k, t)

    # -- step 1 ----------------------------------------------------------------------------

    def assign(self) -> None:
        """Interpreters for the placed meetings needing one: augmenting paths in priority
        order when they serve every meeting (then optimal), else a min-cost flow; the
        meetings left unserved are taken out."""
        needing = [k for k, t in enumerate(self.slots) if t != UNPLACED and self.needs[k]]
        if not needing:
            return
        per_slot: dict[int, int] = {}
        for k in needing:
            per_slot[self.slots[k]] = per_slot.get(self.slots[k], 0) + 1
        staffed = {t: sum(1 for j in self.spare if t in self.open_i[j]) for t in per_slot}
        short = any(per_slot[t] > staffed[t] for t in per_slot)
        for k in self._order(needing):
            chain = None if short else self._augment(k, self.slots[k], set())
            if chain is None:
                for served in list(self.assigned):
                    self._release(self.assigned.pop(served), self.slots[served])
                for h, j in self._flow_plan(needing, self.slots).items():
                    self._hire(j, h, self.slots[h])
                break
            self._apply_chain(chain, self.slots[k])
        for k in needing:
            if k not in self.assigned:
                self._vacate(k)
                self.dropped.add(k)

    def _flow_plan(self, needing: list[int], slot_of: Sequence[int]) -> dict[int, int]:
        """Interpreter per served meeting of ``needing`` (pair k in slot ``slot_of[k]``) by
        a min-cost flow where each unserved meeting costs its weight; the rosters must hold
        no other assignments than the fixed meetings'."""
        # Nodes: meetings 0..n-1 (supply 1 each), the sink n (demand n), interpreters,
        # then one node per (interpreter, slot) used. Arcs: meeting -> sink costs the
        # meeting's weight (unserved), meeting -> (j, t) -> j -> sink cost nothing, the
        # last with j's remaining cap.
        n = len(needing)
        sink = n
        first = n + 1
        next_node = first + len(self.people)
        slot_node: dict[tuple[int, int], int] = {}
        tails: list[int] = []
        heads: list[int] = []
        caps: list[int] = []
        costs: list[int] = []
        choices: list[tuple[int, int]] = []  # (meeting position, interpreter) per choice arc
        for m, k in enumerate(needing):
            tails.append(m)
            heads.append(sink)
            caps.append(1)
            costs.append(self.problem.weight_of(self.problem.pairs[k]))
        for m, k in enumerate(needing):
            t = slot_of[k]
            for j in self.qualified_for(k):
                if t not in self.open_i[j] or t in self.roster[j]:
                    continue
                node = slot_node.get((j, t))
                if node is None:
                    node = slot_node[j, t] = next_node
                    next_node += 1
                tails.append(m)
                heads.append(node)
                caps.append(1)
                costs.append(0)
                choices.append((m, j))
        for (j, _), node in slot_node.items():
            tails.append(node)
            heads.append(first + j)
            caps.append(1)
            costs.append(0)
        for j in range(len(self.people)):
            tails.append(first + j)
            heads.append(sink)
            caps.append(max(0, self.cap_i[j] - self.count_i[j]))
            costs.append(0)
        started = time.monotonic()
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            np.array(tails, dtype=np.int32),
            np.array(heads, dtype=np.int32),
            np.array(caps, dtype=np.int64),
            np.array(costs, dtype=np.int64),
        )
        supplies = np.zeros(next_node, dtype=np.int64)
        supplies[:n] = 1
        supplies[sink] = -n
        flow.set_nodes_supplies(np.arange(next_node, dtype=np.int32), supplies)
        status = flow.solve()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"interpreter assignment failed (status {status})")
        used = flow.flows(np.arange(n, n + len(choices), dtype=np.int32))
        self.flow_seconds = time.monotonic() - started
        return {needing[m]: j for (m, j), carried in zip(choices, used, strict=True) if carried}

    # -- step 2 ----------------------------------------------------------------------------

    def _order(self, ks: Sequence[int]) -> list[int]:
        pairs = self.problem.pairs
        return sorted(ks, key=lambda k: (-self.problem.weight_of(pairs[k]), k))

    def insert(self, k: int) -> bool:
        """Place unplaced pair k in its best free slot (fewest added company breaks, then
        earliest) where an interpreter can serve it if it needs one."""
        pair = self.problem.pairs[k]
        options = sorted(
            (self.break_delta(pair.a, t) + self.break_delta(pair.b, t), t)
            for t in pair.allowed
            if self.fits(k, t)
        )
        for _, t in options:
            if self.needs[k] is None:
                self._occupy(k, t)
                return True
            if not any(t in self.open_i[j] and t not in self.roster[j] for j in self.spare):
                continue  # nobody left to end an augmenting path in slot t
            chain = self._augment(k, t, set())
            if chain is not None:
                self._occupy(k, t)
                self._apply_chain(chain, t)
                return True
        return False

    def refill(self, stop: float) -> None:
        """Re-place dropped meetings and fill the room they freed, in priority order, until
        ``stop`` (a ``time.monotonic()`` value). Unplaced pairs needing an interpreter are
        tried too while a qualified one has room for them (the pair selection counts
        interpreter-slots, not slots, so a few may be left for them)."""
        pairs = self.problem.pairs
        todo = [
            k
            for k, t in enumerate(self.slots)
            if t == UNPLACED
            and (
                pairs[k].a in self.touched
                or pairs[k].b in self.touched
                or (self.needs[k] is not None and not self.booked_up(k))
            )
        ]
        for k in self._order(todo):
            if time.monotonic() > stop:
                return
            if self.insert(k) or not pairs[k].must:
                continue
            if not self.shift(k) and not self.displace(k) and self.needs[k] is not None:
                self.rescue(k, stop)

    def _blockers(self, k: int, t: int) -> set[int] | None:
        """Non-must meetings to take out so that pair k's companies are free in slot t and
        below their caps (the cheapest other meeting of a company at its cap), or None when
        a must or fixed meeting is in the way."""
        pairs, cap = self.problem.pairs, self.problem.cap
        pair = pairs[k]
        out: set[int] = set()
        for c in (pair.a, pair.b):
            if t in self.busy[c]:
                held = self.meeting_at.get((c, t))
                if held is None or pairs[held].must:
                    return None
                out.add(held)
        for c in (pair.a, pair.b):
            left = self.count[c] - sum(1 for h in out if c in (pairs[h].a, pairs[h].b))
            if left < cap[c]:
                continue
            mine = [
                self.meeting_at[c, s]
                for s in self.busy[c]
                if (c, s) in self.meeting_at
                and self.meeting_at[c, s] not in out
                and not pairs[self.meeting_at[c, s]].must
            ]
            if not mine:
                return None
            out.add(min(mine, key=lambda h: (self.problem.weight_of(pairs[h]), h)))
        return out

    def _interpreter_blockers(self, j: int, t: int, out: set[int]) -> set[int] | None:
        """Non-must meetings to take from interpreter j so that it is free in slot t and
        below its cap once ``out`` is gone (its meeting then, and its cheapest other one
        when at its cap), or None when a must or fixed meeting is in the way."""
        pairs = self.problem.pairs
        extra: set[int] = set()
        holder = self.roster[j].get(t)
        if holder is not None:
            if holder == FIXED or pairs[holder].must:
                return None
            extra.add(holder)
        mine = [h for h in self.roster[j].values() if h >= 0]
        kept = self.count_i[j] - sum(1 for h in mine if h in out or h in extra)
        if kept >= self.cap_i[j]:
            spare = [h for h in mine if h not in out and h not in extra and not pairs[h].must]
            if not spare:
                return None
            extra.add(min(spare, key=lambda h: (self.problem.weight_of(pairs[h]), h)))
        return extra

    def displace(self, k: int) -> bool:
        """Place must pair k by taking out non-must meetings of its companies
        (``_blockers``) and, if it needs one, of a qualified interpreter
        (``_interpreter_blockers``), then re-placing those where they still fit. Slots are
        tried by fewest added company breaks; nothing changes when no slot works."""
        pair = self.problem.pairs[k]
        options = sorted(
            (self.break_delta(pair.a, t) + self.break_delta(pair.b, t), t)
            for t in pair.allowed
            if self.tables[pair.zone][t] > 0
        )
        for _, t in options:
            out = self._blockers(k, t)
            if out is None:
                continue
            if self.needs[k] is None:
                if out and self._displace(k, t, None, out):
                    return True
                continue
            for j in self.qualified_for(k):
                if t not in self.open_i[j]:
                    continue
                extra = self._interpreter_blockers(j, t, out)
                if extra is not None and self._displace(k, t, j, out | extra):
                    return True
            for h in self._cap_evictions(t, out):
                if self._displace(k, t, None, out | {h}):
                    return True
        return False

    def _spot(self, h: int, avoid: int) -> tuple[int, int | None] | None:
        """Another slot than ``avoid`` (and its own) where placed pair h fits, with its
        interpreter if it needs one (its own when free then): (slot, interpreter) or None."""
        pair = self.problem.pairs[h]
        mine = self.assigned.get(h)
        for t in pair.allowed:
            if t in (avoid, self.slots[h]) or self.tables[pair.zone][t] <= 0:
                continue
            if t in self.busy[pair.a] or t in self.busy[pair.b]:
                continue
            if self.needs[h] is None:
                return t, None
            if mine is not None and t in self.open_i[mine] and t not in self.roster[mine]:
                return t, mine
            helper = next((j for j in self.qualified_for(h) if self.can_take(j, t)), None)
            if helper is not None:
                return t, helper
        return None

    def shift(self, k: int) -> bool:
        """Place pair k in a slot where its companies meet others, moving those meetings
        (must ones too: none is lost) to other slots where they fit, when k then fits there
        with an interpreter (through an augmenting path); undone when it does not."""
        pair = self.problem.pairs[k]
        cap = self.problem.cap
        if self.count[pair.a] >= cap[pair.a] or self.count[pair.b] >= cap[pair.b]:
            return False
        for t in pair.allowed:
            if self.tables[pair.zone][t] <= 0:
                continue
            held = {self.meeting_at.get((c, t)) for c in (pair.a, pair.b) if t in self.busy[c]}
            if not held or None in held:
                continue  # free already (insert failed on the interpreter), or a fixed one
            moved: list[tuple[int, int, int | None]] = []  # (pair, old slot, old interpreter)
            for h in held:
                assert h is not None
                spot = self._spot(h, t)
                if spot is None:
                    break
                moved.append((h, self.slots[h], self.assigned.get(h)))
                self._move(h, *spot)
            else:
                chain = [] if self.needs[k] is None else self._augment(k, t, set())
                if self.fits(k, t) and chain is not None:
                    self._occupy(k, t)
                    self._apply_chain(chain, t)
                    return True
            for h, old, j in reversed(moved):
                self._move(h, old, j)
        return False

    def rescue(self, k: int, stop: float) -> bool:
        """Serve must pair k by re-planning every interpreter: k goes into one of its
        ``RESCUE_SLOTS`` best slots (non-must meetings of its companies taken out) and the
        min-cost flow re-assigns all meetings needing one (must first), which may drop
        non-must meetings elsewhere; those are then re-placed where they fit. Nothing
        changes when no slot tried gets k served, nor when a flow (as long as the last one)
        would end after ``stop``."""
        pair = self.problem.pairs[k]
        options = sorted(
            (self.break_delta(pair.a, t) + self.break_delta(pair.b, t), t)
            for t in pair.allowed
            if self.tables[pair.zone][t] > 0
        )
        for _, t in options[:RESCUE_SLOTS]:
            out = self._blockers(k, t)
            if out is None:
                continue
            if time.monotonic() + self.flow_seconds > stop:
                return False
            others = [h for h in self.assigned if h not in out]
            slot_of = list(self.slots)
            slot_of[k] = t
            before = dict(self.assigned)
            for h, j in before.items():
                self._release(j, self.slots[h])
            self.assigned.clear()
            plan = self._flow_plan([*others, k], slot_of)
            if k not in plan:
                for h, j in before.items():
                    self._hire(j, h, self.slots[h])
                continue
            for h in out:
                self._vacate(h)
            self._occupy(k, t)
            for h, j in plan.items():
                self._hire(j, h, self.slots[h])
            lost = [h for h in others if h not in plan]
            for h in lost:
                self._vacate(h)
                self.dropped.add(h)
            for h in self._order([*out, *lost]):
                self.insert(h)
            return True
        return False

    def _cap_evictions(self, t: int, out: set[int]) -> list[int]:
        """For each interpreter free in slot t but at its cap, its cheapest non-must
        meeting: taking it out may end an augmenting path (a hand-over chain) for slot t."""
        pairs = self.problem.pairs
        found = []
        for j in range(len(self.people)):
            if j in self.spare or t not in self.open_i[j] or t in self.roster[j]:
                continue
            mine = [h for h in self.roster[j].values() if h >= 0 and h not in out]
            spare = [h for h in mine if not pairs[h].must]
            if spare:
                found.append(min(spare, key=lambda h: (self.problem.weight_of(pairs[h]), h)))
        return found

    def _displace(self, k: int, t: int, j: int | None, out: set[int]) -> bool:
        """Take out ``out``, put pair k in slot t with interpreter j (None: any, through an
        augmenting path, when it needs one), re-place ``out`` where it fits; restore
        everything and return False when k does not fit after all."""
        saved = {h: (self.slots[h], self.assigned.get(h)) for h in out}
        for h in out:
            self._vacate(h)
        chain: list[tuple[int, int]] | None = []
        if self.needs[k] is not None:
            if j is not None:
                chain = [(k, j)] if self.can_take(j, t) else None
            else:
                chain = self._augment(k, t, set())
        if self.fits(k, t) and chain is not None:
            self._occupy(k, t)
            self._apply_chain(chain, t)
            for h in self._order(list(out)):
                self.insert(h)
            return True
        for h, (s, person) in saved.items():
            self._occupy(h, s)
            if person is not None:
                self._hire(person, h, s)
        return False

    # -- step 2b: fewer company breaks after the changes -----------------------------------

    def _move(self, k: int, t: int, j: int | None) -> None:
        """Move placed pair k to slot t, interpreted by j (None: needs none)."""
        pair = self.problem.pairs[k]
        old = self.slots[k]
        day_of = self.problem.day_of
        for c in (pair.a, pair.b):
            self.busy[c].discard(old)
            self.per_day[c][day_of[old]] -= 1
            del self.meeting_at[c, old]
            self.busy[c].add(t)
            self.per_day[c][day_of[t]] += 1
            self.meeting_at[c, t] = k
        self.tables[pair.zone][old] += 1
        self.tables[pair.zone][t] -= 1
        self.slots[k] = t
        if k in self.assigned:
            self._release(self.assigned.pop(k), old)
        if j is not None:
            self._hire(j, k, t)

    def _lift(self, k: int, t: int, into: bool) -> None:
        """Take pair k's companies out of slot t's busy sets (into=False) or back in."""
        pair = self.problem.pairs[k]
        day = self.problem.day_of[t]
        for c in (pair.a, pair.b):
            if into:
                self.busy[c].add(t)
                self.per_day[c][day] += 1
            else:
                self.busy[c].discard(t)
                self.per_day[c][day] -= 1

    def _relocate(self, k: int) -> bool:
        """Move pair k to the allowed slot lowering its companies' breaks most (its own
        interpreter kept when free then, else another qualified one); True if moved."""
        problem = self.problem
        pair = problem.pairs[k]
        old = self.slots[k]
        mine = self.assigned.get(k)
        best: tuple[int, int, int | None] | None = None
        # Breaks change of putting k back where it was, with k lifted out: a move to t is
        # better when its change is lower.
        self._lift(k, old, into=False)
        back = self.break_delta(pair.a, old) + self.break_delta(pair.b, old)
        for t in pair.allowed:
            if t == old or t in self.busy[pair.a] or t in self.busy[pair.b]:
                continue
            if self.tables[pair.zone][t] <= 0:
                continue
            helper: int | None = None
            if self.needs[k] is not None:
                assert mine is not None
                if t in self.open_i[mine] and t not in self.roster[mine]:
                    helper = mine
                else:
                    helper = next((j for j in self.qualified_for(k) if self.can_take(j, t)), None)
                    if helper is None:
                        continue
            change = self.break_delta(pair.a, t) + self.break_delta(pair.b, t)
            if change < back and (best is None or change < best[0]):
                best = (change, t, helper)
        self._lift(k, old, into=True)
        if best is None:
            return False
        self._move(k, best[1], best[2])
        return True

    def polish(self, stop: float) -> None:
        """Hill climbing on company breaks by moving one meeting at a time (only after
        meetings were dropped or re-placed: otherwise the solver's slots stand)."""
        improved = True
        while improved:
            improved = False
            for k, t in enumerate(self.slots):
                if time.monotonic() > stop:
                    return
                if t != UNPLACED and self._relocate(k):
                    improved = True

    # -- step 3 ----------------------------------------------------------------------------

    def _day_penalty(
        self, j: int, day: int, skip: int | None = None, add: tuple[int, int] | None = None
    ) -> int:
        """Interpreter j's penalty on ``day``, without its meeting in slot ``skip`` and with
        a meeting ``add`` = (slot, zone)."""
        problem = self.problem
        items = [
            (problem.pos_of[t], self.zone_at[j, t])
            for t in problem.days[day]
            if t in self.roster[j] and t != skip
        ]
        if add is not None:
            items.append((problem.pos_of[add[0]], add[1]))
            items.sort()
        return sum(spread(items))

    def tie_break(self, stop: float) -> None:
        """Re-match each slot's interpreters to lower their zone changes plus breaks."""
        for _ in range(TIE_BREAK_PASSES):
            improved = False
            for t in range(self.problem.n_slots):
                if time.monotonic() > stop:
                    return
                improved |= self._rematch(t)
            if not improved:
                return

    def _rematch(self, t: int) -> bool:
        """Min-cost matching of slot t's served meetings to interpreters free or busy then;
        kept only when it lowers the interpreters' penalty."""
        here = [k for k, j in self.assigned.items() if self.slots[k] == t]
        if not here:
            return False
        day = self.problem.day_of[t]
        current = {k: self.assigned[k] for k in here}
        cost: dict[tuple[int, int], int] = {}
        base: dict[int, int] = {}
        by_zone: dict[tuple[int, int], int] = {}  # (interpreter, zone) -> penalty change
        for k in here:
            zone = self.problem.pairs[k].zone
            for j in self.qualified_for(k):
                holder = self.roster[j].get(t)
                if holder == FIXED or t not in self.open_i[j]:
                    continue
                if holder is None and self.count_i[j] >= self.cap_i[j]:
                    continue
                change = by_zone.get((j, zone))
                if change is None:
                    if j not in base:
                        base[j] = self._day_penalty(j, day, skip=t)
                    change = self._day_penalty(j, day, skip=t, add=(t, zone)) - base[j]
                    by_zone[j, zone] = change
                cost[k, j] = change
        before = sum(cost[k, j] for k, j in current.items())
        people = sorted(base)
        node = {j: len(here) + i for i, j in enumerate(people)}
        sink = len(here) + len(people)
        flow = min_cost_flow.SimpleMinCostFlow()
        arcs = []
        for m, k in enumerate(here):
            flow.set_node_supply(m, 1)
            for j in people:
                if (k, j) in cost:
                    arc = flow.add_arc_with_capacity_and_unit_cost(m, node[j], 1, cost[k, j])
                    arcs.append((arc, k, j))
        for j in people:
            flow.add_arc_with_capacity_and_unit_cost(node[j], sink, 1, 0)
        flow.set_node_supply(sink, -len(here))
        if flow.solve() != flow.OPTIMAL or flow.optimal_cost() >= before:
            return False
        for k, j in current.items():
            del self.assigned[k]
            self._release(j, t)
        for arc, k, j in arcs:
            if flow.flow(arc):
                self._hire(j, k, t)
        return True

    def wants_interpreter(self, k: int) -> bool:
        """Unplaced pair k fits in a slot where its companies and a table are free, but in
        none of them can an interpreter serve it (not even through hand-overs)."""
        free = [t for t in self.problem.pairs[k].allowed if self.fits(k, t)]
        return bool(free) and not any(
            any(t in self.open_i[j] and t not in self.roster[j] for j in self.spare)
            and self._augment(k, t, set()) is not None
            for t in free
        )

    def booked_up(self, k: int) -> bool:
        """Every interpreter qualified for pair k is taken or at its cap in each slot the
        pair allows: why a must pair the pair selection left out (the pool's
        interpreter-slots went to other must pairs) cannot meet, though its companies'
        meetings look like the reason."""
        allowed = self.problem.pairs[k].allowed
        return not any(self.can_take(j, t) for j in self.qualified_for(k) for t in allowed)

    # -- figures ---------------------------------------------------------------------------

    def totals(self) -> tuple[int, int]:
        """(zone changes, breaks) summed over interpreters and days."""
        problem = self.problem
        switches = breaks = 0
        for j in range(len(self.people)):
            for day_slots in problem.days:
                items = [
                    (problem.pos_of[t], self.zone_at[j, t])
                    for t in day_slots
                    if t in self.roster[j]
                ]
                changes, gaps = spread(items)
                switches += changes
                breaks += gaps
        return switches, breaks


def staffing_seconds(problem: Problem, budget: float, plentiful: bool = False) -> float:
    """Seconds the solver keeps for ``staff`` out of a ``budget`` (none without needs;
    little with a ``plentiful`` pool, one that no slot can run short of)."""
    if not any(c.interpreter is not None for c in problem.instance.candidates):
        return 0.0
    if plentiful:
        wanted = max(STAFF_FLOOR_SECONDS, PLENTIFUL_SECONDS_PER_PAIR * len(problem.pairs))
    else:
        wanted = max(STAFF_SECONDS, STAFF_SECONDS_PER_PAIR * len(problem.pairs))
    return min(STAFF_SHARE * budget, wanted)


def staff(
    problem: Problem, slots: Sequence[int], deadline: float, tie_break: bool = True
) -> tuple[list[int], Staffing]:
    """Interpreters for the meetings of ``slots`` (one slot index or -1 per problem pair):
    the possibly changed assignment and the ``Staffing`` to complete the schedule with.
    Steps 2 and 3 stop at ``deadline`` (a ``time.monotonic()`` value; see STAFF_SECONDS).
    ``tie_break`` False skips step 3 (the benchmark measures what it gains)."""
    instance = problem.instance
    if not any(c.interpreter is not None for c in instance.candidates):
        return list(slots), Staffing()
    staffer = _Staffer(problem, slots)
    staffer.assign()
    stop = max(deadline, time.monotonic() + STAFF_FLOOR_SECONDS)
    staffer.refill(stop)
    if staffer.slots != list(slots):
        staffer.polish(stop)
    if tie_break:
        staffer.tie_break(stop)
    outcome = Staffing(changed=staffer.slots != list(slots))
    pairs = problem.pairs
    for k, j in staffer.assigned.items():
        outcome.interpreter_of[instance.candidates[pairs[k].index].pair] = staffer.people[j].id
    left_out = 0
    for k, t in enumerate(staffer.slots):
        if t != UNPLACED or staffer.needs[k] is None:
            continue
        cand = instance.candidates[pairs[k].index]
        if not staffer.qualified_for(k):
            outcome.reasons[cand.pair] = NO_INTERPRETER
        elif (
            k in staffer.dropped
            or staffer.wants_interpreter(k)
            or (pairs[k].must and staffer.booked_up(k))
        ):
            outcome.reasons[cand.pair] = NO_INTERPRETER_FREE
            left_out += 1
    for cand, _ in problem.blocked:
        if cand.interpreter is not None and not any(
            qualified(cand.interpreter, cand.zone, p) for p in staffer.people
        ):
            outcome.reasons[cand.pair] = NO_INTERPRETER
    switches, breaks = staffer.totals()
    outcome.statistics = {
        "meetings": len(staffer.assigned) + sum(1 for m in instance.fixed if m.interpreter),
        "left_out": left_out,
        "zone_changes": switches,
        "breaks": breaks,
    }
    return staffer.slots, outcome


__all__ = [
    "NO_INTERPRETER",
    "NO_INTERPRETER_FREE",
    "Staffing",
    "qualified",
    "staff",
    "staffing_seconds",
]
