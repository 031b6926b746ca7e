"""The ``matchmaking`` command group (Flask's CLI with the app factory)."""

from __future__ import annotations

import random
import sys
from typing import Any

import click
from flask.cli import FlaskGroup, with_appcontext

from matchmaking import create_app
from matchmaking.errors import DomainError
from matchmaking.models.user import Role


class _Group(FlaskGroup):
    """Flask's group; bad usage or a refusal by a service (``DomainError``) prints one line on
    stderr and exits 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("standalone_mode", False)
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            click.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except DomainError as exc:
            at = f" ({exc.field})" if exc.field else ""
            click.echo(f"error: {exc.message}{at}", err=True)
            sys.exit(2)


cli = _Group(create_app=create_app, help="Business matchmaking for trade conferences.")


@cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no event yet.")
@click.option(
    "--schedule/--no-schedule",
    "with_schedule",
    default=True,
    help="Also generate and publish the demo schedule (default: yes).",
)
@click.option("--force", is_flag=True, help="Seed even with the production configuration.")
@click.option(
    "--size",
    type=click.Choice(["demo", "large"]),
    default="demo",
    help="demo: about 220 companies (default); large: 1,000 buyers and 3,000 suppliers, 3 days.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=1),
    default=None,
    help="Seconds for generating the schedule (default: 10 for demo, 60 for large).",
)
@click.option(
    "--floor-day",
    is_flag=True,
    help="Make today (event time) the demo's second negotiation day, companies arriving, "
    "to walk the floor: check-in, no-shows, live refill.",
)
@with_appcontext
def seed_demo_command(
    if_empty: bool,
    with_schedule: bool,
    force: bool,
    size: str,
    time_limit: float | None,
    floor_day: bool,
) -> None:
    """Create the synthetic Chongqing-SCO demo event and print the demo logins.

    With its schedule the event is under way (first day held yesterday, second tomorrow);
    with --no-schedule it lies a week ahead. Either way registration is closed. --size large
    seeds a separate, large event instead (always under way), which the demo logins can open.
    --floor-day moves the demo two days earlier: today is its second negotiation day, most
    companies are checked in, and one meeting is ready to walk (printed).
    """
    import os
    import time

    from sqlalchemy import func, select

    from matchmaking.extensions import db
    from matchmaking.models import Event
    from matchmaking.models.types import utcnow
    from matchmaking.services.demo import (
        DEMO_COMPANY,
        DEMO_ORGANISER,
        publish_demo_schedule,
        seed_demo,
    )
    from matchmaking.services.demo_deals import seed_demo_outcomes
    from matchmaking.services.demo_floor import DEMO_FLOOR_STAFF, seed_demo_floor_day
    from matchmaking.services.demo_interpreters import DEMO_INTERPRETER
    from matchmaking.services.demo_large import seed_large_demo

    # The demo's logins and passwords are public (README): never in production by accident.
    if os.environ.get("MATCHMAKING_CONFIG") == "production" and not force:
        raise click.UsageError(
            "refusing to seed the demo (public logins) with the production configuration;"
            " add --force to do it anyway"
        )
    if floor_day and (size != "demo" or not with_schedule):
        raise click.UsageError("--floor-day needs the demo size and its schedule")
    now = utcnow()
    if if_empty and db.session.scalar(select(func.count(Event.id))):
        click.echo("Database already has events; demo not re-seeded.")
    else:
        started = time.monotonic()
        if size == "large":
            summary = seed_large_demo(db.session, now)
        else:
            summary = seed_demo(db.session, now, under_way=with_schedule, floor_day=floor_day)
        db.session.commit()
        if summary.created:
            click.echo(
                f"Seeded demo event '{summary.event.name}': {summary.buyers} buyers, "
                f"{summary.suppliers} suppliers (synthetic data)."
            )
            if with_schedule:
                limit = time_limit or (60.0 if size == "large" else 10.0)
                meetings = publish_demo_schedule(db.session, summary.event, now, limit)
                db.session.commit()
                click.echo(f"Published the demo schedule: {meetings} meetings.")
                outcomes = seed_demo_outcomes(db.session, summary.event, now, random.Random(2025))
                db.session.commit()
                click.echo(f"Recorded {outcomes} synthetic meeting outcomes.")
            if floor_day:
                walk = seed_demo_floor_day(
                    db.session, summary.event, now, DEMO_COMPANY[0], random.Random(2025)
                )
                db.session.commit()
                _echo_floor_walk(summary.event, walk)
            _analyse_after_bulk_load()
            if size == "large":
                click.echo(f"Seeding took {time.monotonic() - started:.0f} s.")
        else:
            click.echo("Demo event already present.")
            if floor_day:
                click.echo("Not moved to a floor day: reset the database to seed it afresh.")
    click.echo(f"Demo organiser login: {DEMO_ORGANISER[0]} / {DEMO_ORGANISER[1]}")
    click.echo(f"Demo company login:   {DEMO_COMPANY[0]} / {DEMO_COMPANY[1]}")
    click.echo(f"Demo interpreter login: {DEMO_INTERPRETER[0]} / {DEMO_INTERPRETER[1]}")
    click.echo(f"Demo floor staff login: {DEMO_FLOOR_STAFF[0]} / {DEMO_FLOOR_STAFF[1]}")


def _analyse_after_bulk_load() -> None:
    """PostgreSQL: refresh the planner's statistics after seeding. Until autovacuum gets to
    the freshly filled tables the planner takes each for a row or two and joins them badly
    (about 10 ms of planning for the directory's 8-table join on the demo)."""
    from sqlalchemy import text

    from matchmaking.extensions import db

    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _echo_floor_walk(event: Any, walk: Any) -> None:
    """The floor day's walk: whom to check in, which meeting to mark a no-show."""
    from flask import current_app

    from matchmaking.services.company_codes import company_code

    day = event.end_date.isoformat()
    click.echo(f"Floor day {day} ({event.timezone}): {walk.checked_in} companies checked in.")
    if walk.meeting is None:
        click.echo("No meeting is left to come today: seed again tomorrow.")
        return
    code = company_code(current_app.config["SECRET_KEY"], walk.company)
    company = walk.company.company.legal_name
    starts = walk.meeting.slot.local_start().strftime("%H:%M")
    click.echo(f"Walk it as floor staff, on a phone, at /floor/events/{event.slug}/check-in:")
    click.echo(f"  1. check in {company} with code {code};")
    click.echo(
        f"  2. mark its {starts} meeting with {walk.absent.company.legal_name} "
        "(not arrived) a no-show;"
    )
    click.echo(
        f"  3. at /floor/events/{event.slug}/refills, show the {starts} slot and confirm "
        "its first proposal (the company is on today's standby list);"
    )
    click.echo("  4. both companies' agendas show the new meeting.")


@cli.command("create-user")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option(
    "--role",
    type=click.Choice([Role.ORGANISER.value, Role.REPORTER.value, Role.ADMIN.value]),
    required=True,
    help="Account role (an admin creates events and assigns their organisers).",
)
@click.option(
    "--event",
    "event_slugs",
    multiple=True,
    metavar="SLUG",
    help="An event the organiser manages (repeatable; organisers only).",
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Password (prompted when omitted; at least 10 characters).",
)
@with_appcontext
def create_user_command(
    email: str, full_name: str, role: str, event_slugs: tuple[str, ...], password: str
) -> None:
    """Create an organiser, reporter or administrator account (the only way to become one)."""
    from email_validator import EmailNotValidError, validate_email
    from sqlalchemy import select

    from matchmaking.extensions import db
    from matchmaking.models import Event, User
    from matchmaking.models.types import utcnow
    from matchmaking.services.registration import get_user_by_email, normalise_email

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="--email") from None
    if len(password) < 10:
        raise click.BadParameter("must be at least 10 characters", param_hint="--password")
    if not full_name.strip():
        raise click.BadParameter("must not be empty", param_hint="--name")
    if get_user_by_email(db.session, email) is not None:
        raise click.BadParameter(f"an account with {email} already exists", param_hint="--email")
    if event_slugs and role != Role.ORGANISER:
        raise click.BadParameter("only organisers are assigned to events", param_hint="--event")
    events = []
    for slug in dict.fromkeys(event_slugs):
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        if event is None:
            raise click.BadParameter(f"no event with the short name {slug!r}", param_hint="--event")
        events.append(event)
    user = User(
        email=normalise_email(email),
        full_name=full_name.strip(),
        role=role,
        email_confirmed_at=utcnow(),
    )
    user.set_password(password)
    db.session.add(user)
    for event in events:
        event.organisers.append(user)
    db.session.commit()
    assigned = f", organiser of {', '.join(e.slug for e in events)}" if events else ""
    click.echo(f"Created {role} {user.email}{assigned}.")


@cli.command("scheduler")
@click.option("--once", is_flag=True, help="Run every job once now and exit (for cron or checks).")
@click.option(
    "--interval",
    type=click.IntRange(min=1),
    envvar="MATCHMAKING_SCHEDULER_INTERVAL",
    metavar="SECONDS",
    help="Run every periodic job this often instead of its own interval (tests, demos).",
)
@with_appcontext
def scheduler_command(once: bool, interval: int | None) -> None:
    """Run the job scheduler: agendas, changes, reminders, summaries (run exactly one)."""
    import logging
    import signal

    from flask import current_app

    from matchmaking.extensions import db
    from matchmaking.jobs import (
        JOBS,
        SchedulerAlreadyRunning,
        acquire_scheduler_lock,
        build_scheduler,
        release_scheduler_lock,
        run_job,
        use_app,
    )

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    use_app(app)
    if once:
        for spec in JOBS:
            click.echo(f"{spec.id}: {run_job(spec.id)}")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # a progress line per PDF step
    try:
        lock = acquire_scheduler_lock(db.engine)
    except SchedulerAlreadyRunning as exc:
        raise click.ClickException(str(exc)) from None
    # SIGTERM (a service manager, `kill`) stops like Ctrl-C: the lock is given back.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    scheduler = build_scheduler(app, interval=interval)
    click.echo(f"Scheduler started with {len(JOBS)} jobs: {', '.join(s.id for s in JOBS)}.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
    finally:
        release_scheduler_lock(lock)


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Exit once no generation is queued.")
@click.option("--once", is_flag=True, help="Run at most one generation, then exit.")
@click.option(
    "--poll",
    type=click.FloatRange(min=0.1),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="How often an idle worker looks for queued generations.",
)
@with_appcontext
def worker_command(burst: bool, once: bool, poll: float) -> None:
    """Run queued schedule generations (run one or more, on any machine sharing the database)."""
    import logging
    import signal

    from flask import current_app

    from matchmaking.services.generation import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    worker = Worker(app, poll=poll)
    # SIGTERM (a service manager, `kill`) stops like Ctrl-C: a job under way is queued again.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    click.echo(f"Generation worker {worker.name} started.")
    try:
        done = worker.run(burst=burst, once=once)
    except (KeyboardInterrupt, SystemExit):
        click.echo(f"Generation worker {worker.name} stopped.")
        return
    click.echo(f"Generation worker {worker.name} ran {done} generation(s).")


def _register_solve() -> None:
    try:
        from matchmaking.scheduling.command import solve
    except ImportError:  # the scheduling engine is optional while it is being built
        return
    cli.add_command(solve)


_register_solve()


def main() -> None:
    """Entry point of the ``matchmaking`` console script."""
    cli.main(prog_name="matchmaking")
