"""`matchmaking seed-demo` in process: it refuses the production configuration unless forced."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from click.testing import Result
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from matchmaking.cli import cli
from matchmaking.models import Event
from matchmaking.services.demo import DEMO_SLUG

pytestmark = pytest.mark.dates


def _run(app: Flask, *args: str, config: str) -> Result:
    """The command group as the console script runs it, on the test app and database."""
    runner = app.test_cli_runner()
    return runner.invoke(
        cli,
        list(args),
        obj=ScriptInfo(create_app=lambda: app),
        env={"MATCHMAKING_CONFIG": config},
    )


def _events(session: Session) -> int:
    return session.scalar(select(func.count(Event.id))) or 0


def test_seed_demo_refuses_the_production_configuration(
    app: Flask, connection: Connection, dbs: Session
) -> None:
    result = _run(app, "seed-demo", "--no-schedule", config="production")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "--force" in lines[0]
    assert "Traceback" not in result.stderr
    assert "demo-organiser" not in result.stdout  # no public login printed
    assert _events(dbs) == 0


def test_seed_demo_with_force_seeds_in_production(
    app: Flask, connection: Connection, dbs: Session
) -> None:
    result = _run(app, "seed-demo", "--no-schedule", "--force", config="production")
    assert result.exit_code == 0, result.stderr
    assert dbs.scalar(select(Event).where(Event.slug == DEMO_SLUG)) is not None


def test_seed_demo_needs_no_force_outside_production(
    app: Flask, connection: Connection, dbs: Session
) -> None:
    result = _run(app, "seed-demo", "--no-schedule", config="development")
    assert result.exit_code == 0, result.stderr
    assert "Demo organiser login" in result.stdout
    event = dbs.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    assert event is not None and event.status == "closed"


@pytest.mark.parametrize("size", ["huge", "Large", ""])
def test_seed_demo_refuses_an_unknown_size(
    app: Flask, connection: Connection, dbs: Session, size: str
) -> None:
    result = _run(app, "seed-demo", "--no-schedule", "--size", size, config="development")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "--size" in lines[0]
    assert _events(dbs) == 0


def test_seed_demo_accepts_the_demo_size(app: Flask, connection: Connection, dbs: Session) -> None:
    result = _run(app, "seed-demo", "--no-schedule", "--size", "demo", config="development")
    assert result.exit_code == 0, result.stderr
    assert dbs.scalar(select(Event).where(Event.slug == DEMO_SLUG)) is not None


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("--no-schedule",), id="without-schedule"),
        pytest.param(("--size", "large"), id="large"),
    ],
)
def test_seed_demo_floor_day_refuses_what_has_no_floor_day(
    app: Flask, connection: Connection, dbs: Session, args: tuple[str, ...]
) -> None:
    result = _run(app, "seed-demo", "--floor-day", *args, config="development")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "--floor-day" in lines[0]
    assert _events(dbs) == 0


def test_seed_demo_floor_day_prints_the_walk(
    app: Flask, connection: Connection, dbs: Session
) -> None:
    # 10:05 at the venue: morning meetings held, others to come.
    venue = datetime.combine(date(2031, 5, 14), time(10, 5), ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(venue, tick=True):
        result = _run(app, "seed-demo", "--floor-day", "--time-limit", "2", config="development")
    assert result.exit_code == 0, result.stderr
    event = dbs.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    assert event is not None and event.end_date == date(2031, 5, 14)
    assert "Floor day 2031-05-14 (Asia/Shanghai)" in result.stdout
    walk = re.search(
        r"with code (\d+-[A-Z2-7]{5}-[A-Z2-7]{5});\n  2\. mark its (\d\d:\d\d)", result.stdout
    )
    assert walk is not None, result.stdout
    assert time.fromisoformat(walk.group(2)) > time(10, 5)
    assert "Demo floor staff login: floor@demo.example / demo-floor" in result.stdout


def test_seed_demo_leaves_the_planner_statistics_fresh(
    app: Flask, connection: Connection, dbs: Session
) -> None:
    # On PostgreSQL the planner would otherwise take the freshly filled tables for empty ones
    # until autovacuum analyses them, and join them badly.
    if connection.dialect.name != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    result = _run(app, "seed-demo", "--no-schedule", config="development")
    assert result.exit_code == 0, result.stderr
    rows = dbs.scalar(text("SELECT count(*) FROM participations"))
    estimate = dbs.scalar(
        text("SELECT reltuples FROM pg_class WHERE oid = 'participations'::regclass")
    )
    assert rows and rows > 100 and estimate == rows
