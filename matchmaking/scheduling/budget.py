"""A schedule and its quality figures within one wall-clock deadline.

Used by ``matchmaking solve --time-limit`` and by the organisers' "generate" action, so that
a limit covers the whole job, not only the search: the time the quality figures will need
is estimated from the instance's size and taken off the solver's share, and a figure that
would still overrun is left out of the quality block ("skipped").
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Instance, Schedule

# Seconds per candidate pair: what the solver spends whatever its time limit (indexing, the
# greedy schedule) and what it spends after its deadline (tables, statistics). Measured on
# the large family (50,000 pairs: 1.2 s and 0.3 s), with some in hand. Interpreter staffing
# needs nothing here: ``solve`` keeps its time within its own limit
# (``interpreters.staffing_seconds``), so that callers of ``solve`` alone hold theirs too.
SOLVE_FLOOR_PER_PAIR = 30e-6
SOLVE_TAIL_PER_PAIR = 8e-6


def solve_with_report(
    problem: Instance, end: float | None, after: float = 0.0, every_figure: bool = False
) -> tuple[Schedule, dict[str, Any]]:
    """The schedule and its quality block, done by ``end`` (``time.monotonic()``), leaving
    ``after`` seconds for the caller's own work; without ``end``, the solver's default time
    and every figure. With ``every_figure`` the solver stops by ``end`` and every figure is
    computed after it, however long that takes (for callers no one waits on, such as
    seeding the demo).

    Time for the bound, then the baseline, is reserved when its estimate fits beside the
    solver's floor; the solver gets the rest. The quality figures get what the solver leaves
    (its floor may overrun a short limit): the schedule comes first.
    """
    # Imported here so that a caller's time limit covers loading OR-Tools (about 0.4 s).
    from .quality import report, seconds_needed
    from .solver import solve

    if end is None or every_figure:
        schedule = (
            solve(problem) if end is None else solve(problem, max(end - time.monotonic(), 0.001))
        )
        quality = report(problem, schedule.meetings, unscheduled=schedule.unscheduled)
        return _with_reasons(schedule, quality), quality
    pairs = len(problem.candidates)
    needed = seconds_needed(problem)
    reserved = SOLVE_TAIL_PER_PAIR * pairs + needed["figures"] + after
    spare = end - time.monotonic() - SOLVE_FLOOR_PER_PAIR * pairs - reserved
    for part in ("bound", "baseline"):
        if needed[part] <= spare:
            reserved += needed[part]
            spare -= needed[part]
    # A tiny positive limit still returns the greedy schedule.
    schedule = solve(problem, max(end - reserved - time.monotonic(), 0.001))
    quality = report(
        problem, schedule.meetings, deadline=end - after, unscheduled=schedule.unscheduled
    )
    return _with_reasons(schedule, quality), quality


def _with_reasons(schedule: Schedule, quality: dict[str, Any]) -> Schedule:
    """``schedule`` with the reason of each pair the quality figures find left out for want
    of an interpreter (``quality.interpreter_figures``) set to that, and the solver's count
    of them to match: the pairs the solver saw only as "no room left" because their
    companies filled up with pairs needing none."""
    from .quality import NO_INTERPRETER_FREE

    figures = quality.get("interpreters")
    if not figures or not figures["left_out"]:
        return schedule
    wanting = {(row["buyer"], row["supplier"]) for row in figures["left_out"]}
    for row in schedule.unscheduled:
        if (row["buyer"], row["supplier"]) in wanting:
            row["reason"] = NO_INTERPRETER_FREE
    counts = schedule.statistics.get("interpreters")
    if isinstance(counts, dict):
        counts["left_out"] = len(wanting)
    return schedule


__all__ = ["solve_with_report"]
