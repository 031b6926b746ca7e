"""Quality yardsticks for schedules: breaks, the must-first upper bound, the FCFS baseline.

These judge any schedule the way ``shared/formats/scheduling.md`` ("How quality is judged")
says: score and `must` pairs against an LP upper bound, breaks against a first-come,
first-served booking. Meetings passed in are assumed to satisfy the hard rules (see
``benchmarks/checker.py``); the functions here measure, they do not validate.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from itertools import pairwise
from typing import Any, TypeVar

from ortools.linear_solver import pywraplp

from matchmaking.scheduling.model import (
    Candidate,
    Company,
    Instance,
    Interpreter,
    LanguageNeed,
    Meeting,
)

# HiGHS works to a feasibility tolerance of about 1e-7; an LP optimum within this of an
# integer is taken to be that integer. HiGHS is reached through OR-Tools: the ``highspy`` wheel
# and OR-Tools' bundled HiGHS clash on native symbols, so one process cannot load both, and
# the solver needs OR-Tools.
_TOLERANCE = 1e-6
# Seconds per candidate pair of the figures ``report`` computes, for reserving time under a
# deadline. Measured on the generated families (large: 50,000 pairs, 63 slots: bound LP 1.4-1.6
# s, FCFS with its figures 0.5 s, the schedule's own figures 0.07 s; regional: 10,500 pairs,
# 0.23 s, 0.07 s and 0.01 s), with a third or more in hand. The LP grows faster than linearly,
# so small instances are over-estimated; a slower machine is caught by the deadline itself.
SECONDS_PER_PAIR = {"bound": 40e-6, "baseline": 12e-6, "figures": 3e-6}

_T = TypeVar("_T")


class OutOfTime(Exception):
    """A figure was abandoned because its deadline passed."""


@dataclass(frozen=True, slots=True)
class Bound:
    """Upper bounds from the LP relaxation of choosing pairs.

    ``must``: no valid schedule keeps more `must` pairs (floor of the LP optimum).
    ``score``: no valid schedule keeping at least ``must`` `must` pairs scores more (the
    must-first bound). ``must_upper`` is the raw LP optimum; ``score_upper`` bounds the score
    of every valid schedule, whatever its `must` count.
    """

    must: int
    score: float
    must_upper: float
    score_upper: float
    # The pairs needing an interpreter that the score LP's optimum holds (value above 1/2):
    # those a schedule with enough interpreters would hold (``interpreter_figures``). Not a
    # figure: left out of the report and of comparisons.
    interpreter_pairs: frozenset[tuple[str, str]] = field(
        default=frozenset(), compare=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class Figures:
    """What a schedule achieves; ``table_use`` is meetings over (sum of tables x slots)."""

    meetings: int
    must_scheduled: int
    must_total: int
    score: float
    breaks: int
    idle_slots: int
    table_use: float


def day_positions(instance: Instance) -> dict[str, tuple[date, int]]:
    """Map slot id to (day, position within that day), positions following instance.slots."""
    next_position: dict[date, int] = defaultdict(int)
    positions: dict[str, tuple[date, int]] = {}
    for slot in instance.slots:
        positions[slot.id] = (slot.day, next_position[slot.day])
        next_position[slot.day] += 1
    return positions


def gaps(instance: Instance, meetings: Iterable[Meeting]) -> tuple[int, int]:
    """Return (breaks, idle slots) summed over companies and days."""
    positions = day_positions(instance)
    busy: dict[tuple[str, date], set[int]] = defaultdict(set)
    for meeting in meetings:
        day, position = positions[meeting.slot]
        busy[(meeting.buyer, day)].add(position)
        busy[(meeting.supplier, day)].add(position)
    breaks = idle = 0
    for taken in busy.values():
        ordered = sorted(taken)
        for earlier, later in pairwise(ordered):
            if later - earlier > 1:
                breaks += 1
                idle += later - earlier - 1
    return breaks, idle


def count_breaks(instance: Instance, meetings: Iterable[Meeting]) -> int:
    """Count idle gaps between consecutive meetings per company and day (slots 1, 2, 5: one)."""
    return gaps(instance, meetings)[0]


def idle_slots(instance: Instance, meetings: Iterable[Meeting]) -> int:
    """Count empty slots between each company's first and last meeting of a day (1, 2, 5: two)."""
    return gaps(instance, meetings)[1]


def _available(company: Company, all_slots: frozenset[str]) -> frozenset[str]:
    return all_slots if company.available is None else company.available & all_slots


def _has_common_slot(instance: Instance) -> dict[tuple[str, str], bool]:
    """Map each candidate pair to whether its own slots (if listed) and both companies meet."""
    all_slots = frozenset(slot.id for slot in instance.slots)
    available = {c.id: _available(c, all_slots) for c in instance.companies}
    common: dict[tuple[str, str], bool] = {}
    for candidate in instance.candidates:
        buyer = available.get(candidate.buyer, frozenset())
        supplier = available.get(candidate.supplier, frozenset())
        if candidate.slots is not None:
            buyer = buyer & candidate.slots
        common[candidate.pair] = not buyer.isdisjoint(supplier)
    return common


def must_first_bound(
    instance: Instance, backend: str = "HIGHS_LP", deadline: float | None = None
) -> Bound:
    """Solve the LP relaxation of choosing pairs with HiGHS; return the must-first bound.

    Variables: x_p in [0, 1] for each candidate with at least one allowed common slot; the
    pairs of fixed meetings are forced to 1. Rows: per company sum <= min(max_meetings,
    available slots); per zone sum <= tables x slots. Three LPs on one model: max the `must`
    count M*; max the score with must-sum >= floor(M* + 1e-6) (or M* itself when that is
    smaller, so a round-off never makes the LP infeasible); max the score alone. Every integer
    schedule is a feasible point, so all three optima are upper bounds.
    ``backend`` names an OR-Tools LP solver ("GLOP" cross-checks HiGHS). Raises ValueError
    if the fixed meetings alone break a cap, and OutOfTime when ``deadline`` (a
    ``time.monotonic()`` value) passes first; each LP is time-limited to it.
    """
    all_slots = frozenset(slot.id for slot in instance.slots)
    companies = {company.id: company for company in instance.companies}
    fixed_pairs = {meeting.pair for meeting in instance.fixed}
    common = _has_common_slot(instance)
    columns: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    for candidate in instance.candidates:
        if candidate.pair in seen:
            continue
        if candidate.pair in fixed_pairs or common[candidate.pair]:
            seen.add(candidate.pair)
            columns.append(candidate)
    if not columns:
        return Bound(must=0, score=0.0, must_upper=0.0, score_upper=0.0)

    rows: dict[str, list[int]] = defaultdict(list)
    for index, candidate in enumerate(columns):
        rows[f"company:{candidate.buyer}"].append(index)
        rows[f"company:{candidate.supplier}"].append(index)
        rows[f"zone:{candidate.zone}"].append(index)
    caps = {
        f"company:{company.id}": min(
            len(_available(company, all_slots)),
            math.inf if company.max_meetings is None else company.max_meetings,
        )
        for company in instance.companies
    }
    caps.update({f"zone:{zone.id}": zone.tables * len(instance.slots) for zone in instance.zones})
    missing = {candidate.buyer for candidate in columns} | {c.supplier for c in columns}
    if missing - companies.keys():
        raise ValueError(f"unknown company {sorted(missing - companies.keys())[0]!r}")

    solver = _lp_solver(backend)
    infinity = solver.infinity()
    x = [
        solver.NumVar(1.0 if c.pair in fixed_pairs else 0.0, 1.0, f"x{i}")
        for i, c in enumerate(columns)
    ]
    for name, indices in rows.items():
        cap = caps.get(name, math.inf)
        if cap < len(indices):  # a row with fewer pairs than its cap never binds
            row = solver.Constraint(-infinity, float(cap), name)
            for index in indices:
                row.SetCoefficient(x[index], 1.0)
    objective = solver.Objective()
    objective.SetMaximization()
    for variable, candidate in zip(x, columns, strict=True):
        objective.SetCoefficient(variable, 1.0 if candidate.must else 0.0)
    must_upper = _optimum(solver, deadline)

    must_bound = math.floor(must_upper + _TOLERANCE)
    keep = solver.Constraint(min(float(must_bound), must_upper), infinity, "must")
    for variable, candidate in zip(x, columns, strict=True):
        keep.SetCoefficient(variable, 1.0 if candidate.must else 0.0)
        objective.SetCoefficient(variable, candidate.score)
    score = _optimum(solver, deadline)
    held = frozenset(
        candidate.pair
        for variable, candidate in zip(x, columns, strict=True)
        if candidate.interpreter is not None and variable.solution_value() > 0.5
    )
    keep.SetBounds(-infinity, infinity)
    score_upper = _optimum(solver, deadline)
    return Bound(
        must=must_bound,
        score=score,
        must_upper=must_upper,
        score_upper=score_upper,
        interpreter_pairs=held,
    )


def _lp_solver(backend: str = "HIGHS_LP") -> pywraplp.Solver:
    """HiGHS as bundled with OR-Tools, silenced (GLOP if absent): both exact simplex solvers."""
    solver = pywraplp.Solver.CreateSolver(backend)
    if solver is None:
        backend, solver = "GLOP", pywraplp.Solver.CreateSolver("GLOP")
    solver.SuppressOutput()
    if backend.startswith("HIGHS"):
        # Without this HiGHS prints a banner on stdout, which `matchmaking solve` may own.
        # OR-Tools reports False for it, yet it takes effect (a test checks stdout stays empty).
        solver.SetSolverSpecificParametersAsString("output_flag=false")
    return solver


def _optimum(solver: pywraplp.Solver, deadline: float | None = None) -> float:
    """Solve and return the optimum; raise ValueError unless optimal, OutOfTime past deadline."""
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise OutOfTime("bound LP not started before the deadline")
        solver.SetTimeLimit(math.ceil(left * 1000))  # milliseconds, not before the deadline
    status = solver.Solve()
    if deadline is not None and status != pywraplp.Solver.OPTIMAL and time.monotonic() >= deadline:
        raise OutOfTime("bound LP stopped at the deadline")
    if status != pywraplp.Solver.OPTIMAL:
        raise ValueError(f"bound LP not solved to optimality (status {status})")
    return float(solver.Objective().Value())


def first_come_first_served(instance: Instance, deadline: float | None = None) -> list[Meeting]:
    """Book like a request-driven platform: the baseline of the format.

    Fixed meetings first, unchanged. Then candidates by (must first, higher score, input
    order), each into the earliest slot (instance.slots order) allowed by the candidate where
    both companies are available and free, neither is at its cap and the zone has a free table
    (lowest free number). A candidate with no such slot stays unscheduled. Raises OutOfTime
    when ``deadline`` (a ``time.monotonic()`` value) passes first.
    """
    slot_ids = [slot.id for slot in instance.slots]
    all_slots = frozenset(slot_ids)
    companies = {company.id: company for company in instance.companies}
    tables = {zone.id: zone.tables for zone in instance.zones}
    busy: dict[str, set[str]] = defaultdict(set)
    used: dict[tuple[str, str], set[int]] = defaultdict(set)
    booked: dict[str, int] = defaultdict(int)
    pairs: set[tuple[str, str]] = set()
    meetings: list[Meeting] = []

    def book(meeting: Meeting) -> None:
        meetings.append(meeting)
        pairs.add(meeting.pair)
        used[(meeting.zone, meeting.slot)].add(meeting.table)
        for company_id in meeting.pair:
            busy[company_id].add(meeting.slot)
            booked[company_id] += 1

    def has_room(company_id: str) -> bool:
        cap = companies[company_id].max_meetings
        return cap is None or booked[company_id] < cap

    for meeting in instance.fixed:
        book(meeting)
    order = sorted(
        range(len(instance.candidates)),
        key=lambda i: (not instance.candidates[i].must, -instance.candidates[i].score, i),
    )
    for done, index in enumerate(order):
        if deadline is not None and done % 1000 == 0 and time.monotonic() > deadline:
            raise OutOfTime("FCFS baseline stopped at the deadline")
        candidate = instance.candidates[index]
        if candidate.pair in pairs or not (
            has_room(candidate.buyer) and has_room(candidate.supplier)
        ):
            continue
        buyer, supplier = companies[candidate.buyer], companies[candidate.supplier]
        allowed = all_slots if candidate.slots is None else candidate.slots
        allowed = allowed & _available(buyer, all_slots) & _available(supplier, all_slots)
        for slot_id in slot_ids:
            if slot_id not in allowed or slot_id in busy[buyer.id] or slot_id in busy[supplier.id]:
                continue
            taken = used[(candidate.zone, slot_id)]
            if len(taken) >= tables[candidate.zone]:
                continue
            table = next(t for t in range(1, tables[candidate.zone] + 1) if t not in taken)
            book(Meeting(buyer.id, supplier.id, slot_id, candidate.zone, table))
            break
    return meetings


def evaluate(instance: Instance, meetings: Sequence[Meeting]) -> Figures:
    """Measure a schedule; meetings whose pair is no candidate count as meetings only."""
    candidates = {candidate.pair: candidate for candidate in instance.candidates}
    scheduled = {meeting.pair for meeting in meetings}
    chosen = [candidates[pair] for pair in scheduled if pair in candidates]
    breaks, idle = gaps(instance, meetings)
    capacity = sum(zone.tables for zone in instance.zones) * len(instance.slots)
    return Figures(
        meetings=len(meetings),
        must_scheduled=sum(1 for candidate in chosen if candidate.must),
        must_total=sum(1 for candidate in candidates.values() if candidate.must),
        score=sum(candidate.score for candidate in chosen),
        breaks=breaks,
        idle_slots=idle,
        table_use=len(meetings) / capacity if capacity else 0.0,
    )


def _percent(value: float, reference: float | None) -> float | None:
    """Return value as a percentage of reference, None when reference is zero or unknown."""
    return round(100.0 * value / reference, 3) if reference else None


def seconds_needed(instance: Instance) -> dict[str, float]:
    """Estimated seconds of each part of ``report``: "bound", "baseline" and "figures"."""
    pairs = len(instance.candidates)
    return {part: rate * pairs for part, rate in SECONDS_PER_PAIR.items()}


def _in_time(
    part: str,
    compute: Callable[[], _T],
    estimate: float,
    deadline: float,
    skipped: list[dict[str, str]],
) -> _T | None:
    """``compute()`` if its estimate fits before the deadline and it finishes by then; else
    None, with the reason added to ``skipped``."""
    left = deadline - time.monotonic()
    if estimate > left:
        reason = f"not enough time: needs about {estimate:.2f} s, {max(left, 0.0):.2f} s left"
    else:
        try:
            return compute()
        except OutOfTime as exc:
            reason = str(exc)
    skipped.append({"figure": part, "reason": reason})
    return None


# The reason the solver gives a pair it left out because no qualified interpreter was free
# (``interpreters.NO_INTERPRETER_FREE``; repeated here so that quality needs no solver import).
NO_INTERPRETER_FREE = "no interpreter free"


@dataclass(frozen=True, slots=True)
class InterpreterBound:
    """Upper bounds from the LP relaxation of giving pairs to interpreter groups (alike
    interpreters): ``meetings`` on the meetings needing an interpreter, ``must`` on the must
    pairs among them, ``must_all`` on all must pairs scheduled with the interpreters there
    are (those needing none compete for the companies' meetings). Rows: each pair at most
    once, each company at most min(max_meetings, available slots), each zone at most tables
    x slots, each group at most its interpreter-slots (sum of min(max_meetings, available
    slots)); slot clashes are ignored, so both are upper bounds.
    """

    meetings: int
    must: int
    must_all: int


def _capacity(person: Interpreter, n_slots: int) -> int:
    """Interpreter-slots one interpreter offers: min(max_meetings, available slots)."""
    slots = n_slots if person.available is None else len(person.available)
    return slots if person.max_meetings is None else min(slots, person.max_meetings)


class LanguagePairs:
    """Names the language pair to hire for each need: of the buyer's x the supplier's
    languages, the pair most interpreters of the pool speak, then the pair whose languages
    the needs list most often, then alphabetical; written "en-zh" (codes sorted)."""

    def __init__(self, instance: Instance) -> None:
        self.people = instance.interpreters
        self.frequency: Counter[str] = Counter()
        for candidate in instance.candidates:
            if candidate.interpreter is not None:
                self.frequency.update(candidate.interpreter.buyer)
                self.frequency.update(candidate.interpreter.supplier)
        self.known: dict[LanguageNeed, str] = {}

    def label(self, need: LanguageNeed) -> str:
        found = self.known.get(need)
        if found is None:
            options = {tuple(sorted((a, b))) for a in need.buyer for b in need.supplier}
            best = min(
                options,
                key=lambda o: (
                    -sum(1 for p in self.people if o[0] in p.languages and o[1] in p.languages),
                    -(self.frequency[o[0]] + self.frequency[o[1]]),
                    o,
                ),
            )
            found = self.known[need] = f"{best[0]}-{best[1]}"
        return found


def interpreter_bound(instance: Instance, deadline: float | None = None) -> InterpreterBound:
    """Solve the LP relaxations of ``InterpreterBound`` (HiGHS); OutOfTime past ``deadline``."""
    all_slots = frozenset(slot.id for slot in instance.slots)
    companies = {company.id: company for company in instance.companies}
    fixed_pairs = {meeting.pair for meeting in instance.fixed}
    groups: dict[tuple[Any, ...], list[Interpreter]] = defaultdict(list)
    for person in instance.interpreters:
        groups[(person.languages, person.zones, person.available)].append(person)
    kinds = list(groups.values())
    solver = _lp_solver()
    infinity = solver.infinity()
    rows: dict[str, list[Any]] = defaultdict(list)
    musts: list[Any] = []  # must pairs needing an interpreter, one variable per group
    plain_musts: list[Any] = []  # must pairs needing none
    every: list[Any] = []
    for index, candidate in enumerate(instance.candidates):
        need = candidate.interpreter
        if need is None and not candidate.must:
            continue
        common = _available(companies[candidate.buyer], all_slots) & _available(
            companies[candidate.supplier], all_slots
        )
        if candidate.slots is not None:
            common &= candidate.slots
        row = []
        if not common and candidate.pair not in fixed_pairs:
            continue
        ends = (f"company:{candidate.buyer}", f"company:{candidate.supplier}")
        if need is None:
            # A must pair needing no interpreter: it competes for its companies' meetings.
            fixed = 1.0 if candidate.pair in fixed_pairs else 0.0
            variable = solver.NumVar(fixed, 1.0, f"x{index}")
            for name in (*ends, f"zone:{candidate.zone}"):
                rows[name].append(variable)
            plain_musts.append(variable)
            continue
        for g, people in enumerate(kinds):
            first = people[0]
            if not need.served_by(first) or (
                first.zones is not None and candidate.zone not in first.zones
            ):
                continue
            if first.available is not None and common.isdisjoint(first.available):
                continue
            variable = solver.NumVar(0.0, 1.0, f"y{index}_{g}")
            row.append(variable)
            for name in (*ends, f"group:{g}", f"zone:{candidate.zone}"):
                rows[name].append(variable)
        if not row:
            continue
        once = solver.Constraint(1.0 if candidate.pair in fixed_pairs else 0.0, 1.0)
        for variable in row:
            once.SetCoefficient(variable, 1.0)
        every += row
        if candidate.must:
            musts += row
    if not every and not plain_musts:
        return InterpreterBound(meetings=0, must=0, must_all=0)
    n_slots = len(instance.slots)
    caps = {
        f"group:{g}": sum(_capacity(p, n_slots) for p in people) for g, people in enumerate(kinds)
    }
    for company in instance.companies:
        slots = len(_available(company, all_slots))
        cap = slots if company.max_meetings is None else min(slots, company.max_meetings)
        caps[f"company:{company.id}"] = cap
    caps.update({f"zone:{zone.id}": zone.tables * n_slots for zone in instance.zones})
    for name, variables in rows.items():
        if caps[name] < len(variables):
            row = solver.Constraint(-infinity, float(caps[name]), name)
            for variable in variables:
                row.SetCoefficient(variable, 1.0)
    objective = solver.Objective()
    objective.SetMaximization()

    def most(variables: list[Any]) -> int:
        if not variables:
            return 0
        objective.Clear()
        objective.SetMaximization()
        for variable in variables:
            objective.SetCoefficient(variable, 1.0)
        return math.floor(_optimum(solver, deadline) + _TOLERANCE)

    return InterpreterBound(
        meetings=most(every), must=most(musts), must_all=most(musts + plain_musts)
    )


def left_out_for_interpreters(instance: Instance, meetings: Sequence[Meeting]) -> list[Candidate]:
    """Unscheduled pairs needing an interpreter that would fit in a slot where both companies
    (available, free, below their caps) and a table are free, but no qualified interpreter
    is (available, free, below its cap, serving the zone)."""
    all_slots = frozenset(slot.id for slot in instance.slots)
    companies = {company.id: company for company in instance.companies}
    tables = {zone.id: zone.tables for zone in instance.zones}
    busy: dict[str, set[str]] = defaultdict(set)
    booked: Counter[str] = Counter()
    used: Counter[tuple[str, str]] = Counter()
    person_busy: dict[str, set[str]] = defaultdict(set)
    person_count: Counter[str] = Counter()
    for meeting in meetings:
        used[(meeting.zone, meeting.slot)] += 1
        for company_id in meeting.pair:
            busy[company_id].add(meeting.slot)
            booked[company_id] += 1
        if meeting.interpreter is not None:
            person_busy[meeting.interpreter].add(meeting.slot)
            person_count[meeting.interpreter] += 1
    scheduled = {meeting.pair for meeting in meetings}

    def room(company_id: str) -> bool:
        cap = companies[company_id].max_meetings
        return cap is None or booked[company_id] < cap

    left: list[Candidate] = []
    for candidate in instance.candidates:
        need = candidate.interpreter
        if need is None or candidate.pair in scheduled:
            continue
        if not (room(candidate.buyer) and room(candidate.supplier)):
            continue
        common = (
            _available(companies[candidate.buyer], all_slots)
            & _available(companies[candidate.supplier], all_slots)
            & (all_slots if candidate.slots is None else candidate.slots)
        )
        slots = {
            s
            for s in common
            if s not in busy[candidate.buyer]
            and s not in busy[candidate.supplier]
            and used[(candidate.zone, s)] < tables[candidate.zone]
        }
        helpers = [
            person
            for person in instance.interpreters
            if need.served_by(person)
            and (person.zones is None or candidate.zone in person.zones)
            and (person.max_meetings is None or person_count[person.id] < person.max_meetings)
        ]
        free = any(
            (person.available is None or s in person.available) and s not in person_busy[person.id]
            for person in helpers
            for s in slots
        )
        if slots and not free:
            left.append(candidate)
    return left


def held_for_want_of_interpreters(
    instance: Instance, meetings: Sequence[Meeting], held: Iterable[tuple[str, str]]
) -> list[Candidate]:
    """The pairs of ``held`` (needing an interpreter, in the best choice of pairs with
    interpreters unlimited: ``Bound.interpreter_pairs``) left unscheduled while every
    interpreter who could serve them (languages, zone, hours) was busy or at the cap in
    every slot both companies were available. Their companies may be full: with no
    interpreter shortage they would have met each other rather than someone else."""
    wanted = set(held) - {meeting.pair for meeting in meetings}
    if not wanted:
        return []
    all_slots = frozenset(slot.id for slot in instance.slots)
    companies = {company.id: company for company in instance.companies}
    busy: dict[str, set[str]] = defaultdict(set)
    for meeting in meetings:
        if meeting.interpreter is not None:
            busy[meeting.interpreter].add(meeting.slot)
    free_people = [
        (person, (all_slots if person.available is None else person.available) - busy[person.id])
        for person in instance.interpreters
        if person.max_meetings is None or len(busy[person.id]) < person.max_meetings
    ]
    # The slots some qualified interpreter is free, per (need, zone): one pass over the
    # interpreters per kind of pair, not per pair.
    free_slots: dict[tuple[LanguageNeed, str], frozenset[str]] = {}
    left: list[Candidate] = []
    for candidate in instance.candidates:
        need = candidate.interpreter
        if need is None or candidate.pair not in wanted:
            continue
        wanted.discard(candidate.pair)
        kind = (need, candidate.zone)
        if kind not in free_slots:
            free_slots[kind] = frozenset().union(
                *(
                    free
                    for person, free in free_people
                    if need.served_by(person)
                    and (person.zones is None or candidate.zone in person.zones)
                )
            )
        common = _available(companies[candidate.buyer], all_slots) & _available(
            companies[candidate.supplier], all_slots
        )
        if candidate.slots is not None:
            common &= candidate.slots
        if free_slots[kind].isdisjoint(common):
            left.append(candidate)
    return left


def interpreter_figures(
    instance: Instance,
    meetings: Sequence[Meeting],
    unscheduled: Sequence[dict[str, Any]] | None = None,
    bound: InterpreterBound | None = None,
    held: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """Meetings needing an interpreter against their bound (``must_*`` the must pairs among
    them), all must pairs against their bound with these interpreters, interpreter
    utilisation, the pairs left out for want of an interpreter and, per language pair
    (``LanguagePairs``), how many interpreter-slots are short: one per pair left out, the
    interpreter-slots those pairs would need (an upper estimate: their companies' caps may
    not fit them all).

    Pairs left out are the solver's ``unscheduled`` rows with reason "no interpreter free"
    when given, else those ``left_out_for_interpreters`` finds in the schedule alone; and,
    given ``held`` (``Bound.interpreter_pairs``), those ``held_for_want_of_interpreters``
    finds: a short pool mostly shows there, as companies fill their days with pairs that
    need no interpreter.
    """
    by_pair = {candidate.pair: candidate for candidate in instance.candidates}
    n_slots = len(instance.slots)
    capacity = sum(_capacity(person, n_slots) for person in instance.interpreters)
    served = [m for m in meetings if m.pair in by_pair and by_pair[m.pair].interpreter]
    if unscheduled is not None:
        rows = [row for row in unscheduled if row.get("reason") == NO_INTERPRETER_FREE]
        pairs = [(str(row["buyer"]), str(row["supplier"])) for row in rows]
        left = [by_pair[pair] for pair in pairs if pair in by_pair]
    else:
        left = left_out_for_interpreters(instance, meetings)
    named = {candidate.pair for candidate in left}
    more = held_for_want_of_interpreters(instance, meetings, held)
    left += [candidate for candidate in more if candidate.pair not in named]
    names = LanguagePairs(instance)
    per_language: dict[str, dict[str, int]] = defaultdict(lambda: {"scheduled": 0, "short_by": 0})
    for meeting in served:
        need = by_pair[meeting.pair].interpreter
        assert need is not None
        per_language[names.label(need)]["scheduled"] += 1
    for candidate in left:
        assert candidate.interpreter is not None
        per_language[names.label(candidate.interpreter)]["short_by"] += 1
    zone_changes = breaks = 0
    positions = day_positions(instance)
    days: dict[tuple[str, date], list[tuple[int, str]]] = defaultdict(list)
    for meeting in served:
        if meeting.interpreter is not None:
            day, position = positions[meeting.slot]
            days[(meeting.interpreter, day)].append((position, meeting.zone))
    for items in days.values():
        for (p, z), (q, y) in pairwise(sorted(items)):
            zone_changes += z != y
            breaks += q > p + 1
    must_served = sum(1 for m in served if by_pair[m.pair].must)
    must_all = sum(1 for m in meetings if m.pair in by_pair and by_pair[m.pair].must)
    return {
        "scheduled": len(served),
        "bound": None if bound is None else bound.meetings,
        "percent_of_bound": _percent(len(served), None if bound is None else bound.meetings),
        "must_scheduled": must_served,
        "must_bound": None if bound is None else bound.must,
        "must_all_scheduled": must_all,
        "must_all_bound": None if bound is None else bound.must_all,
        "needing_total": sum(1 for c in instance.candidates if c.interpreter is not None),
        "interpreters": len(instance.interpreters),
        "capacity": capacity,
        "utilisation": round(len(served) / capacity, 4) if capacity else None,
        "left_out": [
            {"buyer": c.buyer, "supplier": c.supplier, "languages": names.label(c.interpreter)}
            for c in left
            if c.interpreter is not None
        ],
        "short": sorted(
            (
                {"languages": label, **counts}
                for label, counts in per_language.items()
                if counts["short_by"]
            ),
            key=lambda row: (-row["short_by"], row["languages"]),
        ),
        "zone_changes": zone_changes,
        "breaks": breaks,
    }


def _figures_of(bound: Bound) -> dict[str, Any]:
    """The bound's figures (the fields compared: not ``interpreter_pairs``)."""
    return {f.name: getattr(bound, f.name) for f in fields(bound) if f.compare}


def report(
    instance: Instance,
    meetings: Sequence[Meeting],
    bound: Bound | None = None,
    baseline: Sequence[Meeting] | None = None,
    deadline: float | None = None,
    unscheduled: Sequence[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Give the quality figures a UI or the CLI shows, JSON-serialisable.

    ``bound`` defaults to ``must_first_bound(instance)`` and ``baseline`` to the FCFS
    schedule; pass them when already computed. Percentages are None when the reference is 0.
    With ``deadline`` (a ``time.monotonic()`` value) the schedule's own figures come first;
    then the bound and the baseline, unless passed in, each only when its estimate
    (``seconds_needed``) fits in the time left, and abandoned at the deadline. A figure left
    out is None, as is everything compared with it, and "skipped" lists it with the reason
    (the key is present, possibly empty, exactly when there is a deadline).
    An instance with interpreters or interpreter needs also gets an "interpreters" block
    (``interpreter_figures``; its bound is skipped like the others when out of time); pass
    the solver's ``unscheduled`` rows so that it names the pairs it left out for want of one.
    """
    figures = evaluate(instance, meetings)
    skipped: list[dict[str, str]] = []
    if deadline is None:
        bound = must_first_bound(instance) if bound is None else bound
        baseline = first_come_first_served(instance) if baseline is None else baseline
    else:
        needed, until = seconds_needed(instance), deadline
        if bound is None:
            bound = _in_time(
                "bound",
                lambda: must_first_bound(instance, deadline=until),
                needed["bound"],
                until,
                skipped,
            )
        if baseline is None:
            # Its figures (as many pairs as the schedule's) are measured after the booking.
            booked_by = until - needed["figures"]
            baseline = _in_time(
                "baseline",
                lambda: first_come_first_served(instance, deadline=booked_by),
                needed["baseline"],
                until,
                skipped,
            )
    base = None if baseline is None else evaluate(instance, baseline)
    block: dict[str, Any] = {
        "figures": asdict(figures),
        "baseline": None if base is None else asdict(base),
        "bound": None if bound is None else _figures_of(bound),
        "must": {
            "scheduled": figures.must_scheduled,
            "bound": None if bound is None else bound.must,
            "total": figures.must_total,
            "baseline": None if base is None else base.must_scheduled,
            "all_kept": None if bound is None else figures.must_scheduled >= bound.must,
        },
        "score": {
            "value": round(figures.score, 6),
            "bound": None if bound is None else round(bound.score, 6),
            "percent_of_bound": _percent(figures.score, None if bound is None else bound.score),
            "baseline": None if base is None else round(base.score, 6),
            "percent_of_baseline": _percent(figures.score, None if base is None else base.score),
        },
        "breaks": {
            "value": figures.breaks,
            "baseline": None if base is None else base.breaks,
            "percent_of_baseline": _percent(figures.breaks, None if base is None else base.breaks),
            "idle_slots": figures.idle_slots,
            "baseline_idle_slots": None if base is None else base.idle_slots,
        },
        "table_use": {
            "value": round(figures.table_use, 4),
            "baseline": None if base is None else round(base.table_use, 4),
        },
    }
    if instance.interpreters or any(c.interpreter for c in instance.candidates):
        needs: InterpreterBound | None
        if deadline is None:
            needs = interpreter_bound(instance)
        else:
            until = deadline
            needs = _in_time(
                "interpreter_bound",
                lambda: interpreter_bound(instance, deadline=until),
                SECONDS_PER_PAIR["bound"] * len(instance.candidates),
                until,
                skipped,
            )
        held = () if bound is None else bound.interpreter_pairs
        block["interpreters"] = interpreter_figures(instance, meetings, unscheduled, needs, held)
    if deadline is not None:
        block["skipped"] = skipped
    return block
