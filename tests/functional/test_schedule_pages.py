"""The schedule pages at scale: free places to move to, why no time fits, a grid with names per
zone and day, a readable change history (issue 15 items 10-12, issue 16)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event, Meeting, MeetingChange, Participation, User
from matchmaking.services import schedule_edits as edits
from tests.conftest import get_csrf
from tests.functional.helpers import (
    login,
    make_meeting,
    make_participant,
    make_slots,
    make_staff,
    sql_statements,
)

BASE = "/organiser/events/forum/schedule"


def _zone(event: Event, code: str) -> Any:
    return next(z for z in event.zones if z.code == code)


def _buyer(dbs: Session, event: Event, name: str, **kw: Any) -> Participation:
    return make_participant(
        dbs,
        event,
        name,
        buys=(("nev.parts", "brakes"), ("agrimachinery.tractors", "tractors")),
        **kw,
    )


def _supplier(dbs: Session, event: Event, name: str, **kw: Any) -> Participation:
    return make_participant(dbs, event, name, "CN", sells=(("nev.parts", "brakes"),), **kw)


@pytest.fixture
def organiser(client: FlaskClient, dbs: Session, event: Event) -> User:
    user = make_staff(dbs)
    assert login(client, "org@example.org", "organiser-password").status_code == 302
    return user


def _move_here_forms(html: str) -> list[dict[str, str]]:
    forms = re.findall(r'<form method="post" class="inline">(.*?)</form>', html, re.S)
    return [
        dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
        for form in forms
        if "Move here" in form
    ]


def test_free_places_are_offered_and_one_click_moves(
    client: FlaskClient, dbs: Session, event: Event, organiser: User
):
    slots = make_slots(dbs, event, 4)
    buyer = _buyer(dbs, event, "Steppe Agro LLP")
    supplier = _supplier(dbs, event, "Changan Parts Co")
    other = _supplier(dbs, event, "Other Parts Co", email="other@example.org")
    nev, machinery = _zone(event, "nev"), _zone(event, "machinery")
    meeting = make_meeting(dbs, buyer, supplier, slots[0], zone=nev, status="draft")
    make_meeting(dbs, buyer, other, slots[1], zone=nev, table=2, version=meeting.version)

    page = client.get(f"{BASE}/1/meetings/{meeting.id}").get_data(as_text=True)
    offered = _move_here_forms(page)
    # slot 1 is taken by the buyer's other meeting; 2 and 3 are offered in the two zones that
    # host the pair's sectors (auto parts; the buyer's tractors), not in imported goods.
    assert {(f["move-slot"], f["move-zone"]) for f in offered} == {
        (str(s.id), str(z.id)) for s in slots[2:] for z in (nev, machinery)
    }
    assert "Imported goods" not in page.split('id="free-places"')[1].split("</table>")[0]

    choice = next(
        f
        for f in offered
        if f["move-zone"] == str(machinery.id) and f["move-slot"] == str(slots[3].id)
    )
    response = client.post(f"{BASE}/1/meetings/{meeting.id}", data=choice)
    assert response.status_code == 302
    dbs.refresh(meeting)
    assert (meeting.slot_id, meeting.zone_id, meeting.table_number) == (
        slots[3].id,
        machinery.id,
        1,
    )
    assert {s.slot_id for s in meeting.seats} == {slots[3].id}


def test_move_to_a_zone_not_hosting_the_pair_is_refused(
    client: FlaskClient, dbs: Session, event: Event, organiser: User
):
    slots = make_slots(dbs, event, 3)
    meeting = make_meeting(
        dbs, _buyer(dbs, event, "Steppe Agro LLP"), _supplier(dbs, event, "Changan Parts Co"),
        slots[0], status="draft",
    )  # fmt: skip
    url = f"{BASE}/1/meetings/{meeting.id}"
    data = {
        "move-csrf_token": get_csrf(client, url),
        "action": "move",
        "move-zone": str(_zone(event, "imported").id),
        "move-slot": str(slots[2].id),
    }
    response = client.post(url, data=data)
    assert response.status_code == 422  # not a choice of the zone select
    dbs.refresh(meeting)
    assert meeting.slot_id == slots[0].id


def test_no_free_place_names_the_constraint(
    client: FlaskClient, dbs: Session, event: Event, organiser: User
):
    slots = make_slots(dbs, event, 3)
    buyer = _buyer(dbs, event, "Steppe Agro LLP")
    supplier = _supplier(dbs, event, "Changan Parts Co")
    meeting = make_meeting(dbs, buyer, supplier, slots[0], status="draft")
    for n, slot in enumerate(slots[1:], start=2):
        other = _buyer(dbs, event, f"Buyer{n} LLP")
        make_meeting(dbs, other, supplier, slot, table=n, version=meeting.version)
    page = unescape(client.get(f"{BASE}/1/meetings/{meeting.id}").get_data(as_text=True))
    assert 'id="no-free-place"' in page
    assert "Changan Parts Co has no other free time" in page
    assert not _move_here_forms(page)


def _company_page(client: FlaskClient, email: str) -> str:
    assert login(client, email, "company-pass-1").status_code == 302
    response = client.get("/company/events/forum/meetings")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_reschedule_form_says_the_other_company_is_busy_in_all_your_free_times(
    client: FlaskClient, dbs: Session, event: Event
):
    slots = make_slots(dbs, event, 4)
    buyer = _buyer(dbs, event, "Steppe Agro LLP")
    supplier = _supplier(dbs, event, "Changan Parts Co")
    meeting = make_meeting(dbs, buyer, supplier, slots[0])
    for n, slot in enumerate(slots[1:3], start=2):  # the supplier is busy when the buyer is free
        other_buyer = _buyer(dbs, event, f"Buyer{n} LLP")
        make_meeting(dbs, other_buyer, supplier, slot, version=meeting.version, table=n)
    other = _supplier(dbs, event, "Other Parts Co", email="other@example.org")
    make_meeting(dbs, buyer, other, slots[3], version=meeting.version, table=5)
    page = _company_page(client, "steppe-kz@example.org")
    row = page.split("Changan Parts Co (")[1].split("</tr>")[0]
    assert "Changan Parts Co is busy or unavailable in all of your 2 free times." in row
    assert "<select" not in row


def test_reschedule_form_says_no_table_is_free(client: FlaskClient, dbs: Session, event: Event):
    slots = make_slots(dbs, event, 2)
    nev = _zone(event, "nev")
    nev.tables = 1
    buyer = _buyer(dbs, event, "Steppe Agro LLP")
    meeting = make_meeting(dbs, buyer, _supplier(dbs, event, "Changan Parts Co"), slots[0])
    make_meeting(
        dbs,
        _buyer(dbs, event, "Buyer2 LLP"),
        _supplier(dbs, event, "Other Parts Co", email="other@example.org"),
        slots[1],
        version=meeting.version,
    )
    page = _company_page(client, "steppe-kz@example.org")
    assert (
        "Both companies are free at 1 times, but no table of New energy vehicles and auto parts "
        "is free then." in page
    )


def test_grid_shows_short_names_linking_to_each_company_day(
    client: FlaskClient, dbs: Session, event: Event, organiser: User
):
    slots = make_slots(dbs, event, 3)
    long_name = "Chongqing Changan Automobile Parts Manufacturing Co"
    buyer = _buyer(dbs, event, "Steppe Agro LLP")
    supplier = _supplier(dbs, event, long_name)
    meeting = make_meeting(dbs, buyer, supplier, slots[1], status="draft")
    second = _buyer(dbs, event, "Tractor Buyer LLP")
    tractors = make_participant(
        dbs, event, "Tractor Works", "CN", sells=(("agrimachinery.tractors", "t"),)
    )
    machinery = _zone(event, "machinery")
    make_meeting(dbs, second, tractors, slots[0], zone=machinery, version=meeting.version)

    html = unescape(client.get(f"{BASE}/1").get_data(as_text=True))
    grid = html.split('id="grid"')[1].split("</section>")[0]
    assert "Steppe Agro LLP" in grid
    assert f'title="{long_name}"' in grid and "Chongqing Changan Aut…" in grid
    assert f"company={supplier.id}" in grid and f"company={buyer.id}" in grid
    assert "Tractor Works" not in grid  # another zone: chosen with the zone selector
    assert f"/meetings/{meeting.id}" in grid

    other = client.get(f"{BASE}/1?zone={machinery.id}").get_data(as_text=True)
    assert "Tractor Works" in other.split('id="grid"')[1].split("</section>")[0]

    day = unescape(client.get(f"{BASE}/1?company={supplier.id}").get_data(as_text=True))
    listed = day.split('id="company-day"')[1].split("</table>")[0]
    assert "Steppe Agro LLP" in listed and f"company={buyer.id}" in listed


def test_changes_are_readable_and_loaded_in_one_query(
    app: Flask, client: FlaskClient, dbs: Session, event: Event, organiser: User
):
    slots = make_slots(dbs, event, 4)
    version = None
    meetings: list[Meeting] = []
    for n in range(3):
        meeting = make_meeting(
            dbs,
            _buyer(dbs, event, f"Buyer{n} LLP"),
            _supplier(dbs, event, f"Supplier{n} Co", email=f"s{n}@example.org"),
            slots[0],
            table=n + 1,
            version=version,
            status="draft",
        )
        version = meeting.version
        meetings.append(meeting)
    for meeting in meetings:
        edits.move_meeting(dbs, meeting, slots[2], None, organiser)
    edits.cancel_meeting(dbs, meetings[0], organiser)
    dbs.flush()

    with sql_statements(app) as statements:
        html = unescape(client.get(f"{BASE}/1").get_data(as_text=True))
    assert sum("meeting_changes" in s for s in statements) == 1
    changes = html.split('id="changes"')[1].split("</table>")[0]
    assert not re.search(r">#\d", changes)  # not "#1103: moved"
    assert changes.count("moved") == 3 and changes.count("cancelled") == 1
    assert "Buyer1 LLP" in changes and "Supplier1 Co" in changes
    assert "table 2" in changes  # where Buyer1 was before its move


def _add_companies(
    dbs: Session, event: Event, version: Any, slots: list[Any], start: int, n: int
) -> None:
    """``n`` more pairs, each meeting in the grid shown, with a recorded change."""
    for i in range(start, start + n):
        meeting = make_meeting(
            dbs,
            _buyer(dbs, event, f"More{i} Buyer", email=f"mb{i}@example.org"),
            _supplier(dbs, event, f"More{i} Supplier", email=f"ms{i}@example.org"),
            slots[i % len(slots)],
            table=2 + i,
            version=version,
        )
        dbs.add(MeetingChange(meeting=meeting, kind="added", after=edits.snapshot(meeting)))
    dbs.flush()


def test_grid_page_cost_does_not_grow_with_the_event(
    app: Flask, client: FlaskClient, dbs: Session, event: Event, organiser: User
):
    slots = make_slots(dbs, event, 4)
    first = make_meeting(
        dbs, _buyer(dbs, event, "Steppe Agro LLP"), _supplier(dbs, event, "Changan Parts Co"),
        slots[0], status="draft",
    )  # fmt: skip
    _add_companies(dbs, event, first.version, slots, 0, 2)

    def cost(url: str) -> int:
        with sql_statements(app) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    urls = [f"{BASE}/1", f"{BASE}/1?company={first.buyer_id}"]
    small = [cost(url) for url in urls]
    _add_companies(dbs, event, first.version, slots, 2, 12)
    assert [cost(url) for url in urls] == small


@pytest.mark.parametrize("arg", ["company", "zone"])
def test_an_overlong_id_in_the_grid_address_is_ignored(
    client: FlaskClient, dbs: Session, event: Event, organiser: User, arg: str
):
    """Found by the fuzz test on PostgreSQL: ?company=2147483648 overflowed the query (500)."""
    slots = make_slots(dbs, event, 2)
    buyer, supplier = _buyer(dbs, event, "Степь Агро"), _supplier(dbs, event, "重庆长安")
    make_meeting(dbs, buyer, supplier, slots[0], status="draft")
    response = client.get(f"{BASE}/1?{arg}=2147483648")
    assert response.status_code == 200
    assert "Степь Агро" in response.get_data(as_text=True)
