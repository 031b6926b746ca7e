"""APScheduler jobs: thin functions ``job(session, now)`` and the registry the scheduler runs.

Only the ``matchmaking scheduler`` process runs them (never a web worker). Every job
discovers its work from the database and is idempotent, so a restart, a misfire or a
second run sends nothing twice. Tests call the job functions directly with their own ``now``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from matchmaking.services import agenda_mail

log = logging.getLogger("matchmaking.jobs")

JobFunction = Callable[[Session, datetime], object]


def close_registration(session: Session, now: datetime) -> int:
    """Set open events whose registration deadline has passed to 'closed'."""
    closed = agenda_mail.close_registrations(session, now)
    session.commit()
    return closed


def issue_agendas(session: Session, now: datetime) -> int:
    """E-mail every company of a published schedule its agenda, once."""
    sent = agenda_mail.issue_agendas(session, current_app.config, now)
    session.commit()
    return sent


def send_changed_agendas(session: Session, now: datetime) -> int:
    """E-mail the companies that published changes affect their updated agenda, once."""
    sent = agenda_mail.send_changed_agendas(session, current_app.config, now)
    session.commit()
    return sent


def send_reminders(session: Session, now: datetime) -> int:
    """Evening-before and minutes-before reminders, each once."""
    sent = agenda_mail.send_reminders(session, current_app.config, now)
    session.commit()
    return sent


def send_daily_summary(session: Session, now: datetime) -> int:
    """The organisers' summary of each event day, once per day."""
    sent = agenda_mail.send_daily_summaries(session, current_app.config, now)
    session.commit()
    return sent


def sweep_messages(session: Session, now: datetime) -> int:
    """Report retries that no job picks up any more as failed."""
    swept = agenda_mail.sweep_messages(session, now)
    session.commit()
    return swept


def refresh_tallies(session: Session, now: datetime) -> int:
    """Refresh published deal tallies (and release those whose embargo ended)."""
    from matchmaking.services.tally import refresh_tally_snapshots

    refreshed = refresh_tally_snapshots(session, now)
    session.commit()
    return refreshed


def expire_requests(session: Session, now: datetime) -> int:
    """Mark meeting requests unanswered past their time lapse as expired."""
    from matchmaking.services.requests import expire_requests as expire

    expired = expire(session, now)
    session.commit()
    return expired


def fail_stale_generations(session: Session, now: datetime) -> int:
    """Schedule generations whose web worker died become 'failed' (they can be restarted)."""
    from matchmaking.services.schedules import mark_stale_generations

    failed = mark_stale_generations(session, now, current_app.config["SCHEDULE_STALE_SECONDS"])
    session.commit()
    return failed


@dataclass(frozen=True)
class JobSpec:
    """A scheduled job: a stable id, the function, and an APScheduler trigger."""

    id: str
    func: JobFunction
    trigger: str = "interval"
    trigger_args: dict[str, Any] = field(default_factory=dict)


# Minute ticks: each job finds what is due at "now", so a tick missed while the process
# was down is simply done at the next one (coalesce=True runs it once, not many times).
JOBS: list[JobSpec] = [
    JobSpec("close-registration", close_registration, "interval", {"minutes": 1}),
    JobSpec("issue-agendas", issue_agendas, "interval", {"minutes": 1}),
    JobSpec("send-changed-agendas", send_changed_agendas, "interval", {"minutes": 1}),
    JobSpec("send-reminders", send_reminders, "interval", {"minutes": 1}),
    JobSpec("send-daily-summary", send_daily_summary, "interval", {"minutes": 5}),
    JobSpec("sweep-messages", sweep_messages, "interval", {"minutes": 15}),
    JobSpec("refresh-tallies", refresh_tallies, "interval", {"minutes": 1}),  # embargo ±1 min
    JobSpec("expire-requests", expire_requests, "interval", {"minutes": 5}),
    JobSpec("fail-stale-generations", fail_stale_generations, "interval", {"minutes": 10}),
]


def register(spec: JobSpec) -> None:
    """Add a job to the registry (or replace the one with the same id)."""
    JOBS[:] = [s for s in JOBS if s.id != spec.id]
    JOBS.append(spec)


def get_job(job_id: str) -> JobSpec:
    for spec in JOBS:
        if spec.id == job_id:
            return spec
    raise KeyError(job_id)


_app: Flask | None = None


def use_app(app: Flask | None) -> None:
    """The application whose config and database the jobs use in this process."""
    global _app
    _app = app


def run_job(job_id: str, now: datetime | None = None) -> object:
    """Run one registered job in its own app context and session (APScheduler calls this)."""
    from matchmaking import create_app
    from matchmaking.extensions import db

    global _app
    if _app is None:
        _app = create_app()
    with _app.app_context():
        spec = get_job(job_id)
        try:
            result = spec.func(db.session, now or datetime.now(UTC))
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job_id)
            raise
        finally:
            db.session.remove()
        return result


def build_scheduler(app: Flask, blocking: bool = True) -> Any:
    """The one scheduler: SQLAlchemy job store in the app's database, the registry's jobs."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    use_app(app)
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        jobstores={
            "default": SQLAlchemyJobStore(
                url=app.config["SQLALCHEMY_DATABASE_URI"], tablename="apscheduler_jobs"
            )
        },
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone=UTC,
    )
    for spec in JOBS:
        scheduler.add_job(
            run_job,
            trigger=spec.trigger,
            args=[spec.id],
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            **spec.trigger_args,
        )
    return scheduler


# PostgreSQL advisory lock held by the running scheduler ("mmsc"): a second scheduler
# process refuses to start instead of running every job twice (the sent-message keys
# would still stop duplicate e-mails, but not duplicate work).
SCHEDULER_LOCK_KEY = 0x6D6D7363


class SchedulerAlreadyRunning(RuntimeError):
    """Another ``matchmaking scheduler`` process holds the lock."""


def acquire_scheduler_lock(engine: Engine) -> Connection | None:
    """Hold the scheduler's advisory lock on PostgreSQL (None elsewhere); keep the connection."""
    if engine.dialect.name != "postgresql":
        return None
    connection = engine.connect()
    locked = connection.scalar(
        text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK_KEY}
    )
    connection.commit()
    if not locked:
        connection.close()
        raise SchedulerAlreadyRunning("another scheduler process is running")
    return connection


def release_scheduler_lock(connection: Connection | None) -> None:
    """Give the lock back (closing a pooled connection alone would keep it)."""
    if connection is None:
        return
    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEDULER_LOCK_KEY})
    connection.commit()
    connection.close()
