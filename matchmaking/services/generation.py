"""Schedule generation as a job: web requests queue it, ``matchmaking worker`` processes run it.

The 'queued' ScheduleVersion row is the job, so every web worker shows its state and
progress. A worker claims it with a conditional UPDATE (``queued`` to ``generating`` only
where it is still queued: exactly one claimer wins, on PostgreSQL and SQLite), solves with
its own session, and writes progress and a heartbeat in short transactions of their own. A
version whose worker died (no heartbeat for ``SCHEDULE_STALE_SECONDS``) is marked failed by
``mark_stale_generations``; one whose worker is stopped (SIGTERM, Ctrl-C) is queued again.
"""

from __future__ import annotations

import logging
import os
import resource
import socket
import threading
import time
from datetime import datetime

from flask import Flask
from sqlalchemy import Update, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from matchmaking.extensions import db
from matchmaking.models import ScheduleVersion
from matchmaking.models.schedule import VersionStatus
from matchmaking.models.types import utcnow
from matchmaking.services.schedules import Progress, mark_stale_generations, run_generation
from matchmaking.services.taxonomy import N_
from matchmaking.services.transactions import write_transaction

log = logging.getLogger("matchmaking.worker")

DEFAULT_TIME_LIMIT = 10.0  # seconds, for versions queued without one
HEARTBEAT_SECONDS = 2.0  # how often a working worker says it is alive
SWEEP_SECONDS = 60.0  # how often an idle worker looks for generations whose worker died
WAITING = N_("Waiting for a generation worker")


def worker_name() -> str:
    """This process as a worker: host and process id (recorded in ``claimed_by``)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_statement(worker: str, now: datetime, version_id: int | None = None) -> Update:
    """UPDATE the oldest queued version (or ``version_id``) to 'generating' by ``worker``.

    Its own condition ``status = 'queued'`` makes one claimer win: on PostgreSQL a second
    UPDATE of the row waits for the first to commit, re-reads it and finds it claimed, and
    SKIP LOCKED lets the others pass on to the next row meanwhile; SQLite has one writer.
    """
    candidate = select(ScheduleVersion.id).where(ScheduleVersion.status == "queued")
    if version_id is not None:
        candidate = candidate.where(ScheduleVersion.id == version_id)
    candidate = candidate.order_by(ScheduleVersion.id).limit(1).with_for_update(skip_locked=True)
    return (
        update(ScheduleVersion)
        .where(
            ScheduleVersion.id == candidate.scalar_subquery(),
            ScheduleVersion.status == "queued",
        )
        .values(
            status="generating",
            claimed_by=worker,
            heartbeat_at=now,
            progress=0.02,
            message=N_("Starting"),
        )
        .returning(ScheduleVersion.id)
    )


def claim(
    session: Session, worker: str, now: datetime, version_id: int | None = None
) -> int | None:
    """Claim the oldest queued version (or ``version_id``) for ``worker``; None if none is left."""
    statement = claim_statement(worker, now, version_id)
    with write_transaction(session):
        return session.scalar(statement.execution_options(synchronize_session="fetch"))


def solve_claimed(session: Session, version_id: int, progress: Progress) -> ScheduleVersion:
    """The job itself: build, solve and store a claimed version within its time limit."""
    version = session.get(ScheduleVersion, version_id)
    assert version is not None and version.status == VersionStatus.GENERATING
    return run_generation(session, version, version.time_limit or DEFAULT_TIME_LIMIT, progress)


class ProgressWriter:
    """Progress of a job solved in the caller's session (tests: ``SCHEDULE_SYNC``)."""

    def __init__(self, session: Session, version_id: int) -> None:
        self.session, self.version_id = session, version_id

    def __call__(self, share: float, message: str) -> None:
        version = self.session.get(ScheduleVersion, self.version_id)
        if version is not None:
            version.progress, version.message = share, message


def generate_now(session: Session, version_id: int) -> ScheduleVersion:
    """Claim and solve a queued version in this process, in ``session`` (tests); the caller
    commits."""
    worker = f"{worker_name()}:sync"
    if claim(session, worker, utcnow(), version_id) is None:
        raise LookupError(f"schedule version {version_id} is not queued")
    return solve_claimed(session, version_id, ProgressWriter(session, version_id))


class Heartbeat(threading.Thread):
    """While a job runs: its heartbeat and progress, written through their own connection.

    During the search the share follows the clock from 0.2 towards 0.9 of the time limit.
    Every write is conditional on the version still being this worker's. From 0.9 (storing)
    it is quiet: on SQLite a commit of ours would make the storing transaction, which read
    before it, fail to write; storing takes seconds, far below ``SCHEDULE_STALE_SECONDS``.
    """

    def __init__(self, app: Flask, version_id: int, worker: str, time_limit: float) -> None:
        super().__init__(name=f"heartbeat-{version_id}", daemon=True)
        self.app, self.version_id, self.worker = app, version_id, worker
        self.time_limit = time_limit
        self.stopped = threading.Event()
        self.share, self.message = 0.02, ""
        self.searching_since: float | None = None
        self.quiet = False
        self.lock = threading.Lock()

    def write(self, share: float | None = None, message: str | None = None) -> None:
        values: dict[str, object] = {"heartbeat_at": utcnow()}
        if share is not None:
            values.update(progress=share, message=message or "")
        with db.engine.begin() as conn:
            conn.execute(
                update(ScheduleVersion)
                .where(
                    ScheduleVersion.id == self.version_id,
                    ScheduleVersion.status == VersionStatus.GENERATING,
                    ScheduleVersion.claimed_by == self.worker,
                )
                .values(**values)
            )

    def report(self, share: float, message: str) -> None:
        """A step of the job (called from the solving thread)."""
        with self.lock:
            self.share, self.message = share, message
            self.searching_since = time.monotonic() if 0.2 <= share < 0.9 else None
            self.write(share, message)
            self.quiet = share >= 0.9

    def run(self) -> None:
        with self.app.app_context():
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                with self.lock:
                    if not self.quiet:
                        self.beat()

    def beat(self) -> None:
        since = self.searching_since
        try:
            if since is None:
                self.write()
            else:
                elapsed = min(1.0, (time.monotonic() - since) / max(self.time_limit, 1.0))
                self.write(0.2 + 0.7 * elapsed, self.message)
        except Exception:  # a busy database: the next beat tries again
            log.warning("heartbeat of version %s not written", self.version_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join()


class GenerationJob:
    """One claimed version, solved by this worker process with its own session."""

    def __init__(self, app: Flask, version_id: int, worker: str) -> None:
        self.app, self.version_id, self.worker = app, version_id, worker

    def run(self) -> str:
        """Solve and store the version; returns its final status."""
        with self.app.app_context():
            version = db.session.get(ScheduleVersion, self.version_id)
            time_limit = (version.time_limit if version else None) or DEFAULT_TIME_LIMIT
            db.session.commit()
            heartbeat = Heartbeat(self.app, self.version_id, self.worker, time_limit)

            def progress(share: float, message: str) -> None:
                # End this session's read snapshot: SQLite (WAL) refuses a later write from a
                # transaction older than another connection's commit (the heartbeat's).
                db.session.commit()
                heartbeat.report(share, message)

            started = time.monotonic()
            heartbeat.start()
            try:
                stored = solve_claimed(db.session, self.version_id, progress)
                db.session.commit()
                status = stored.status
            except Exception:
                db.session.rollback()
                log.exception("schedule generation %s failed", self.version_id)
                self._finish(
                    VersionStatus.FAILED, N_("The optimiser stopped with an internal error.")
                )
                status = VersionStatus.FAILED
            except BaseException:  # stopped (SIGTERM, Ctrl-C): another worker takes it over
                db.session.rollback()
                self._finish(VersionStatus.QUEUED, WAITING)
                log.warning("version %s queued again: worker stopped", self.version_id)
                raise
            finally:
                heartbeat.stop()
                db.session.remove()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        log.info(
            "version %s %s in %.1f s (peak memory of this worker %.0f MB)",
            self.version_id,
            status,
            time.monotonic() - started,
            peak,
        )
        return status

    def _finish(self, status: str, message: str) -> None:
        done = status != VersionStatus.QUEUED
        with db.engine.begin() as conn:
            conn.execute(
                update(ScheduleVersion)
                .where(
                    ScheduleVersion.id == self.version_id,
                    ScheduleVersion.status == VersionStatus.GENERATING,
                    ScheduleVersion.claimed_by == self.worker,
                )
                .values(
                    status=status,
                    message=message,
                    progress=1.0 if done else 0.0,
                    claimed_by=self.worker if done else None,
                    heartbeat_at=None,
                )
            )


class Worker:
    """Runs queued generation jobs one after the other until stopped."""

    def __init__(self, app: Flask, name: str | None = None, poll: float = 1.0) -> None:
        self.app, self.name, self.poll = app, name or worker_name(), poll
        self.stopped = threading.Event()
        self._swept_at = float("-inf")

    def next_job(self) -> int | None:
        """Fail generations whose worker died (now and then), then claim the next version."""
        with self.app.app_context():
            try:
                now = utcnow()
                if time.monotonic() - self._swept_at >= SWEEP_SECONDS:
                    stale_after = self.app.config["SCHEDULE_STALE_SECONDS"]
                    with write_transaction(db.session):
                        mark_stale_generations(db.session, now, stale_after)
                    self._swept_at = time.monotonic()
                version_id = claim(db.session, self.name, now)
            finally:
                db.session.remove()
        if version_id is not None:
            log.info("worker %s claimed version %s", self.name, version_id)
        return version_id

    def run(self, burst: bool = False, once: bool = False) -> int:
        """Work until stopped; ``burst``: until the queue is empty; ``once``: one job at most.

        Returns how many jobs it ran.
        """
        done = 0
        while not self.stopped.is_set():
            try:
                version_id = self.next_job()
            except SQLAlchemyError:  # the database is away (restarting): try again later
                log.exception("worker %s could not look for queued generations", self.name)
                self.stopped.wait(10 * self.poll)
                continue
            if version_id is None:
                if burst or once:
                    break
                self.stopped.wait(self.poll)
                continue
            GenerationJob(self.app, version_id, self.name).run()
            done += 1
            if once:
                break
        return done

    def stop(self) -> None:
        """Stop after the current job (a thread's way; SIGTERM stops at once and re-queues)."""
        self.stopped.set()
