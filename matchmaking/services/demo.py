"""A synthetic, clearly labelled Chongqing-SCO demo event (no real companies).

The demo's dates are placed relative to the seeding time so that what it shows could have
happened (see ``DemoCalendar``): by default the event is under way, its first negotiation day
held yesterday and its second one to come tomorrow; without a schedule it lies ahead; seeded
for the floor day, its second negotiation day is today.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from matchmaking.models import (
    Availability,
    Company,
    Event,
    EventBreak,
    EventDay,
    Offering,
    Participation,
    Sector,
    Slot,
    User,
)
from matchmaking.models import user as user_model
from matchmaking.models.company import CompanySize, OfferingKind, ParticipationStatus
from matchmaking.models.event import EventStatus
from matchmaking.models.request import RequestStatus
from matchmaking.models.schedule import MeetingStatus, VersionStatus
from matchmaking.models.user import Role
from matchmaking.services.demo_floor import seed_demo_floor_staff
from matchmaking.services.demo_interpreters import seed_demo_interpreters
from matchmaking.services.event_setup import BreakInput, DayInput, plan_grid
from matchmaking.services.registration import check_seeded_participation
from matchmaking.services.taxonomy import install_default_taxonomy

DEMO_SLUG = "chongqing-sco-2025-demo"
DEMO_ORGANISER = ("organiser@demo.example", "demo-organiser")
DEMO_COMPANY = ("buyer@demo.example", "demo-company")
TZ = "Asia/Shanghai"

# Buyers per SCO member/observer/partner state (about 40 in all).
BUYER_COUNTRIES = {
    "RU": 8, "KZ": 7, "UZ": 5, "KG": 4, "TJ": 3, "BY": 3, "MN": 3, "AM": 2, "AZ": 2,
    "PK": 1, "IR": 1, "IN": 1,
}  # fmt: skip
COUNTRY_LANGUAGES = {
    "RU": ["ru", "en"], "KZ": ["kk", "ru"], "UZ": ["uz", "ru"], "KG": ["ky", "ru"],
    "TJ": ["tg", "ru"], "BY": ["be", "ru"], "MN": ["mn", "ru", "en"], "AM": ["hy", "ru"],
    "AZ": ["az", "ru", "en"], "PK": ["ur", "en"], "IR": ["fa", "en"], "IN": ["hi", "en"],
}  # fmt: skip
CITIES = {
    "RU": ["Moscow", "Novosibirsk", "Yekaterinburg", "Kazan"], "KZ": ["Almaty", "Astana",
    "Pavlodar"], "UZ": ["Tashkent", "Samarkand"], "KG": ["Bishkek", "Osh"], "TJ": ["Dushanbe",
    "Khujand"], "BY": ["Minsk", "Brest"], "MN": ["Ulaanbaatar"], "AM": ["Yerevan"], "AZ": ["Baku"],
    "PK": ["Lahore"], "IR": ["Tehran"], "IN": ["Pune"],
}  # fmt: skip
PRODUCTS = {
    "nev.passenger": ["electric cars", "plug-in hybrid SUVs", "compact EVs"],
    "nev.commercial": ["electric buses", "heavy trucks", "light delivery vans"],
    "nev.motorcycles": ["motorcycles", "electric scooters", "three-wheelers"],
    "nev.parts": ["brake systems", "gearboxes", "headlamps", "tyres", "engine parts"],
    "nev.batteries": ["lithium battery packs", "EV chargers", "charging stations"],
    "machinery.construction": ["excavators", "loaders", "concrete mixers"],
    "machinery.tools": ["CNC machine tools", "welding equipment", "industrial robots"],
    "machinery.pumps": ["water pumps", "industrial valves", "air compressors"],
    "agrimachinery.tractors": ["wheeled tractors", "mini tractors", "crawler tractors"],
    "agrimachinery.harvesters": ["combine harvesters", "seeders", "rotary tillers"],
    "agrimachinery.irrigation": ["drip irrigation systems", "greenhouse equipment", "sprinklers"],
    "electromech.power": ["diesel generators", "transformers", "solar inverters"],
    "electromech.electronics": ["smart meters", "laptops", "security cameras"],
    "food.grain": ["wheat flour", "sunflower oil", "rapeseed"],
    "food.meat": ["beef", "mutton", "dairy products"],
    "food.fruit": ["dried apricots", "walnuts", "citrus fruit"],
    "food.processed": ["hotpot seasoning", "instant noodles", "green tea"],
    "chemicals.fertilisers": ["potash fertiliser", "urea", "compound fertiliser"],
    "chemicals.industrial": ["PVC resin", "caustic soda", "paint coatings"],
    "imported.food": ["sunflower oil", "honey", "chocolate", "mineral water", "dried fruit"],
    "imported.consumer": ["carpets", "cosmetics", "handicrafts", "cashmere"],
    "imported.materials": ["copper concentrate", "cotton yarn", "timber"],
}
BUYER_INTERESTS = [
    "nev.passenger", "nev.commercial", "nev.motorcycles", "nev.parts", "nev.batteries",
    "machinery.construction", "machinery.tools", "machinery.pumps", "agrimachinery.tractors",
    "agrimachinery.harvesters", "agrimachinery.irrigation", "electromech.power",
    "electromech.electronics", "chemicals.fertilisers", "food.processed",
]  # fmt: skip
SUPPLIER_SECTORS = [*BUYER_INTERESTS, "chemicals.industrial", "food.meat", "food.fruit"]
NAME_PARTS = {
    "buyer": ["Steppe", "Silk Road", "Altai", "Caspian", "Pamir", "Tien Shan", "Volga", "Ural",
              "Aral", "Orkhon", "Ararat", "Eurasia", "Baikal", "Issyk-Kul", "Zeravshan"],
    "buyer_kind": ["Trading", "Motors", "Agro", "Machinery Import", "Distribution", "Holding",
                   "Logistics", "Technics"],
    "cq": ["Yuzhong", "Jiangbei", "Liangjiang", "Banan", "Shapingba", "Jiulongpo", "Nan'an",
           "Beibei", "Yubei", "Fuling", "Wanzhou", "Yongchuan", "Hechuan", "Changshou"],
    "cq_kind": ["Auto Parts", "Motor", "Machinery", "Power Equipment", "Agricultural Machinery",
                "New Energy", "Electromechanical", "Industrial", "Food", "Chemical"],
}  # fmt: skip


HOURS = (time(9, 0), time(17, 30))
LUNCH = (time(12, 0), time(13, 30))


@dataclass(frozen=True)
class DemoCalendar:
    """The demo's dates, placed relative to the seeding time so its story can have happened.

    Under way (seeded with its schedule): negotiations were held yesterday (event time) and
    resume tomorrow, today being the exhibition day between them; registration closed two
    weeks before the first day, requests were answered within their time lapse, and the
    schedule was published a week before the first day. Outcomes then exist only for the
    meetings of the first day, as the product itself allows. Upcoming (seeded without a
    schedule): the same shape a week ahead, registration closed, the schedule to be built.
    Floor day (``seed-demo --floor-day``): the same shape two days earlier, today being the
    last negotiation day, with hours that leave slots to come (``floor_day_hours``).
    """

    first_day: date
    last_day: date
    registration_deadline: datetime
    requests_until: datetime
    last_day_hours: tuple[time, time] = HOURS
    floor_day: bool = False
    demo_arrival: time | None = None  # floor day: when the demo company comes (``demo_arrival``)

    @property
    def negotiation_days(self) -> tuple[date, date]:
        return (self.first_day, self.last_day)

    def hours(self, day: date) -> tuple[time, time]:
        """When negotiations run on ``day``."""
        return self.last_day_hours if day == self.last_day else HOURS


FLOOR_DAY_LAST_START = time(15, 0)  # seeded later than this, the floor day runs into the evening
LATEST_END = time(23, 40)  # the last slot a day can hold (20-minute slots end before midnight)


def floor_day_hours(now: datetime) -> tuple[time, time]:
    """Negotiation hours of a floor day seeded at ``now``: the usual 09:00-17:30 when seeded
    by 15:00 (event time), so that slots remain to come; seeded later, an evening session from
    two hours before the seeding hour until six hours after it (at most 23:40), so that most
    of its meetings are still to come. Only in the last 20 minutes before midnight (event
    time) is no slot of the day left to come."""
    local = now.astimezone(ZoneInfo(TZ)).time()
    if local <= FLOOR_DAY_LAST_START:
        return HOURS
    end = LATEST_END if local.hour >= 17 else time(local.hour + 6, 0)
    return time(local.hour - 2, 0), end


def publication_time(first_day: date) -> datetime:
    """When the demo schedule is published: 10:00 event time, a week before ``first_day``."""
    return _utc(first_day - timedelta(days=7), time(10, 0))


def demo_calendar(now: datetime, under_way: bool = True, floor_day: bool = False) -> DemoCalendar:
    """The demo's dates for a seeding at ``now``.

    ``floor_day``: the same three days two days earlier, so that today (event time) is the
    last negotiation day, the floor day (``floor_day_hours``); the first one was held the day
    before yesterday, yesterday was the exhibition day.
    """
    today = now.astimezone(ZoneInfo(TZ)).date()
    if floor_day:
        first = today - timedelta(days=2)
    else:
        first = today - timedelta(days=1) if under_way else today + timedelta(days=7)
    return DemoCalendar(
        first_day=first,
        last_day=first + timedelta(days=2),
        registration_deadline=_utc(first - timedelta(days=14), time(23, 59)),
        requests_until=_utc(first - timedelta(days=8), time(18, 0)),
        last_day_hours=floor_day_hours(now) if floor_day else HOURS,
        floor_day=floor_day,
        demo_arrival=demo_arrival(now) if floor_day else None,
    )


DEMO_SLOT = timedelta(minutes=20)


def demo_arrival(now: datetime) -> time | None:
    """When the README's demo company comes on a floor day seeded at ``now``: at the first
    slot starting after the seeding time, so it has held no meeting yet today and the walk
    can check it in (``demo_floor.seed_demo_floor_day``); ``None`` (it comes at opening) when
    fewer than two slots of the day are left then."""
    start, end = floor_day_hours(now)
    local = now.astimezone(ZoneInfo(TZ)).replace(tzinfo=None)
    opening = datetime.combine(local.date(), start)
    if local < opening:
        return None
    arrival = opening + DEMO_SLOT * (-(-(local - opening) // DEMO_SLOT))
    if arrival + 2 * DEMO_SLOT > datetime.combine(local.date(), end):
        return None
    return arrival.time()


@dataclass(frozen=True)
class DemoSummary:
    """What seeding created."""

    event: Event
    buyers: int
    suppliers: int
    created: bool


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(TZ)).astimezone(UTC)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A random instant in [start, end], to the second."""
    seconds = max(int((end - start).total_seconds()), 0)
    return start + timedelta(seconds=rng.randint(0, seconds))


def _grid(event: Event, calendar: DemoCalendar) -> list[Slot]:
    """20-minute slots 09:00-17:30 on both negotiation days, less the lunch break.

    The days and breaks are stored too, so the set-up page shows this grid and saving it
    unchanged keeps every slot.
    """
    days = tuple(DayInput(d, *calendar.hours(d)) for d in calendar.negotiation_days)
    breaks = tuple(
        BreakInput(d, *LUNCH, "Lunch")
        for d in calendar.negotiation_days
        if calendar.hours(d)[0] < LUNCH[0]  # an evening session (floor day) has no lunch
    )
    event.schedule_days = [EventDay(day=d.day, start_time=d.start, end_time=d.end) for d in days]
    event.breaks = [
        EventBreak(day=b.day, start_time=b.start, end_time=b.end, label=b.label) for b in breaks
    ]
    return [
        Slot(event=event, starts_at=start, ends_at=end)
        for start, end in plan_grid(TZ, days, breaks, event.slot_minutes or 20)
    ]


def demo_organiser(session: Session, event: Event) -> User:
    """The demo organiser (the README's login), created with its documented password when
    missing; the demo and the large demo event share it."""
    organiser = session.scalar(select(User).where(User.email == DEMO_ORGANISER[0]))
    if organiser is None:
        organiser = User(
            email=DEMO_ORGANISER[0],
            full_name="Demo Organiser",
            role=Role.ORGANISER,
            email_confirmed_at=event.created_at,
            created_at=event.created_at,
        )
        organiser.set_password(DEMO_ORGANISER[1])
        session.add(organiser)
    return organiser


def seed_demo(
    session: Session,
    now: datetime,
    seed: int = 2025,
    under_way: bool = True,
    floor_day: bool = False,
) -> DemoSummary:
    """Create the demo event unless it exists; flushes, the caller commits.

    ``under_way``: the event's first day was yesterday (call ``publish_demo_schedule`` and
    ``demo_deals.seed_demo_outcomes`` next); otherwise it starts in a week. ``floor_day``:
    today is its last negotiation day (see ``demo_calendar``; then also call
    ``demo_floor.seed_demo_floor_day``).
    """
    existing = session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    if existing is not None:
        return DemoSummary(existing, 0, 0, created=False)
    rng = random.Random(seed)
    calendar = demo_calendar(now, under_way, floor_day)
    deadline = calendar.registration_deadline
    event = Event(
        slug=DEMO_SLUG,
        name="Chongqing-SCO Economic and Trade Cooperation Conference (demo)",
        venue="Chongqing International Expo Center (demo data)",
        city="Chongqing",
        timezone=TZ,
        start_date=calendar.first_day,
        end_date=calendar.last_day,
        registration_deadline=deadline,
        status=EventStatus.CLOSED,
        description=(
            "SYNTHETIC DEMO DATA. Buyers from SCO member and partner states meet Chongqing "
            "enterprises in pre-arranged one-on-one negotiations in three zones, on the first "
            "and the last day; the day between them is the exhibition day."
        ),
        default_max_meetings=12,
        is_demo=True,
        created_at=deadline - timedelta(days=60),
    )
    session.add(event)
    install_default_taxonomy(session, event)
    session.add_all(_grid(event, calendar))
    sectors = {
        s.code: s for s in session.scalars(select(Sector).where(Sector.event_id == event.id))
    }

    organiser = demo_organiser(session, event)
    event.organisers.append(organiser)  # the demo organiser manages the demo event
    session.flush()

    # Nobody knows this password (not even from the source): the contacts are placeholders,
    # except the one demo login, which gets its documented password below.
    unusable = generate_password_hash(
        secrets.token_urlsafe(32), method=user_model.PASSWORD_HASH_METHOD
    )
    registrant = _Registrant(session, event, calendar, rng, unusable, organiser)
    buyers = 0
    for country, count in BUYER_COUNTRIES.items():
        for _ in range(count):
            buyers += 1
            company = Company(
                legal_name=f"{rng.choice(NAME_PARTS['buyer'])} "
                f"{rng.choice(NAME_PARTS['buyer_kind'])} {country}-{buyers:02d} (demo)",
                country=country,
                city=rng.choice(CITIES[country]),
                size=rng.choice([CompanySize.SMALL, CompanySize.MEDIUM, CompanySize.LARGE]),
                languages=COUNTRY_LANGUAGES[country],
                description="Synthetic demo purchasing company.",
            )
            offerings = [
                Offering(
                    kind=OfferingKind.BUY,
                    sector=sectors[code],
                    description=", ".join(rng.sample(PRODUCTS[code], 2)),
                    volume_usd=Decimal(rng.randrange(50, 2000) * 1000),
                )
                for code in rng.sample(BUYER_INTERESTS, rng.randint(1, 3))
            ]
            if rng.random() < 0.35:  # imported-goods zone: SCO companies sell too
                code = rng.choice(["imported.food", "imported.consumer", "imported.materials"])
                offerings.append(
                    Offering(
                        kind=OfferingKind.SELL,
                        sector=sectors[code],
                        description=", ".join(rng.sample(PRODUCTS[code], 2)),
                    )
                )
            registrant.add(company, offerings, buyers)
    suppliers = 0
    for index in range(180):
        suppliers += 1
        company = Company(
            legal_name=f"Chongqing {rng.choice(NAME_PARTS['cq'])} "
            f"{rng.choice(NAME_PARTS['cq_kind'])} Co., Ltd. No.{index + 1:03d} (demo)",
            country="CN",
            city="Chongqing",
            size=rng.choice(
                [CompanySize.SMALL, CompanySize.MEDIUM, CompanySize.MEDIUM, CompanySize.LARGE]
            ),
            languages=["zh", "en"]
            if rng.random() < 0.6
            else (["zh", "ru"] if rng.random() < 0.5 else ["zh"]),
            description="Synthetic demo Chongqing enterprise.",
        )
        offerings = [
            Offering(
                kind=OfferingKind.SELL,
                sector=sectors[code],
                description=", ".join(rng.sample(PRODUCTS[code], 2)),
                volume_usd=Decimal(rng.randrange(100, 5000) * 1000),
            )
            for code in rng.sample(SUPPLIER_SECTORS, rng.randint(1, 2))
        ]
        if index % 9 == 0:  # Chongqing importers buy in the imported-goods zone
            code = rng.choice(["imported.food", "imported.consumer", "imported.materials"])
            offerings.append(
                Offering(
                    kind=OfferingKind.BUY,
                    sector=sectors[code],
                    description=", ".join(rng.sample(PRODUCTS[code], 2)),
                )
            )
        registrant.add(company, offerings, 100 + index)

    demo_contact = session.scalar(select(User).where(User.email == DEMO_COMPANY[0]))
    if demo_contact is not None:
        demo_contact.set_password(DEMO_COMPANY[1])
    seed_demo_interpreters(session, event, unusable)
    seed_demo_floor_staff(session, event)
    session.flush()
    _add_requests(session, event, rng, calendar, now)
    return DemoSummary(event, buyers, suppliers, created=True)


def _add_requests(
    session: Session, event: Event, rng: random.Random, calendar: DemoCalendar, now: datetime
) -> None:
    """Requests between approved buyers and suppliers of a common sector: most accepted.

    Each was made after both companies were approved and before ``calendar.requests_until``
    and answered within the event's time lapse; one left unanswered has expired by ``now``
    unless its time lapse still runs.
    """
    from matchmaking.models import MeetingRequest
    from matchmaking.services.requests import pair_key

    approved = [p for p in event.participations if p.status == ParticipationStatus.APPROVED]
    by_sector: dict[str, list[Participation]] = {}
    for p in approved:
        for line in p.sells:
            by_sector.setdefault(line.sector.code, []).append(p)
    lapse = timedelta(hours=event.request_expiry_hours or 72)
    seen: set[str] = set()
    for buyer in approved:
        for line in buyer.buys:
            sellers = [s for s in by_sector.get(line.sector.code, []) if s.id != buyer.id]
            if not sellers or rng.random() < 0.4:
                continue
            seller = rng.choice(sellers)
            key = pair_key(buyer.id, seller.id)
            if key in seen:
                continue
            seen.add(key)
            both_approved = max(_decided(buyer), _decided(seller))
            created = min(
                calendar.requests_until,
                both_approved + timedelta(seconds=rng.randint(3600, 5 * 86400)),
            )
            status = rng.choices(
                [RequestStatus.ACCEPTED, RequestStatus.OPEN, RequestStatus.DECLINED],
                [0.7, 0.2, 0.1],
            )[0]
            answered = None
            if status != RequestStatus.OPEN:
                answered = _between(rng, created + timedelta(minutes=10), created + lapse * 0.9)
            elif created + lapse <= now:
                status = RequestStatus.EXPIRED  # what the expire-requests job would have recorded
            session.add(
                MeetingRequest(
                    event_id=event.id,
                    requester=buyer,
                    recipient=seller,
                    buyer=buyer,
                    supplier=seller,
                    pair_key=key,
                    status=status,
                    created_at=created,
                    message="Interested in your products (demo request).",
                    expires_at=created + lapse,
                    answered_at=answered,
                )
            )
    session.flush()


def _decided(participation: Participation) -> datetime:
    assert participation.decided_at is not None
    return participation.decided_at


def publish_demo_schedule(
    session: Session, event: Event, now: datetime, time_limit: float = 10.0
) -> int:
    """Generate and publish the demo event's first schedule; returns its meeting count.

    The schedule counts as published a week before the first day (``publication_time``), or
    at ``now`` if that is earlier. ``time_limit`` is the search's: the quality report is
    complete however busy the machine (a figure dropped for time would leave the demo's
    interpreter shortage unexplained).
    """
    from matchmaking.services.schedule_edits import publish_version
    from matchmaking.services.schedules import run_generation, start_generation

    organiser = session.scalar(select(User).where(User.email == DEMO_ORGANISER[0]))
    assert organiser is not None
    published_at = min(now, publication_time(event.start_date))
    generated_at = published_at - timedelta(hours=2)
    version = start_generation(session, event, organiser)
    run_generation(
        session, version, time_limit, lambda share, message: None, generated_at, every_figure=True
    )
    if version.status != VersionStatus.DRAFT:
        raise RuntimeError(f"demo schedule failed: {version.message}")
    version.created_at = generated_at
    for meeting in version.meetings:
        meeting.created_at = meeting.updated_at = generated_at
    publish_version(session, version, organiser, published_at)
    return sum(1 for m in version.meetings if m.status == MeetingStatus.SCHEDULED)


class _Registrant:
    """Registers the demo companies: one contact each, before the deadline, most approved."""

    def __init__(
        self,
        session: Session,
        event: Event,
        calendar: DemoCalendar,
        rng: random.Random,
        password_hash: str,
        organiser: User,
    ) -> None:
        self.session = session
        self.event = event
        self.calendar = calendar
        self.rng = rng
        self.password_hash = password_hash
        self.organiser = organiser

    def add(self, company: Company, offerings: list[Offering], number: int) -> None:
        rng = self.rng
        deadline = self.calendar.registration_deadline
        registered = _between(rng, deadline - timedelta(days=40), deadline - timedelta(hours=1))
        company.created_at = registered
        email = DEMO_COMPANY[0] if number == 1 else f"contact{number:03d}@demo.example"
        contact = User(
            email=email,
            full_name=f"Demo Contact {number:03d}",
            role=Role.COMPANY,
            company=company,
            password_hash=self.password_hash,
            email_confirmed_at=registered + timedelta(minutes=rng.randint(2, 600)),
            created_at=registered,
            locale="ru" if company.country != "CN" else "zh",
        )
        roll = rng.random()
        first, last = self.calendar.negotiation_days
        days = rng.choices([(first, last), (first,), (last,)], [0.7, 0.15, 0.15])[0]
        if number == 1 and self.calendar.floor_day:
            days = (first, last)  # the README's demo login is there on the floor day
        approved = rng.random() < 0.9 or number == 1  # the README's demo login takes part
        participation = Participation(
            event=self.event,
            company=company,
            status=ParticipationStatus.APPROVED if approved else ParticipationStatus.PENDING,
            decided_at=registered + timedelta(hours=rng.randint(2, 72)) if approved else None,
            decided_by_id=self.organiser.id if approved else None,
            directory_consent=rng.random() < 0.9,
            max_meetings=rng.choice([None, 8, 10, 12]),
            interpreter_needed="zh" not in company.languages and "en" not in company.languages,
            offerings=offerings,
            availability=[
                Availability(day=day, start_time=start, end_time=end)
                for day in days
                for start, end in [self._window(day, roll, number)]
            ],
            created_at=registered,
            updated_at=registered,
        )
        self.session.add_all([company, contact, participation])
        check_seeded_participation(self.session, participation)  # the rules companies meet

    def _window(self, day: date, roll: float, number: int) -> tuple[time, time]:
        """A tenth of the companies come only in the morning, a tenth only after lunch; on
        a floor day the demo company comes late (``demo_arrival``) and stays."""
        start, end = self.calendar.hours(day)
        arrival = self.calendar.demo_arrival
        if number == 1 and day == self.calendar.last_day and arrival is not None:
            return arrival, end
        if start >= LUNCH[0]:  # an evening session (floor day): everybody stays throughout
            return start, end
        if roll < 0.1:
            return start, LUNCH[0]
        if roll < 0.2:
            return LUNCH[1], end
        return start, end
