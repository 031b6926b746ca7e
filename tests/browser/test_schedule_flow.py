"""In a real browser, an organiser goes from the demo registrations to a published schedule."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from matchmaking import create_app
from matchmaking.extensions import db
from matchmaking.models import Meeting, ScheduleVersion
from matchmaking.models.types import utcnow
from matchmaking.services.demo import DEMO_ORGANISER, DEMO_SLUG, seed_demo
from matchmaking.services.reschedule import possible_slots
from tests.browser.conftest import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo event (no schedule yet), generation by a worker (a thread here) as in production."""
    base = tmp_path_factory.mktemp("schedule-browser")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{base / 'app.sqlite'}",
        MAIL_OUTBOX_DIR=str(base / "outbox"),
        AUTH_RATE_LIMIT="1000 per minute",
        SCHEDULE_SYNC=False,
    )
    with app.app_context():
        db.create_all()
        summary = seed_demo(db.session, utcnow(), under_way=False)  # as `--no-schedule`
        db.session.commit()
        days = tuple(summary.event.days)
        name = summary.event.name
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    from matchmaking.services.generation import Worker

    worker = Worker(app, name="browser-test-worker", poll=0.2)
    working = threading.Thread(target=worker.run, daemon=True)
    working.start()
    try:
        yield LiveServer(
            app=app,
            url=f"http://127.0.0.1:{server.server_port}",
            outbox=base / "outbox",
            event_slug=DEMO_SLUG,
            event_name=name,
            event_days=days,
        )
    finally:
        worker.stop()
        working.join(timeout=120)
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_generate_move_and_publish_the_demo_schedule(page: Page, live_server: LiveServer):
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("E-mail").fill(DEMO_ORGANISER[0])
    page.get_by_label("Password").fill(DEMO_ORGANISER[1])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Organiser console")).to_be_visible()

    # Registrations are there to start from.
    page.get_by_role("link", name="Registrations", exact=True).click()
    expect(page.get_by_text("220 registrations")).to_be_visible()

    page.goto(f"/organiser/events/{DEMO_SLUG}/schedule/")
    page.get_by_label("Time limit in seconds").fill("4")
    page.get_by_role("button", name="Generate schedule").click()
    # The progress page refreshes itself until the draft is ready.
    expect(page.get_by_role("heading", name=re.compile("Version 1"))).to_be_visible()
    expect(page.get_by_role("heading", name="Quality report")).to_be_visible(timeout=60_000)
    meetings_shown = int(page.locator("#q-meetings").inner_text())
    assert meetings_shown > 200

    with live_server.app.app_context():
        version = db.session.scalar(select(ScheduleVersion))
        meeting = next(m for m in version.meetings if m.status == "scheduled")
        target = possible_slots(db.session, meeting)[-1]
        meeting_id, target_id = meeting.id, target.id
        old_slot = meeting.slot_id
        db.session.remove()

    page.goto(f"/organiser/events/{DEMO_SLUG}/schedule/1/meetings/{meeting_id}")
    page.get_by_label("New time").select_option(str(target_id))
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Meeting moved.")).to_be_visible()

    page.get_by_role("link", name="Back to version 1").click()
    page.get_by_role("link", name="Publish this schedule…").click()
    # The confirmation page says what publishing does before anything is sent.
    expect(page.locator("#publication-summary")).to_contain_text("become the schedule")
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("Tick the box to confirm the publication.")).to_be_visible()
    page.get_by_label("I have checked the summary: publish and send the e-mails").check()
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("Schedule published.")).to_be_visible()
    expect(page.get_by_text("Published", exact=True)).to_be_visible()

    with live_server.app.app_context():
        version = db.session.scalar(select(ScheduleVersion))
        moved = db.session.get(Meeting, meeting_id)
        assert version.status == "published"
        assert moved.slot_id == target_id != old_slot
        assert {seat.slot_id for seat in moved.seats} == {target_id}
        db.session.remove()
