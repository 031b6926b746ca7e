"""Sector pickers group each sub-sector under its own parent (issue 15, item 6)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event
from tests.functional.helpers import login, make_participant, make_staff


def _groups(html: str, name: str) -> dict[str, list[str]]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return {
        label: re.findall(r'<option[^>]*value="\d+"[^>]*>([^<]*)</option>', body)
        for label, body in re.findall(
            r'<optgroup label="([^"]*)">(.*?)</optgroup>', select.group(1), re.S
        )
    }


def _expected(event: Event) -> dict[str, list[str]]:
    return {
        top.name: [f"{top.name} · all"]
        + [c.name for c in sorted(top.children, key=lambda s: s.position)]
        for top in event.top_sectors()
    }


@pytest.mark.parametrize(
    "url",
    ["/organiser/events/forum/registrations", "/events/forum/directory"],
)
def test_sector_filter_groups_children_under_their_parent(
    client: FlaskClient, dbs: Session, event: Event, url: str
):
    make_staff(dbs)
    make_participant(dbs, event, "Степь Агро", buys=(("nev.parts", "x"),))
    login(client, "org@example.org", "organiser-password")
    html = client.get(url).get_data(as_text=True)
    groups = _groups(html, "sector")
    assert len(groups) == len(event.top_sectors()) > 1
    assert groups == _expected(event)
