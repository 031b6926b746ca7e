"""Generating the large event's schedule (issue 16): build and store times, then a worker.

    .venv/bin/python -m benchmarks.large_generation --database-url URL [--time-limit S]
                                                    [--store-solve S] [--seed]

The database must hold ``seed-demo --size large`` (``--seed`` runs it first, about two
minutes). Two measurements, printed beside their targets:

1. In this process: building the instance (registrations read, candidates scored and pruned)
   and storing a solved schedule (bulk inserts), timed apart; the solver between them gets
   ``--store-solve`` seconds, as only what it returns is stored. Rolled back afterwards.
2. End to end: a generation queued with ``--time-limit`` (default 60 s, the large event's)
   and run by a ``matchmaking worker --once`` process, from the queueing commit to the
   stored draft, with the worker's peak memory (VmHWM, and its own ru_maxrss log line).
   The draft is deleted afterwards, so the database can be used again.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import delete, select

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BUILD_STORE_TARGET = 15.0  # seconds, building and storing together
END_TO_END_MARGIN = 15.0  # seconds over the solver's time limit
MEMORY_TARGET_MB = 1536.0


def _app(url: str):  # type: ignore[no-untyped-def]
    from matchmaking import create_app

    return create_app("development", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="benchmark")


def _large_event(session):  # type: ignore[no-untyped-def]
    from matchmaking.models import Event, User
    from matchmaking.services.demo import DEMO_ORGANISER
    from matchmaking.services.demo_large import LARGE_SLUG

    event = session.scalar(select(Event).where(Event.slug == LARGE_SLUG))
    organiser = session.scalar(select(User).where(User.email == DEMO_ORGANISER[0]))
    if event is None or organiser is None:
        raise SystemExit("no large demo event here: pass --seed (seed-demo --size large)")
    return event, organiser


def in_process(url: str, solve_seconds: float) -> float:
    """Time build_instance and _store on the large event; returns their sum in seconds."""
    from matchmaking.extensions import db
    from matchmaking.services import schedules

    app = _app(url)
    with app.app_context(), app.test_request_context():
        session = db.session
        event, organiser = _large_event(session)
        participants = len(event.participations)
        version = schedules.start_generation(session, event, organiser)
        started = time.perf_counter()
        instance, pairs = schedules.build_instance(session, event, None)
        build = time.perf_counter() - started
        started = time.perf_counter()
        schedule, _report = schedules.solve_instance(instance, solve_seconds)
        solve = time.perf_counter() - started
        started = time.perf_counter()
        schedules._store(session, version, instance, schedule, pairs)
        session.flush()
        store = time.perf_counter() - started
        session.rollback()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = build + store
    print(
        f"{participants} participations: instance built in {build:.1f} s "
        f"({len(instance['candidates'])} candidate pairs, {len(instance['fixed'])} fixed), "
        f"solved in {solve:.1f} s (limit {solve_seconds:g} s), "
        f"{len(schedule.meetings)} meetings stored in {store:.1f} s"
    )
    verdict = "met" if total < BUILD_STORE_TARGET else "not met"
    print(
        f"build + store: {total:.1f} s (target < {BUILD_STORE_TARGET:g} s: {verdict}); "
        f"peak memory of this process {peak:.0f} MB"
    )
    return total


def _peak_kb(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else None


def end_to_end(url: str, time_limit: float) -> tuple[float, float]:
    """Queue a generation, let a worker process run it; returns (seconds, peak MB)."""
    from matchmaking.extensions import db
    from matchmaking.models import Meeting, MeetingSeat, ScheduleVersion
    from matchmaking.models.schedule import VersionStatus
    from matchmaking.services import schedules

    app = _app(url)
    with app.app_context():
        event, organiser = _large_event(db.session)
        version = schedules.start_generation(db.session, event, organiser, time_limit=time_limit)
        db.session.commit()
        version_id = version.id
        db.session.remove()
    env = dict(os.environ, DATABASE_URL=url, MATCHMAKING_CONFIG="development")
    queued = time.perf_counter()
    worker = subprocess.Popen(
        [str(BIN / "matchmaking"), "worker", "--once", "--poll", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak_kb, status, elapsed = 0, "", 0.0
    try:
        while True:
            peak_kb = max(peak_kb, _peak_kb(worker.pid) or 0)
            with app.app_context():
                row = db.session.get(ScheduleVersion, version_id)
                status = row.status if row else "gone"
                db.session.remove()
            if status not in (VersionStatus.QUEUED, VersionStatus.GENERATING):
                elapsed = time.perf_counter() - queued
                break
            if worker.poll() is not None:
                elapsed = time.perf_counter() - queued
                break
            time.sleep(0.2)
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        with app.app_context():
            db.session.execute(delete(MeetingSeat).where(MeetingSeat.version_id == version_id))
            db.session.execute(delete(Meeting).where(Meeting.version_id == version_id))
            db.session.execute(delete(ScheduleVersion).where(ScheduleVersion.id == version_id))
            db.session.commit()
            db.session.remove()
    logged = re.search(r"peak memory of this worker (\d+) MB", output)
    peak = peak_kb / 1024
    met_time = status == VersionStatus.DRAFT and elapsed <= time_limit + END_TO_END_MARGIN
    print(
        f"worker process: queued to {status} in {elapsed:.1f} s "
        f"(target <= {time_limit:g} s limit + {END_TO_END_MARGIN:g} s: "
        f"{'met' if met_time else 'not met'}); peak memory {peak:.0f} MB by VmHWM"
        + (f", {logged.group(1)} MB by the worker's ru_maxrss" if logged else "")
        + f" (target < {MEMORY_TARGET_MB:g} MB: {'met' if peak < MEMORY_TARGET_MB else 'not met'})"
    )
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a database with the large event")
    parser.add_argument("--time-limit", type=float, default=60.0, help="the worker's solver limit")
    parser.add_argument("--store-solve", type=float, default=5.0, help="solver seconds, step 1")
    parser.add_argument("--seed", action="store_true", help="seed-demo --size large first")
    parser.add_argument("--skip-worker", action="store_true", help="only step 1")
    args = parser.parse_args()
    if args.seed:
        env = dict(os.environ, DATABASE_URL=args.database_url)
        for command in (["db", "upgrade"], ["seed-demo", "--force", "--size", "large"]):
            subprocess.run([str(BIN / "matchmaking"), *command], env=env, cwd=ROOT, check=True)
    in_process(args.database_url, args.store_solve)
    if not args.skip_worker:
        end_to_end(args.database_url, args.time_limit)


if __name__ == "__main__":
    main()
