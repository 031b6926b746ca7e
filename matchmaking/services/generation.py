"""Running schedule generation in the background of a web process, with visible progress.

The request commits a version in state 'generating' and starts a thread; the thread solves
with its own session and writes progress through short separate transactions, so any worker
can show it. A version whose thread died is marked failed by ``mark_stale_generations``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask
from sqlalchemy import update

from matchmaking.extensions import db
from matchmaking.models import ScheduleVersion
from matchmaking.services.schedules import run_generation
from matchmaking.services.taxonomy import N_


def _write_progress(version_id: int, share: float, message: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            update(ScheduleVersion)
            .where(ScheduleVersion.id == version_id, ScheduleVersion.status == "generating")
            .values(progress=share, message=message)
        )


def generate_now(version: ScheduleVersion, time_limit: float) -> ScheduleVersion:
    """Run generation in this request (tests, small events); the caller commits."""

    def progress(share: float, message: str) -> None:
        version.progress = share
        version.message = message

    return run_generation(db.session, version, time_limit, progress)


def generate_in_background(app: Flask, version_id: int, time_limit: float) -> threading.Thread:
    """Start generation of a committed 'generating' version in a daemon thread."""

    def work() -> None:
        with app.app_context():
            stop = threading.Event()
            state: dict[str, Any] = {"share": 0.2, "message": ""}

            def tick() -> None:
                # While the solver runs, progress follows the clock towards its time limit.
                with app.app_context():
                    started = time.monotonic()
                    while not stop.wait(1.0):
                        if 0.2 <= state["share"] < 0.9:
                            share = 0.2 + 0.7 * min(1.0, (time.monotonic() - started) / time_limit)
                            _write_progress(version_id, share, state["message"])

            ticker = threading.Thread(target=tick, daemon=True)

            def progress(share: float, message: str) -> None:
                # End this session's read snapshot: SQLite (WAL) refuses a later write from a
                # transaction older than another connection's commit (our progress writes).
                db.session.commit()
                if share >= 0.9:
                    stop.set()
                    if ticker.is_alive():
                        ticker.join()
                state.update(share=share, message=message)
                _write_progress(version_id, share, message)

            ticker.start()
            try:
                version = db.session.get(ScheduleVersion, version_id)
                if version is not None:
                    run_generation(db.session, version, time_limit, progress)
                    db.session.commit()
            except Exception:
                db.session.rollback()
                app.logger.exception("schedule generation %s failed", version_id)
                with db.engine.begin() as conn:
                    conn.execute(
                        update(ScheduleVersion)
                        .where(ScheduleVersion.id == version_id)
                        .values(
                            status="failed",
                            progress=1.0,
                            message=N_("The optimiser stopped with an internal error."),
                        )
                    )
            finally:
                stop.set()
                if ticker.is_alive():
                    ticker.join()
                db.session.remove()

    thread = threading.Thread(target=work, name=f"generate-{version_id}", daemon=True)
    thread.start()
    return thread
