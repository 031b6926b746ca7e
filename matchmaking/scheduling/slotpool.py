"""Interpreters per slot for the slot searches: hard rule 4 treated like the tables.

Staffing (``interpreters.staff``) runs once the slots are final; when the searches put more
meetings needing an interpreter into a slot than interpreters are free then, it has to move
or drop meetings, which costs breaks and, in the worst case, a must pair. So the phases
that place or move meetings (``greedy``, ``local``, ``permute``, ``anneal``, ``lns``)
consult a ``SlotPool``: interpreters with the same languages, zones and cap form a group,
which offers in slot t its members available then and not taken by a fixed meeting (members
with different caps are kept apart: a group of caps 12 and 3 could not serve two meetings
in each of 15 slots, though it has 15 interpreter-slots); pairs served by the same groups
(qualified for their languages and zone) form a kind, which may draw on each of them.
``Routing`` keeps a flow from (slot, kind) through (slot, group), at most the members free
then, to the group, at most its interpreter-slots (members' caps summed), grown by
augmenting paths; the meetings it cannot route are the *excess*. A placement or move is
refused when it raises the excess, so a schedule without excess keeps none and one with
excess never gets worse. Which interpreter serves which meeting is left to staffing: the
check is a relaxation (members of a group differing in availability, or caps and slots
together, may still need a move there), cheap enough for the anneal.

``SlotPool.of(problem)`` is None when no open pair needs an interpreter: the searches then
skip every check (no cost), and likewise when no cap binds and, in every slot, the pool
could serve each kind at every table of its zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from .interpreters import qualified
from .model import Instance, LanguageNeed
from .problem import Problem

NONE = -1  # kind of a pair needing no interpreter
_START, _UP, _DOWN, _SWAP = range(4)  # steps of an augmenting path (``Routing._route``)


def fixed_interpreter_slots(instance: Instance) -> list[set[int]]:
    """For each interpreter (in ``instance.interpreters`` order), the slot indices of the fixed
    meetings it already serves."""
    slot_index = {s.id: t for t, s in enumerate(instance.slots)}
    person_index = {p.id: j for j, p in enumerate(instance.interpreters)}
    taken: list[set[int]] = [set() for _ in instance.interpreters]
    for m in instance.fixed:
        if m.interpreter is not None and m.interpreter in person_index:
            taken[person_index[m.interpreter]].add(slot_index[m.slot])
    return taken


class SlotPool:
    """Static per-slot interpreter capacity of a problem (groups, kinds, sizes)."""

    def __init__(self, problem: Problem) -> None:
        instance = problem.instance
        slot_index = {s.id: t for t, s in enumerate(instance.slots)}
        people = instance.interpreters
        taken = fixed_interpreter_slots(instance)
        grouped: dict[tuple[object, ...], list[int]] = defaultdict(list)
        for j, p in enumerate(people):
            grouped[(p.languages, p.zones, p.max_meetings)].append(j)
        self.members = list(grouped.values())
        n_slots = problem.n_slots
        # size[t][g]: members of group g free in slot t (available, below their cap after
        # fixed meetings, not in a fixed meeting then).
        # room[g]: the group's interpreter-slots, as in ``select.InterpreterCapacity``.
        self.size = [[0] * len(self.members) for _ in range(n_slots)]
        self.room = [0] * len(self.members)
        self.capped = False  # some interpreter's cap is below its free slots
        for g, members in enumerate(self.members):
            for j in members:
                p = people[j]
                open_slots = (
                    range(n_slots) if p.available is None else [slot_index[s] for s in p.available]
                )
                free = [t for t in open_slots if t not in taken[j]]
                cap = len(free) if p.max_meetings is None else p.max_meetings - len(taken[j])
                if cap <= 0:
                    continue
                self.capped |= cap < len(free)
                self.room[g] += min(cap, len(free))
                for t in free:
                    self.size[t][g] += 1
        # A kind: the groups qualified for a pair (pairs with the same are interchangeable).
        groups_for: dict[tuple[LanguageNeed, str], tuple[int, ...]] = {}
        kinds: dict[tuple[int, ...], int] = {}
        self.kind_of: list[int] = []
        self.groups_of: list[tuple[int, ...]] = []
        for pair in problem.pairs:
            cand = instance.candidates[pair.index]
            if cand.interpreter is None:
                self.kind_of.append(NONE)
                continue
            need = (cand.interpreter, cand.zone)
            groups = groups_for.get(need)
            if groups is None:
                groups = groups_for[need] = tuple(
                    g
                    for g, members in enumerate(self.members)
                    if qualified(cand.interpreter, cand.zone, people[members[0]])
                )
            q = kinds.get(groups)
            if q is None:
                q = kinds[groups] = len(kinds)
                self.groups_of.append(groups)
            self.kind_of.append(q)
        self.n_kinds = len(kinds)
        self.needing = [k for k, q in enumerate(self.kind_of) if q != NONE]
        # The groups a kind's meetings can reach through hand-overs (kinds sharing groups):
        # when all of them are at their interpreter-slots, no path can route one more.
        self.reach: list[tuple[int, ...]] = []
        for q in range(self.n_kinds):
            reached, kinds_seen, grown = set(self.groups_of[q]), {q}, True
            while grown:
                grown = False
                for q2 in range(self.n_kinds):
                    if q2 not in kinds_seen and reached.intersection(self.groups_of[q2]):
                        kinds_seen.add(q2)
                        reached.update(self.groups_of[q2])
                        grown = True
            self.reach.append(tuple(sorted(reached)))
        self._cache: dict[tuple[int, tuple[int, ...]], int] = {}

    @classmethod
    def of(cls, problem: Problem) -> SlotPool | None:
        """The pool of ``problem``, or None when no check can ever refuse anything (no open
        pair needs an interpreter, or no cap binds and each kind's groups have a member free
        per table of its zone in every slot)."""
        if not any(c.interpreter is not None for c in problem.instance.candidates):
            return None
        pool = cls(problem)
        if not pool.n_kinds:
            return None
        if pool.capped:
            return pool
        # Plentiful: in every slot, each kind with as many meetings as its zone has tables
        # (more than any schedule can hold there) is served.
        zone_of_kind = [0] * pool.n_kinds
        for pair, q in zip(problem.pairs, pool.kind_of, strict=True):
            if q != NONE:
                zone_of_kind[q] = pair.zone
        for t in range(problem.n_slots):
            most = tuple(problem.free_tables[z][t] for z in zone_of_kind)
            if pool.excess(t, most):
                return pool
        return None

    def excess(self, t: int, loads: tuple[int, ...]) -> int:
        """Meetings of slot t (``loads``: count per kind) no interpreter group can take."""
        key = (t, loads)
        found = self._cache.get(key)
        if found is None:
            found = sum(loads) - self._served(t, loads)
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _served(self, t: int, loads: tuple[int, ...]) -> int:
        free = list(self.size[t])
        flow = [[0] * len(free) for _ in loads]
        served = 0
        for q, n in enumerate(loads):
            for _ in range(n):
                if not self._route(q, free, flow):
                    break  # no augmenting path now: none later either (Kuhn)
                served += 1
        return served

    def _route(self, q: int, free: list[int], flow: list[list[int]]) -> bool:
        """One more meeting of kind q routed to a group (augmenting path over groups)."""
        parent: dict[int, tuple[int, int] | None] = dict.fromkeys(self.groups_of[q])
        queue = list(self.groups_of[q])
        for g in queue:
            if free[g] > 0:
                free[g] -= 1
                while True:
                    step = parent[g]
                    if step is None:
                        flow[q][g] += 1
                        return True
                    before, via = step
                    flow[via][g] += 1
                    flow[via][before] -= 1
                    g = before
            for via, row in enumerate(flow):
                if row[g] > 0:
                    for other in self.groups_of[via]:
                        if other not in parent:
                            parent[other] = (g, via)
                            queue.append(other)
        return False


class Routing:
    """Meetings needing an interpreter routed to interpreter groups: a flow from each
    (slot, kind) through (slot, group), at most the group's members free then, to the group,
    at most its interpreter-slots (the members' caps less their fixed meetings). ``unrouted``
    counts the meetings no augmenting path could route: what staffing would have to move or
    drop. Moves are tried with ``allows`` (applied, measured, undone) and made with
    ``apply``."""

    def __init__(self, pool: SlotPool, slots: Sequence[int] = ()) -> None:
        self.pool = pool
        self.kind_of = pool.kind_of
        self.flow: dict[tuple[int, int, int], int] = {}  # (slot, kind, group) -> meetings
        self.use = [[0] * len(pool.members) for _ in pool.size]  # slot x group
        self.total = [0] * len(pool.members)
        self.waiting: dict[tuple[int, int], int] = {}  # (slot, kind) -> unrouted meetings
        self.unrouted = 0
        # While trying: (what, slot, kind or group, group, change) per change made.
        self._log: list[tuple[int, int, int, int, int]] | None = None
        # ``fits`` answers per (slot, kind): a yes while ``version`` (moves made) stands, a
        # no while ``freed`` (moves taking a meeting out of a slot) does: adding meetings
        # never opens an augmenting path (Kuhn), so in a pure construction it stays a no.
        self.version = 0
        self.freed = 0
        self._fits: dict[tuple[int, int], tuple[int, int, bool]] = {}
        for k, t in enumerate(slots):
            if t >= 0:
                self._add(k, t)

    def needs(self, k: int) -> bool:
        return self.kind_of[k] != NONE

    # -- changes, logged while trying --------------------------------------------------------

    def _flow(self, key: tuple[int, int, int], d: int) -> None:
        self.flow[key] = self.flow.get(key, 0) + d
        if self._log is not None:
            self._log.append((0, *key, d))

    def _use(self, t: int, g: int, d: int) -> None:
        self.use[t][g] += d
        self.total[g] += d
        if self._log is not None:
            self._log.append((1, t, g, 0, d))

    def _wait(self, key: tuple[int, int], d: int) -> None:
        self.waiting[key] = self.waiting.get(key, 0) + d
        self.unrouted += d
        if self._log is not None:
            self._log.append((2, *key, 0, d))

    def _rollback(self, log: list[tuple[int, int, int, int, int]]) -> None:
        for what, t, x, g, d in reversed(log):
            if what == 0:
                self.flow[t, x, g] -= d
            elif what == 1:
                self.use[t][x] -= d
                self.total[x] -= d
            else:
                self.waiting[t, x] -= d
                self.unrouted -= d

    # -- flow ------------------------------------------------------------------------------

    def _route(self, t: int, q: int) -> bool:
        """Route one more meeting of kind q in slot t (augmenting path), or False.

        Nodes: s * G + g for group g in slot s, n_slots * G + g for group g. An edge is
        (kind of step, slot, group, kind moved, new group): START enters slot t's group,
        UP goes from a slot's group to the group, DOWN takes one meeting of a slot off the
        group (the group is full), SWAP hands a meeting of the slot to another group."""
        pool = self.pool
        size, use, total, room = pool.size, self.use, self.total, pool.room
        groups_of, flow = pool.groups_of, self.flow
        for g in groups_of[q]:  # most often a group has a member free then
            if use[t][g] < size[t][g] and total[g] < room[g]:
                self._flow((t, q, g), 1)
                self._use(t, g, 1)
                return True
        if all(total[g] >= room[g] for g in pool.reach[q]):
            return False
        n_groups = len(pool.members)
        top = len(size) * n_groups
        parent: dict[int, tuple[int, int, int, int, int, int]] = {}
        queue: list[int] = []
        for g in groups_of[q]:
            parent[t * n_groups + g] = (-1, _START, t, g, q, g)
            queue.append(t * n_groups + g)
        end = -1
        for node in queue:
            if node < top:
                s, g = divmod(node, n_groups)
                up = top + g
                if use[s][g] < size[s][g] and up not in parent:
                    parent[up] = (node, _UP, s, g, 0, 0)
                    if total[g] < room[g]:
                        end = up
                        break
                    queue.append(up)
                for q2 in range(pool.n_kinds):
                    if flow.get((s, q2, g), 0) > 0:
                        for g2 in groups_of[q2]:
                            nxt = s * n_groups + g2
                            if nxt not in parent:
                                parent[nxt] = (node, _SWAP, s, g, q2, g2)
                                queue.append(nxt)
            else:
                g = node - top
                for s in range(len(size)):
                    nxt = s * n_groups + g
                    if use[s][g] > 0 and nxt not in parent:
                        parent[nxt] = (node, _DOWN, s, g, 0, 0)
                        queue.append(nxt)
        if end < 0:
            return False
        node = end
        while node >= 0:
            before, step, s, g, q2, g2 = parent[node]
            if step == _START:
                self._flow((s, q2, g), 1)
            elif step == _UP:
                self._use(s, g, 1)
            elif step == _DOWN:
                self._use(s, g, -1)
            else:
                self._flow((s, q2, g), -1)
                self._flow((s, q2, g2), 1)
            node = before
        return True

    def _add(self, k: int, t: int) -> None:
        q = self.kind_of[k]
        if q != NONE and not self._route(t, q):
            self._wait((t, q), 1)

    def _remove(self, k: int, t: int) -> None:
        q = self.kind_of[k]
        if q == NONE:
            return
        if self.waiting.get((t, q), 0) > 0:
            self._wait((t, q), -1)
            return
        g = next(g for g in self.pool.groups_of[q] if self.flow.get((t, q, g), 0) > 0)
        self._flow((t, q, g), -1)
        self._use(t, g, -1)
        if self.unrouted:  # the freed interpreter-slot may route a waiting meeting
            for (s, q2), n in list(self.waiting.items()):
                if n > 0 and self._route(s, q2):
                    self._wait((s, q2), -1)

    def apply(self, moves: Iterable[tuple[int, int, int]]) -> None:
        """Make each (pair, from slot, to slot) move (-1: unplaced)."""
        moves = [m for m in moves if self.kind_of[m[0]] != NONE and m[1] != m[2]]
        if moves and self._log is None:
            self.version += 1
            self.freed += any(old >= 0 for _, old, _ in moves)
        for k, old, _ in moves:
            if old >= 0:
                self._remove(k, old)
        for k, _, new in moves:
            if new >= 0:
                self._add(k, new)

    def allows(self, moves: Iterable[tuple[int, int, int]]) -> bool:
        """Whether the moves together leave no more meetings unrouted (nothing changes)."""
        moves = [m for m in moves if self.kind_of[m[0]] != NONE and m[1] != m[2]]
        if not moves:
            return True
        before = self.unrouted
        self._log = []
        try:
            self.apply(moves)
            return self.unrouted <= before
        finally:
            log, self._log = self._log, None
            self._rollback(log)

    def fits(self, k: int, t: int) -> bool:
        """Whether placing pair k in slot t leaves it routed."""
        q = self.kind_of[k]
        if q == NONE:
            return True
        known = self._fits.get((t, q))
        if known is not None and (
            known[0] == self.version or (known[1] == self.freed and not known[2])
        ):
            return known[2]
        found = self.allows([(k, -1, t)])
        self._fits[t, q] = (self.version, self.freed, found)
        return found


def excess(pool: SlotPool | None, slots: Sequence[int]) -> int:
    """Meetings of ``slots`` the interpreters cannot be routed to (0 without a pool)."""
    return 0 if pool is None else Routing(pool, slots).unrouted


__all__ = ["Routing", "SlotPool", "excess"]
