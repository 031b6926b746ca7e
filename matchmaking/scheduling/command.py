"""The ``matchmaking solve`` command: instance file in, schedule file out."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .errors import InstanceError
from .parse import parse_instance_file
from .quality import report
from .solver import solve as solve_instance


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
    help="Seconds to search; the best valid schedule found by then is written.",
)
def solve(instance: Path, out: Path, time_limit: float | None) -> None:
    """Solve INSTANCE (matchmaking-instance/1 JSON) and write the schedule to --out."""
    try:
        problem = parse_instance_file(instance)
    except InstanceError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    schedule = solve_instance(problem, time_limit)
    result = schedule.to_dict()
    # The same figures the organisers' quality report shows (bound, baseline, breaks).
    result["quality"] = report(problem, schedule.meetings)
    try:
        out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        click.echo(f"error: {out}: cannot write file: {exc.strerror or exc}", err=True)
        raise SystemExit(1) from None
