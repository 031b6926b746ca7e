"""From registrations to a published schedule: generate, inspect, edit, publish (organisers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking import scheduling
from matchmaking.models import (
    Event,
    Meeting,
    MeetingChange,
    MeetingRequest,
    MeetingSeat,
    ScheduleVersion,
    Slot,
)
from matchmaking.scheduling import quality
from tests.conftest import csrf_from, get_csrf
from tests.functional.helpers import login, make_participant, make_slots, make_staff

BASE = "/organiser/events/forum/schedule"


@pytest.fixture
def fair(dbs: Session, event: Event) -> dict[str, Any]:
    """Three buyers and three suppliers of auto parts and tractors, six slots."""
    slots = make_slots(dbs, event, 6)
    buyers = [
        make_participant(
            dbs,
            event,
            f"Buyer{i} LLP",
            country=c,
            buys=(
                ("nev.parts", "brake systems gearboxes"),
                ("agrimachinery.tractors", "wheeled tractors"),
            ),
        )
        for i, c in enumerate(["KZ", "RU", "UZ"])
    ]
    suppliers = [
        make_participant(
            dbs,
            event,
            f"Supplier{i} Co",
            country="CN",
            languages=("zh", "ru"),
            sells=(("nev.parts", "brake systems"),)
            if i % 2 == 0
            else (("agrimachinery.tractors", "wheeled tractors"),),
        )
        for i in range(3)
    ]
    make_staff(dbs)
    return {"slots": slots, "buyers": buyers, "suppliers": suppliers}


@pytest.fixture
def organiser(client: FlaskClient, fair: dict[str, Any]) -> FlaskClient:
    assert login(client, "org@example.org", "organiser-password").status_code == 302
    return client


def _generate(client: FlaskClient, seconds: str = "5") -> Any:
    token = get_csrf(client, BASE + "/")
    return client.post(BASE + "/generate", data={"time_limit": seconds, "csrf_token": token})


def _version(dbs: Session, number: int = 1) -> ScheduleVersion:
    version = dbs.scalar(select(ScheduleVersion).where(ScheduleVersion.number == number))
    assert version is not None
    dbs.refresh(version)
    return version


def test_generate_builds_a_draft_with_quality_report(organiser: FlaskClient, dbs: Session):
    response = _generate(organiser)
    assert response.status_code == 302 and response.location.endswith(BASE + "/1")
    version = _version(dbs)
    assert version.status == "draft"
    meetings = [m for m in version.meetings if m.status == "scheduled"]
    assert len(meetings) == 9  # every buyer wants parts and tractors: it meets all three
    assert all(len(m.seats) == 2 for m in meetings)
    report = version.report
    assert report["figures"]["meetings"] == 9
    assert report["score"]["percent_of_bound"] == pytest.approx(100.0)
    page = organiser.get(BASE + "/1").get_data(as_text=True)
    assert "Quality report" in page and 'id="q-meetings">9<' in page
    assert "Publish this schedule" in page


def test_figures_that_do_not_fit_the_time_limit_are_shown_as_skipped(
    organiser: FlaskClient, dbs: Session, monkeypatch: pytest.MonkeyPatch
):
    # The time limit covers the quality figures too: an upper bound estimated to need far
    # more than the limit is left out, and the page says so instead of failing.
    monkeypatch.setitem(quality.SECONDS_PER_PAIR, "bound", 1000.0)
    _generate(organiser, "2")
    version = _version(dbs)
    assert version.status == "draft"
    assert [item["figure"] for item in version.report["skipped"]] == ["bound"]
    assert version.report["must"]["bound"] is None
    assert version.report["breaks"]["baseline"] is not None
    page = organiser.get(BASE + "/1").get_data(as_text=True)
    assert 'id="q-must-bound">—<' in page and 'id="q-score-bound">—<' in page
    assert "Not computed within the time limit: the upper bound." in page
    assert 'id="q-meetings">9<' in page


def test_report_matches_solving_the_stored_instance(organiser: FlaskClient, dbs: Session):
    _generate(organiser)
    version = _version(dbs)
    instance = scheduling.parse_instance(version.instance)
    again = scheduling.solve(instance, 5)
    mine = quality.report(instance, again.meetings)
    for key in ("must", "score", "breaks"):
        assert mine[key] == {**version.report[key]}, key
    assert {(m.buyer, m.supplier) for m in again.meetings} == {
        (str(m.buyer_id), str(m.supplier_id)) for m in version.meetings
    }


def test_instance_download_is_the_exchange_format(organiser: FlaskClient, dbs: Session):
    _generate(organiser)
    data = organiser.get(BASE + "/1/instance.json").get_json()
    assert data["format"] == "matchmaking-instance/1"
    assert len(data["slots"]) == 6 and {z["id"] for z in data["zones"]} == {
        "nev",
        "machinery",
        "imported",
    }
    scheduling.parse_instance(data)  # valid


def test_accepted_request_is_a_must_meet_pair(
    organiser: FlaskClient, dbs: Session, fair: dict[str, Any], event: Event
):
    buyer, supplier = fair["buyers"][0], fair["suppliers"][1]
    dbs.add(
        MeetingRequest(
            event_id=event.id,
            requester=buyer,
            recipient=supplier,
            buyer=buyer,
            supplier=supplier,
            pair_key=f"{buyer.id}-{supplier.id}",
            status="accepted",
            expires_at=event.registration_deadline,
        )
    )
    dbs.flush()
    _generate(organiser)
    version = _version(dbs)
    assert version.report["must"]["scheduled"] == 1 == version.report["must"]["total"]
    must = [m for m in version.meetings if m.must]
    assert [(m.buyer_id, m.supplier_id) for m in must] == [(buyer.id, supplier.id)]


def _meeting_page(client: FlaskClient, meeting: Meeting) -> str:
    return f"{BASE}/{meeting.version.number}/meetings/{meeting.id}"


def _post_action(client: FlaskClient, meeting: Meeting, action: str, **fields: Any) -> Any:
    url = _meeting_page(client, meeting)
    token = get_csrf(client, url)
    prefix = {"move": "move-", "swap": "swap-", "lock": "lock-", "cancel": "act-"}[action]
    data = {f"{prefix}{k}": v for k, v in fields.items()}
    data.update({f"{prefix}csrf_token": token, "action": action})
    return client.post(url, data=data)


def test_move_to_free_slot_and_conflicts_are_refused(
    organiser: FlaskClient, dbs: Session, fair: dict[str, Any]
):
    _generate(organiser)
    version = _version(dbs)
    meeting = version.meetings[0]
    busy_slots = {
        s.slot_id
        for s in dbs.scalars(
            select(MeetingSeat).where(MeetingSeat.participation_id == meeting.buyer_id)
        )
    }
    free = next(s for s in fair["slots"] if s.id not in busy_slots)
    conflict = next(
        m
        for m in version.meetings
        if m.id != meeting.id and meeting.buyer_id in (m.buyer_id, m.supplier_id)
    )

    refused = _post_action(organiser, meeting, "move", slot=str(conflict.slot_id))
    assert refused.status_code == 409
    assert "already has a meeting in that slot" in refused.get_data(as_text=True)

    moved = _post_action(organiser, meeting, "move", slot=str(free.id))
    assert moved.status_code == 302
    dbs.refresh(meeting)
    assert meeting.slot_id == free.id
    assert {s.slot_id for s in meeting.seats} == {free.id}

    taken_table = _post_action(
        organiser, conflict, "move", slot=str(free.id), table=str(meeting.table_number)
    )
    assert taken_table.status_code in (409, 422)


def test_move_outside_availability_is_refused(
    organiser: FlaskClient, dbs: Session, fair: dict[str, Any], event: Event
):
    _generate(organiser)
    meeting = _version(dbs).meetings[0]
    evening = fair["slots"][0].starts_at + timedelta(hours=10)  # 19:00 local, after 17:30
    late = Slot(event=event, starts_at=evening, ends_at=evening + timedelta(minutes=20))
    dbs.add(late)
    dbs.flush()
    response = _post_action(organiser, meeting, "move", slot=str(late.id))
    assert response.status_code == 422
    assert "not available at that time" in response.get_data(as_text=True)


def test_bad_move_input_is_reshown(organiser: FlaskClient, dbs: Session):
    _generate(organiser)
    meeting = _version(dbs).meetings[0]
    response = _post_action(organiser, meeting, "move", slot="999999")
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    response = _post_action(organiser, meeting, "move", slot=str(meeting.slot_id), table="0")
    assert response.status_code == 422


def test_swap_cancel_add_and_lock(organiser: FlaskClient, dbs: Session):
    _generate(organiser)
    version = _version(dbs)
    first = version.meetings[0]
    second = next(m for m in version.meetings if m.slot_id != first.slot_id)
    slot_a, slot_b = first.slot_id, second.slot_id
    swapped = _post_action(organiser, first, "swap", other=str(second.id))
    if swapped.status_code == 302:
        dbs.refresh(first)
        dbs.refresh(second)
        assert (first.slot_id, second.slot_id) == (slot_b, slot_a)
    else:  # a company of one meeting is busy at the other's time: refused with a reason
        assert swapped.status_code in (409, 422)

    assert _post_action(organiser, first, "cancel").status_code == 302
    dbs.refresh(first)
    assert first.status == "cancelled" and first.seats == []

    url = f"{BASE}/1/add"
    token = get_csrf(organiser, f"{BASE}/1")
    response = organiser.post(
        url,
        data={
            "csrf_token": token,
            "buyer": str(first.buyer_id),
            "supplier": str(first.supplier_id),
            "slot": str(first.slot_id),
            "zone": str(first.zone_id),
            "table": "",
        },
    )
    assert response.status_code == 302
    dbs.refresh(first)
    assert first.status == "scheduled"

    again = organiser.post(
        url,
        data={
            "csrf_token": token,
            "buyer": str(first.buyer_id),
            "supplier": str(first.supplier_id),
            "slot": str(first.slot_id),
            "zone": str(first.zone_id),
            "table": "",
        },
    )
    assert again.status_code == 422
    assert "already meet" in again.get_data(as_text=True)

    assert _post_action(organiser, second, "lock", locked="y").status_code == 302
    dbs.refresh(second)
    assert second.locked


def test_regenerate_keeps_locked_meetings(
    organiser: FlaskClient, dbs: Session, fair: dict[str, Any]
):
    _generate(organiser)
    version = _version(dbs)
    meeting = version.meetings[0]
    busy = {
        s.slot_id
        for m in version.meetings
        for s in m.seats
        if s.participation_id in (meeting.buyer_id, meeting.supplier_id)
    }
    target = next(s for s in fair["slots"] if s.id not in busy)
    assert _post_action(organiser, meeting, "move", slot=str(target.id)).status_code == 302
    assert _post_action(organiser, meeting, "lock", locked="y").status_code == 302
    token = get_csrf(organiser, f"{BASE}/1")
    response = organiser.post(f"{BASE}/1/regenerate", data={"csrf_token": token, "time_limit": "5"})
    assert response.status_code == 302
    second = _version(dbs, 2)
    kept = next(
        m
        for m in second.meetings
        if (m.buyer_id, m.supplier_id) == (meeting.buyer_id, meeting.supplier_id)
    )
    assert kept.slot_id == target.id and kept.locked and kept.origin == "fixed"


def test_publish_then_changes_are_recorded(
    organiser: FlaskClient, dbs: Session, fair: dict[str, Any]
):
    _generate(organiser)
    page = organiser.get(f"{BASE}/1/publish")
    assert page.status_code == 200
    summary = page.get_data(as_text=True)
    draft = _version(dbs)
    count = sum(1 for m in draft.meetings if m.status == "scheduled")
    assert f"{count} meetings become the schedule companies see." in summary
    assert "first publication" in summary
    token = csrf_from(summary)
    unconfirmed = organiser.post(f"{BASE}/1/publish", data={"csrf_token": token})
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm the publication." in unconfirmed.get_data(as_text=True)
    dbs.expire_all()
    assert _version(dbs).status == "draft"
    confirmed = organiser.post(f"{BASE}/1/publish", data={"csrf_token": token, "confirm": "y"})
    assert confirmed.status_code == 302
    version = _version(dbs)
    assert version.status == "published" and version.published_at is not None
    meeting = version.meetings[0]
    assert _post_action(organiser, meeting, "cancel").status_code == 302
    change = dbs.scalar(select(MeetingChange).where(MeetingChange.meeting_id == meeting.id))
    assert change is not None and change.published and change.kind == "cancelled"
    dbs.refresh(meeting)
    assert meeting.sequence == 1

    _generate(organiser)
    summary = organiser.get(f"{BASE}/2/publish").get_data(as_text=True)
    assert "Compared with version 1, published now" in summary
    assert "1 new meeting" in summary  # the meeting cancelled in version 1 is back
    organiser.post(f"{BASE}/2/publish", data={"csrf_token": csrf_from(summary), "confirm": "y"})
    assert _version(dbs, 1).status == "superseded"
    assert _version(dbs, 2).status == "published"


def test_company_sees_published_meetings_only(
    client: FlaskClient, dbs: Session, fair: dict[str, Any]
):
    login(client, "org@example.org", "organiser-password")
    _generate(client)
    buyer = fair["buyers"][0]
    client.post("/logout", data={"csrf_token": get_csrf(client, BASE + "/")})
    login(client, buyer.company.contacts[0].email, "company-pass-1")
    page = client.get("/company/events/forum/meetings").get_data(as_text=True)
    assert "No published meetings yet." in page
    assert client.get(BASE + "/").status_code == 403
    assert client.get(BASE + "/1").status_code == 403
    token = get_csrf(client, "/company/events/forum/meetings")
    assert (
        client.post(BASE + "/generate", data={"csrf_token": token, "time_limit": "5"}).status_code
        == 403
    )


def test_generation_without_slots_fails_with_reason(
    client: FlaskClient, dbs: Session, event: Event
):
    make_staff(dbs)
    make_participant(dbs, event, "Solo LLP", buys=(("nev.parts", "x"),))
    login(client, "org@example.org", "organiser-password")
    response = _generate(client)
    version = _version(dbs)
    assert response.status_code == 302
    assert version.status == "failed"
    assert "no meeting slots" in version.message


def test_bad_time_limit_is_reshown(organiser: FlaskClient, dbs: Session):
    response = _generate(organiser, seconds="0")
    assert response.status_code == 422
    assert 'id="time_limit-error"' in response.get_data(as_text=True)
    assert dbs.scalar(select(ScheduleVersion)) is None


def test_regenerating_a_draft_keeps_published_meetings(organiser: FlaskClient, dbs: Session):
    _generate(organiser)
    token = get_csrf(organiser, f"{BASE}/1")
    organiser.post(f"{BASE}/1/publish", data={"csrf_token": token, "confirm": "y"})
    published = {
        (m.buyer_id, m.supplier_id): (m.slot_id, m.table_number) for m in _version(dbs, 1).meetings
    }
    _generate(organiser)  # version 2: a draft on top of the published schedule
    organiser.post(f"{BASE}/2/regenerate", data={"csrf_token": token, "time_limit": "5"})
    third = _version(dbs, 3)
    assert third.status == "draft"
    kept = {
        (m.buyer_id, m.supplier_id): (m.slot_id, m.table_number)
        for m in third.meetings
        if m.status == "scheduled"
    }
    assert {pair: kept.get(pair) for pair in published} == published
    assert all(
        m.origin == "fixed" for m in third.meetings if (m.buyer_id, m.supplier_id) in published
    )


def test_command_line_reports_the_same_quality(
    app: Flask, organiser: FlaskClient, dbs: Session, tmp_path: Any
):
    import json

    from matchmaking.cli import cli as command_group

    _generate(organiser)
    version = _version(dbs)
    instance_file = tmp_path / "instance.json"
    instance_file.write_text(json.dumps(version.instance))
    out = tmp_path / "schedule.json"
    done = app.test_cli_runner().invoke(
        command_group,
        ["solve", str(instance_file), "--out", str(out), "--time-limit", "5"],
    )
    assert done.exit_code == 0, done.output
    cli = json.loads(out.read_text())["quality"]
    for key in ("must", "score", "breaks", "table_use"):
        assert cli[key] == version.report[key], key


def test_the_request_only_queues_the_generation_for_a_worker(
    app: Flask, organiser: FlaskClient, dbs: Session, monkeypatch: pytest.MonkeyPatch
):
    """Without SCHEDULE_SYNC the web request starts no thread: the version waits, queued,
    until a worker claims it; the worker's job function then stores the draft."""
    import threading

    from matchmaking.services.generation import generate_now

    monkeypatch.setitem(app.config, "SCHEDULE_SYNC", False)
    before = set(threading.enumerate())
    response = _generate(organiser, "7")
    assert response.status_code == 302
    assert set(threading.enumerate()) - before == set()
    version = _version(dbs)
    assert (version.status, version.time_limit, version.claimed_by) == ("queued", 7.0, None)
    page = organiser.get(BASE + "/1").get_data(as_text=True)
    assert "Queued" in page and 'id="progress"' in page
    assert organiser.get(BASE + "/1/progress.json").get_json()["status"] == "queued"
    assert "no generation worker" not in page
    # Three minutes on and no worker has taken it: the page says what to check.
    with time_machine.travel(version.created_at + timedelta(minutes=3, seconds=5)):
        waiting = organiser.get(BASE + "/1/progress.json").get_json()["message"]
        assert "Queued for 3 minutes and no generation worker has taken it" in waiting
        assert "matchmaking worker" in organiser.get(BASE + "/1").get_data(as_text=True)
    again = organiser.post(
        BASE + "/generate", data={"time_limit": "5", "csrf_token": get_csrf(organiser, BASE + "/")}
    )
    assert "already being generated" in organiser.get(again.location).get_data(as_text=True)

    generate_now(dbs, version.id)
    dbs.flush()
    dbs.refresh(version)
    assert version.status == "draft" and version.claimed_by and version.meetings
    assert organiser.get(BASE + "/1/progress.json").get_json()["status"] == "draft"


def test_generating_during_the_event_fills_only_slots_to_come(
    organiser: FlaskClient, dbs: Session, fair: dict[str, Any], monkeypatch: pytest.MonkeyPatch
):
    # Generated while the third slot is under way: no new meeting goes into a slot begun.
    slots = sorted(fair["slots"], key=lambda s: s.starts_at)
    now = slots[2].starts_at + timedelta(minutes=5)
    monkeypatch.setattr("matchmaking.services.schedules.utcnow", lambda: now)
    assert _generate(organiser).status_code == 302
    version = _version(dbs)
    meetings = [m for m in version.meetings if m.status == "scheduled"]
    assert meetings, "the slots to come still hold meetings"
    assert {m.slot_id for m in meetings} <= {s.id for s in slots[3:]}
