"""APScheduler jobs: thin functions ``job(session, now)`` and the registry the scheduler runs.

Only the ``matchmaking scheduler`` process runs them (never a web worker). Every job
discovers its work from the database and is idempotent, so a restart, a misfire or a
second run sends nothing twice. Tests call the job functions directly with their own ``now``.

Jobs write in short transactions (``write_transaction``: BEGIN IMMEDIATE on SQLite) and
never while rendering a PDF or talking to the mail server, so the web app and the
scheduler share even the default SQLite database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from flask import Flask, current_app, has_request_context, url_for
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from matchmaking.models import Event, Participation, User
from matchmaking.models.company import ParticipationStatus
from matchmaking.services import agenda_mail, event_status, tokens
from matchmaking.services.transactions import write_transaction

log = logging.getLogger("matchmaking.jobs")

JobFunction = Callable[[Session, datetime], object]


def _directory_link(event: Event) -> str | None:
    """The event's company directory, absolute (needs ``SERVER_NAME`` outside a request)."""
    try:
        return url_for("directory.directory", slug=event.slug, _external=True)
    except RuntimeError:
        return None


def close_registration(session: Session, now: datetime) -> int:
    """Set open events whose registration deadline has passed to 'closed'."""
    with write_transaction(session):
        return event_status.close_registrations(session, now)


def issue_agendas(session: Session, now: datetime) -> int:
    """E-mail every company of a published schedule its agenda, once."""
    sent = agenda_mail.issue_agendas(session, current_app.config, now, _directory_link)
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


def send_interpreter_agendas(session: Session, now: datetime) -> int:
    """E-mail each interpreter its agenda when published and whenever it changes, once each."""
    from matchmaking.services import interpreter_agendas

    sent = interpreter_agendas.send_interpreter_agendas(session, current_app.config, now)
    sent += interpreter_agendas.send_interpreter_reminders(session, current_app.config, now)
    session.commit()
    return sent


def send_daily_summary(session: Session, now: datetime) -> int:
    """The organisers' summary of each event day, once per day."""
    sent = agenda_mail.send_daily_summaries(session, current_app.config, now)
    session.commit()
    return sent


def sweep_messages(session: Session, now: datetime) -> int:
    """Report retries no job picks up any more, and sends whose process died, as failed."""
    swept = agenda_mail.sweep_messages(session, now)
    session.commit()
    return swept


def refresh_tallies(session: Session, now: datetime) -> int:
    """Publish new snapshots of published deal tallies where the changes since protect companies.

    A tally whose changed deals involve fewer than three buyers or three suppliers keeps its
    snapshot (and its time); an embargo ends by itself when ``published_snapshot`` reads it.
    """
    from matchmaking.services.tally import refresh_tally_snapshots

    with write_transaction(session):
        return refresh_tally_snapshots(session, now)


def expire_requests(session: Session, now: datetime) -> int:
    """Mark meeting requests unanswered past their time lapse as expired."""
    from matchmaking.services.requests import expire_requests as expire

    with write_transaction(session):
        return expire(session, now)


def fail_stale_generations(session: Session, now: datetime) -> int:
    """Schedule generations whose worker died (no heartbeat) become 'failed' (to be restarted)."""
    from matchmaking.services.schedules import mark_stale_generations

    stale_after = current_app.config["SCHEDULE_STALE_SECONDS"]
    with write_transaction(session):
        return mark_stale_generations(session, now, stale_after)


def refresh_recommendations(session: Session, now: datetime) -> int:
    """Recompute the directory's recommendations of events whose registrations changed."""
    from matchmaking.services.recommendations import refresh_stale_recommendations

    with write_transaction(session):
        return refresh_stale_recommendations(session, now)


def _invitation_links(user: User) -> tuple[str, str]:
    """An invitee's password link and the page to ask for another (needs ``SERVER_NAME``)."""
    token = tokens.reset_token(current_app.config["SECRET_KEY"], user)
    return (
        url_for("auth.reset", token=token, _external=True),
        url_for("auth.reset_request", _external=True),
    )


def _links_can_be_made(what: str) -> bool:
    """Whether absolute links can be made here (``SERVER_NAME``, or a request); else the
    mails of ``what`` wait, logged."""
    if current_app.config.get("SERVER_NAME") or has_request_context():
        return True
    log.warning("%s wait: set SERVER_NAME so their links can be absolute", what)
    return False


def send_import_invitations(session: Session, now: datetime) -> int:
    """E-mail the contacts of imported registrations their invitation, once each."""
    from matchmaking.services.invitations import send_import_invitations as send

    if not _links_can_be_made("invitations"):
        return 0
    sent = send(session, current_app.config, now, _invitation_links)
    session.commit()
    return sent


def _decision_link(participation: Participation) -> str:
    """Where a decision's e-mail leads: the directory once approved, else the company's page."""
    if participation.status == ParticipationStatus.APPROVED:
        return url_for("directory.directory", slug=participation.event.slug, _external=True)
    return url_for("company.dashboard", _external=True)


def send_registration_decisions(session: Session, now: datetime) -> int:
    """E-mail each company's contacts the organisers' decision on its registration, once."""
    from matchmaking.services.decisions import send_decisions

    if not _links_can_be_made("decision e-mails"):
        return 0
    sent = send_decisions(session, current_app.config, now, _decision_link)
    session.commit()
    return sent


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
    JobSpec("send-interpreter-agendas", send_interpreter_agendas, "interval", {"minutes": 1}),
    JobSpec("send-daily-summary", send_daily_summary, "interval", {"minutes": 5}),
    JobSpec("sweep-messages", sweep_messages, "interval", {"minutes": 15}),
    JobSpec("refresh-tallies", refresh_tallies, "interval", {"minutes": 1}),  # embargo ±1 min
    JobSpec("expire-requests", expire_requests, "interval", {"minutes": 5}),
    JobSpec("fail-stale-generations", fail_stale_generations, "interval", {"minutes": 1}),
    JobSpec("refresh-recommendations", refresh_recommendations, "interval", {"minutes": 5}),
    JobSpec("send-import-invitations", send_import_invitations, "interval", {"minutes": 1}),
    JobSpec("send-registration-decisions", send_registration_decisions, "interval", {"minutes": 1}),
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


def build_scheduler(app: Flask, blocking: bool = True, interval: float | None = None) -> Any:
    """The one scheduler: SQLAlchemy job store in the app's database, the registry's jobs.

    ``interval`` (seconds) replaces every interval job's own, for tests and demonstrations.
    """
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
        trigger_args = spec.trigger_args
        if interval is not None and spec.trigger == "interval":
            trigger_args = {"seconds": interval}
        scheduler.add_job(
            run_job,
            trigger=spec.trigger,
            args=[spec.id],
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            **trigger_args,
        )
    return scheduler


# The running scheduler holds a lock, so a second scheduler process refuses to start
# instead of running every job twice (the messages' claims would still stop duplicate
# e-mails, but not duplicate work): on PostgreSQL an advisory lock ("mmsc"), on SQLite an
# exclusive flock on a file next to the database (released by the kernel when the process
# dies, so a crash leaves nothing to clean up).
SCHEDULER_LOCK_KEY = 0x6D6D7363


class SchedulerAlreadyRunning(RuntimeError):
    """Another ``matchmaking scheduler`` process holds the lock."""


SchedulerLock = Connection | IO[str]


def scheduler_lock_path(engine: Engine) -> Path | None:
    """The lock file of a SQLite database file (None for other databases and in-memory ones)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):  # a URI filename; its query string is no part of the name
        database = database[len("file:") :].partition("?")[0]
    path = Path(database)
    return path.with_name(path.name + ".scheduler-lock")


def acquire_scheduler_lock(engine: Engine) -> SchedulerLock | None:
    """Hold the scheduler's lock for this database (None where there is none to hold)."""
    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        locked = connection.scalar(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK_KEY}
        )
        connection.commit()
        if not locked:
            connection.close()
            raise SchedulerAlreadyRunning("another scheduler process is running")
        return connection
    path = scheduler_lock_path(engine)
    if path is None:
        return None
    import fcntl

    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise SchedulerAlreadyRunning(
            f"another scheduler process is running (it holds {path})"
        ) from None
    return handle


def release_scheduler_lock(lock: SchedulerLock | None) -> None:
    """Give the lock back (closing a pooled connection alone would keep an advisory lock)."""
    if lock is None:
        return
    if isinstance(lock, Connection):
        lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEDULER_LOCK_KEY})
        lock.commit()
    lock.close()  # closing the file releases its flock
