"""Chromium enforces the Content-Security-Policy, and the pages work under it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _violations(page: Page) -> list[str]:
    """Console messages in which Chromium reports a blocked resource or script."""
    found: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", record)
    return found


def test_pages_load_without_policy_violations(page: Page, live_server: LiveServer) -> None:
    violations = _violations(page)
    for path in ("/", "/login", f"/events/{live_server.event_slug}/", "/reset"):
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert "frame-ancestors 'none'" in (response.header_value("content-security-policy") or "")
        # The stylesheet came through style-src 'self'.
        font = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert "Noto Sans" in font, (path, font)
    assert violations == []


def test_injected_inline_script_is_refused(page: Page, live_server: LiveServer) -> None:
    page.goto("/login")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as report:
        ran = page.evaluate(
            """() => {
                const script = document.createElement('script');
                script.textContent = 'window.injected = true';
                document.body.appendChild(script);
                return window.injected === true;
            }"""
        )
    assert ran is False
    assert "script-src" in report.value.text
