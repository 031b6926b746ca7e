"""Organisers set up events; a grid change never drops meetings silently."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, Meeting, MeetingChange, Slot
from matchmaking.services.event_setup import BreakInput, DayInput, plan_grid
from tests.conftest import csrf_from
from tests.functional.helpers import login, make_meeting, make_participant, make_staff

pytestmark = pytest.mark.dates

URL = "/organiser/events/forum/setup"


@pytest.fixture
def organiser(client: FlaskClient, dbs: Session, event: Event) -> FlaskClient:
    make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    return client


def _form(client: FlaskClient, **changes: Any) -> dict[str, Any]:
    """The set-up form as the page shows it, with ``changes`` applied."""
    import re

    html = client.get(URL).get_data(as_text=True)
    data: dict[str, Any] = {"csrf_token": csrf_from(html)}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        if name != "csrf_token":
            data[name] = value
    for match in re.finditer(r'<input([^>]*type="checkbox"[^>]*)>', html):
        attrs = match.group(1)
        name = re.search(r'name="([^"]+)"', attrs).group(1)
        value = re.search(r'value="([^"]*)"', attrs).group(1)
        if "checked" in attrs:
            data.setdefault(name + "[]", []).append(value)
        data.pop(name, None)
    for key in [k for k in data if k.endswith("[]")]:
        data[key[:-2]] = data.pop(key)
    for select_match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(
            r'<option[^>]*selected[^>]*value="([^"]*)"|<option value="([^"]*)"'
            r" selected",
            select_match.group(2),
        )
        if chosen:
            data[select_match.group(1)] = chosen.group(1) or chosen.group(2)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_plan_grid_skips_breaks():
    from datetime import date

    day = date(2026, 6, 12)
    grid = plan_grid(
        "Asia/Shanghai",
        (DayInput(day, time(9), time(11)),),
        (BreakInput(day, time(10), time(10, 30)),),
        20,
    )
    local = [s.astimezone().strftime("%H:%M") for s, _ in grid]
    assert len(grid) == 4  # 09:00 09:20 09:40 | break | 10:30
    assert [s.hour * 60 + s.minute for s, _ in grid] == [60, 80, 100, 150]  # UTC minutes
    assert local


def test_setup_page_and_save(organiser: FlaskClient, event: Event, dbs: Session):
    page = organiser.get(URL)
    assert page.status_code == 200
    data = _form(
        organiser,
        slot_minutes="30",
        **{
            "breaks-0-day": event.start_date.isoformat(),
            "breaks-0-start": "12:00",
            "breaks-0-end": "13:30",
            "breaks-0-label": "Lunch",
        },
    )
    response = organiser.post(URL, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    dbs.expire_all()
    slots = dbs.scalars(select(Slot).where(Slot.retired.is_(False))).all()
    assert slots and all((s.ends_at - s.starts_at).seconds == 1800 for s in slots)
    lunch = [
        s
        for s in slots
        if s.local_start().date() == event.start_date
        and time(12) <= s.local_start().time() < time(13, 30)
    ]
    assert lunch == []
    assert event.breaks[0].label == "Lunch"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param(
            {"days-0-end": "08:00"},
            "Must be later than the start time.",
            id="day-ends-before-start",
        ),
        pytest.param(
            {"slot_minutes": "2"}, "Number must be between 5 and 240.", id="slot-too-short"
        ),
        pytest.param({"zones-0-code": "Bad Code"}, "Use a-z, 0-9 and -.", id="zone-code"),
        pytest.param(
            {"zones-0-tables": ""},
            "A zone needs a name and a number of tables.",
            id="zone-without-tables",
        ),
        pytest.param(
            {
                "weight_sector": "0",
                "weight_text": "0",
                "weight_request": "0",
                "weight_language": "0",
                "weight_capacity": "0",
            },
            "At least one component weight must be positive.",
            id="all-zero-weights",
        ),
        pytest.param(
            {"registration_deadline": "tomorrow"}, "Not a valid datetime value.", id="bad-deadline"
        ),
    ],
)
def test_bad_setup_is_reshown_and_changes_nothing(
    organiser: FlaskClient, event: Event, dbs: Session, changes: dict, message: str
):
    before = event.slot_minutes, len(event.slots)
    response = organiser.post(URL, data=_form(organiser, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    dbs.expire_all()
    assert (event.slot_minutes, len(event.slots)) == before


def test_a_break_after_hours_a_late_deadline_and_a_nameless_zone_are_refused(
    organiser: FlaskClient, event: Event, dbs: Session
):
    """Found by a new organiser: a break at 18:00 on a 09:00-17:30 day and a deadline after
    the event were saved; an empty zone name was blamed on the zone's code."""
    import re

    after = (event.end_date + timedelta(days=7)).isoformat() + "T18:00"
    day = event.start_date.isoformat()
    cases = [
        (
            {"breaks-0-day": day, "breaks-0-start": "18:00", "breaks-0-end": "19:00"},
            "must lie within its day",
        ),
        ({"registration_deadline": after}, "must close before the end of the event"),
        ({"zones-0-name": ""}, "A zone needs a name and a number of tables."),
    ]
    before = event.slot_minutes, len(event.slots), event.registration_deadline
    for changes, message in cases:
        response = organiser.post(URL, data=_form(organiser, **changes))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, changes
        assert message in page, (changes, re.findall(r"error[^>]*>([^<]+)<", page))
    # The zone's error is on its empty name, not on the code typed.
    name_input = re.search(r'<input[^>]*name="zones-0-name"[^>]*>', page)
    code_input = re.search(r'<input[^>]*name="zones-0-code"[^>]*>', page)
    assert name_input and 'aria-invalid="true"' in name_input.group(0)
    assert code_input and 'aria-invalid="true"' not in code_input.group(0)
    dbs.expire_all()
    assert (event.slot_minutes, len(event.slots), event.registration_deadline) == before


def test_grid_change_lists_meetings_it_would_drop_until_confirmed(
    organiser: FlaskClient, event: Event, dbs: Session
):
    buyer = make_participant(dbs, event, "Buyer LLP", buys=(("nev.parts", "x"),))
    supplier = make_participant(dbs, event, "Supplier Co", "CN", sells=(("nev.parts", "x"),))
    assert organiser.post(URL, data=_form(organiser)).status_code == 302  # builds the grid
    dbs.expire_all()
    nine = next(s for s in event.slots if s.local_start().time() == time(9))
    meeting = make_meeting(dbs, buyer, supplier, nine)

    data = _form(organiser, **{"days-0-start": "10:00"})
    refused = organiser.post(URL, data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "1 meeting is in a slot the new grid removes." in html
    assert "Buyer LLP – Supplier Co" in html
    dbs.refresh(meeting)
    assert meeting.status == "scheduled" and not nine.retired

    data["confirm_drop"] = "y"
    assert organiser.post(URL, data=data).status_code == 302
    dbs.expire_all()
    assert meeting.status == "cancelled" and nine.retired
    change = dbs.scalar(select(MeetingChange).where(MeetingChange.meeting_id == meeting.id))
    assert change is not None and change.kind == "cancelled" and change.published


def test_new_event(client: FlaskClient, dbs: Session):
    make_staff(dbs, "admin", "admin@example.org", "admin-password")  # administrators create events
    login(client, "admin@example.org", "admin-password")
    organiser = client
    url = "/organiser/events/new"
    token = csrf_from(organiser.get(url).get_data(as_text=True))
    data = {
        "csrf_token": token,
        "name": "SCO Agro Forum",
        "slug": "sco-agro-2026",
        "venue": "Expo",
        "city": "Chongqing",
        "timezone": "Asia/Shanghai",
        "start_date": "2026-12-01",
        "end_date": "2026-12-02",
        "registration_deadline": "2026-11-28T18:00",
    }
    bad = organiser.post(url, data={**data, "timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and "Unknown timezone" in bad.get_data(as_text=True)
    assert organiser.post(url, data=data).status_code == 302
    event = dbs.scalar(select(Event).where(Event.slug == "sco-agro-2026"))
    assert event is not None and event.status == "draft"
    assert len(event.zones) == 3 and len(event.sectors) > 20
    assert len({s.starts_at.date() for s in event.slots}) == 2
    again = organiser.post(url, data=data)
    assert again.status_code == 409  # the short name is taken: a conflict
    assert "Another event uses this short name." in again.get_data(as_text=True)


def test_company_cannot_reach_setup(client: FlaskClient, event: Event, dbs: Session):
    make_participant(dbs, event, "Buyer LLP", buys=(("nev.parts", "x"),), email="b@example.org")
    login(client, "b@example.org", "company-pass-1")
    assert client.get(URL).status_code == 403
    assert client.get("/organiser/events/new").status_code == 403
    assert dbs.scalar(select(Meeting)) is None


def test_saving_setup_keeps_and_edits_the_zones_sectors(
    organiser: FlaskClient, event: Event, dbs: Session
):
    """The sector -> zone mapping is a set of checkboxes that a save submits as shown."""
    before = {zone.code: sorted(s.id for s in zone.sectors) for zone in event.zones}
    assert any(before.values())
    html = organiser.get(URL).get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*name="zones-0-sectors"[^>]*>', html)
    assert boxes and all('type="checkbox"' in box for box in boxes)
    response = organiser.post(URL, data=_form(organiser))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    dbs.expire_all()
    assert {zone.code: sorted(s.id for s in zone.sectors) for zone in event.zones} == before

    # Move one sector offered but unchecked on the first zone onto it.
    first = event.zones[0]
    unchecked = [b for b in boxes if "checked" not in b]
    assert unchecked
    added_id = int(re.search(r'value="(\d+)"', unchecked[0]).group(1))
    added = next(s for s in event.sectors if s.id == added_id)
    data = _form(organiser)
    for key in [k for k in data if k.endswith("-sectors")]:
        values = data[key] if isinstance(data[key], list) else [data[key]]
        data[key] = [v for v in values if v != str(added_id)]
    data["zones-0-sectors"] = [*data.get("zones-0-sectors", []), str(added_id)]
    response = organiser.post(URL, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    dbs.expire_all()
    assert added in first.sectors


def test_setup_change_that_keeps_the_grid_never_touches_meetings(
    organiser: FlaskClient, event: Event, dbs: Session
):
    """Issue 15 item 2: a grid built with a lunch break the Breaks table does not list (as the
    demo event's was) survives saving a change of an unrelated setting."""
    buyer = make_participant(dbs, event, "Степь Агро", buys=(("nev.parts", "x"),))
    supplier = make_participant(dbs, event, "重庆长安", "CN", sells=(("nev.parts", "x"),))
    lunch = {
        "breaks-0-day": event.start_date.isoformat(),
        "breaks-0-start": "12:00",
        "breaks-0-end": "13:00",
        "breaks-0-label": "Lunch",
    }
    assert organiser.post(URL, data=_form(organiser, **lunch)).status_code == 302
    dbs.expire_all()
    event.breaks.clear()  # the grid keeps its lunch gap; the set-up no longer lists the break
    dbs.flush()
    nine = next(s for s in event.slots if s.local_start().time() == time(9))
    meeting = make_meeting(dbs, buyer, supplier, nine)
    slots_before = sorted((s.starts_at, s.retired) for s in event.slots)

    response = organiser.post(URL, data=_form(organiser, open_request_cap="25"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    dbs.expire_all()
    assert event.open_request_cap == 25
    assert meeting.status == "scheduled"
    assert sorted((s.starts_at, s.retired) for s in event.slots) == slots_before
    assert dbs.scalar(select(MeetingChange).where(MeetingChange.meeting_id == meeting.id)) is None


@pytest.mark.parametrize(
    ("lang", "message"),
    [("ru", "Значение должно быть между 1 и"), ("zh", "数值大小必须介于 1 到")],
)
def test_row_field_messages_are_in_the_readers_language(
    organiser: FlaskClient, event: Event, lang: str, message: str
):
    """Issue 15 item 7: WTForms' own messages on rows of a list (zones, days) are translated."""
    with organiser.session_transaction() as state:
        state["lang"] = lang
    response = organiser.post(URL, data=_form(organiser, **{"zones-0-tables": "0"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Number must be between" not in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"breaks-0-start": "12:00", "breaks-0-end": "13:00"},
            "breaks-0-day",
            "Give the day.",
            id="break-without-day",
        ),
        pytest.param(
            {"breaks-0-day": "x", "breaks-0-start": "12:00", "breaks-0-end": "13:00"},
            "breaks-0-day",
            "Not a valid date value.",
            id="break-day-unreadable",
        ),
        pytest.param(
            {"days-0-start": "25:00"}, "days-0-start", "Not a valid time value.", id="day-start"
        ),
        pytest.param(
            {"breaks-0-label": "x" * 300},
            "breaks-0-label",
            "Field cannot be longer than 120 characters.",
            id="break-label",
        ),
    ],
)
def test_row_errors_are_shown_at_the_field(
    organiser: FlaskClient, event: Event, changes: dict, field: str, message: str
):
    """A refused day or break names its problem beside the field, not only in the banner."""
    before = len(event.breaks)
    response = organiser.post(URL, data=_form(organiser, **changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<p class="error" id="{field}-error">{message}</p>' in html
    assert re.search(
        rf'<input aria-describedby="{field}-error" aria-invalid="true"[^>]*id="{field}"', html
    )
    assert len(event.breaks) == before


def _status_options(html: str) -> list[str]:
    select_html = re.search(r'<select[^>]*name="status"[^>]*>(.*?)</select>', html, re.S)
    assert select_html, "no status field"
    return re.findall(r'<option[^>]*value="([^"]*)"', select_html.group(1))


def test_setup_offers_only_the_statuses_the_event_may_move_to(
    organiser: FlaskClient, event: Event, dbs: Session
):
    assert _status_options(organiser.get(URL).get_data(as_text=True)) == [
        "draft",
        "open",
        "closed",
    ]
    make_participant(dbs, event, "Altai Motors LLP")
    assert _status_options(organiser.get(URL).get_data(as_text=True)) == ["open", "closed"]
    event.status = "archived"
    dbs.flush()
    assert _status_options(organiser.get(URL).get_data(as_text=True)) == ["archived"]


def test_refused_status_change_is_shown_at_the_field(
    organiser: FlaskClient, event: Event, dbs: Session
):
    response = organiser.post(URL, data=_form(organiser, status="archived"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (
        '<p class="error" id="status-error">Close registration before archiving the event.</p>'
        in html
    )
    dbs.expire_all()
    assert event.status == "open"
    assert organiser.post(URL, data=_form(organiser, status="closed")).status_code == 302
    dbs.expire_all()
    assert event.status == "closed"


def test_reopening_registration_needs_a_deadline_ahead(
    organiser: FlaskClient, event: Event, dbs: Session
):
    event.status = "closed"
    event.registration_deadline = datetime.now(UTC) - timedelta(hours=2)
    dbs.flush()
    response = organiser.post(URL, data=_form(organiser, status="open"))
    assert response.status_code == 422
    assert 'id="registration_deadline-error">The registration deadline has passed' in (
        response.get_data(as_text=True)
    )
    dbs.expire_all()
    assert event.status == "closed"
    later = (datetime.now(event.tz) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = _form(organiser, status="open", registration_deadline=later)
    assert organiser.post(URL, data=data).status_code == 302
    dbs.expire_all()
    assert event.status == "open"


def test_slot_length_can_change_back_and_forth(organiser: FlaskClient, event: Event, dbs: Session):
    """A new slot length re-uses start times of retired slots (was a 500: unique start)."""
    assert organiser.post(URL, data=_form(organiser)).status_code == 302  # the 20-minute grid
    for minutes in ("30", "20", "30"):
        response = organiser.post(URL, data=_form(organiser, slot_minutes=minutes))
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        dbs.expire_all()
        active = [s for s in event.slots if not s.retired]
        assert active and {(s.ends_at - s.starts_at).seconds for s in active} == {int(minutes) * 60}
        assert len({s.starts_at for s in active}) == len(active)
