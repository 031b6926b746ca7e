"""A synthetic, clearly labelled Chongqing-SCO 2025 demo event (no real companies)."""

from __future__ import annotations

import random
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
    Offering,
    Participation,
    Sector,
    Slot,
    User,
)
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


@dataclass(frozen=True)
class DemoSummary:
    """What seeding created."""

    event: Event
    buyers: int
    suppliers: int
    created: bool


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(TZ)).astimezone(UTC)


def _slot_grid(event: Event, day: date) -> list[Slot]:
    """20-minute slots 09:00-12:00 and 13:30-17:30 (lunch break between)."""
    slots = []
    for start, end in ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30))):
        cursor = _utc(day, start)
        stop = _utc(day, end)
        while cursor + timedelta(minutes=20) <= stop:
            slots.append(
                Slot(event=event, starts_at=cursor, ends_at=cursor + timedelta(minutes=20))
            )
            cursor += timedelta(minutes=20)
    return slots


def seed_demo(session: Session, now: datetime, seed: int = 2025) -> DemoSummary:
    """Create the demo event unless it exists; flushes, the caller commits."""
    existing = session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    if existing is not None:
        return DemoSummary(existing, 0, 0, created=False)
    rng = random.Random(seed)
    day = (now.astimezone(ZoneInfo(TZ)) + timedelta(days=60)).date()
    event = Event(
        slug=DEMO_SLUG,
        name="Chongqing-SCO Economic and Trade Cooperation Conference (demo)",
        venue="Chongqing International Expo Center (demo data)",
        city="Chongqing",
        timezone=TZ,
        start_date=day,
        end_date=day,
        registration_deadline=_utc(day - timedelta(days=14), time(23, 59)),
        status="open",
        description=(
            "SYNTHETIC DEMO DATA. Buyers from SCO member and partner states meet Chongqing "
            "enterprises in pre-arranged one-on-one negotiations in three zones."
        ),
        default_max_meetings=12,
        is_demo=True,
    )
    session.add(event)
    install_default_taxonomy(session, event)
    session.add_all(_slot_grid(event, day))
    sectors = {
        s.code: s for s in session.scalars(select(Sector).where(Sector.event_id == event.id))
    }

    organiser = session.scalar(select(User).where(User.email == DEMO_ORGANISER[0]))
    if organiser is None:
        organiser = User(
            email=DEMO_ORGANISER[0],
            full_name="Demo Organiser",
            role="organiser",
            email_confirmed_at=now,
        )
        organiser.set_password(DEMO_ORGANISER[1])
        session.add(organiser)

    unusable = generate_password_hash(rng.randbytes(16).hex())
    buyers = 0
    for country, count in BUYER_COUNTRIES.items():
        for _ in range(count):
            buyers += 1
            company = Company(
                legal_name=f"{rng.choice(NAME_PARTS['buyer'])} "
                f"{rng.choice(NAME_PARTS['buyer_kind'])} {country}-{buyers:02d} (demo)",
                country=country,
                city=rng.choice(CITIES[country]),
                size=rng.choice(["small", "medium", "large"]),
                languages=COUNTRY_LANGUAGES[country],
                description="Synthetic demo purchasing company.",
            )
            offerings = [
                Offering(
                    kind="buy",
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
                        kind="sell",
                        sector=sectors[code],
                        description=", ".join(rng.sample(PRODUCTS[code], 2)),
                    )
                )
            _add_participant(session, event, company, offerings, rng, unusable, day, buyers, now)
    suppliers = 0
    for index in range(180):
        suppliers += 1
        company = Company(
            legal_name=f"Chongqing {rng.choice(NAME_PARTS['cq'])} "
            f"{rng.choice(NAME_PARTS['cq_kind'])} Co., Ltd. No.{index + 1:03d} (demo)",
            country="CN",
            city="Chongqing",
            size=rng.choice(["small", "medium", "medium", "large"]),
            languages=["zh", "en"]
            if rng.random() < 0.6
            else (["zh", "ru"] if rng.random() < 0.5 else ["zh"]),
            description="Synthetic demo Chongqing enterprise.",
        )
        offerings = [
            Offering(
                kind="sell",
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
                    kind="buy",
                    sector=sectors[code],
                    description=", ".join(rng.sample(PRODUCTS[code], 2)),
                )
            )
        _add_participant(session, event, company, offerings, rng, unusable, day, 100 + index, now)

    demo_contact = session.scalar(select(User).where(User.email == DEMO_COMPANY[0]))
    if demo_contact is not None:
        demo_contact.set_password(DEMO_COMPANY[1])
    session.flush()
    _add_requests(session, event, rng, now)
    return DemoSummary(event, buyers, suppliers, created=True)


def _add_requests(session: Session, event: Event, rng: random.Random, now: datetime) -> None:
    """Requests between approved buyers and suppliers of a common sector: most accepted."""
    from matchmaking.models import MeetingRequest
    from matchmaking.services.requests import pair_key

    approved = [p for p in event.participations if p.status == "approved"]
    by_sector: dict[str, list[Participation]] = {}
    for p in approved:
        for line in p.sells:
            by_sector.setdefault(line.sector.code, []).append(p)
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
            status = rng.choices(["accepted", "open", "declined"], [0.7, 0.2, 0.1])[0]
            session.add(
                MeetingRequest(
                    event_id=event.id,
                    requester=buyer,
                    recipient=seller,
                    buyer=buyer,
                    supplier=seller,
                    pair_key=key,
                    status=status,
                    created_at=now,
                    message="Interested in your products (demo request).",
                    expires_at=now + timedelta(hours=event.request_expiry_hours or 72),
                    answered_at=None if status == "open" else now,
                )
            )
    session.flush()


def publish_demo_schedule(
    session: Session, event: Event, now: datetime, time_limit: float = 10.0
) -> int:
    """Generate and publish the demo event's first schedule; returns its meeting count."""
    from matchmaking.services.schedule_edits import publish_version
    from matchmaking.services.schedules import run_generation, start_generation

    organiser = session.scalar(select(User).where(User.email == DEMO_ORGANISER[0]))
    assert organiser is not None
    version = start_generation(session, event, organiser)
    run_generation(session, version, time_limit, lambda share, message: None)
    if version.status != "draft":
        raise RuntimeError(f"demo schedule failed: {version.message}")
    publish_version(session, version, organiser, now)
    return sum(1 for m in version.meetings if m.status == "scheduled")


def _add_participant(
    session: Session,
    event: Event,
    company: Company,
    offerings: list[Offering],
    rng: random.Random,
    password_hash: str,
    day: date,
    number: int,
    now: datetime,
) -> None:
    email = DEMO_COMPANY[0] if number == 1 else f"contact{number:03d}@demo.example"
    contact = User(
        email=email,
        full_name=f"Demo Contact {number:03d}",
        role="company",
        company=company,
        password_hash=password_hash,
        email_confirmed_at=now,
        locale="ru" if company.country != "CN" else "zh",
    )
    roll = rng.random()
    window = (time(9, 0), time(17, 30))
    if roll < 0.1:
        window = (time(9, 0), time(12, 0))
    elif roll < 0.2:
        window = (time(13, 30), time(17, 30))
    status = "approved" if rng.random() < 0.9 else "pending"
    participation = Participation(
        event=event,
        company=company,
        status=status,
        directory_consent=rng.random() < 0.9,
        max_meetings=rng.choice([None, 8, 10, 12]),
        interpreter_needed="zh" not in company.languages and "en" not in company.languages,
        offerings=offerings,
        availability=[Availability(day=day, start_time=window[0], end_time=window[1])],
    )
    session.add_all([company, contact, participation])
