"""Fixtures for the real-browser tests.

Each test module gets its own application on a SQLite file, an outbox folder for e-mails, an
open event with the default taxonomy and a live server on a free port; each test gets a fresh
browser context (no cookies shared between tests). Chromium is Debian's ``/usr/bin/chromium``;
when it is missing the tests are skipped, or fail if ``MATCHMAKING_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from matchmaking import create_app
from matchmaking.extensions import db
from matchmaking.models import Event
from matchmaking.models.types import utcnow
from matchmaking.services.taxonomy import install_default_taxonomy

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path(os.environ.get("MATCHMAKING_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
T = TypeVar("T")
EVENT_SLUG = "browser-forum"
EVENT_NAME = "Browser Test Trade Forum"


def _browser_unavailable(reason: str) -> None:
    """Skip, or fail when the run demands a browser (MATCHMAKING_REQUIRE_BROWSER=1)."""
    if os.environ.get("MATCHMAKING_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (MATCHMAKING_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class LiveServer:
    """The running application and what the tests need to know about it."""

    app: Flask
    url: str
    outbox: Path
    event_slug: str
    event_name: str
    event_days: tuple[date, ...]

    def mails_to(self, address: str) -> list[EmailMessage]:
        """The messages in the outbox addressed to ``address``, oldest first."""
        messages = []
        for path in sorted(self.outbox.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
            with path.open("rb") as handle:
                msg = BytesParser(policy=policy.default).parse(handle)
            if msg["To"] == address:
                messages.append(msg)
        return messages

    def query(self, fn: Callable[[Any], T]) -> T:
        """``fn(db.session)`` in an application context, on a fresh session."""
        with self.app.app_context():
            try:
                return fn(db.session)
            finally:
                db.session.remove()


def browser_app(base: Path) -> Flask:
    """A test application on a SQLite file and an outbox folder under ``base``."""
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{base / 'app.sqlite'}",
        MAIL_OUTBOX_DIR=str(base / "outbox"),
        SERVER_NAME=None,
        AUTH_RATE_LIMIT="1000 per minute",
    )


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """``app`` on a live server at a free port (the URL); afterwards the server stops and the
    application's database connections are closed."""
    werkzeug_log = logging.getLogger("werkzeug")
    log_level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)  # no access log line per request
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        werkzeug_log.setLevel(log_level)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


PHONE = {"width": 360, "height": 740}


def phone_context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A phone-sized, touch browser context on ``base_url``, closed afterwards (for fixtures)."""
    ctx = browser.new_context(
        base_url=base_url, locale="en-US", timezone_id="UTC", viewport=PHONE, has_touch=True
    )
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


def log_in(page: Page, email: str, password: str) -> None:
    """Log in through the login page, as a person would."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    base = tmp_path_factory.mktemp("browser")
    app = browser_app(base)
    today = utcnow().date()
    start = today + timedelta(days=3)
    with app.app_context():
        db.create_all()
        event = Event(
            slug=EVENT_SLUG,
            name=EVENT_NAME,
            venue="Expo Centre",
            city="Chongqing",
            timezone="Asia/Shanghai",
            start_date=start,
            end_date=start + timedelta(days=1),
            registration_deadline=utcnow() + timedelta(days=2),
            status="open",
        )
        install_default_taxonomy(db.session, event)
        db.session.commit()
        days = tuple(event.days)

    with serving(app) as url:
        yield LiveServer(
            app=app,
            url=url,
            outbox=base / "outbox",
            event_slug=EVENT_SLUG,
            event_name=EVENT_NAME,
            event_days=days,
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _browser_unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a test dependency
        _browser_unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="UTC")
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
