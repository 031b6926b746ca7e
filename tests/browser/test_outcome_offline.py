"""In a real browser at phone width: a meeting outcome filled in with no network is kept on the
phone and sent when the network returns; one on a meeting changed meanwhile is listed "Not
saved" with the reason, and the organisers' change stays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from matchmaking.extensions import db
from matchmaking.models import Event, Meeting, Outcome
from matchmaking.models.types import utcnow
from matchmaking.services.taxonomy import install_default_taxonomy
from tests.browser.conftest import LiveServer, browser_app, log_in, phone_context, serving
from tests.functional.helpers import make_company_user, make_meeting, make_slots

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

SLUG = "outcome-forum"
PASSWORD = "buyer-password-1"
SAVED_HERE = "Saved on this phone; it will be sent when the network returns."


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An event that ended yesterday, a buyer with two meetings in its published schedule."""
    base = tmp_path_factory.mktemp("outcome-browser")
    app = browser_app(base)
    now = utcnow()
    with app.app_context():
        db.create_all()
        today = now.date()
        event = Event(
            slug=SLUG,
            name="Outcome Forum",
            venue="Expo Centre",
            city="Chongqing",
            timezone="Asia/Shanghai",
            start_date=today - timedelta(days=2),
            end_date=today - timedelta(days=1),
            registration_deadline=now - timedelta(days=10),
            status="closed",
        )
        install_default_taxonomy(db.session, event)
        session = db.session
        buyer = make_company_user(session, event, status="approved", password=PASSWORD)
        suppliers = [
            make_company_user(
                session,
                event,
                email=f"sales@{name.split()[0].lower()}.cn",
                name=name,
                country="CN",
                status="approved",
            )
            for name in ("Chongqing Brake Systems Co", "Yangtze Gearbox Works")
        ]
        slots = make_slots(session, event, count=2)
        bp = buyer.company.participations[0]
        for i, supplier in enumerate(suppliers):
            make_meeting(session, bp, supplier.company.participations[0], slots[i], table=i + 1)
        session.commit()
    with serving(app) as url:
        yield LiveServer(
            app=app,
            url=url,
            outbox=base / "outbox",
            event_slug=SLUG,
            event_name="Outcome Forum",
            event_days=(),
        )


@pytest.fixture
def context(browser: Any, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A phone-sized browser."""
    yield from phone_context(browser, live_server.url)


def _meeting_id(live_server: LiveServer, table: int) -> int:
    return live_server.query(
        lambda s: s.scalar(select(Meeting.id).where(Meeting.table_number == table))
    )


def _outcomes(live_server: LiveServer, meeting_id: int) -> list[tuple[str, Decimal | None]]:
    return live_server.query(
        lambda s: [
            (o.stage, o.amount)
            for o in s.scalars(select(Outcome).where(Outcome.meeting_id == meeting_id))
        ]
    )


def _fill_offline(page: Page) -> None:
    page.get_by_label("Outcome", exact=True).select_option("signed")
    page.get_by_label("Value (for deals)").fill("250000")
    page.get_by_label("Currency").select_option("CNY")
    page.get_by_role("button", name="Save").click()


def test_an_outcome_entered_offline_is_sent_when_the_network_returns(
    context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    meeting_id = _meeting_id(live_server, 1)
    log_in(page, "buyer@example.kz", PASSWORD)
    page.goto(f"/deals/meetings/{meeting_id}/outcome")
    context.set_offline(True)
    try:
        _fill_offline(page)
        expect(page.get_by_text(SAVED_HERE)).to_be_visible()
        expect(page.get_by_text("Waiting to be sent")).to_be_visible()
        expect(page.get_by_text("Outcome of the meeting with Chongqing Brake")).to_be_visible()
        assert _outcomes(live_server, meeting_id) == []
    finally:
        context.set_offline(False)
    expect(page.get_by_text("Sent now that the network is back: 1 entries.")).to_be_visible()
    assert _outcomes(live_server, meeting_id) == [("signed", Decimal("250000.00"))]
    expect(page.get_by_label("Value (for deals)")).to_have_value("250000.00")
    assert violations == []


def test_an_offline_outcome_on_a_meeting_moved_meanwhile_is_shown_not_saved(
    context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    meeting_id = _meeting_id(live_server, 2)
    log_in(page, "buyer@example.kz", PASSWORD)
    page.goto(f"/deals/meetings/{meeting_id}/outcome")
    context.set_offline(True)
    try:
        _fill_offline(page)
        expect(page.get_by_text(SAVED_HERE)).to_be_visible()

        def organiser_moves_it(session: Any) -> None:  # meanwhile, at the organisers' desk
            meeting = session.get(Meeting, meeting_id)
            meeting.table_number = 7
            meeting.sequence += 1
            session.commit()

        live_server.query(organiser_moves_it)
    finally:
        context.set_offline(False)
    expect(page.get_by_role("heading", name="Not saved")).to_be_visible()
    expect(page.get_by_text("changed by someone else meanwhile")).to_be_visible()
    assert _outcomes(live_server, meeting_id) == []


def test_an_outcome_sent_online_is_saved_or_shown_again_with_the_reason(
    page: Page, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    meeting_id = _meeting_id(live_server, 1)
    log_in(page, "buyer@example.kz", PASSWORD)
    page.goto(f"/deals/meetings/{meeting_id}/outcome")
    page.get_by_label("Outcome", exact=True).select_option("signed")
    page.get_by_label("Currency").select_option("CNY")
    page.get_by_label("Value (for deals)").fill("-5")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Enter a value of zero or more.")).to_be_visible()
    page.get_by_label("Value (for deals)").fill("300000")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/deals/events/{SLUG}/meetings")
    expect(page.get_by_text("The outcome is saved.")).to_be_visible()
    assert _outcomes(live_server, meeting_id) == [("signed", Decimal("300000.00"))]
    expect(page.get_by_text(SAVED_HERE)).to_have_count(0)
