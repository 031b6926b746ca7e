"""The public press page in Chromium: published totals, inline SVG charts, nothing external."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.orm import Session

from matchmaking.models.types import utcnow
from matchmaking.services.tally import publish_tally
from tests.functional.deals_helpers import make_fair, report
from tests.functional.test_deals_publication import AMOUNTS, COMPANIES, PAIRS
from tests.functional.test_deals_tally import rate

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import LiveServer

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser
SLUG = "press-forum"


@pytest.fixture(scope="module")
def published(live_server: LiveServer) -> LiveServer:
    def build(session: Session) -> None:
        fair = make_fair(session, COMPANIES, PAIRS, slug=SLUG)
        rate(session, fair, "CNY", "1", "0.14")
        for pair, amount in zip(PAIRS, AMOUNTS, strict=True):
            report(session, fair, pair, pair[0], amount=amount)
        publish_tally(session, fair.event, None, fair.organiser, utcnow())
        session.commit()

    live_server.query(build)
    return live_server


def test_press_page_shows_charts_served_by_the_app(page: Page, published: LiveServer) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"/press/events/{SLUG}")
    expect(page.get_by_role("heading", name="Deal totals")).to_be_visible()
    expect(page.locator("#total-cny")).to_have_text("CN¥15,277")
    charts = page.locator("section.dimension svg")
    expect(charts).to_have_count(5)
    expect(page.locator("#by-country svg rect").first).to_be_visible()
    assert page.locator("#by-country").get_by_text("Other").count() >= 1
    assert "Uzbekistan" not in page.content()
    assert all(url.startswith(published.url) for url in requested), requested

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download: Any = info.value
    assert download.suggested_filename == f"{SLUG}-deal-totals.csv"
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[1].startswith("total,,,15277.00,")
