"""Company pickers on large events (issue 16): the organiser's pickers search the server as
they type instead of listing every company, a typed name works without JavaScript, and the
schedule grid comes ten tables a page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, MeetingRequest, Participation, User
from tests.conftest import get_csrf, make_event
from tests.functional.helpers import (
    login,
    make_company_user,
    make_meeting,
    make_participant,
    make_slots,
    make_staff,
)

SEARCH = "/organiser/events/forum/companies.json"
REQUESTS = "/organiser/events/forum/requests"
GRID = "/organiser/events/forum/schedule/1"


def _people(dbs: Session, event: Event, fillers: int = 25) -> dict[str, Participation]:
    found = {
        "steppe": make_participant(
            dbs, event, "Степь Агро", buys=(("nev.parts", "x"),), email="steppe@x.org"
        ),
        "chongqing": make_participant(
            dbs, event, "重庆长安 Parts", "CN", sells=(("nev.parts", "x"),), email="cq@x.org"
        ),
    }
    for n in range(fillers):
        found[f"filler{n}"] = make_participant(
            dbs, event, f"Filler{n:02d} Trading", buys=(("nev.parts", "x"),), email=f"f{n}@x.org"
        )
    return found


@pytest.fixture
def organiser(client: FlaskClient, dbs: Session, event: Event) -> User:
    user = make_staff(dbs)
    assert login(client, "org@example.org", "organiser-password").status_code == 302
    return user


@pytest.fixture
def large(app: Flask) -> Iterator[None]:
    """Pickers as on a large event: every event counts as too large to list its companies."""
    previous = app.config.get("PICKER_INLINE_LIMIT")
    app.config["PICKER_INLINE_LIMIT"] = 2
    yield
    if previous is None:
        app.config.pop("PICKER_INLINE_LIMIT")
    else:
        app.config["PICKER_INLINE_LIMIT"] = previous


def _names(client: FlaskClient, query: str) -> list[str]:
    response = client.get(SEARCH + query)
    assert response.status_code == 200
    return [row["name"] for row in response.get_json()["results"]]


def test_search_finds_companies_in_any_script_twenty_a_page(
    client: FlaskClient, dbs: Session, event: Event, organiser: User
) -> None:
    _people(dbs, event)
    assert _names(client, "?q=степь") == ["Степь Агро"]
    assert _names(client, "?q=STEP") == ["Степь Агро"]
    assert _names(client, "?q=重庆") == ["重庆长安 Parts"]
    assert _names(client, "?q=parts+zhongqing") == ["重庆长安 Parts"]
    first = client.get(SEARCH + "?q=trading").get_json()
    assert (first["total"], first["pages"], len(first["results"])) == (25, 2, 20)
    assert first["results"][0]["name"] == "Filler00 Trading"
    assert _names(client, "?q=trading&page=2") == [f"Filler{n} Trading" for n in range(20, 25)]
    assert _names(client, "?q=trading&side=sell") == []
    assert _names(client, "?side=sell") == ["重庆长安 Parts"]
    assert client.get(SEARCH + "?side=everyone").status_code == 400


def test_search_is_for_the_events_own_organisers(
    app: Flask, client: FlaskClient, dbs: Session, event: Event
) -> None:
    _people(dbs, event, fillers=0)
    other = make_event(dbs, slug="other-fair")
    dbs.flush()
    make_staff(dbs, email="elsewhere@example.org", events=[other])
    make_company_user(dbs, event, email="company@example.org")
    response = client.get(SEARCH + "?q=step")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert login(client, "company@example.org", "buyer-password-1").status_code == 302
    assert client.get(SEARCH + "?q=step").status_code == 403
    elsewhere = app.test_client()
    assert login(elsewhere, "elsewhere@example.org", "organiser-password").status_code == 302
    assert elsewhere.get(SEARCH + "?q=step").status_code == 404
    assert elsewhere.get("/organiser/events/other-fair/companies.json?q=step").get_json() == {
        "results": [],
        "page": 1,
        "pages": 1,
        "total": 0,
    }


def _ask(client: FlaskClient, **fields: str) -> Any:
    data = {"csrf_token": get_csrf(client, REQUESTS), "message": "", **fields}
    return client.post(REQUESTS, data=data)


def _recorded(dbs: Session) -> list[tuple[str, str]]:
    rows = dbs.scalars(select(MeetingRequest).order_by(MeetingRequest.id))
    return [(r.requester.company.legal_name, r.recipient.company.legal_name) for r in rows]


def test_large_event_requests_page_searches_instead_of_listing_every_company(
    client: FlaskClient, dbs: Session, event: Event, organiser: User, large: None
) -> None:
    people = _people(dbs, event)
    html = client.get(REQUESTS).get_data(as_text=True)
    assert (
        "Filler00 Trading" not in html and "<option" not in html.split('name="requester"')[0][-300:]
    )
    assert 'data-picker-url="/organiser/events/forum/companies.json"' in html

    # Without JavaScript: typed names, resolved by the server.
    assert _ask(client, requester="степь", recipient="重庆").status_code == 302
    assert _recorded(dbs) == [("Степь Агро", "重庆长安 Parts")]

    ambiguous = _ask(client, requester="trading", recipient="重庆长安 Parts")
    assert ambiguous.status_code == 422
    page = unescape(ambiguous.get_data(as_text=True))
    assert "Several companies match “trading”: type more of the name." in page
    assert 'value="trading"' in page  # the typed text is kept
    nobody = _ask(client, requester="Nobody Ltd", recipient="重庆长安 Parts")
    assert nobody.status_code == 422
    assert "No company matches “Nobody Ltd”." in unescape(nobody.get_data(as_text=True))

    # With JavaScript: the picker sent the chosen id beside the name.
    chosen = _ask(
        client,
        requester="Filler07 Trading",
        **{"requester-id": str(people["filler7"].id)},
        recipient="重庆长安 Parts",
        **{"recipient-id": str(people["chongqing"].id)},
    )
    assert chosen.status_code == 302
    assert _recorded(dbs)[-1] == ("Filler07 Trading", "重庆长安 Parts")
    # A stale id (the name typed over) does not win over the typed name.
    stale = _ask(
        client,
        requester="Filler08 Trading",
        **{"requester-id": str(people["filler7"].id)},
        recipient="重庆",
    )
    assert stale.status_code == 302
    assert _recorded(dbs)[-1] == ("Filler08 Trading", "重庆长安 Parts")


def test_small_event_requests_page_lists_every_company(
    client: FlaskClient, dbs: Session, event: Event, organiser: User
) -> None:
    people = _people(dbs, event, fillers=3)
    html = client.get(REQUESTS).get_data(as_text=True)
    assert "data-picker-url" not in html and "Filler02 Trading</option>" in html
    response = _ask(
        client, requester=str(people["steppe"].id), recipient=str(people["chongqing"].id)
    )
    assert response.status_code == 302
    assert _recorded(dbs) == [("Степь Агро", "重庆长安 Parts")]


def _rows(html: str) -> list[str]:
    grid = html.split('id="grid"')[1].split("</section>")[0]
    body = grid.split("<tbody>")[1].split("</tbody>")[0]
    return [row.split("</th>")[0].strip() for row in body.split("<tr><th>")[1:]]


def test_grid_comes_ten_tables_a_page_and_finds_a_typed_company(
    client: FlaskClient, dbs: Session, event: Event, organiser: User, large: None
) -> None:
    people = _people(dbs, event, fillers=2)
    zone = next(z for z in event.zones if z.code == "nev")
    zone.tables = 25
    slots = make_slots(dbs, event, 2)
    first = make_meeting(
        dbs, people["steppe"], people["chongqing"], slots[0], zone, 1, status="draft"
    )
    make_meeting(
        dbs, people["filler1"], people["chongqing"], slots[1], zone, 15, version=first.version
    )
    html = unescape(client.get(f"{GRID}?zone={zone.id}").get_data(as_text=True))
    assert _rows(html) == [str(n) for n in range(1, 11)]
    assert "Степь Агро" in html and "Filler01 Trading" not in html
    assert "Page 1 of 3" in html and "tables=2" in html
    following = re.search(r'<a rel="next" href="([^"]+)"', html)
    assert following and following.group(1).endswith("tables=2#grid")  # opens at the grid
    second = unescape(client.get(f"{GRID}?zone={zone.id}&tables=2").get_data(as_text=True))
    assert _rows(second) == [str(n) for n in range(11, 21)]
    assert "Filler01 Trading" in second.split('id="grid"')[1]
    last = unescape(client.get(f"{GRID}?zone={zone.id}&tables=9").get_data(as_text=True))
    assert _rows(last) == [str(n) for n in range(21, 26)]

    assert "Filler00 Trading" not in html  # no picker lists every company
    day = unescape(client.get(f"{GRID}?company_name=степь&company=").get_data(as_text=True))
    listed = day.split('id="company-day"')[1].split("</table>")[0]
    assert "重庆长安 Parts" in listed
    unknown = unescape(client.get(f"{GRID}?company_name=trading").get_data(as_text=True))
    assert "Several companies match “trading”" in unknown and 'id="company-day"' not in unknown


def test_large_event_grid_adds_a_meeting_by_typed_names(
    client: FlaskClient, dbs: Session, event: Event, organiser: User, large: None
) -> None:
    people = _people(dbs, event, fillers=2)
    zone = next(z for z in event.zones if z.code == "nev")
    slots = make_slots(dbs, event, 2)
    make_meeting(dbs, people["steppe"], people["chongqing"], slots[0], zone, 1, status="draft")
    data = {
        "csrf_token": get_csrf(client, GRID),
        "buyer": "filler01",
        "supplier": "重庆",
        "slot": str(slots[1].id),
        "zone": str(zone.id),
        "table": "",
    }
    assert client.post(f"{GRID}/add", data=data).status_code == 302
    page = unescape(client.get(f"{GRID}?zone={zone.id}").get_data(as_text=True))
    assert "Filler01 Trading" in page.split('id="grid"')[1]
    wrong_side = client.post(f"{GRID}/add", data={**data, "buyer": "重庆"})
    assert wrong_side.status_code == 422
    assert "No company matches “重庆”." in unescape(wrong_side.get_data(as_text=True))


def test_large_event_swap_picker_searches_meetings_by_company(
    client: FlaskClient, dbs: Session, event: Event, organiser: User, large: None
) -> None:
    people = _people(dbs, event, fillers=3)
    zone = next(z for z in event.zones if z.code == "nev")
    slots = make_slots(dbs, event, 3)
    edited = make_meeting(
        dbs, people["steppe"], people["chongqing"], slots[0], zone, 1, status="draft"
    )
    version = edited.version
    others = [
        make_meeting(
            dbs, people[f"filler{n}"], people["chongqing"], slots[n], zone, 2, version=version
        )
        for n in (1, 2)
    ]
    page_url = f"{GRID}/meetings/{edited.id}"
    html = unescape(client.get(page_url).get_data(as_text=True))
    assert "Filler01 Trading" not in html  # the other meetings are not listed in the page
    assert f'data-picker-url="{GRID}/meetings.json?exclude={edited.id}"' in html

    found = client.get(f"{GRID}/meetings.json?q=filler&exclude={edited.id}").get_json()
    assert [row["id"] for row in found["results"]] == [m.id for m in others]
    assert "Filler01 Trading – 重庆长安 Parts" in found["results"][0]["name"]
    mine = client.get(f"{GRID}/meetings.json?q=степь&exclude={edited.id}").get_json()
    assert mine["total"] == 0  # the edited meeting itself is never offered

    def swap(other: str) -> Any:
        data = {"csrf_token": get_csrf(client, page_url), "action": "swap", "swap-other": other}
        return client.post(page_url, data=data)

    several = swap("重庆")
    assert several.status_code == 422
    assert "Several meetings match “重庆”" in unescape(several.get_data(as_text=True))
    assert swap("filler02 parts").status_code == 302
    dbs.expire_all()
    assert (edited.slot_id, others[1].slot_id) == (slots[2].id, slots[0].id)
