"""`create-user --role admin`, `--event` for organisers, and the demo organiser's event."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from matchmaking.models import Event, User
from matchmaking.services.demo import DEMO_ORGANISER, DEMO_SLUG
from tests.integration.test_cli import run

PASSWORD = "a-long-password"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli-admin') / 'cli.sqlite'}"
    assert run(url, "db", "upgrade").returncode == 0
    seeded = run(url, "seed-demo", "--no-schedule")
    assert seeded.returncode == 0, seeded.stderr
    return url


def _user(db_url: str, email: str) -> tuple[str, list[str]] | None:
    engine = create_engine(db_url)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.email == email))
        found = None
        if user is not None:
            events = session.scalars(select(Event).where(Event.organisers.contains(user))).all()
            found = (user.role, [e.slug for e in events])
    engine.dispose()
    return found


def test_the_demo_organiser_organises_the_demo_event(db_url: str) -> None:
    assert _user(db_url, DEMO_ORGANISER[0]) == ("organiser", [DEMO_SLUG])


def test_create_an_admin(db_url: str) -> None:
    result = run(
        db_url, "create-user", "--email", "Boss@Example.org", "--name", "Boss",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Created admin boss@example.org." in result.stdout
    assert _user(db_url, "boss@example.org") == ("admin", [])


def test_create_an_organiser_of_an_event(db_url: str) -> None:
    result = run(
        db_url, "create-user", "--email", "lead@example.org", "--name", "Lead",
        "--role", "organiser", "--event", DEMO_SLUG, "--event", DEMO_SLUG, "--password", PASSWORD,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _user(db_url, "lead@example.org") == ("organiser", [DEMO_SLUG])


@pytest.mark.parametrize(
    ("role", "slug", "message"),
    [
        pytest.param("organiser", "no-such-event", "no event with the short name", id="unknown"),
        pytest.param("reporter", DEMO_SLUG, "only organisers are assigned", id="reporter"),
    ],
)
def test_bad_event_exits_2_with_one_line_and_no_account(
    db_url: str, role: str, slug: str, message: str
) -> None:
    result = run(
        db_url, "create-user", "--email", "nobody@example.org", "--name", "Nobody",
        "--role", role, "--event", slug, "--password", PASSWORD,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "--event" in lines[0]
    assert message in lines[0]
    assert _user(db_url, "nobody@example.org") is None
