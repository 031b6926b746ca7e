"""Searchable pickers: an organiser finds a company among many by typing, with the keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from matchmaking.models import Event, MeetingRequest
from tests.functional.helpers import make_participant, make_staff

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _setup(session) -> None:  # type: ignore[no-untyped-def]
    event = session.scalar(select(Event))
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
