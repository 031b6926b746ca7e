"""Shared fixtures: one app per session; each test runs in a transaction rolled back at its end."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from matchmaking import create_app
from matchmaking.extensions import db, limiter
from matchmaking.models import Event, Sector
from matchmaking.models import user as user_model
from matchmaking.services.taxonomy import install_default_taxonomy

TEST_DB_URL = os.environ.get("MATCHMAKING_TEST_DATABASE_URL")
# The date sweep: MATCHMAKING_TEST_NOW=2028-02-29T23:30:00+00:00 runs the whole session with the
# clock moved to that instant (and ticking on from it), so the tests marked ``dates`` can be
# checked on month and year ends, leap days, and late evenings UTC that are already tomorrow
# in the events' time zones.
TEST_NOW_VARIABLE = "MATCHMAKING_TEST_NOW"
_TRAVEL = pytest.StashKey[time_machine.travel]()
# Hashing stays real (salted PBKDF2) but cheap, so account factories do not dominate the suite.
user_model.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def sweep_instant() -> datetime | None:
    """The instant ``MATCHMAKING_TEST_NOW`` names (with its UTC offset), or None when unset."""
    value = os.environ.get(TEST_NOW_VARIABLE, "").strip()
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(
            f"{TEST_NOW_VARIABLE}={value!r} is not an ISO 8601 date and time"
        ) from None
    if instant.tzinfo is None:
        raise pytest.UsageError(f"{TEST_NOW_VARIABLE}={value!r} needs a UTC offset")
    return instant


def pytest_configure(config: pytest.Config) -> None:
    instant = sweep_instant()
    if instant is not None:
        travel = time_machine.travel(instant, tick=True)
        travel.start()
        config.stash[_TRAVEL] = travel


def pytest_unconfigure(config: pytest.Config) -> None:
    travel = config.stash.get(_TRAVEL, None)
    if travel is not None:
        travel.stop()
        del config.stash[_TRAVEL]


def pytest_report_header(config: pytest.Config) -> str | None:
    instant = sweep_instant()
    return f"clock moved to {instant.isoformat()} ({TEST_NOW_VARIABLE})" if instant else None


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = TEST_DB_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        MAIL_OUTBOX_DIR=str(tmp_path_factory.mktemp("outbox")),
        AUTH_RATE_LIMIT="1000 per minute",
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@contextmanager
def joined_transaction(app: Flask) -> Iterator[Connection]:
    """A connection in an open transaction, rolled back at the end; every session of the app
    (requests included) joins it by savepoints meanwhile."""
    with app.app_context():
        engine = db.engine
    conn = engine.connect()
    outer = conn.begin()
    original = db.session
    db.session = scoped_session(  # type: ignore[assignment]
        sessionmaker(bind=conn, join_transaction_mode="create_savepoint"), scopefunc=_app_ctx_id
    )
    limiter.reset()
    try:
        yield conn
    finally:
        db.session = original  # request sessions were closed at their app context's teardown
        outer.rollback()
        conn.close()


@pytest.fixture
def connection(app: Flask) -> Iterator[Connection]:
    """A connection in an open transaction; every session of the test joins it by savepoints."""
    with joined_transaction(app) as conn:
        yield conn


@pytest.fixture
def dbs(connection: Connection) -> Iterator[Session]:
    """The test's own session (setup and assertions), on the same transaction as requests."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield session
    session.close()


@pytest.fixture
def client(app: Flask, connection: Connection) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def outbox(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """A fresh outbox folder for this test's e-mails."""
    previous = app.config["MAIL_OUTBOX_DIR"]
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")
    yield tmp_path / "outbox"
    app.config["MAIL_OUTBOX_DIR"] = previous


def read_outbox(folder: Path) -> list[EmailMessage]:
    """The e-mails written to ``folder``, oldest first."""
    if not folder.exists():
        return []
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]  # type: ignore[misc]


def mail_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def link_in(message: EmailMessage) -> str:
    match = re.search(r"https?://\S+", mail_text(message))
    assert match, "no link in the e-mail"
    return match.group(0)


def csrf_from(html: str) -> str:
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def get_csrf(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return csrf_from(response.get_data(as_text=True))


def make_event(session: Session, slug: str = "forum", **fields: object) -> Event:
    """An open two-day event a month ahead, with the default taxonomy and zones; flushed.

    Its dates are relative to the (possibly travelled, see ``MATCHMAKING_TEST_NOW``) clock;
    tests compute what they compare with from them.
    """
    now = datetime.now(UTC)
    today = now.date()
    values: dict[str, object] = {
        "slug": slug,
        "name": "Test Chongqing-SCO Forum",
        "venue": "Expo Center",
        "city": "Chongqing",
        "timezone": "Asia/Shanghai",
        "start_date": today + timedelta(days=30),
        "end_date": today + timedelta(days=31),
        "registration_deadline": now + timedelta(days=20),
        "status": "open",
    }
    values.update(fields)
    event = Event(**values)
    install_default_taxonomy(session, event)
    return event


def sector(event: Event, code: str) -> Sector:
    """The event's sector with ``code``."""
    return next(s for s in event.sectors if s.code == code)


@pytest.fixture
def event(dbs: Session) -> Event:
    return make_event(dbs)
