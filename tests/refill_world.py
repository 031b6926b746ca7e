"""A negotiation day under way, for the live refill tests: it is 10:05 at the venue, the 10:20
slot has a meeting whose supplier never arrived, and other companies are checked in and free.

Companies (all in auto parts, the first zone's sector):
- buyer ``b1`` (ru) meets supplier ``s1`` (zh, ru) at 10:20, table 1; ``s1`` is not checked in;
- buyer ``b2`` (ru) meets supplier ``s2`` (ru) at 10:20, table 2 (both present: busy);
- supplier ``s3`` speaks only English (no common language with the buyers);
- supplier ``s4`` (ru) is free; ``b1``-``s4`` is a stored recommendation, as are ``b1``-``s3``
  (higher score, but no common language) and ``b2``-``s4`` (``b2`` is busy).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy.orm import Session

from matchmaking.models import (
    Availability,
    CheckIn,
    Company,
    Event,
    Meeting,
    Offering,
    Participation,
    Recommendation,
    RefillOffer,
    ScheduleVersion,
    Slot,
    User,
)
from tests.conftest import make_event, sector
from tests.functional.helpers import make_meeting, make_participant, make_slots, make_staff

DAY = date(2031, 5, 14)
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime.combine(DAY, time(10, 5), TZ).astimezone(UTC)  # during the 10:00 slot
PASSWORD = "company-pass-1"
ORGANISER = ("org@forum.example", "organiser-password")


@contextmanager
def venue_clock(instant: datetime = NOW) -> Iterator[None]:
    """The clock at the venue during the day (ticking on from ``instant``)."""
    with time_machine.travel(instant, tick=True):
        yield


@dataclass
class Floor:
    event: Event
    version: ScheduleVersion
    slots: list[Slot]  # 20 minutes from 09:00: [3] is 10:00, [4] is 10:20
    b1: Participation
    b2: Participation
    s1: Participation
    s2: Participation
    s3: Participation
    s4: Participation
    no_show: Meeting  # b1 + s1 at 10:20, table 1
    busy: Meeting  # b2 + s2 at 10:20, table 2
    organiser: User

    @property
    def next_slot(self) -> Slot:
        return self.slots[4]

    def email(self, participation: Participation) -> str:
        return participation.company.contacts[0].email


def _company(dbs: Session, event: Event, name: str, kind: str, languages: tuple[str, ...]):  # type: ignore[no-untyped-def]
    line = (("nev.parts", "brake systems"),)
    return make_participant(
        dbs,
        event,
        name,
        "KZ" if kind == "buy" else "CN",
        sells=line if kind == "sell" else (),
        buys=line if kind == "buy" else (),
        languages=languages,
        email=f"{name.split()[0].lower()}@floor.example",
    )


def build_floor(dbs: Session, slug: str = "forum", check_in: bool = True) -> Floor:
    """The day described in the module docstring; call it under ``venue_clock()``."""
    event = make_event(
        dbs,
        slug=slug,
        start_date=DAY,
        end_date=DAY + timedelta(days=1),
        registration_deadline=NOW - timedelta(days=10),
        status="closed",
    )
    slots = make_slots(dbs, event, count=8)
    b1 = _company(dbs, event, f"Steppe{slug} Buyer LLP", "buy", ("ru",))
    b2 = _company(dbs, event, f"Altai{slug} Buyer LLP", "buy", ("ru",))
    s1 = _company(dbs, event, f"Yangtze{slug} Parts Co", "sell", ("zh", "ru"))
    s2 = _company(dbs, event, f"Jialing{slug} Brakes Co", "sell", ("ru",))
    s3 = _company(dbs, event, f"Harbour{slug} Axles Ltd", "sell", ("en",))
    s4 = _company(dbs, event, f"Chongqing{slug} Calipers Co", "sell", ("ru",))
    no_show = make_meeting(dbs, b1, s1, slots[4], table=1)
    busy = make_meeting(dbs, b2, s2, slots[4], table=2)
    for meeting in (no_show, busy):
        meeting.uid = f"{slug}-{meeting.buyer_id}-{meeting.supplier_id}@matchmaking"
    for first, second, score, rank in (
        (b1, s3, 0.9, 1),
        (b1, s4, 0.7, 2),
        (b2, s4, 0.8, 1),
        (s4, b2, 0.8, 1),
        (s4, b1, 0.7, 2),
    ):
        dbs.add(
            Recommendation(
                participation_id=first.id,
                counterpart_id=second.id,
                rank=rank,
                score=score,
                reason=[],
            )
        )
    if check_in:
        for p in (b1, b2, s2, s3, s4):
            dbs.add(CheckIn(participation_id=p.id, day=DAY, checked_in_at=NOW - timedelta(hours=1)))
    organiser = make_staff(
        dbs, email=f"{slug}-{ORGANISER[0]}", password=ORGANISER[1], events=[event]
    )
    dbs.flush()
    return Floor(event, no_show.version, slots, b1, b2, s1, s2, s3, s4, no_show, busy, organiser)


def add_day_under_way(
    session: Session, company: Company, organiser: User, slug: str = "floor-day"
) -> tuple[list[str], dict[str, list[str]]]:
    """An event under way now, wherever the clock is: in a time zone where it is about noon,
    a slot under way and the next one, where ``company`` is proposed for a no-show's table.

    For the fuzz world: the pages showing the refill forms, and the ids of its routes.
    """
    now = datetime.now(UTC)
    offset = 12 - now.hour  # hours east of UTC where it is about noon now
    zone_name = "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    local = now.astimezone(ZoneInfo(zone_name))
    event = make_event(
        session,
        slug=slug,
        timezone=zone_name,
        start_date=local.date(),
        end_date=local.date(),
        registration_deadline=now - timedelta(days=5),
        status="closed",
    )
    event.organisers.append(organiser)
    start = local.replace(minute=local.minute // 20 * 20, second=0, microsecond=0)
    slots = [
        Slot(
            event=event,
            starts_at=(start + timedelta(minutes=20 * i)).astimezone(UTC),
            ends_at=(start + timedelta(minutes=20 * (i + 1))).astimezone(UTC),
        )
        for i in range(2)
    ]
    session.add_all(slots)
    whole_day = [Availability(day=local.date(), start_time=time(0, 0), end_time=time(23, 59))]
    mine = Participation(
        event=event,
        company=company,
        status="approved",
        directory_consent=True,
        offerings=[Offering(kind="sell", sector=sector(event, "nev.parts"), description="x")],
        availability=whole_day,
    )
    session.add(mine)
    buyer = _company(session, event, f"Dayx{slug} Buyer LLP", "buy", ("ru",))
    absent = _company(session, event, f"Dayz{slug} Parts Co", "sell", ("ru",))
    for p in (buyer, absent):
        for window in p.availability:  # the whole day (it is the event's first)
            window.start_time, window.end_time = time(0, 0), time(23, 59)
    session.flush()
    no_show = make_meeting(session, buyer, absent, slots[1], table=1)
    no_show.attendance = "no_show"
    offer = RefillOffer(
        event_id=event.id,
        version_id=no_show.version_id,
        slot_id=slots[1].id,
        zone_id=no_show.zone_id,
        table_number=1,
        buyer_id=buyer.id,
        supplier_id=mine.id,
        rank=1,
        freed_meeting_id=no_show.id,
        created_at=now,
    )
    session.add(offer)
    for p in (mine, buyer):
        session.add(CheckIn(participation_id=p.id, day=local.date(), checked_in_at=now))
    session.flush()
    pages = [
        f"/floor/events/{slug}/refills?slot={slots[1].id}",
        f"/company/events/{slug}/agenda",
    ]
    return pages, {"offer_id": [str(offer.id)], "zone_id": [str(no_show.zone_id)]}
