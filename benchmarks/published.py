"""Solve the 20 published B2B instances (Bofill et al., JAIR 74 (2022)) and print, per
instance, meetings scheduled/total, breaks against the proven optimum, and seconds.

    python -m benchmarks.published [--time-limit S] [NAME ...]

Each schedule is checked with ``benchmarks.checker`` (no solver code). Exit 1 when a
schedule is invalid or leaves a meeting out.
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.b2b import PUBLISHED_OPTIMA, published_paths, read_dzn
from benchmarks.checker import check
from matchmaking.scheduling import parse_instance, solve


def main(argv: list[str] | None = None) -> int:
    """Run the published instances and print one line each plus a total."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="instance names (default: all 20)")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per instance")
    args = parser.parse_args(argv)
    header = f"{'instance':16} {'meetings':>9} {'breaks':>6} {'optimum':>7} {'seconds':>7}  status"
    print(header)
    failed = False
    total_breaks = total_optimum = 0
    slowest = 0.0
    for path in published_paths():
        name = path.name.split(".")[0]
        if args.names and name not in args.names:
            continue
        data = read_dzn(path)
        started = time.monotonic()
        schedule = solve(parse_instance(data), args.time_limit)
        seconds = time.monotonic() - started
        problems = check(data, schedule.to_dict())
        scheduled, total = len(schedule.meetings), len(data["candidates"])
        breaks = schedule.statistics["breaks"]
        failed = failed or bool(problems) or scheduled < total
        total_breaks += breaks
        total_optimum += PUBLISHED_OPTIMA[name]
        slowest = max(slowest, seconds)
        mark = "=" if breaks == PUBLISHED_OPTIMA[name] else "+"
        status = schedule.statistics["status"] + ("" if not problems else f" INVALID {problems[0]}")
        print(
            f"{name:16} {scheduled:>4}/{total:<4} {breaks:>6} {mark}{PUBLISHED_OPTIMA[name]:>6}"
            f" {seconds:>7.2f}  {status}",
            flush=True,
        )
    print(f"total breaks {total_breaks} (optima {total_optimum}); slowest {slowest:.2f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
