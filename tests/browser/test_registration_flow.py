"""A company registers, confirms its e-mail, logs in and edits its availability, in Chromium."""

from __future__ import annotations

import os
import re
from datetime import time
from typing import TYPE_CHECKING

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from matchmaking.models import Availability, Company, Participation, User

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import LiveServer

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
CONFIRM_LINK = re.compile(r"http://127\.0\.0\.1:\d+/confirm/[A-Za-z0-9_.\-]+")
SCREENSHOT = os.environ.get("MATCHMAKING_BROWSER_SCREENSHOT")  # e.g. /tmp/browser-dashboard.png


def hours(h1: int, m1: int, h2: int, m2: int) -> str:
    """Hours as the English pages write them (Babel's short time, e.g. "9:00 AM–5:30 PM")."""
    from datetime import time

    from babel.dates import format_time

    start = format_time(time(h1, m1), "short", locale="en")
    return f"{start}–{format_time(time(h2, m2), 'short', locale='en')}"


def fill_registration(
    page: Page, server: LiveServer, *, email: str, company: str, confirm: str = PASSWORD
) -> None:
    """Open the event, follow "Register your company" and fill in the whole form."""
    page.goto(f"/events/{server.event_slug}/")
    expect(page.get_by_role("heading", name=server.event_name)).to_be_visible()
    page.get_by_role("link", name="Register your company").click()
    expect(page).to_have_url(re.compile(rf"/events/{server.event_slug}/register$"))
    expect(page.get_by_role("heading", name="Register your company")).to_be_visible()

    account = page.get_by_role("group", name="Your account")
    account.get_by_label("Your full name").fill("Aigerim Nurlanovna")
    account.get_by_label("Position").fill("Procurement director")
    account.get_by_label("E-mail").fill(email)
    account.get_by_label("Password", exact=True).fill(PASSWORD)
    account.get_by_label("Repeat the password").fill(confirm)

    firm = page.get_by_role("group", name="Your company")
    firm.get_by_label("Legal name of the company").fill(company)
    firm.get_by_label("Country", exact=True).select_option("KZ")
    firm.get_by_label("City").fill("Almaty")
    firm.get_by_role("checkbox", name="Russian", exact=True).check()

    buys = page.get_by_role("group", name="What you want to buy")
    buys.get_by_label("Sector").first.select_option(label="Tractors")
    buys.get_by_label("Products").first.fill("wheeled tractors, 80-120 hp")

    first_day = server.event_days[0].isoformat()
    attend = page.get_by_role("group", name="When you can attend")
    expect(attend.get_by_label(f"Attending {first_day}")).to_be_checked()
    expect(attend.get_by_label(f"From {first_day}")).to_have_value("09:00")
    expect(attend.get_by_label(f"Until {first_day}")).to_have_value("17:30")

    page.get_by_label("List our company in the participant directory").check()
    page.get_by_label("I agree that the organisers process these data").check()
    page.get_by_role("button", name="Register", exact=True).click()


def test_register_confirm_login_and_edit_availability(page: Page, live_server: LiveServer) -> None:
    server = live_server
    email = "buyer@steppe-agro.example"
    company = "Steppe Agro LLP"
    first_day, second_day = server.event_days[0], server.event_days[1]

    # 1-2. Register from the event page.
    fill_registration(page, server, email=email, company=company)
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/events/{server.event_slug}/register/done$"))

    # 3. The confirmation e-mail carries a link to this server; opening it confirms the address.
    mails = server.mails_to(email)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    assert mails[0]["Subject"] == "Confirm your e-mail address"
    body = mails[0].get_body(preferencelist=("plain",)).get_content()
    match = CONFIRM_LINK.search(body)
    assert match is not None, body
    assert match.group().startswith(server.url + "/confirm/")
    page.goto(match.group())
    expect(page).to_have_url(server.url + "/login")
    expect(page.get_by_role("status")).to_have_text(
        "Your e-mail address is confirmed. You can log in now."
    )

    # 4. Log in: the company dashboard lists the event.
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(server.url + "/company/")
    expect(page.get_by_role("heading", name=company, level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=server.event_name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Pending review")
    summary = row.locator(".availability-summary")
    day_label = format_date(first_day, "medium", locale="en")
    expect(summary).to_contain_text(f"{day_label} {hours(9, 0, 17, 30)}")

    # 5. Edit the event details: leave at noon on the first day.
    row.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(server.url + f"/company/events/{server.event_slug}")
    expect(page.get_by_role("heading", name=server.event_name)).to_be_visible()
    buys = page.get_by_role("group", name="What you want to buy")
    expect(buys.get_by_label("Products").first).to_have_value("wheeled tractors, 80-120 hp")
    until = page.get_by_label(f"Until {first_day.isoformat()}")
    expect(until).to_have_value("17:30")
    until.fill("12:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your details for this event are saved.")
    expect(page.get_by_label(f"Until {first_day.isoformat()}")).to_have_value("12:00")

    page.get_by_role("link", name="My company").click()
    expect(page).to_have_url(server.url + "/company/")
    summary = (
        page.get_by_role("row").filter(has_text=server.event_name).locator(".availability-summary")
    )
    expect(summary).to_contain_text(f"{day_label} {hours(9, 0, 12, 0)}")
    second_label = format_date(second_day, "medium", locale="en")
    expect(summary).to_contain_text(f"{second_label} {hours(9, 0, 17, 30)}")
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)

    # The database agrees.
    def stored(session):  # type: ignore[no-untyped-def]
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None and user.email_confirmed_at is not None
        windows = session.scalars(
            select(Availability)
            .join(Availability.participation)
            .where(Participation.company_id == user.company_id)
            .order_by(Availability.day)
        ).all()
        return [(w.day, w.start_time, w.end_time) for w in windows]

    assert server.query(stored) == [
        (first_day, time(9, 0), time(12, 0)),
        (second_day, time(9, 0), time(17, 30)),
    ]


def test_mismatched_passwords_reshow_the_form(page: Page, live_server: LiveServer) -> None:
    server = live_server
    email = "seller@mismatch.example"
    company = "Mismatch Trading LLP"

    fill_registration(page, server, email=email, company=company, confirm="another password")

    expect(page).to_have_url(re.compile(rf"/events/{server.event_slug}/register$"))
    expect(page.get_by_role("heading", name="Register your company")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("Please correct the fields marked below.")
    repeat = page.get_by_label("Repeat the password")
    expect(repeat).to_have_attribute("aria-invalid", "true")
    expect(repeat).to_have_accessible_description("The passwords differ.")
    expect(page.locator("#confirm-error")).to_have_text("The passwords differ.")
    # Everything else is kept (passwords are never sent back).
    expect(page.get_by_label("Legal name of the company")).to_have_value(company)
    expect(page.get_by_label("E-mail")).to_have_value(email)
    expect(page.get_by_label("Country", exact=True)).to_have_value("KZ")
    expect(page.get_by_label("City")).to_have_value("Almaty")
    expect(page.get_by_role("checkbox", name="Russian", exact=True)).to_be_checked()
    buys = page.get_by_role("group", name="What you want to buy")
    expect(buys.get_by_label("Products").first).to_have_value("wheeled tractors, 80-120 hp")
    expect(page.get_by_label("I agree that the organisers process these data")).to_be_checked()

    def created(session):  # type: ignore[no-untyped-def]
        companies = session.scalar(
            select(func.count()).select_from(Company).where(Company.legal_name == company)
        )
        users = session.scalar(select(func.count()).select_from(User).where(User.email == email))
        return companies, users

    assert server.query(created) == (0, 0)
    assert server.mails_to(email) == []
