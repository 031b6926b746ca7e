"""The `matchmaking` console command, run as a user would: real process, real exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

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


def run(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MATCHMAKING_CONFIG": "development", "DATABASE_URL": db_url}
    env.pop("FLASK_APP", None)
    return subprocess.run(
        [COMMAND, *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.sqlite'}"
    result = run(url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return url


def test_seed_demo_builds_the_chongqing_sco_event(db_url: str):
    result = run(db_url, "seed-demo", "--if-empty")
    finished = datetime.now(UTC)
    assert result.returncode == 0, result.stderr
    assert "Demo organiser login: organiser@demo.example / demo-organiser" in result.stdout
    engine = create_engine(db_url)
    with Session(engine) as session:
        event = session.scalar(select(Event))
        assert event is not None and event.is_demo and event.status == "closed"
        assert "(demo)" in event.name
        zones = session.scalars(select(Zone).order_by(Zone.position)).all()
        assert [z.code for z in zones] == ["nev", "machinery", "imported"]
        companies = session.scalars(select(Company)).all()
        assert sum(c.country == "CN" for c in companies) == 180
        foreign = {c.country for c in companies if c.country != "CN"}
        assert len([c for c in companies if c.country != "CN"]) == 40
        assert {"RU", "KZ", "UZ", "KG", "TJ", "AM", "MN", "BY", "AZ"} <= foreign
        assert all(c.legal_name.endswith("(demo)") for c in companies)
        slots = session.scalars(select(Slot)).all()
        assert len({s.starts_at.date() for s in slots}) == 2 and len(slots) >= 30
        roles = {p.role for p in session.scalars(select(Participation))}
        assert roles == {"buyer", "supplier", "both"}
        organiser = session.scalar(select(User).where(User.role == "organiser"))
        assert organiser is not None and organiser.check_password("demo-organiser")
        # The story holds: registration closed (above), schedule published, outcomes of the
        # first day's meetings only, none of a meeting that had not ended.
        assert event.registration_deadline < finished
        version = session.scalar(select(ScheduleVersion))
        assert version is not None and version.status == "published"
        assert session.scalars(select(Outcome.id)).first() is not None
        late = select(Outcome.id).join(Meeting).join(Slot).where(Slot.ends_at > finished)
        assert session.scalars(late).all() == []
    engine.dispose()
    again = run(db_url, "seed-demo", "--if-empty")
    assert again.returncode == 0 and "not re-seeded" in again.stdout


def test_create_user_makes_an_organiser(db_url: str):
    result = run(
        db_url,
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
    assert result.returncode == 0, result.stderr
    engine = create_engine(db_url)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.email == "lead@example.org"))
        assert user is not None and user.role == "organiser"
        assert user.check_password("a-long-password")
    engine.dispose()


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
def test_create_user_bad_input_exits_2_with_one_line(db_url: str, args: list[str], message: str):
    result = run(db_url, "create-user", *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in result.stderr


def test_create_user_refuses_a_taken_email(db_url: str):
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
    assert run(db_url, *args).returncode == 0
    again = run(db_url, *args)
    assert again.returncode == 2
    assert "already exists" in again.stderr and len(again.stderr.strip().splitlines()) == 1


def test_unknown_command_exits_2(db_url: str):
    result = run(db_url, "no-such-command")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
