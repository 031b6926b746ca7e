"""In a real browser on a phone-sized screen: an organiser marks a no-show during the day, the
freed table is proposed to a free pair, the organiser confirms, and the other company's agenda
shows the new meeting."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from matchmaking.extensions import db
from tests.browser.conftest import browser_app, log_in, serving
from tests.refill_world import ORGANISER, PASSWORD, build_floor, venue_clock

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def clock() -> Iterator[None]:
    """It is 10:05 at the venue for the whole module (server and test)."""
    with venue_clock():
        yield


@pytest.fixture(scope="module")
def floor_names(clock: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    base = tmp_path_factory.mktemp("refill-browser")
    app = browser_app(base)
    with app.app_context():
        db.create_all()
        floor = build_floor(db.session)
        names = {
            "slug": floor.event.slug,
            "organiser": floor.organiser.email,
            "b1": floor.b1.company.legal_name,
            "s1": floor.s1.company.legal_name,
            "s4": floor.s4.company.legal_name,
            "s4_email": floor.email(floor.s4),
            "meeting": str(floor.no_show.id),
            "slot": str(floor.next_slot.id),
        }
        db.session.commit()
    with serving(app) as url:
        names["url"] = url
        yield names


def _phone(browser: Browser, url: str) -> Page:
    context = browser.new_context(
        base_url=url, locale="en-US", timezone_id="UTC", viewport={"width": 360, "height": 740}
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def test_a_refill_proposed_and_accepted_shows_on_the_other_companys_agenda(
    browser: Browser, floor_names: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    names = floor_names
    staff = _phone(browser, names["url"])
    log_in(staff, names["organiser"], ORGANISER[1])
    staff.goto(f"/organiser/events/{names['slug']}/check-in?slot={names['slot']}")
    row = staff.locator(f"#meeting-{names['meeting']}")
    expect(row).to_contain_text(names["s1"])
    row.get_by_role("button", name="No-show").click()
    staff.wait_for_load_state()

    staff.goto(f"/floor/events/{names['slug']}/refills?slot={names['slot']}")
    freed = staff.locator("#freed")
    expect(freed).to_contain_text(names["s4"])
    freed.get_by_role("button", name="Confirm").first.click()
    expect(staff.locator(".flash-success")).to_contain_text("Meeting placed")
    expect(freed).to_contain_text("Refilled")
    expect(staff.locator("#count-accepted")).to_have_text("1")

    other = _phone(browser, names["url"])
    log_in(other, names["s4_email"], PASSWORD)
    other.goto(f"/company/events/{names['slug']}/agenda")
    agenda = other.locator("table.agenda")
    expect(agenda).to_contain_text(names["b1"])
    expect(agenda).to_contain_text("Table 1")
    expect(other.get_by_text("New meeting")).to_be_visible()
