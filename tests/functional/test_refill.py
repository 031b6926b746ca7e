"""Live refill: a no-show's table offered to companies present and free, confirmed in one step,
and every rule a refill could break refused without writing anything."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking.models import (
    CheckIn,
    Meeting,
    MeetingChange,
    RefillOffer,
    RefillStatus,
    Standby,
)
from matchmaking.models.schedule import Attendance, MeetingStatus
from matchmaking.models.types import utcnow
from tests.conftest import csrf_from
from tests.functional.helpers import (
    login,
    make_meeting,
    make_participant,
    make_staff,
    sql_statements,
)
from tests.refill_world import DAY, ORGANISER, PASSWORD, Floor, build_floor, venue_clock

pytestmark = pytest.mark.dates


@pytest.fixture(autouse=True)
def _clock():  # type: ignore[no-untyped-def]
    with venue_clock():
        yield


@pytest.fixture
def floor(_clock: None, dbs: Session) -> Floor:
    return build_floor(dbs)


def _organiser(client: FlaskClient, floor: Floor) -> None:
    assert login(client, floor.organiser.email, ORGANISER[1]).status_code == 302


def _company(client: FlaskClient, floor: Floor, participation) -> None:  # type: ignore[no-untyped-def]
    client.get("/logout")
    client.delete_cookie("session")
    assert login(client, floor.email(participation), PASSWORD).status_code == 302


def _mark_no_show(client: FlaskClient, floor: Floor) -> None:
    url = f"/organiser/events/{floor.event.slug}/check-in"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(
        f"{url}/{floor.no_show.id}", data={"attendance": "no_show", "csrf_token": token}
    )
    assert response.status_code == 302


def _refills_page(client: FlaskClient, floor: Floor) -> str:
    response = client.get(f"/floor/events/{floor.event.slug}/refills?slot={floor.next_slot.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _confirm(client: FlaskClient, floor: Floor, offer: RefillOffer, page: str) -> int:
    token = csrf_from(page)
    url = f"/floor/events/{floor.event.slug}/refills/{offer.id}/confirm"
    return client.post(url, data={"csrf_token": token}).status_code


def _offers(dbs: Session, floor: Floor) -> list[RefillOffer]:
    return list(
        dbs.scalars(
            select(RefillOffer)
            .where(RefillOffer.event_id == floor.event.id)
            .order_by(RefillOffer.rank)
        )
    )


def _offer(dbs: Session, floor: Floor, buyer, supplier, table: int = 1) -> RefillOffer:  # type: ignore[no-untyped-def]
    """An open offer made by hand (as if the companies were free when it was made)."""
    offer = RefillOffer(
        event_id=floor.event.id,
        version_id=floor.version.id,
        slot_id=floor.next_slot.id,
        zone_id=floor.no_show.zone_id,
        table_number=table,
        buyer_id=buyer.id,
        supplier_id=supplier.id,
        rank=1,
        score=0.5,
        language="ru",
        created_at=utcnow(),
    )
    dbs.add(offer)
    dbs.flush()
    return offer


def _meetings(dbs: Session) -> int:
    return (
        dbs.scalar(select(func.count(Meeting.id)).where(Meeting.status == MeetingStatus.SCHEDULED))
        or 0
    )


def test_a_no_show_is_offered_to_a_free_pair_and_both_agendas_show_the_confirmed_meeting(
    client: FlaskClient, dbs: Session, floor: Floor
):
    _organiser(client, floor)
    _mark_no_show(client, floor)

    offers = _offers(dbs, floor)
    # b1-s3 scores higher but shares no language; b2 is busy at 10:20; s1 never arrived.
    assert [(o.buyer_id, o.supplier_id) for o in offers] == [(floor.b1.id, floor.s4.id)]
    page = _refills_page(client, floor)
    assert floor.s4.company.legal_name in page and floor.s3.company.legal_name not in page
    assert _confirm(client, floor, offers[0], page) == 302

    dbs.expire_all()
    placed = dbs.scalar(
        select(Meeting).where(Meeting.buyer_id == floor.b1.id, Meeting.supplier_id == floor.s4.id)
    )
    assert placed is not None and placed.status == MeetingStatus.SCHEDULED
    assert (placed.slot_id, placed.table_number) == (floor.next_slot.id, 1)
    assert placed.origin == "refill" and placed.sequence == 1
    assert floor.no_show.status == MeetingStatus.CANCELLED
    assert floor.no_show.attendance == Attendance.NO_SHOW  # the no-show stays on record
    assert (
        dbs.scalar(
            select(func.count(MeetingChange.id)).where(
                MeetingChange.meeting_id == placed.id,
                MeetingChange.published.is_(True),
                MeetingChange.notified_at.is_(None),  # the change e-mails go out next
            )
        )
        == 1
    )
    page = _refills_page(client, floor)
    assert "Refilled" in page and 'id="count-accepted">1<' in page

    for side, other in ((floor.s4, floor.b1), (floor.b1, floor.s4)):
        _company(client, floor, side)
        agenda = client.get(f"/company/events/{floor.event.slug}/agenda").get_data(as_text=True)
        assert f'id="meeting-{placed.id}"' in agenda and other.company.legal_name in agenda
        ics = client.get(f"/company/events/{floor.event.slug}/agenda.ics").get_data(as_text=True)
        assert "SEQUENCE:1" in ics


def test_a_second_confirmation_is_refused_with_409(client: FlaskClient, dbs: Session, floor: Floor):
    _organiser(client, floor)
    _mark_no_show(client, floor)
    offer = _offers(dbs, floor)[0]
    page = _refills_page(client, floor)
    assert _confirm(client, floor, offer, page) == 302
    before = _meetings(dbs)
    assert _confirm(client, floor, offer, page) == 409
    assert _meetings(dbs) == before


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("company busy", 409),
        ("table taken", 409),
        ("not checked in", 422),
        ("checked out", 422),
        ("slot over", 422),
    ],
)
def test_a_refill_breaking_a_rule_is_refused_and_writes_nothing(
    client: FlaskClient, dbs: Session, floor: Floor, case: str, status: int
):
    floor.no_show.attendance = Attendance.NO_SHOW
    offer = _offer(dbs, floor, floor.b1, floor.s4)
    if case == "company busy":
        offer.buyer_id = floor.b2.id  # b2 meets s2 at 10:20
    elif case == "table taken":
        offer.table_number = floor.busy.table_number
    elif case == "not checked in":
        offer.supplier_id = floor.s1.id
        offer.buyer_id = floor.b1.id
    elif case == "checked out":
        check_in = dbs.scalar(select(CheckIn).where(CheckIn.participation_id == floor.s4.id))
        check_in.checked_out_at = utcnow()
    elif case == "slot over":
        offer.slot_id = floor.slots[2].id  # 09:40-10:00
    dbs.flush()
    _organiser(client, floor)
    before = _meetings(dbs)
    assert _confirm(client, floor, offer, _refills_page(client, floor)) == status
    dbs.expire_all()
    assert _meetings(dbs) == before
    assert offer.status == RefillStatus.OPEN
    assert floor.no_show.status == MeetingStatus.SCHEDULED


def test_staff_and_organisers_of_another_event_cannot_see_or_confirm(
    client: FlaskClient, dbs: Session, floor: Floor
):
    other = build_floor(dbs, slug="expo")
    offer = _offer(dbs, floor, floor.b1, floor.s4)
    _organiser(client, other)  # organises "expo" only
    assert client.get(f"/floor/events/{floor.event.slug}/refills").status_code == 404
    page = client.get(f"/floor/events/{other.event.slug}/refills").get_data(as_text=True)
    assert (
        client.post(
            f"/floor/events/{floor.event.slug}/refills/{offer.id}/confirm",
            data={"csrf_token": csrf_from(page)},
        ).status_code
        == 404
    )
    # Through its own event's address, another event's proposal does not exist either.
    assert (
        client.post(
            f"/floor/events/{other.event.slug}/refills/{offer.id}/confirm",
            data={"csrf_token": csrf_from(page)},
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/floor/events/{floor.event.slug}/zones/{floor.no_show.zone_id}/screen"
        ).status_code
        == 404
    )
    dbs.expire_all()
    assert offer.status == RefillStatus.OPEN


def test_only_the_two_companies_of_a_proposal_can_confirm_it(
    client: FlaskClient, dbs: Session, floor: Floor
):
    floor.no_show.attendance = Attendance.NO_SHOW
    offer = _offer(dbs, floor, floor.b1, floor.s4)
    _company(client, floor, floor.s2)  # checked in, same event, not in the proposal
    agenda = client.get(f"/company/events/{floor.event.slug}/agenda").get_data(as_text=True)
    token = csrf_from(agenda)
    url = f"/company/events/{floor.event.slug}/refills/{offer.id}/confirm"
    assert client.post(url, data={"csrf_token": token}).status_code == 404
    staff_url = f"/floor/events/{floor.event.slug}/refills/{offer.id}/confirm"
    assert client.post(staff_url, data={"csrf_token": token}).status_code == 403

    _company(client, floor, floor.s4)
    agenda = client.get(f"/company/events/{floor.event.slug}/agenda").get_data(as_text=True)
    assert floor.b1.company.legal_name in agenda and "Confirm this meeting" in agenda
    response = client.post(url, data={"csrf_token": csrf_from(agenda)})
    assert response.status_code == 302
    dbs.expire_all()
    assert offer.status == RefillStatus.ACCEPTED and offer.meeting is not None
    assert client.post(url, data={"csrf_token": csrf_from(agenda)}).status_code == 409


def test_a_company_joins_and_leaves_the_standby_list_from_its_agenda(
    client: FlaskClient, dbs: Session, floor: Floor
):
    _company(client, floor, floor.b2)
    agenda = client.get(f"/company/events/{floor.event.slug}/agenda").get_data(as_text=True)
    assert "I have free slots today" in agenda
    response = client.post(
        f"/company/events/{floor.event.slug}/standby",
        data={"action": "join", "csrf_token": csrf_from(agenda)},
    )
    assert response.status_code == 302
    assert dbs.scalar(select(Standby).where(Standby.participation_id == floor.b2.id)) is not None
    agenda = client.get(f"/company/events/{floor.event.slug}/agenda").get_data(as_text=True)
    assert "Leave the standby list" in agenda
    client.post(
        f"/company/events/{floor.event.slug}/standby",
        data={"action": "leave", "csrf_token": csrf_from(agenda)},
    )
    assert dbs.scalar(select(Standby).where(Standby.participation_id == floor.b2.id)) is None


def test_the_zone_screen_shows_the_current_and_next_slot_with_refilled_tables(
    client: FlaskClient, dbs: Session, floor: Floor
):
    _organiser(client, floor)
    _mark_no_show(client, floor)
    page = _refills_page(client, floor)
    assert _confirm(client, floor, _offers(dbs, floor)[0], page) == 302
    screen = client.get(
        f"/floor/events/{floor.event.slug}/zones/{floor.no_show.zone_id}/screen"
    ).get_data(as_text=True)
    assert "10:00" in screen and "10:20" in screen
    assert '<tr class="refilled">' in screen and floor.s4.company.legal_name in screen
    assert floor.s1.company.legal_name not in screen  # the no-show's meeting is gone
    assert "/static/js/zone_screen.js" in screen and "<script>" not in screen


def test_floor_staff_of_the_event_confirm_and_see_live_counts(
    client: FlaskClient, dbs: Session, floor: Floor
):
    from matchmaking.models import event_floor_staff

    staff = make_staff(dbs, "floor_staff", "desk@forum.example", "desk-password-1")
    dbs.execute(event_floor_staff.insert().values(event_id=floor.event.id, user_id=staff.id))
    floor.no_show.attendance = Attendance.NO_SHOW
    offer = _offer(dbs, floor, floor.b1, floor.s4)
    assert login(client, "desk@forum.example", "desk-password-1").status_code == 302
    page = _refills_page(client, floor)
    assert 'id="count-checked-in">5<' in page and 'id="count-no-shows">1<' in page
    assert _confirm(client, floor, offer, page) == 302
    dbs.expire_all()
    assert offer.status == RefillStatus.ACCEPTED and offer.decided_by_id == staff.id
    page = _refills_page(client, floor)
    assert 'id="count-accepted">1<' in page


def _grow(dbs: Session, floor: Floor, first: int, count: int) -> None:
    """``count`` more pairs meeting at 10:20, each a no-show with an open proposal."""
    for n in range(first, first + count):
        buyer = make_participant(
            dbs,
            floor.event,
            f"Grown Buyer {n}",
            buys=(("nev.parts", "x"),),
            email=f"gb{n}@x.example",
        )
        supplier = make_participant(
            dbs,
            floor.event,
            f"Grown Supplier {n}",
            "CN",
            sells=(("nev.parts", "x"),),
            email=f"gs{n}@x.example",
        )
        meeting = make_meeting(dbs, buyer, supplier, floor.next_slot, table=3 + n)
        meeting.attendance = Attendance.NO_SHOW
        dbs.add(CheckIn(participation_id=buyer.id, day=DAY, checked_in_at=utcnow()))
        _offer(dbs, floor, buyer, floor.s4, table=3 + n)
    dbs.flush()


def test_refill_pages_cost_the_same_statements_on_a_ten_times_busier_floor(
    app: Flask, client: FlaskClient, dbs: Session, floor: Floor
):
    floor.no_show.attendance = Attendance.NO_SHOW
    _offer(dbs, floor, floor.b1, floor.s4)
    slug = floor.event.slug
    pages = {
        "organiser": [
            f"/floor/events/{slug}/refills?slot={floor.next_slot.id}",
            f"/floor/events/{slug}/zones/{floor.no_show.zone_id}/screen",
        ],
        "company": [f"/company/events/{slug}/agenda"],
    }

    def count() -> dict[str, int]:
        counts = {}
        for who, urls in pages.items():
            client.get("/logout")
            client.delete_cookie("session")
            if who == "organiser":
                _organiser(client, floor)
            else:
                _company(client, floor, floor.s4)
            for url in urls:
                assert client.get(url).status_code == 200
                with sql_statements(app) as statements:
                    assert client.get(url).status_code == 200
                counts[url] = len(statements)
        return counts

    _grow(dbs, floor, 0, 2)
    small = count()
    _grow(dbs, floor, 2, 18)
    large = count()
    page = client.get(pages["company"][0]).get_data(as_text=True)
    assert page.count("Confirm this meeting") == 21
    assert small == large


def test_a_company_checking_out_early_frees_its_tables_for_others(dbs: Session, floor: Floor):
    from matchmaking.services.check_ins import check_out

    check_out(dbs, floor.s2, utcnow(), floor.organiser)
    dbs.expire_all()
    assert floor.busy.status == MeetingStatus.CANCELLED
    offers = _offers(dbs, floor)
    # b2 stays, free now; s4 is its recommended counterpart.
    assert [(o.buyer_id, o.supplier_id, o.table_number) for o in offers] == [
        (floor.b2.id, floor.s4.id, floor.busy.table_number)
    ]
    assert (
        dbs.scalar(
            select(func.count(MeetingChange.id)).where(
                MeetingChange.meeting_id == floor.busy.id, MeetingChange.kind == "cancelled"
            )
        )
        == 1
    )


def test_the_console_shows_check_ins_and_refills_of_the_day(
    client: FlaskClient, dbs: Session, floor: Floor
):
    offer = _offer(dbs, floor, floor.b1, floor.s4)
    offer.status = RefillStatus.ACCEPTED
    _offer(dbs, floor, floor.b2, floor.s3, table=5)
    _organiser(client, floor)
    console = client.get("/organiser/").get_data(as_text=True)
    assert "5 checked in today" in console
    assert "2 refills proposed, 1 accepted" in console


def test_proposals_come_from_the_pairs_the_schedule_was_generated_from(dbs: Session, floor: Floor):
    from matchmaking.services.refill import rank_for_table

    zone = floor.no_show.zone
    floor.version.instance = {
        "candidates": [
            {
                "buyer": str(floor.b1.id),
                "supplier": str(floor.s3.id),
                "zone": zone.code,
                "score": 0.95,
            },
            {
                "buyer": str(floor.b1.id),
                "supplier": str(floor.s4.id),
                "zone": zone.code,
                "score": 0.3,
            },
            {
                "buyer": str(floor.b1.id),
                "supplier": str(floor.s2.id),
                "zone": "other",
                "score": 0.9,
            },
        ]
    }
    floor.no_show.attendance = Attendance.NO_SHOW
    dbs.flush()
    found = rank_for_table(dbs, floor.version, floor.next_slot, zone, 1, 3)
    # s3 shares no language with b1, s2 is busy and its pair sits in another zone; the
    # instance's score (not the recommendation's) ranks the pair.
    assert [(p.buyer, p.supplier, p.score) for p in found] == [(floor.b1.id, floor.s4.id, 0.3)]


def test_a_pair_without_common_language_is_proposed_when_an_interpreter_is_free(
    dbs: Session, floor: Floor
):
    from matchmaking.services.interpreters import InterpreterInput, register_interpreter
    from matchmaking.services.refill import confirm_offer, offer_after_no_show

    interpreter, _new = register_interpreter(
        dbs,
        floor.event,
        InterpreterInput("Ru-En Interpreter", "ru-en@floor.example", ("ru", "en")),
        floor.organiser,
    )
    floor.no_show.attendance = Attendance.NO_SHOW
    dbs.flush()
    offers = offer_after_no_show(dbs, floor.no_show, utcnow())
    # b1 (ru) and s3 (en) score highest and the interpreter speaks both.
    assert [(o.buyer_id, o.supplier_id) for o in offers] == [
        (floor.b1.id, floor.s3.id),
        (floor.b1.id, floor.s4.id),
    ]
    placed = confirm_offer(dbs, offers[0], floor.organiser, utcnow())
    assert placed.interpreter_id == interpreter.id
