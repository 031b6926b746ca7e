"""Two organisers booking at once: the database lets exactly one win (PostgreSQL)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from matchmaking.models import Event, Meeting, ScheduleVersion, User
from matchmaking.services import schedule_edits
from tests.conftest import make_event
from tests.functional.helpers import make_participant, make_slots

URL = os.environ.get("MATCHMAKING_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not URL.startswith("postgresql"), reason="runs on PostgreSQL (MATCHMAKING_TEST_DATABASE_URL)"
)


@pytest.fixture
def world(app: Any) -> Iterator[dict[str, Any]]:
    """Committed data (each racer needs its own connection), removed afterwards."""
    engine = create_engine(URL)
    slug = f"race-{uuid.uuid4().hex[:8]}"
    with Session(engine) as session:
        event = make_event(session, slug=slug)
        slots = make_slots(session, event, 3)
        buyer = make_participant(
            session, event, "Racer Buyer", buys=(("nev.parts", "x"),), email=f"b-{slug}@example.org"
        )
        sellers = [
            make_participant(
                session,
                event,
                f"Racer Seller{i}",
                "CN",
                sells=(("nev.parts", "x"),),
                email=f"s{i}-{slug}@example.org",
            )
            for i in range(2)
        ]
        organiser = User(
            email=f"org-{slug}@example.org",
            full_name="Org",
            role="organiser",
            password_hash="x",
            email_confirmed_at=datetime.now(UTC),
        )
        version = ScheduleVersion(event=event, number=1, status="draft")
        session.add_all([organiser, version])
        session.commit()
        ids = {
            "event": event.id,
            "slot": slots[0].id,
            "buyer": buyer.id,
            "sellers": [s.id for s in sellers],
            "organiser": organiser.id,
            "version": version.id,
            "zone": event.zones[0].id,
        }
    yield {"engine": engine, "ids": ids}
    with Session(engine) as session:  # one statement: the database cascades
        from matchmaking.models import Company

        session.execute(delete(Event).where(Event.id == ids["event"]))
        session.execute(delete(User).where(User.email.like(f"%{slug}%")))
        session.execute(delete(Company).where(Company.legal_name.like("Racer %")))
        session.commit()
    engine.dispose()


def _race(engine: Engine, app: Any, ids: dict[str, Any], jobs: list[dict[str, Any]]) -> list[str]:
    """Run both bookings at the same moment in their own sessions; 'ok' or the error class."""
    barrier = threading.Barrier(len(jobs))
    results: list[str] = [""] * len(jobs)

    def run(index: int, job: dict[str, Any]) -> None:
        with app.app_context(), Session(engine) as session:
            from matchmaking.models import Participation, Slot, Zone

            version = session.get(ScheduleVersion, ids["version"])
            actor = session.get(User, ids["organiser"])
            barrier.wait(timeout=10)
            try:
                schedule_edits.add_meeting(
                    session,
                    version,
                    session.get(Participation, job["buyer"]),
                    session.get(Participation, job["supplier"]),
                    session.get(Slot, ids["slot"]),
                    session.get(Zone, ids["zone"]),
                    job["table"],
                    actor,
                )
                session.commit()
                results[index] = "ok"
            except schedule_edits.SlotTaken:
                session.rollback()
                results[index] = "SlotTaken"
            except Exception as error:
                session.rollback()
                results[index] = f"{type(error).__name__}: {error}"[:300]

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_same_company_same_slot_one_wins(world: dict[str, Any], app: Any):
    ids = world["ids"]
    seller_a, seller_b = ids["sellers"]
    results = _race(
        world["engine"],
        app,
        ids,
        [
            {"buyer": ids["buyer"], "supplier": seller_a, "table": 1},
            {"buyer": ids["buyer"], "supplier": seller_b, "table": 2},
        ],
    )
    assert sorted(results) == ["SlotTaken", "ok"]
    with Session(world["engine"]) as session:
        meetings = session.scalars(
            select(Meeting).where(
                Meeting.version_id == ids["version"], Meeting.status == "scheduled"
            )
        ).all()
        assert len(meetings) == 1


def test_same_table_same_slot_one_wins(world: dict[str, Any], app: Any):
    ids = world["ids"]
    seller_a, seller_b = ids["sellers"]
    with Session(world["engine"]) as session:  # a second buyer so only the table is shared
        event = session.get(Event, ids["event"])
        other = make_participant(
            session,
            event,
            "Racer Buyer Two",
            buys=(("nev.parts", "x"),),
            email=f"b2-{event.slug}@example.org",
        )
        session.commit()
        other_id = other.id
    results = _race(
        world["engine"],
        app,
        ids,
        [
            {"buyer": ids["buyer"], "supplier": seller_a, "table": 3},
            {"buyer": other_id, "supplier": seller_b, "table": 3},
        ],
    )
    assert sorted(results) == ["SlotTaken", "ok"]
