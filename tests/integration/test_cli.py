"""The `matchmaking` command group in process (the test app, its rolled-back transaction), and
one run of the real console script: a real process with real exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from matchmaking.cli import cli
from matchmaking.models import (
    Company,
    Event,
    Meeting,
    Outcome,
    Participation,
    ScheduleVersion,
    Slot,
    User,
    Zone,
)

COMMAND = str(Path(sys.executable).with_name("matchmaking"))


def run(app: Flask, *args: str) -> Result:
    """The command group as the console script runs it, on the test app (and, within the
    ``connection`` fixture, on the test's transaction)."""
    return app.test_cli_runner().invoke(cli, list(args))


def test_the_console_script_migrates_and_creates_a_user(tmp_path: Path):
    """The installed script: app factory from the environment, migrations, a committed row."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    env = {**os.environ, "MATCHMAKING_CONFIG": "development", "DATABASE_URL": url}
    env.pop("FLASK_APP", None)

    def script(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [COMMAND, *args], capture_output=True, text=True, env=env, timeout=120, check=False
        )

    upgraded = script("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    created = script(
        "create-user", "--email", "Lead@Example.org", "--name", "Lead", "--role", "admin",
        "--password", "a-long-password",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "Created admin lead@example.org." in created.stdout
    engine = create_engine(url)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.email == "lead@example.org"))
        assert user is not None and user.role == "admin"
    engine.dispose()


def test_seed_demo_builds_the_chongqing_sco_event(app: Flask, dbs: Session):
    result = run(app, "seed-demo", "--if-empty")
    finished = datetime.now(UTC)
    assert result.exit_code == 0, result.output
    assert "Demo organiser login: organiser@demo.example / demo-organiser" in result.stdout
    event = dbs.scalar(select(Event))
    assert event is not None and event.is_demo and event.status == "closed"
    assert "(demo)" in event.name
    zones = dbs.scalars(select(Zone).order_by(Zone.position)).all()
    assert [z.code for z in zones] == ["nev", "machinery", "imported"]
    companies = dbs.scalars(select(Company)).all()
    assert sum(c.country == "CN" for c in companies) == 180
    foreign = {c.country for c in companies if c.country != "CN"}
    assert len([c for c in companies if c.country != "CN"]) == 40
    assert {"RU", "KZ", "UZ", "KG", "TJ", "AM", "MN", "BY", "AZ"} <= foreign
    assert all(c.legal_name.endswith("(demo)") for c in companies)
    slots = dbs.scalars(select(Slot)).all()
    assert len({s.starts_at.date() for s in slots}) == 2 and len(slots) >= 30
    roles = {p.role for p in dbs.scalars(select(Participation))}
    assert roles == {"buyer", "supplier", "both"}
    organiser = dbs.scalar(select(User).where(User.role == "organiser"))
    assert organiser is not None and organiser.check_password("demo-organiser")
    # The story holds: registration closed (above), schedule published, outcomes of the
    # first day's meetings only, none of a meeting that had not ended.
    assert event.registration_deadline < finished
    version = dbs.scalar(select(ScheduleVersion))
    assert version is not None and version.status == "published"
    assert dbs.scalars(select(Outcome.id)).first() is not None
    late = select(Outcome.id).join(Meeting).join(Slot).where(Slot.ends_at > finished)
    assert dbs.scalars(late).all() == []
    again = run(app, "seed-demo", "--if-empty")
    assert again.exit_code == 0 and "not re-seeded" in again.stdout


def test_create_user_makes_an_organiser(app: Flask, dbs: Session):
    result = run(
        app,
        "create-user",
        "--email",
        "Lead@Example.org",
        "--name",
        "Lead",
        "--role",
        "organiser",
        "--password",
        "a-long-password",
    )
    assert result.exit_code == 0, result.output
    user = dbs.scalar(select(User).where(User.email == "lead@example.org"))
    assert user is not None and user.role == "organiser"
    assert user.check_password("a-long-password")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            [
                "--email",
                "bad",
                "--name",
                "X",
                "--role",
                "reporter",
                "--password",
                "a-long-password",
            ],
            "--email",
            id="bad-email",
        ),
        pytest.param(
            [
                "--email",
                "r@example.org",
                "--name",
                "X",
                "--role",
                "company",
                "--password",
                "a-long-password",
            ],
            "--role",
            id="unknown-role",
        ),
        pytest.param(
            [
                "--email",
                "r@example.org",
                "--name",
                "X",
                "--role",
                "reporter",
                "--password",
                "short",
            ],
            "at least 10 characters",
            id="short-password",
        ),
        pytest.param(
            ["--name", "X", "--role", "reporter", "--password", "a-long-password"],
            "--email",
            id="missing-email",
        ),
        pytest.param(
            [
                "--email",
                "r@example.org",
                "--name",
                " ",
                "--role",
                "reporter",
                "--password",
                "a-long-password",
            ],
            "--name",
            id="blank-name",
        ),
    ],
)
def test_create_user_bad_input_exits_2_with_one_line(
    app: Flask, dbs: Session, args: list[str], message: str
):
    result = run(app, "create-user", *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and message in lines[0]
    assert result.stdout == ""
    assert dbs.scalar(select(User).where(User.email == "r@example.org")) is None


def test_create_user_refuses_a_taken_email(app: Flask, dbs: Session):
    args = [
        "create-user",
        "--email",
        "twice@example.org",
        "--name",
        "Twice",
        "--role",
        "reporter",
        "--password",
        "a-long-password",
    ]
    assert run(app, *args).exit_code == 0
    again = run(app, *args)
    assert again.exit_code == 2
    assert "already exists" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    assert len(dbs.scalars(select(User).where(User.email == "twice@example.org")).all()) == 1


def test_unknown_command_exits_2(app: Flask):
    result = run(app, "no-such-command")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
