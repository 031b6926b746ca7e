"""In a real browser on a phone-sized screen (360 px), the demo seeded with ``--floor-day``:
floor staff check the demo company in by its code, mark its next meeting a no-show, confirm
the first refill proposal, and both companies' agendas show the new meeting."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select
from werkzeug.serving import make_server

from matchmaking import create_app
from matchmaking.extensions import db
from matchmaking.models import Meeting, User
from matchmaking.models.schedule import MeetingStatus
from matchmaking.models.types import utcnow
from matchmaking.services.company_codes import company_code
from matchmaking.services.demo import DEMO_COMPANY, TZ, publish_demo_schedule, seed_demo
from matchmaking.services.demo_deals import seed_demo_outcomes
from matchmaking.services.demo_floor import DEMO_FLOOR_STAFF, seed_demo_floor_day

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

MORNING = datetime.combine(date(2031, 5, 14), time(10, 5), ZoneInfo(TZ)).astimezone(UTC)
PASSWORD = "company-pass-1"
WIDER_THAN_PHONE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 362).slice(0, 5)
  .map(e => `${e.tagName}.${e.className}: ${(e.textContent || '').trim().slice(0, 60)}`)"""

# The same, but for what is shown: a card table's header row is kept for screen readers only.
OFF_SCREEN = WIDER_THAN_PHONE.replace(".filter(e => ", ".filter(e => !e.closest('thead') && ", 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The floor-day demo served live; it is 10:05 at the venue for the whole module."""
    base = tmp_path_factory.mktemp("demo-floor-browser")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{base / 'app.sqlite'}",
        MAIL_OUTBOX_DIR=str(base / "outbox"),
        SERVER_NAME=None,
        AUTH_RATE_LIMIT="1000 per minute",
    )
    with time_machine.travel(MORNING, tick=True):
        with app.app_context():
            db.create_all()
            now = utcnow()
            event = seed_demo(db.session, now, floor_day=True).event
            publish_demo_schedule(db.session, event, now, time_limit=3)
            seed_demo_outcomes(db.session, event, now, random.Random(7))
            walk = seed_demo_floor_day(db.session, event, now, DEMO_COMPANY[0], random.Random(1))
            assert walk.company is not None and walk.meeting is not None
            assert walk.absent is not None
            names = {
                "slug": event.slug,
                "code": company_code(app.config["SECRET_KEY"], walk.company),
                "company": walk.company.company.legal_name,
                "absent": walk.absent.company.legal_name,
                "meeting": walk.meeting.id,
                "slot": walk.meeting.slot_id,
                "zone": walk.meeting.zone_id,
                "table": walk.meeting.table_number,
            }
            db.session.commit()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        names["url"] = f"http://127.0.0.1:{server.server_port}"
        names["app"] = app
        try:
            yield names
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _phone(browser: Browser, url: str) -> Page:
    context = browser.new_context(
        base_url=url, locale="en-US", timezone_id="UTC", viewport={"width": 360, "height": 740}
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def _login(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _fits(page: Page) -> None:
    """Nothing wider than the phone: no sideways scrolling (the message names what sticks out)."""
    wide = page.evaluate(WIDER_THAN_PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide


def _placed_partner(demo: dict[str, Any]) -> tuple[str, str]:
    """The new meeting's other company (than the walked one): its name, and a login for it."""
    with demo["app"].app_context():
        placed = db.session.scalar(
            select(Meeting).where(
                Meeting.slot_id == demo["slot"],
                Meeting.zone_id == demo["zone"],
                Meeting.table_number == demo["table"],
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.id != demo["meeting"],
            )
        )
        assert placed is not None
        other = next(
            p for p in (placed.buyer, placed.supplier) if p.company.legal_name != demo["company"]
        )
        contact = db.session.scalar(
            select(User).where(User.company_id == other.company_id).order_by(User.id)
        )
        assert contact is not None
        contact.set_password(PASSWORD)  # the other demo contacts have no known password
        db.session.commit()
        result = other.company.legal_name, contact.email
        db.session.remove()
        return result


def test_floor_staff_walk_the_demo_floor_day_on_a_phone(
    browser: Browser, demo: dict[str, Any]
) -> None:  # the clock is the fixture's: 10:05 at the venue
    from playwright.sync_api import expect

    staff = _phone(browser, demo["url"])
    _login(staff, *DEMO_FLOOR_STAFF)
    staff.goto(f"/floor/events/{demo['slug']}/check-in")
    staff.get_by_label("Company code").fill(demo["code"])
    staff.get_by_role("button", name="Find company").click()
    card = staff.locator("#company")
    expect(card).to_contain_text(demo["company"])
    expect(card).to_contain_text("Not checked in today")
    _fits(staff)
    card.get_by_role("button", name="Check in", exact=True).click()
    expect(staff.locator("div.flash-success")).to_contain_text("is checked in for today")

    row = staff.locator(f"#meeting-{demo['meeting']}")
    expect(row).to_contain_text(demo["absent"])
    row.get_by_role("button", name="No-show").click()
    staff.wait_for_load_state()
    expect(
        staff.locator(f"#meeting-{demo['meeting']}").get_by_role("button", name="No-show")
    ).to_have_attribute("aria-pressed", "true")

    staff.get_by_role("link", name="Empty tables to refill").click()
    staff.get_by_label("Slot").select_option(str(demo["slot"]))
    staff.get_by_role("button", name="Show").click()
    freed = staff.locator("#freed")
    expect(freed).to_contain_text(demo["company"])
    _fits(staff)
    freed.get_by_role("button", name="Confirm").first.click()
    expect(staff.locator("div.flash-success")).to_contain_text("Meeting placed")
    expect(freed).to_contain_text("Refilled")

    partner, partner_email = _placed_partner(demo)
    mine = _phone(browser, demo["url"])
    _login(mine, *DEMO_COMPANY)
    mine.goto(f"/company/events/{demo['slug']}/agenda")
    expect(mine.locator("table.agenda")).to_contain_text(partner)
    _fits(mine)
    # The check-in code's heading and code come before its QR code (a walk found the QR
    # code above its heading on a phone).
    heading = mine.locator(".check-in-code h2").bounding_box()
    qr = mine.locator(".check-in-code .qr").bounding_box()
    assert heading is not None and qr is not None and heading["y"] < qr["y"]
    # Its meetings (to propose another time) and their outcomes: every column on the screen,
    # none left in a box scrolled sideways (a walk found the counterpart off-screen there).
    for path in ("/company/events/{}/meetings", "/deals/events/{}/meetings"):
        mine.goto(path.format(demo["slug"]))
        expect(mine.locator("table.list")).to_contain_text(partner)
        assert mine.evaluate(OFF_SCREEN) == [], path

    theirs = _phone(browser, demo["url"])
    _login(theirs, partner_email, PASSWORD)
    theirs.goto(f"/company/events/{demo['slug']}/agenda")
    expect(theirs.locator("table.agenda")).to_contain_text(demo["company"])
