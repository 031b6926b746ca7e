"""Interpreters as a scheduled resource (issue 18): figures beside the targets.

For each generated instance three versions are solved: without interpreter needs, with a
plentiful pool and with a scarce one (``benchmarks.generate --interpreters``), and every
schedule is checked by ``benchmarks.checker`` (hard rule 4 included). Printed per instance:

- plentiful against no needs: score and breaks, medians of ``--repeat`` solves each (the
  search stops at a deadline, so one run's breaks vary by several, busy machine or not: the
  ranges are printed), and their difference (target within 1%); and, free of that noise,
  the plentiful pool staffing the no-needs schedule's own slots (meetings dropped: target 0);
- scarce: meetings needing an interpreter scheduled over their upper bound (target >= 99%),
  must pairs needing one served over their bound, and all must pairs over theirs with this
  pool (target: all that can be; both bounds ignore slot clashes), pairs left out
  for want of an interpreter, utilisation, and the language pairs short;
- solve seconds of each version (target: Chongqing-size under 2 s);
- the tie-break (``interpreters`` step 3) on the scarce schedule's own slots: interpreter
  zone changes + breaks with the flow's assignment alone and after the tie-break.

    python -m benchmarks.interpreters [--family chongqing] [--seeds 1 2 3] [--time-limit S]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

from benchmarks.checker import check
from benchmarks.generate import FAMILIES, generate
from matchmaking.scheduling import parse_instance, solve
from matchmaking.scheduling.interpreters import staff
from matchmaking.scheduling.model import Instance, Schedule
from matchmaking.scheduling.problem import build_problem
from matchmaking.scheduling.quality import interpreter_bound, interpreter_figures

UNPLACED = -1
TARGETS = (
    "targets: plentiful score and breaks within 1% of no needs; scarce: needing-interpreter "
    "meetings >= 99% of bound, must pairs = bound; chongqing solve < 2 s"
)


def _solve(data: dict[str, Any], time_limit: float | None) -> tuple[Instance, Schedule, float]:
    instance = parse_instance(data)
    start = time.perf_counter()
    schedule = solve(instance, time_limit)
    seconds = time.perf_counter() - start
    problems = check(data, schedule.to_dict())
    if problems:
        raise SystemExit(f"INVALID schedule: {problems[0]} ({len(problems)} problems)")
    return instance, schedule, seconds


def _restaff(instance: Instance, schedule: Schedule, tie_break: bool) -> dict[str, Any]:
    """``staff`` on the slots of ``schedule`` (solved for this instance or the same one
    without needs): its statistics and the meetings it dropped or moved."""
    problem = build_problem(instance)
    slot_of = {m.pair: m.slot for m in schedule.meetings}
    index = {s.id: t for t, s in enumerate(instance.slots)}
    slots = []
    for pair in problem.pairs:
        slot = slot_of.get(instance.candidates[pair.index].pair)
        slots.append(UNPLACED if slot is None else index[slot])
    found, staffing = staff(problem, slots, time.monotonic() + 1.0, tie_break=tie_break)
    moved = sum(1 for old, new in zip(slots, found, strict=True) if old != new)
    return {**staffing.statistics, "moved": moved}


def _penalty(figures: dict[str, Any]) -> int:
    return int(figures["zone_changes"] + figures["breaks"])


def _percent(value: float, reference: float) -> str:
    return f"{100.0 * value / reference:.2f}%" if reference else "-"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def run(family: str, seed: int, time_limit: float | None, repeat: int) -> list[str]:
    """Solve the three versions of one instance; return its printed lines."""
    versions = {pool: generate(family, seed, pool) for pool in (None, "plentiful", "scarce")}
    runs = {
        pool: [_solve(data, time_limit) for _ in range(1 if pool == "scarce" else repeat)]
        for pool, data in versions.items()
    }
    base = {key: _median([r[1].statistics[key] for r in runs[None]]) for key in ("score", "breaks")}
    rich = {
        key: _median([r[1].statistics[key] for r in runs["plentiful"]])
        for key in ("score", "breaks")
    }
    spread = {
        pool: "{}-{}".format(
            min(r[1].statistics["breaks"] for r in runs[pool]),
            max(r[1].statistics["breaks"] for r in runs[pool]),
        )
        for pool in (None, "plentiful")
    }
    plentiful = runs["plentiful"][0][0]
    same_slots = _restaff(plentiful, runs[None][0][1], tie_break=True)
    instance, scarce, _ = runs["scarce"][0]
    bound = interpreter_bound(instance)
    figures = interpreter_figures(instance, scarce.meetings, scarce.unscheduled, bound)
    rich_tie = [_penalty(_restaff(plentiful, runs["plentiful"][0][1], t)) for t in (False, True)]
    scarce_tie = [_penalty(_restaff(instance, scarce, t)) for t in (False, True)]
    seconds = " / ".join(
        f"{max(r[2] for r in runs[pool]):.2f}" for pool in (None, "plentiful", "scarce")
    )
    short = ", ".join(f"{row['languages']} {row['short_by']}" for row in figures["short"])
    lines = [
        f"{family} seed {seed}: schedules valid (checker, hard rule 4 included)",
        f"  no needs   score {base['score']:.3f} breaks {base['breaks']:g}"
        f"  | plentiful score {rich['score']:.3f} ({_percent(rich['score'], base['score'])})"
        f" breaks {rich['breaks']:g} ({_percent(rich['breaks'], base['breaks'])}),"
        f" medians of {repeat} (breaks ranged {spread[None]} without needs,"
        f" {spread['plentiful']} plentiful: the search's run-to-run spread)",
        f"  plentiful  pool on the no-needs schedule's slots: {same_slots['meetings']} meetings"
        f" staffed, {same_slots['left_out']} left out, {same_slots['moved']} moved",
        f"  scarce     needing interpreter {figures['scheduled']}/{figures['bound']}"
        f" ({_percent(figures['scheduled'], figures['bound'] or 0)} of bound),"
        f" must {figures['must_scheduled']}/{figures['must_bound']} (all must pairs"
        f" {figures['must_all_scheduled']}/{figures['must_all_bound']}),"
        f" utilisation {figures['utilisation']:.1%} of {figures['capacity']} interpreter-slots,"
        f" left out {len(figures['left_out'])} (short: {short or 'none'})",
        f"  scarce     score {scarce.statistics['score']:.3f} breaks"
        f" {scarce.statistics['breaks']} must {scarce.statistics['must_scheduled']}"
        f"/{scarce.statistics['must_total']}",
        f"  tie-break  interpreter zone changes + breaks, flow only -> tie-break:"
        f" plentiful {rich_tie[0]} -> {rich_tie[1]}, scarce {scarce_tie[0]} -> {scarce_tie[1]}",
        f"  seconds    no needs / plentiful / scarce (slowest): {seconds}",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the figures for each seed of the family."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.interpreters", description=__doc__)
    parser.add_argument("--family", choices=sorted(FAMILIES), default="chongqing")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="solves per version (medians)")
    args = parser.parse_args(argv)
    print(TARGETS)
    for seed in args.seeds:
        for line in run(args.family, seed, args.time_limit, args.repeat):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
