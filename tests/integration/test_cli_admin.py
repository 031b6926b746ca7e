"""`create-user --role admin`, `--event` for organisers, and the demo organiser's event."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, User
from matchmaking.services.demo import DEMO_ORGANISER, DEMO_SLUG
from tests.conftest import make_event
from tests.integration.test_cli import run

PASSWORD = "a-long-password"
SLUG = "sco-forum"


@pytest.fixture
def event(dbs: Session) -> Event:
    event = make_event(dbs, slug=SLUG)
    dbs.flush()
    return event


def _user(session: Session, email: str) -> tuple[str, list[str]] | None:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        return None
    events = session.scalars(select(Event).where(Event.organisers.contains(user))).all()
    return (user.role, [e.slug for e in events])


def test_the_demo_organiser_organises_the_demo_event(app: Flask, dbs: Session) -> None:
    seeded = run(app, "seed-demo", "--no-schedule")
    assert seeded.exit_code == 0, seeded.output
    assert _user(dbs, DEMO_ORGANISER[0]) == ("organiser", [DEMO_SLUG])


def test_create_an_admin(app: Flask, dbs: Session) -> None:
    result = run(
        app, "create-user", "--email", "Boss@Example.org", "--name", "Boss",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.org." in result.stdout
    assert _user(dbs, "boss@example.org") == ("admin", [])


def test_create_an_organiser_of_an_event(app: Flask, dbs: Session, event: Event) -> None:
    result = run(
        app, "create-user", "--email", "lead@example.org", "--name", "Lead",
        "--role", "organiser", "--event", SLUG, "--event", SLUG, "--password", PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _user(dbs, "lead@example.org") == ("organiser", [SLUG])


@pytest.mark.parametrize(
    ("role", "slug", "message"),
    [
        pytest.param("organiser", "no-such-event", "no event with the short name", id="unknown"),
        pytest.param("reporter", SLUG, "only organisers are assigned", id="reporter"),
    ],
)
def test_bad_event_exits_2_with_one_line_and_no_account(
    app: Flask, dbs: Session, event: Event, role: str, slug: str, message: str
) -> None:
    result = run(
        app, "create-user", "--email", "nobody@example.org", "--name", "Nobody",
        "--role", role, "--event", slug, "--password", PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "--event" in lines[0]
    assert message in lines[0]
    assert _user(dbs, "nobody@example.org") is None
