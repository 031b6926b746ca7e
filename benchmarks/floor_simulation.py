"""A negotiation day with no-shows, refilled live (issue 19): how many freed tables get a meeting.

    .venv/bin/python -m benchmarks.floor_simulation [--database-url URL] [--seed]
        [--no-show 0.1] [--accept 0.7] [--idle-present 0.5] [--runs 1] [--random-seed 19]

Over the published demo schedule (``--seed`` creates a throw-away SQLite file with
``seed-demo``; or give the URL of a database holding it, e.g. the large event with
``--slug``), the event's last day is played slot by slot, in one transaction rolled back at
the end. Companies with meetings that day are checked in, and ``--idle-present`` of the
others. Before each slot, ``--no-show`` of its meetings are drawn: one of the two companies
does not come (it is checked out for the slot and back for the next), the meeting is marked
no-show and its table offered (``offer_after_no_show``). Each freed table is then offered
again to the pairs free at that moment (``offer_table``: earlier refills of the slot taken
into account) and its best proposal is accepted with probability ``--accept``
(``confirm_offer``: every hard rule and the meeting cap checked).

Printed: freed table-slots, those with at least one pair of free checked-in companies, the
share refilled of each, and the meetings gained.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

TARGET_SHARE = 0.5


@dataclass
class Tally:
    freed: int = 0
    with_candidates: int = 0
    refilled: int = 0
    refused: int = 0  # confirmations refused (a rule, or taken meanwhile): the next was tried
    slots: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        self.freed += other.freed
        self.with_candidates += other.with_candidates
        self.refilled += other.refilled
        self.refused += other.refused
        self.slots += other.slots
        self.seconds += other.seconds


def _app(url: str):  # type: ignore[no-untyped-def]
    from matchmaking import create_app

    return create_app("development", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="benchmark")


def seed(url: str) -> None:
    """The demo event (about 220 companies) with its published schedule and recommendations."""
    from matchmaking.extensions import db
    from matchmaking.models.types import utcnow
    from matchmaking.services.demo import publish_demo_schedule, seed_demo
    from matchmaking.services.recommendations import ensure_recommendations

    app = _app(url)
    with app.app_context():
        db.create_all()
        summary = seed_demo(db.session, utcnow(), under_way=True)
        db.session.commit()
        publish_demo_schedule(db.session, summary.event, utcnow(), 10.0)
        db.session.commit()
        ensure_recommendations(db.session, summary.event, utcnow())
        db.session.commit()


def play_day(
    url: str, slug: str, no_show: float, accept: float, idle_present: float, rng: random.Random
) -> Tally:
    """The event's last day, slot by slot; rolled back at the end."""
    from matchmaking.errors import DomainError
    from matchmaking.extensions import db
    from matchmaking.models import CheckIn, Event, Meeting, MeetingSeat, Participation, User
    from matchmaking.models.company import ParticipationStatus
    from matchmaking.models.schedule import Attendance, MeetingStatus
    from matchmaking.models.user import Role
    from matchmaking.services.agendas import get_published_version
    from matchmaking.services.refill import (
        confirm_offer,
        offer_after_no_show,
        offer_table,
        slot_day,
    )
    from matchmaking.services.schedules import active_slots

    tally = Tally()
    app = _app(url)
    with app.app_context():
        session = db.session
        event = session.scalar(select(Event).where(Event.slug == slug))
        if event is None:
            raise SystemExit(f"no event {slug!r} here: pass --seed")
        version = get_published_version(session, event.id)
        assert version is not None
        staff = session.scalar(select(User).where(User.role == Role.ORGANISER))
        assert staff is not None and event.managed_by(staff), "the demo organiser manages it"
        slots = active_slots(session, event)
        day = slot_day(slots[-1])
        day_slots = [s for s in slots if slot_day(s) == day]
        busy_today = set(
            session.scalars(
                select(MeetingSeat.participation_id).where(
                    MeetingSeat.version_id == version.id,
                    MeetingSeat.slot_id.in_([s.id for s in day_slots]),
                )
            )
        )
        approved = session.scalars(
            select(Participation.id).where(
                Participation.event_id == event.id,
                Participation.status == ParticipationStatus.APPROVED,
            )
        ).all()
        first = day_slots[0].starts_at - timedelta(hours=1)
        for pid in approved:
            if pid in busy_today or rng.random() < idle_present:
                session.add(CheckIn(participation_id=pid, day=day, checked_in_at=first))
        session.flush()
        started = time.perf_counter()
        for slot in day_slots:
            tally.slots += 1
            now = slot.starts_at - timedelta(minutes=2)
            meetings = session.scalars(
                select(Meeting)
                .where(
                    Meeting.version_id == version.id,
                    Meeting.slot_id == slot.id,
                    Meeting.status == MeetingStatus.SCHEDULED,
                )
                .order_by(Meeting.id)
            ).all()
            drawn = [m for m in meetings if rng.random() < no_show]
            absent = [rng.choice((m.buyer_id, m.supplier_id)) for m in drawn]
            session.execute(
                update(CheckIn)
                .where(CheckIn.participation_id.in_(absent), CheckIn.day == day)
                .values(checked_out_at=now)
            )
            for meeting in drawn:
                meeting.attendance = Attendance.NO_SHOW
                session.flush()
                offer_after_no_show(session, meeting, now)
            for meeting in drawn:
                tally.freed += 1
                offers = offer_table(
                    session, version, slot, meeting.zone, meeting.table_number, now, meeting
                )
                if offers:
                    tally.with_candidates += 1
                if offers and rng.random() < accept:
                    for offer in offers:
                        try:
                            with session.begin_nested():
                                confirm_offer(session, offer, staff, now)
                        except DomainError:  # taken meanwhile, or a rule: the next one
                            tally.refused += 1
                            continue
                        tally.refilled += 1
                        break
            session.execute(  # the absent companies come back for the next slot
                update(CheckIn)
                .where(CheckIn.participation_id.in_(absent), CheckIn.day == day)
                .values(checked_out_at=None)
            )
        tally.seconds = time.perf_counter() - started
        session.rollback()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", action="store_true", help="seed the demo into a temp file")
    parser.add_argument("--slug", default=None, help="event (default: the demo event)")
    parser.add_argument("--no-show", type=float, default=0.10)
    parser.add_argument("--accept", type=float, default=0.7, help="chance a proposal is taken")
    parser.add_argument("--idle-present", type=float, default=0.5)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--random-seed", type=int, default=19)
    args = parser.parse_args()

    from matchmaking.services.demo import DEMO_SLUG

    url = args.database_url
    if url is None or args.seed:
        if url is None:
            folder = Path(tempfile.mkdtemp(prefix="floor-sim-"))
            url = f"sqlite:///{folder / 'demo.sqlite'}"
        seed(url)
    rng = random.Random(args.random_seed)
    total = Tally()
    for _run in range(args.runs):
        total.add(
            play_day(
                url,
                args.slug or DEMO_SLUG,
                args.no_show,
                args.accept,
                args.idle_present,
                rng,
            )
        )

    def share(part: int, whole: int) -> str:
        return f"{part / whole:6.1%}" if whole else "     —"

    print(
        f"no-shows {args.no_show:.0%} per slot, proposals accepted with probability "
        f"{args.accept:.0%}, {args.idle_present:.0%} of companies without meetings that day "
        f"present; "
        f"{args.runs} run(s) of {total.slots // max(args.runs, 1)} slots"
    )
    met = total.with_candidates and total.refilled >= TARGET_SHARE * total.with_candidates
    print(f"freed table-slots:                           {total.freed}")
    print(
        f"  with a pair of free checked-in companies:  {total.with_candidates} "
        f"({share(total.with_candidates, total.freed)})"
    )
    print(
        f"refilled:                                    {total.refilled} "
        f"({share(total.refilled, total.freed)} of freed, "
        f"{share(total.refilled, total.with_candidates)} where a free pair existed; "
        f"target >= {TARGET_SHARE:.0%} there: "
        f"{'met' if met else 'NOT met'})"
    )
    print(f"meetings gained:                             {total.refilled}")
    print(f"confirmations refused (next proposal tried): {total.refused}")
    print(
        f"time: {total.seconds:.1f} s "
        f"({total.seconds / max(total.freed, 1) * 1000:.0f} ms per freed table)"
    )


if __name__ == "__main__":
    main()
