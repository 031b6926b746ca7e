"""Searchable pickers: an organiser finds a company among many by typing, with the keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from matchmaking.models import Event, MeetingRequest, User
from tests.functional.helpers import make_participant, make_staff

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _setup(session) -> None:  # type: ignore[no-untyped-def]
    event = session.scalar(select(Event))
    if session.scalar(select(User).where(User.email == "picker-org@example.org")):
        return  # set up by the module's other test
    make_staff(session, email="picker-org@example.org")
    for n in range(30):
        make_participant(
            session, event, f"Filler{n} Trading", buys=(("nev.parts", "x"),), email=f"f{n}@x.org"
        )
    make_participant(session, event, "Степь Агро", buys=(("nev.parts", "x"),), email="s@x.org")
    make_participant(session, event, "重庆长安 Parts", "CN", sells=(("nev.parts", "x"),))
    session.commit()


def test_ask_on_behalf_with_searchable_pickers(page: Page, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    live_server.query(_setup)
    page.goto("/login")
    page.get_by_label("E-mail").fill("picker-org@example.org")
    page.get_by_label("Password").fill("organiser-password")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/organiser/events/{live_server.event_slug}/requests")

    asking = page.get_by_role("combobox", name="Asking company")
    asking.fill("степь")
    expect(page.get_by_role("option")).to_have_count(1)
    asking.press("ArrowDown")
    asking.press("Enter")
    expect(asking).to_have_value("Степь Агро")

    asked = page.get_by_role("combobox", name="Asked company")
    asked.fill("parts 重庆")
    asked.press("Enter")
    expect(asked).to_have_value("重庆长安 Parts")
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_text("Request recorded.")).to_be_visible()

    def recorded(session) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        rows = session.scalars(select(MeetingRequest))
        return [(r.requester.company.legal_name, r.recipient.company.legal_name) for r in rows]

    assert live_server.query(recorded) == [("Степь Агро", "重庆长安 Parts")]


def test_large_event_pickers_fetch_matches_as_the_organiser_types(
    page: Page, live_server: LiveServer
) -> None:
    """Above PICKER_INLINE_LIMIT companies the page lists none: matches come from the server."""
    from playwright.sync_api import expect

    live_server.query(_setup)
    live_server.app.config["PICKER_INLINE_LIMIT"] = 5
    try:
        page.goto("/login")
        page.get_by_label("E-mail").fill("picker-org@example.org")
        page.get_by_label("Password").fill("organiser-password")
        page.get_by_role("button", name="Log in").click()
        page.goto(f"/organiser/events/{live_server.event_slug}/requests")
        assert "Filler12 Trading" not in page.content()

        asking = page.get_by_role("combobox", name="Asking company")
        asking.fill("filler1")
        options = page.get_by_role("option")
        expect(options).to_have_count(11)  # Filler1, Filler10..19: one page of matches
        asking.press_sequentially("2")
        expect(options).to_have_count(1)
        asking.press("Enter")
        expect(asking).to_have_value("Filler12 Trading")

        asked = page.get_by_role("combobox", name="Asked company")
        asked.fill("parts 重庆")
        expect(page.get_by_role("option")).to_have_text(["重庆长安 Parts"])
        asked.press("Enter")
        expect(asked).to_have_value("重庆长安 Parts")
        page.get_by_role("button", name="Record the request").click()
        expect(page.get_by_text("Request recorded.")).to_be_visible()
    finally:
        live_server.app.config.pop("PICKER_INLINE_LIMIT")

    def last(session) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        row = session.scalars(select(MeetingRequest).order_by(MeetingRequest.id.desc())).first()
        return (row.requester.company.legal_name, row.recipient.company.legal_name)

    assert live_server.query(last) == ("Filler12 Trading", "重庆长安 Parts")


def test_large_event_grid_picker_shows_a_companys_day(page: Page, live_server: LiveServer) -> None:
    """The grid's company picker fetches matches too; choosing one shows that company's day."""
    from playwright.sync_api import expect

    from matchmaking.models import Participation
    from tests.functional.helpers import make_meeting, make_slots

    def schedule(session) -> int:  # type: ignore[no-untyped-def]
        _setup(session)
        event = session.scalar(select(Event))
        by_name = {
            p.company.legal_name: p
            for p in session.scalars(
                select(Participation).where(Participation.event_id == event.id)
            )
        }
        slots = make_slots(session, event, 2)
        meeting = make_meeting(
            session, by_name["Степь Агро"], by_name["重庆长安 Parts"], slots[1], status="draft"
        )
        session.commit()
        return int(meeting.version.number)

    number = live_server.query(schedule)
    live_server.app.config["PICKER_INLINE_LIMIT"] = 5
    try:
        page.goto("/login")
        page.get_by_label("E-mail").fill("picker-org@example.org")
        page.get_by_label("Password").fill("organiser-password")
        page.get_by_role("button", name="Log in").click()
        page.goto(f"/organiser/events/{live_server.event_slug}/schedule/{number}")
        company = page.get_by_role("combobox", name="Company")
        company.fill("step")
        expect(page.locator("ul.picker-list").get_by_role("option")).to_have_text(["Степь Агро"])
        company.press("Enter")
        expect(company).to_have_value("Степь Агро")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#company-day")).to_contain_text("重庆长安 Parts")
    finally:
        live_server.app.config.pop("PICKER_INLINE_LIMIT")
