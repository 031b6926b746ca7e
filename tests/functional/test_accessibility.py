"""Form fields point screen readers at their hints and errors, never at nothing (issue 15, 16)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event
from tests.conftest import csrf_from
from tests.functional.helpers import login, make_staff


def _check_described_by(html: str) -> int:
    """Every aria-describedby names ids present on the page; returns how many were checked."""
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    refs = re.findall(r'aria-describedby="([^"]*)"', html)
    for ref in refs:
        assert ref.strip() and ref != "None", ref
        for target in ref.split():
            assert target in ids, f"aria-describedby names a missing id {target!r}"
    return len(refs)


def test_fields_describe_only_what_exists(client: FlaskClient, dbs: Session, event: Event):
    checked = _check_described_by(client.get("/login").get_data(as_text=True))
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    checked += _check_described_by(page)
    refused = client.post(
        f"/events/{event.slug}/register", data={"csrf_token": csrf_from(page), "email": "x"}
    )
    assert refused.status_code in (400, 422)
    html = refused.get_data(as_text=True)
    assert _check_described_by(html) > 0  # the refused fields point at their messages
    make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    checked += _check_described_by(
        client.get(f"/organiser/events/{event.slug}/setup").get_data(as_text=True)
    )
    assert 'aria-describedby="None"' not in html


def test_favicon_is_served(client: FlaskClient):
    """Every page links the app's icon, and /favicon.ico (asked by browsers) leads to it."""
    html = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in html
    response = client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    response.close()
