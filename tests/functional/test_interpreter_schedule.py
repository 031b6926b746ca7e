"""Interpreters in the schedule: generated meetings name their interpreter, the report shows
the shortage, agendas and sheets show the name, and moving a meeting keeps the hard rules."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, Interpreter, Meeting, ScheduleVersion, User
from matchmaking.services.interpreter_agendas import send_interpreter_agendas
from matchmaking.services.interpreters import InterpreterInput, register_interpreter
from matchmaking.services.schedules import build_instance
from tests.conftest import get_csrf, mail_text, read_outbox
from tests.functional.helpers import login, make_participant, make_slots, make_staff

BASE = "/organiser/events/forum/schedule"


@pytest.fixture
def fair(dbs: Session, event: Event) -> dict[str, Any]:
    """Three Russian-speaking buyers (one brings its own interpreter), two Chinese-speaking
    suppliers, six slots, and one Chinese-Russian interpreter for at most three meetings."""
    slots = make_slots(dbs, event, 6)
    buys = (("nev.parts", "brake systems"), ("agrimachinery.tractors", "wheeled tractors"))
    buyers = [
        make_participant(dbs, event, f"Buyer{i} LLP", country=c, buys=buys)
        for i, c in enumerate(["KZ", "UZ", "RU"])
    ]
    buyers[2].brings_interpreter = True
    suppliers = [
        make_participant(
            dbs, event, f"Supplier{i} Co", country="CN", languages=("zh",), sells=(sells,)
        )
        for i, sells in enumerate(buys)
    ]
    organiser = make_staff(dbs)
    li, _new = register_interpreter(
        dbs, event, InterpreterInput("Li Wei", "li@interp.example", ("zh", "ru"), max_meetings=3),
        organiser,
    )  # fmt: skip
    dbs.flush()
    return {"slots": slots, "buyers": buyers, "suppliers": suppliers, "li": li}


@pytest.fixture
def organiser(client: FlaskClient, fair: dict[str, Any]) -> FlaskClient:
    assert login(client, "org@example.org", "organiser-password").status_code == 302
    return client


def _generate(client: FlaskClient, dbs: Session) -> ScheduleVersion:
    token = get_csrf(client, BASE + "/")
    response = client.post(BASE + "/generate", data={"time_limit": "5", "csrf_token": token})
    assert response.status_code == 302
    version = dbs.scalar(select(ScheduleVersion).where(ScheduleVersion.number == 1))
    assert version is not None
    dbs.refresh(version)
    return version


def test_instance_names_the_need_and_the_pool(dbs: Session, event: Event, fair: dict[str, Any]):
    instance, _pairs = build_instance(dbs, event)
    li = fair["li"]
    assert instance["interpreters"] == [
        {"id": f"i{li.id}", "name": "Li Wei", "languages": ["zh", "ru"], "max_meetings": 3}
    ]
    needs = {(c["buyer"], c["supplier"]): c.get("interpreter") for c in instance["candidates"]}
    kz, _uz, ru = fair["buyers"]
    supplier = fair["suppliers"][0]
    assert needs[(str(kz.id), str(supplier.id))] == {"buyer": ["ru"], "supplier": ["zh"]}
    assert needs[(str(ru.id), str(supplier.id))] is None  # brings its own interpreter


def test_generated_meetings_name_a_qualified_interpreter_and_the_report_the_shortage(
    app: Flask, organiser: FlaskClient, dbs: Session, fair: dict[str, Any]
):
    version = _generate(organiser, dbs)
    assert version.status == "draft", version.message
    li = fair["li"]
    meetings = [m for m in version.meetings if m.status == "scheduled"]
    ru = fair["buyers"][2]
    needing = [m for m in meetings if ru.id not in (m.buyer_id, m.supplier_id)]
    own = [m for m in meetings if ru.id in (m.buyer_id, m.supplier_id)]
    assert len(own) == 2 and all(m.interpreter_id is None for m in own)
    # Four pairs need Li, who works at most three meetings, one per slot.
    assert len(needing) == 3 and all(m.interpreter_id == li.id for m in needing)
    assert max(Counter(m.slot_id for m in needing).values()) == 1
    block = version.report["interpreters"]
    assert block["scheduled"] == 3 and block["needing_total"] == 4
    assert block["short"] == [{"languages": "ru-zh", "scheduled": 3, "short_by": 1}]
    page = organiser.get(BASE + "/1").get_data(as_text=True)
    assert 'id="q-int-scheduled">3' in page
    assert "short by 1 interpreter-slot" in page
    assert "Interpreter: Li Wei." in page  # the zone grid
    assert "no interpreter for these languages was free" in page  # the pair left out
    left = block["left_out"][0]
    names = {str(p.id): p.company.legal_name for p in fair["buyers"] + fair["suppliers"]}
    assert f"{names[left['buyer']]} – {names[left['supplier']]} (Russian – Chinese)" in page


def _move(client: FlaskClient, meeting: Meeting, slot_id: int) -> Any:
    url = f"{BASE}/1/meetings/{meeting.id}"
    data = {"move-csrf_token": get_csrf(client, url), "action": "move", "move-slot": str(slot_id)}
    return client.post(url, data=data)


def _publish(client: FlaskClient) -> None:
    url = BASE + "/1/publish"
    response = client.post(url, data={"csrf_token": get_csrf(client, url), "confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_agendas_sheets_and_calendar_show_the_interpreter(
    app: Flask, organiser: FlaskClient, dbs: Session, fair: dict[str, Any], outbox: Any
):
    version = _generate(organiser, dbs)
    confirmation = organiser.get(BASE + "/1/publish").get_data(as_text=True)
    assert "1 interpreter receives the agenda of the meetings it interprets by e-mail." in (
        confirmation
    )
    _publish(organiser)
    served = next(m for m in version.meetings if m.interpreter_id is not None)
    check_in = organiser.get(f"/organiser/events/forum/check-in?slot={served.slot_id}")
    assert "Interpreter: Li Wei." in check_in.get_data(as_text=True)
    tables = organiser.get("/organiser/events/forum/sheets/tables.pdf")
    assert tables.status_code == 200
    organiser.post("/logout", data={"csrf_token": get_csrf(organiser, "/organiser/")})
    buyer = dbs.get(type(served.buyer), served.buyer_id)
    contact = buyer.company.contacts[0]
    login(organiser, contact.email, "company-pass-1")
    page = organiser.get("/company/events/forum/agenda").get_data(as_text=True)
    assert "Interpreter: Li Wei." in page
    ics = organiser.get("/company/events/forum/agenda.ics").get_data(as_text=True)
    assert "Interpreter: Li Wei." in ics.replace("\r\n ", "")


def test_interpreter_is_emailed_its_agenda_once_and_again_after_a_move(
    app: Flask, organiser: FlaskClient, dbs: Session, fair: dict[str, Any], outbox: Any
):
    from datetime import UTC, datetime

    version = _generate(organiser, dbs)
    _publish(organiser)
    now = datetime.now(UTC)

    def send() -> int:
        with app.app_context():
            return send_interpreter_agendas(dbs, app.config, now)

    assert send() == 1
    assert send() == 0
    [message] = read_outbox(outbox)
    assert message["To"] == "li@interp.example"
    text = mail_text(message)
    assert "Buyer0 LLP" in text or "Buyer1 LLP" in text
    names = [a.get_filename() for a in message.iter_attachments()]
    assert names == ["interpreting-forum.pdf", "interpreting-forum.ics"]
    # Move one of Li's meetings to a slot where Li is free: Li stays and is told.
    dbs.refresh(version)
    served = [m for m in version.meetings if m.interpreter_id == fair["li"].id]
    busy = {m.slot_id for m in served}
    meeting = served[0]
    pair = {meeting.buyer_id, meeting.supplier_id}
    taken = {m.slot_id for m in version.meetings if {m.buyer_id, m.supplier_id} & pair}
    free = next(s for s in fair["slots"] if s.id not in busy and s.id not in taken)
    response = _move(organiser, meeting, free.id)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    dbs.refresh(meeting)
    assert meeting.slot_id == free.id and meeting.interpreter_id == fair["li"].id
    assert send() == 1
    subjects = sorted(str(m["Subject"]) for m in read_outbox(outbox))
    assert subjects == [
        "Your interpreting agenda for Test Chongqing-SCO Forum",
        "Your interpreting at Test Chongqing-SCO Forum has changed",
    ]


def test_a_move_where_no_interpreter_is_free_is_refused(
    organiser: FlaskClient, dbs: Session, fair: dict[str, Any]
):
    version = _generate(organiser, dbs)
    served = [m for m in version.meetings if m.interpreter_id == fair["li"].id]
    scheduled = [m for m in version.meetings if m.status == "scheduled"]

    def free_for(meeting: Meeting, slot_id: int) -> bool:
        pair = {meeting.buyer_id, meeting.supplier_id}
        return not any(
            m.slot_id == slot_id and {m.buyer_id, m.supplier_id} & pair for m in scheduled
        )

    # A meeting of Li's and another slot where Li works but both its companies are free.
    choices = [(m, o) for m in served for o in served if o is not m and free_for(m, o.slot_id)]
    if not choices:
        pytest.skip("no such slot in this schedule")
    meeting, other = choices[0]
    response = _move(organiser, meeting, other.slot_id)
    page = response.get_data(as_text=True)
    assert response.status_code == 409, page[:2000]
    assert "No interpreter between Russian and Chinese is free at that time" in page
    dbs.refresh(meeting)
    assert meeting.slot_id != other.slot_id and meeting.interpreter_id == fair["li"].id
    assert dbs.scalar(select(Interpreter.id)) and dbs.scalar(select(User.id))
    assert dbs.scalar(select(Meeting.id))


def test_interpreter_is_reminded_the_evening_before_once(
    app: Flask, organiser: FlaskClient, dbs: Session, event: Event, outbox: Any
):
    from datetime import datetime, time, timedelta

    from matchmaking.services.interpreter_agendas import send_interpreter_reminders

    _generate(organiser, dbs)
    _publish(organiser)
    evening = datetime.combine(
        event.start_date - timedelta(days=1), time(event.reminder_evening_hour, 5), tzinfo=event.tz
    )
    with app.app_context():
        assert send_interpreter_reminders(dbs, app.config, evening - timedelta(hours=1)) == 0
        assert send_interpreter_reminders(dbs, app.config, evening) == 1
        assert send_interpreter_reminders(dbs, app.config, evening + timedelta(minutes=30)) == 0
    [message] = read_outbox(outbox)
    assert message["To"] == "li@interp.example"
    assert "Supplier0 Co" in mail_text(message) or "Supplier1 Co" in mail_text(message)


def test_a_company_bringing_its_own_interpreter_needs_none_from_the_pool(
    dbs: Session, event: Event, fair: dict[str, Any]
):
    from matchmaking.models.types import utcnow
    from matchmaking.services.interpreters import language_need
    from matchmaking.services.registration import (
        AvailabilityInput,
        OfferingInput,
        ParticipationInput,
        update_participation,
    )

    kz, _uz, _ru = fair["buyers"]
    supplier = fair["suppliers"][0]
    assert language_need(kz, supplier) == {"buyer": ["ru"], "supplier": ["zh"]}
    data = ParticipationInput(
        offerings=tuple(OfferingInput(o.kind, o.sector_id, o.description) for o in kz.offerings),
        availability=tuple(
            AvailabilityInput(a.day, a.start_time, a.end_time) for a in kz.availability
        ),
        brings_interpreter=True,
    )
    update_participation(dbs, kz, data, kz.company.contacts[0], utcnow())
    assert kz.brings_interpreter is True
    assert language_need(kz, supplier) is None
    instance, _pairs = build_instance(dbs, event)
    assert all("interpreter" not in c for c in instance["candidates"] if c["buyer"] == str(kz.id))


def test_events_without_interpreters_move_such_meetings_as_before(dbs: Session, event: Event):
    from matchmaking.services.schedule_edits import move_meeting
    from tests.functional.helpers import make_meeting

    organiser = make_staff(dbs)
    buyer = make_participant(dbs, event, "Steppe Agro", languages=("ru",))
    supplier = make_participant(dbs, event, "Chongqing Pumps", country="CN", languages=("zh",))
    slots = make_slots(dbs, event, 2)
    meeting = make_meeting(dbs, buyer, supplier, slots[0])
    move_meeting(dbs, meeting, slots[1], None, organiser)
    assert meeting.slot_id == slots[1].id and meeting.interpreter_id is None


def test_the_database_refuses_an_interpreter_at_two_meetings_of_one_slot(
    dbs: Session, event: Event, fair: dict[str, Any]
):
    from sqlalchemy.exc import IntegrityError

    from tests.functional.helpers import make_meeting

    kz, uz, _ru = fair["buyers"]
    s0, s1 = fair["suppliers"]
    slot = fair["slots"][0]
    first = make_meeting(dbs, kz, s0, slot, table=1)
    first.interpreter = fair["li"]
    dbs.flush()
    second = make_meeting(dbs, uz, s1, slot, table=2)
    second.status = "cancelled"  # a cancelled meeting keeps its interpreter, blocking nothing
    second.interpreter = fair["li"]
    dbs.flush()
    second.status = "scheduled"
    with pytest.raises(IntegrityError), dbs.begin_nested():
        dbs.flush()
