"""The ``matchmaking solve`` command: instance file in, schedule file out.

With ``--time-limit`` the limit is wall clock for the whole command (parse, solve, quality
figures, write), counted from the process's start (from the command's when it runs inside a
longer process): the time the quality figures and the write will need is estimated from the
instance's size and taken off the solver's share, and a figure that would still overrun is
left out of the quality block ("skipped").
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .errors import InstanceError
from .parse import parse_instance_file

if TYPE_CHECKING:
    from .model import Instance

# Kept for leaving the process after the output is written: the interpreter's exit with
# OR-Tools and Flask loaded measured 0.15-0.25 s.
MARGIN_SECONDS = 0.35
# The most CPU time taken as the process's start-up (measured 0.4-0.7 s).
STARTUP_SECONDS = 1.5
# Seconds per candidate pair for writing the output (measured on the large family: 50,000
# pairs, 0.2 s), with some in hand.
WRITE_PER_PAIR = 5e-6


@click.command("solve")
@click.argument("instance", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the schedule JSON.",
)
@click.option(
    "--time-limit",
    "time_limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help=(
        "Seconds for the whole command (parse, search, quality figures, write); the best valid"
        " schedule found by then is written, and quality figures with no time left are skipped."
    ),
)
def solve(instance: Path, out: Path, time_limit: float | None) -> None:
    """Solve INSTANCE (matchmaking-instance/1 JSON) and write the schedule to --out."""
    # Run as its own process, the CPU time so far is the start-up (interpreter, imports: one
    # busy thread), so the limit counts from the process's start, as a caller timing the
    # command does. More CPU time than that means the command runs inside a longer process.
    spent = time.process_time()
    started = time.monotonic() - (spent if spent < STARTUP_SECONDS else 0.0)
    try:
        problem = parse_instance_file(instance)
    except InstanceError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    result = _schedule(problem, started, time_limit)
    try:
        out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        click.echo(f"error: {out}: cannot write file: {exc.strerror or exc}", err=True)
        raise SystemExit(1) from None


def _schedule(problem: Instance, started: float, time_limit: float | None) -> dict[str, Any]:
    """The schedule with its quality block, done ``time_limit`` seconds after ``started``
    (``budget``), the time to write it kept aside."""
    from .budget import solve_with_report

    if time_limit is None:
        # The same figures the organisers' quality report shows (bound, baseline, breaks).
        schedule, quality = solve_with_report(problem, None)
        result = schedule.to_dict()
        result["quality"] = quality
        return result
    end = started + time_limit - MARGIN_SECONDS
    write = WRITE_PER_PAIR * len(problem.candidates)
    schedule, quality = solve_with_report(problem, end, after=write)
    result = schedule.to_dict()
    result["quality"] = quality
    result["statistics"]["time_limit"] = time_limit
    # Wall clock from the command's start to the output being serialised.
    result["statistics"]["command_seconds"] = round(time.monotonic() - started, 3)
    return result
