"""Organisers and companies editing one schedule at once: every rule holds in the database.

Each racer runs in its own thread with its own session and connection on committed data, and
a barrier starts them together. After every race: no company has more meetings than its cap,
one seat per company and slot, one meeting per table and slot, each meeting's seats match it,
and every loser got a domain error (a message, never a 500).

On PostgreSQL a loser waits for the winner's lock and then sees its result. On SQLite (WAL, one
writer) a transaction that read before another one committed cannot write at all: its edit is
refused at once with ``EditConflict`` ("try again"). The suite runs these tests on whichever
database it runs on; the ones whose outcome differs say so.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from matchmaking.errors import DomainError
from matchmaking.models import (
    Company,
    Event,
    Meeting,
    MeetingSeat,
    Participation,
    RescheduleProposal,
    ScheduleVersion,
    Slot,
    User,
    Zone,
)
from matchmaking.services import reschedule, schedule_edits
from tests.conftest import get_csrf, make_event
from tests.functional.helpers import login, make_meeting, make_participant, make_slots

ORGANISER_PASSWORD = "organiser-password"
COMPANY_PASSWORD = "company-pass-1"  # make_participant's contacts

Prepared = Callable[[Session], Callable[[], object]]
"""Loads what a racer needs (before the start), returns the edit to run at the start."""


@dataclass
class World:
    """Ids of committed test data: one event, one schedule version, its companies and staff."""

    engine: Engine
    slug: str
    event: int
    version: int
    slots: list[int]
    zones: list[int]
    buyers: list[int]
    sellers: list[int]
    organisers: list[str]  # e-mail addresses
    contacts: dict[int, str] = field(default_factory=dict)  # participation -> contact e-mail
    meetings: list[int] = field(default_factory=list)


class Worlds:
    """Builds committed worlds on the suite's database and removes them afterwards."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.slugs: list[str] = []

    def build(
        self,
        *,
        slots: int = 3,
        buyers: int = 1,
        sellers: int = 2,
        cap: int | None = None,
        organisers: int = 1,
        status: str = "draft",
        booked: tuple[tuple[int, int, int, int], ...] = (),
    ) -> World:
        """``booked``: meetings (buyer index, seller index, slot index, table) in zone 0."""
        slug = f"race-{uuid.uuid4().hex[:8]}"
        self.slugs.append(slug)
        with Session(self.engine) as session:
            event = make_event(session, slug=slug)
            grid = make_slots(session, event, slots)
            buyer_rows = [
                make_participant(
                    session,
                    event,
                    f"Racer {slug} Buyer{i}",
                    buys=(("nev.parts", "x"),),
                    email=f"b{i}-{slug}@example.org",
                )
                for i in range(buyers)
            ]
            seller_rows = [
                make_participant(
                    session,
                    event,
                    f"Racer {slug} Seller{i}",
                    "CN",
                    sells=(("nev.parts", "x"),),
                    email=f"s{i}-{slug}@example.org",
                )
                for i in range(sellers)
            ]
            if cap is not None:
                buyer_rows[0].max_meetings = cap
            staff = []
            for i in range(organisers):
                user = User(
                    email=f"org{i}-{slug}@example.org",
                    full_name=f"Organiser {i}",
                    role="organiser",
                    email_confirmed_at=datetime.now(UTC),
                )
                user.set_password(ORGANISER_PASSWORD)
                staff.append(user)
            event.organisers.extend(staff)
            version = ScheduleVersion(
                event=event,
                number=1,
                status=status,
                published_at=datetime.now(UTC) if status == "published" else None,
            )
            session.add_all([*staff, version])
            session.flush()
            meetings = [
                make_meeting(
                    session,
                    buyer_rows[b],
                    seller_rows[s],
                    grid[t],
                    event.zones[0],
                    table,
                    version=version,
                )
                for b, s, t, table in booked
            ]
            session.commit()
            return World(
                engine=self.engine,
                slug=slug,
                event=event.id,
                version=version.id,
                slots=[s.id for s in grid],
                zones=[z.id for z in event.zones],
                buyers=[p.id for p in buyer_rows],
                sellers=[p.id for p in seller_rows],
                organisers=[u.email for u in staff],
                contacts={p.id: p.company.contacts[0].email for p in [*buyer_rows, *seller_rows]},
                meetings=[m.id for m in meetings],
            )

    def remove(self) -> None:
        with Session(self.engine) as session:  # the database cascades from events
            for slug in self.slugs:
                session.execute(delete(Event).where(Event.slug == slug))
                session.execute(delete(User).where(User.email.like(f"%-{slug}@example.org")))
                session.execute(delete(Company).where(Company.legal_name.like(f"Racer {slug} %")))
            session.commit()
        self.engine.dispose()


@pytest.fixture
def worlds(app: Flask) -> Iterator[Worlds]:
    """Committed data (each racer needs its own connection), removed afterwards."""
    built = Worlds(app.config["SQLALCHEMY_DATABASE_URI"])
    yield built
    built.remove()


def on_postgres(world: World) -> bool:
    return world.engine.dialect.name == "postgresql"


# -- racing --------------------------------------------------------------------------------


def race(app: Flask, engine: Engine, jobs: list[Prepared]) -> list[tuple[str, str]]:
    """Run the jobs at the same moment, each in its own session; ("ok" or error class, message)."""
    start = threading.Barrier(len(jobs))
    results: list[tuple[str, str]] = [("not run", "")] * len(jobs)

    def run(index: int, job: Prepared) -> None:
        with app.app_context(), Session(engine) as session:
            try:
                call = job(session)
            except Exception as error:
                start.abort()
                results[index] = (type(error).__name__, f"preparing: {error}")
                return
            start.wait(timeout=30)
            try:
                call()
                session.commit()
                results[index] = ("ok", "")
            except DomainError as error:
                session.rollback()
                results[index] = (type(error).__name__, error.message)
            except Exception as error:
                session.rollback()
                results[index] = (type(error).__name__, str(error)[:300])

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


DOMAIN_ERRORS = {"SlotTaken", "RuleBroken", "EditConflict", "DomainError"}


def winners_and_losers(results: list[tuple[str, str]]) -> tuple[int, list[tuple[str, str]]]:
    """How many won; the losers, after checking each got a domain error (no crash)."""
    crashes = [r for r in results if r[0] != "ok" and r[0] not in DOMAIN_ERRORS]
    assert crashes == [], crashes
    return sum(r[0] == "ok" for r in results), [r for r in results if r[0] != "ok"]


def add(world: World, buyer: int, supplier: int, slot: int, table: int | None = None) -> Prepared:
    def prepare(session: Session) -> Callable[[], object]:
        version = session.get(ScheduleVersion, world.version)
        actor = session.scalar(select(User).where(User.email == world.organisers[0]))
        args = (
            version,
            session.get(Participation, buyer),
            session.get(Participation, supplier),
            session.get(Slot, slot),
            session.get(Zone, world.zones[0]),
            table,
            actor,
        )
        return lambda: schedule_edits.add_meeting(session, *args)  # type: ignore[arg-type]

    return prepare


def move(world: World, meeting: int, slot: int, table: int | None = None) -> Prepared:
    def prepare(session: Session) -> Callable[[], object]:
        actor = session.scalar(select(User).where(User.email == world.organisers[0]))
        row, target = session.get(Meeting, meeting), session.get(Slot, slot)
        assert row is not None and target is not None and actor is not None
        _ = (row.seats, row.slot, row.buyer, row.supplier)  # what the meeting page shows
        return lambda: schedule_edits.move_meeting(session, row, target, table, actor)

    return prepare


def swap(world: World, first: int, second: int) -> Prepared:
    def prepare(session: Session) -> Callable[[], object]:
        actor = session.scalar(select(User).where(User.email == world.organisers[0]))
        a, b = session.get(Meeting, first), session.get(Meeting, second)
        assert a is not None and b is not None and actor is not None
        _ = (a.seats, b.seats, a.slot, b.slot)
        return lambda: schedule_edits.swap_meetings(session, a, b, actor)

    return prepare


def cancel(world: World, meeting: int) -> Prepared:
    def prepare(session: Session) -> Callable[[], object]:
        actor = session.scalar(select(User).where(User.email == world.organisers[0]))
        row = session.get(Meeting, meeting)
        assert row is not None and actor is not None
        _ = row.seats
        return lambda: schedule_edits.cancel_meeting(session, row, actor)

    return prepare


def accept(world: World, proposal: int, email: str) -> Prepared:
    def prepare(session: Session) -> Callable[[], object]:
        actor = session.scalar(select(User).where(User.email == email))
        row = session.get(RescheduleProposal, proposal)
        assert row is not None and actor is not None
        _ = (row.meeting.seats, row.to_slot)
        return lambda: reschedule.answer(session, row, True, actor, datetime.now(UTC))

    return prepare


def propose_all(world: World, meetings: list[int], slot: int) -> list[int]:
    """Each meeting's supplier proposes ``slot``; the proposals' ids."""
    with Session(world.engine) as session:
        rows = []
        for meeting_id in meetings:
            meeting = session.get(Meeting, meeting_id)
            assert meeting is not None
            rows.append(
                RescheduleProposal(
                    meeting=meeting,
                    proposer_id=meeting.supplier_id,
                    to_slot_id=slot,
                    created_at=datetime.now(UTC),
                )
            )
        session.add_all(rows)
        session.commit()
        return [p.id for p in rows]


# -- the rules -----------------------------------------------------------------------------


def assert_schedule_sound(world: World) -> dict[int, int]:
    """Every hard rule holds in the stored version; returns meetings per participation."""
    with Session(world.engine) as session:
        event = session.get(Event, world.event)
        assert event is not None
        meetings = session.scalars(select(Meeting).where(Meeting.version_id == world.version)).all()
        seats = session.scalars(
            select(MeetingSeat).where(MeetingSeat.version_id == world.version)
        ).all()
        by_meeting: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for seat in seats:
            by_meeting[seat.meeting_id].append((seat.slot_id, seat.participation_id))
        for m in meetings:
            expected = (
                sorted([(m.slot_id, m.buyer_id), (m.slot_id, m.supplier_id)])
                if m.status == "scheduled"
                else []
            )
            assert sorted(by_meeting.get(m.id, [])) == expected, f"seats of meeting {m.id}"
        scheduled = [m for m in meetings if m.status == "scheduled"]
        company_slot = Counter(
            (p, m.slot_id) for m in scheduled for p in (m.buyer_id, m.supplier_id)
        )
        assert max(company_slot.values(), default=0) <= 1, "a company twice in one slot"
        table_slot = Counter((m.slot_id, m.zone_id, m.table_number) for m in scheduled)
        assert max(table_slot.values(), default=0) <= 1, "a table twice in one slot"
        counts = Counter(p for m in scheduled for p in (m.buyer_id, m.supplier_id))
        for participation in event.participations:
            cap = participation.max_meetings or event.default_max_meetings
            assert counts[participation.id] <= cap, f"{participation.id} over its cap of {cap}"
        return dict(counts)


# -- adds: the per-company cap ---------------------------------------------------------------


def test_thirteen_organisers_adding_for_one_company_with_one_place_left(app: Flask, worlds: Worlds):
    """The audit's race: cap 9, 8 meetings, 13 adds of different meetings at once: one wins."""
    world = worlds.build(slots=21, sellers=21, cap=9, booked=tuple((0, i, i, 1) for i in range(8)))
    buyer = world.buyers[0]
    results = race(
        app,
        world.engine,
        [add(world, buyer, world.sellers[8 + k], world.slots[8 + k]) for k in range(13)],
    )
    won, lost = winners_and_losers(results)
    assert won == 1
    if on_postgres(world):  # the losers waited for the winner, then saw its meeting
        assert {kind for kind, _ in lost} == {"RuleBroken"}
        assert all("maximum of 9 meetings" in message for _, message in lost)
    assert assert_schedule_sound(world)[buyer] == 9


@pytest.fixture
def checks_together(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Hold each racer after its rule checks until the other has checked too (up to 2 s).

    Without a lock taken before the checks, both count the same meetings before either adds
    one. With the lock, the second racer waits at the lock (PostgreSQL) or is refused there
    (SQLite), so the first one's wait here runs out and it goes on alone.
    """
    original = schedule_edits.check_placement
    gate = threading.Barrier(2)

    def check_then_wait(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait(timeout=2)

    monkeypatch.setattr(schedule_edits, "check_placement", check_then_wait)
    yield


def test_two_adds_checked_at_the_same_moment_keep_the_cap(
    app: Flask, worlds: Worlds, checks_together: None
):
    world = worlds.build(slots=3, sellers=3, cap=2, booked=((0, 0, 0, 1),))
    buyer = world.buyers[0]
    results = race(
        app,
        world.engine,
        [
            add(world, buyer, world.sellers[1], world.slots[1]),
            add(world, buyer, world.sellers[2], world.slots[2]),
        ],
    )
    won, lost = winners_and_losers(results)
    assert won == 1
    expected = "RuleBroken" if on_postgres(world) else "EditConflict"
    assert [kind for kind, _ in lost] == [expected]
    assert assert_schedule_sound(world)[buyer] == 2


def test_restoring_cancelled_meetings_at_once_keeps_the_cap(app: Flask, worlds: Worlds):
    """Adding a cancelled pair again brings its meeting back: it counts against the cap too."""
    world = worlds.build(slots=4, sellers=4, cap=2, booked=tuple((0, i, i, 1) for i in range(4)))
    with Session(world.engine) as session:  # cancel three: one place left
        for meeting_id in world.meetings[1:]:
            meeting = session.get(Meeting, meeting_id)
            assert meeting is not None
            meeting.status = "cancelled"
            meeting.seats.clear()
        session.commit()
    buyer = world.buyers[0]
    results = race(
        app,
        world.engine,
        [add(world, buyer, world.sellers[i], world.slots[i]) for i in (1, 2, 3)],
    )
    won, _ = winners_and_losers(results)
    assert won == 1
    assert assert_schedule_sound(world)[buyer] == 2


def test_same_company_same_slot_one_wins(app: Flask, worlds: Worlds):
    world = worlds.build()
    results = race(
        app,
        world.engine,
        [
            add(world, world.buyers[0], world.sellers[0], world.slots[0], table=1),
            add(world, world.buyers[0], world.sellers[1], world.slots[0], table=2),
        ],
    )
    won, lost = winners_and_losers(results)
    assert won == 1
    assert [kind for kind, _ in lost] in (["SlotTaken"], ["EditConflict"])
    assert sum(assert_schedule_sound(world).values()) == 2


def test_same_table_same_slot_one_wins(app: Flask, worlds: Worlds):
    world = worlds.build(buyers=2)
    results = race(
        app,
        world.engine,
        [
            add(world, world.buyers[0], world.sellers[0], world.slots[0], table=3),
            add(world, world.buyers[1], world.sellers[1], world.slots[0], table=3),
        ],
    )
    won, lost = winners_and_losers(results)
    assert won == 1
    assert [kind for kind, _ in lost] in (["SlotTaken"], ["EditConflict"])
    assert_schedule_sound(world)


# -- moves, swaps and cancellations ------------------------------------------------------


def test_moves_of_different_companies_onto_one_table(app: Flask, worlds: Worlds):
    """Four meetings of four pairs moved to the same slot and table at once: one moves."""
    world = worlds.build(slots=5, buyers=4, sellers=4, booked=tuple((i, i, i, 1) for i in range(4)))
    results = race(
        app, world.engine, [move(world, m, world.slots[4], table=1) for m in world.meetings]
    )
    won, lost = winners_and_losers(results)
    assert won == 1
    if on_postgres(world):
        assert {kind for kind, _ in lost} == {"SlotTaken"}
    assert_schedule_sound(world)


def test_moves_of_one_company_into_one_slot(app: Flask, worlds: Worlds):
    """One buyer's four meetings moved to the same slot (different tables) at once: one moves."""
    world = worlds.build(slots=5, sellers=4, booked=tuple((0, i, i, 1) for i in range(4)))
    results = race(
        app,
        world.engine,
        [move(world, m, world.slots[4], table=i + 1) for i, m in enumerate(world.meetings)],
    )
    won, lost = winners_and_losers(results)
    assert won == 1
    if on_postgres(world):
        assert {kind for kind, _ in lost} == {"SlotTaken"}
    assert_schedule_sound(world)


def test_two_organisers_moving_the_same_meeting(app: Flask, worlds: Worlds):
    """Both may succeed one after the other; the meeting keeps exactly its two seats."""
    world = worlds.build(slots=3, booked=((0, 0, 0, 1),))
    meeting = world.meetings[0]
    results = race(
        app,
        world.engine,
        [move(world, meeting, world.slots[1], 1), move(world, meeting, world.slots[2], 1)],
    )
    won, _ = winners_and_losers(results)
    assert won >= 1
    assert_schedule_sound(world)


def test_swap_move_and_cancel_at_once(app: Flask, worlds: Worlds):
    """A swap, a move onto one of its slots and a cancellation of its meeting race."""
    world = worlds.build(
        slots=4,
        buyers=2,
        sellers=3,
        booked=((0, 0, 0, 1), (1, 1, 1, 1), (0, 2, 2, 1)),
    )
    first, second, third = world.meetings
    results = race(
        app,
        world.engine,
        [
            swap(world, first, second),
            move(world, third, world.slots[1], 2),  # buyer 0 into the slot the swap gives it
            cancel(world, first),
            move(world, second, world.slots[3], 1),
        ],
    )
    winners_and_losers(results)
    assert_schedule_sound(world)


# -- reschedule proposals accepted at once -----------------------------------------------


def test_acceptances_of_proposals_for_one_slot(app: Flask, worlds: Worlds):
    """Four suppliers propose the same new time to one buyer, who accepts all four at once."""
    world = worlds.build(
        slots=6, sellers=4, status="published", booked=tuple((0, i, i, 1) for i in range(4))
    )
    target = world.slots[5]
    proposals = propose_all(world, world.meetings, target)
    buyer_contact = world.contacts[world.buyers[0]]
    results = race(app, world.engine, [accept(world, p, buyer_contact) for p in proposals])
    won, lost = winners_and_losers(results)
    assert won == 1
    if on_postgres(world):
        assert {kind for kind, _ in lost} == {"DomainError"}
    assert_schedule_sound(world)
    with Session(world.engine) as session:
        statuses = Counter(
            session.scalars(
                select(RescheduleProposal.status).where(RescheduleProposal.id.in_(proposals))
            )
        )
        assert statuses == {"accepted": 1, "open": 3}


def test_acceptances_of_proposals_for_one_table(app: Flask, worlds: Worlds):
    """Four different pairs accept moves to one slot of a one-table zone: one table, one wins."""
    world = worlds.build(
        slots=6,
        buyers=4,
        sellers=4,
        status="published",
        booked=tuple((i, i, i, 1) for i in range(4)),
    )
    with Session(world.engine) as session:  # one table in the zone
        zone = session.get(Zone, world.zones[0])
        assert zone is not None
        zone.tables = 1
        session.commit()
    proposals = propose_all(world, world.meetings, world.slots[5])
    results = race(
        app,
        world.engine,
        [accept(world, p, world.contacts[world.buyers[i]]) for i, p in enumerate(proposals)],
    )
    won, _ = winners_and_losers(results)
    assert won == 1
    assert_schedule_sound(world)


def test_one_proposal_accepted_twice_at_once(app: Flask, worlds: Worlds):
    """A double click: the meeting moves once, the second answer says the proposal is closed."""
    world = worlds.build(slots=3, status="published", booked=((0, 0, 0, 1),))
    (proposal,) = propose_all(world, world.meetings, world.slots[2])
    contact = world.contacts[world.buyers[0]]
    results = race(app, world.engine, [accept(world, proposal, contact)] * 2)
    won, lost = winners_and_losers(results)
    assert won == 1
    if on_postgres(world):
        assert [message for _, message in lost] == ["This proposal is no longer open."]
    assert_schedule_sound(world)
    with Session(world.engine) as session:
        meeting = session.get(Meeting, world.meetings[0])
        assert meeting is not None and meeting.slot_id == world.slots[2]
        assert len(meeting.changes) == 1


# -- publishing --------------------------------------------------------------------------


def publish(world: World, version: int) -> Prepared:
    def prepare(session: Session) -> Callable[[], object]:
        actor = session.scalar(select(User).where(User.email == world.organisers[0]))
        row = session.get(ScheduleVersion, version)
        assert row is not None and actor is not None
        return lambda: schedule_edits.publish_version(session, row, actor, datetime.now(UTC))

    return prepare


def test_two_drafts_published_at_once(app: Flask, worlds: Worlds):
    """One becomes the published schedule; the other organiser is told, not shown a 500."""
    world = worlds.build(status="published")
    with Session(world.engine) as session:
        drafts = [ScheduleVersion(event_id=world.event, number=n, status="draft") for n in (2, 3)]
        session.add_all(drafts)
        session.commit()
        ids = [d.id for d in drafts]
    results = race(app, world.engine, [publish(world, v) for v in ids])
    won, _ = winners_and_losers(results)
    with Session(world.engine) as session:
        statuses = session.scalars(
            select(ScheduleVersion.status)
            .where(ScheduleVersion.event_id == world.event)
            .order_by(ScheduleVersion.number)
        ).all()
    assert statuses[0] == "superseded"
    # Usually both read the old published version and one is refused; when one read after
    # the other committed, it superseded that one in turn.
    expected = ["draft", "published"] if won == 1 else ["published", "superseded"]
    assert sorted(statuses[1:]) == expected


# -- through the views: losers see a message, never a 500 ----------------------------------


def _clients(app: Flask, emails: list[str], password: str, page: str) -> list[tuple[Any, str]]:
    """A logged-in test client per e-mail, with a CSRF token read from ``page``."""
    clients = []
    for email in emails:
        client = app.test_client()
        assert login(client, email, password).status_code == 302
        clients.append((client, get_csrf(client, page)))
    return clients


def _post_at_once(posts: list[Callable[[], Any]]) -> list[Any]:
    """The responses; an error the app let through (a 500 outside tests) fails the test."""
    start = threading.Barrier(len(posts))
    responses: list[Any] = [None] * len(posts)
    crashes: list[str] = []

    def run(index: int) -> None:
        start.wait(timeout=30)
        try:
            responses[index] = posts[index]()
        except Exception as error:  # TESTING propagates what the 500 handler would catch
            crashes.append(f"{type(error).__name__}: {error}"[:300])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert crashes == []
    return responses


def test_organisers_adding_at_once_through_the_view(app: Flask, worlds: Worlds):
    world = worlds.build(
        slots=10,
        sellers=10,
        cap=5,
        organisers=6,
        booked=tuple((0, i, i, 1) for i in range(4)),
    )
    base = f"/organiser/events/{world.slug}/schedule/1"
    clients = _clients(app, world.organisers, ORGANISER_PASSWORD, base)

    def post(index: int) -> Callable[[], Any]:
        client, token = clients[index]
        data = {
            "csrf_token": token,
            "buyer": str(world.buyers[0]),
            "supplier": str(world.sellers[4 + index]),
            "slot": str(world.slots[4 + index]),
            "zone": str(world.zones[0]),
            "table": "",
        }
        return lambda: client.post(f"{base}/add", data=data)

    responses = _post_at_once([post(i) for i in range(len(clients))])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] + [422] * (len(clients) - 1)
    # SQLite: a loser that read before the winner committed is told to try again.
    refusals = ("maximum of 5 meetings",) + (() if on_postgres(world) else ("try again",))
    for response in responses:
        if response.status_code == 422:
            assert any(r in response.get_data(as_text=True) for r in refusals)
    assert assert_schedule_sound(world)[world.buyers[0]] == 5


def test_company_accepting_proposals_at_once_through_the_view(app: Flask, worlds: Worlds):
    world = worlds.build(
        slots=6, sellers=4, status="published", booked=tuple((0, i, i, 1) for i in range(4))
    )
    proposals = propose_all(world, world.meetings, world.slots[5])
    contact = world.contacts[world.buyers[0]]
    page = f"/company/events/{world.slug}/meetings"
    clients = _clients(app, [contact] * len(proposals), COMPANY_PASSWORD, page)

    def post(index: int) -> Callable[[], Any]:
        client, token = clients[index]
        data = {"csrf_token": token, "decision": "accept"}
        return lambda: client.post(
            f"/proposals/{proposals[index]}/answer", data=data, follow_redirects=True
        )

    responses = _post_at_once([post(i) for i in range(len(clients))])
    assert [r.status_code for r in responses] == [200] * len(responses)
    pages = [r.get_data(as_text=True) for r in responses]
    assert sum("The meeting has moved." in page for page in pages) == 1
    refusals = ("That time is no longer free",) + (() if on_postgres(world) else ("try again",))
    assert sum(any(r in page for r in refusals) for page in pages) == len(pages) - 1
    assert_schedule_sound(world)


# -- recommendations -----------------------------------------------------------------------


def test_two_recommendation_refreshes_at_once(
    app: Flask, worlds: Worlds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two scheduler processes refreshing one event's recommendations at once (both found them
    stale): neither fails on the event's run row, and the event keeps one set, not two."""
    from matchmaking import jobs
    from matchmaking.models import Recommendation, RecommendationRun
    from matchmaking.services import recommendations

    world = worlds.build(buyers=2, sellers=3)
    gate = threading.Barrier(2)
    original = recommendations.compute_recommendations

    def compute_together(session: Session, event: Event, now: datetime) -> int:
        # Both have read the event's run (none yet) and decided to compute; on SQLite the
        # second is still waiting for the write lock, so the first goes on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait(timeout=2)
        return original(session, event, now)

    monkeypatch.setattr(recommendations, "compute_recommendations", compute_together)

    def refresh(session: Session) -> Callable[[], object]:
        return lambda: jobs.refresh_recommendations(session, datetime.now(UTC))

    results = race(app, world.engine, [refresh, refresh])
    assert results == [("ok", ""), ("ok", "")]
    with Session(world.engine) as session:
        ids = [*world.buyers, *world.sellers]
        rows = session.execute(
            select(Recommendation.participation_id, Recommendation.counterpart_id).where(
                Recommendation.participation_id.in_(ids)
            )
        ).all()
        assert rows and len(rows) == len(set(rows))
        assert session.get(RecommendationRun, world.event) is not None
