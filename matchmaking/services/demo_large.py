"""A large synthetic demo event (``seed-demo --size large``): about 4,000 companies, 3 days.

It tells the demo's story at scale (see ``services.demo``): negotiations started yesterday
and run until tomorrow, registration is closed, requests were answered. The demo organiser
manages it and the demo company takes part, so every page can be opened on it with the
README's logins. Companies are added in bulk (one flush per kind of row).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

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
from matchmaking.models.user import Role
from matchmaking.services.demo import (
    BUYER_COUNTRIES,
    BUYER_INTERESTS,
    CITIES,
    COUNTRY_LANGUAGES,
    DEMO_COMPANY,
    HOURS,
    LUNCH,
    PRODUCTS,
    SUPPLIER_SECTORS,
    TZ,
    DemoSummary,
    _add_requests,
    _between,
    demo_calendar,
    demo_organiser,
)
from matchmaking.services.event_setup import BreakInput, DayInput, plan_grid
from matchmaking.services.taxonomy import install_default_taxonomy

LARGE_SLUG = "chongqing-sco-2025-large-demo"
IMPORTED = ("imported.food", "imported.consumer", "imported.materials")
# Buyers' names in their own scripts, suppliers' in Chinese or English.
BUYER_NAMES = {
    "cyrillic": (["ТОО «Степь", "ООО «Алтай", "АО «Волга", "ООО «Урал", "ТОО «Каспий",
                  "ОсОО «Тянь-Шань", "ООО «Байкал", "ЧП «Памир"],
                 ["Трейд»", "Моторс»", "Агро»", "Техника»", "Импорт»", "Логистик»"]),
    "latin": (["Silk Road", "Eurasia", "Zeravshan", "Orkhon", "Ararat", "Aral", "Caspian"],
              ["Trading", "Motors", "Agro", "Machinery Import", "Distribution", "Holding"]),
}  # fmt: skip
SUPPLIER_NAMES = {
    "chinese": (["重庆渝中", "重庆江北", "重庆两江", "重庆巴南", "重庆沙坪坝", "重庆九龙坡",
                 "重庆北碚", "重庆涪陵", "重庆万州", "重庆永川"],
                ["汽车零部件", "摩托车", "机械", "电力设备", "农业机械", "新能源", "机电",
                 "食品", "化工"]),
    "latin": (["Chongqing Yuzhong", "Chongqing Liangjiang", "Chongqing Banan",
               "Chongqing Yubei", "Chongqing Hechuan", "Chongqing Changshou"],
              ["Auto Parts", "Motor", "Machinery", "Power Equipment", "New Energy", "Food"]),
}  # fmt: skip
CYRILLIC_COUNTRIES = {"RU", "KZ", "KG", "TJ", "BY", "MN"}
# Tables per default zone, for about 10 meetings per company over three days.
TABLES = {"nev": 140, "machinery": 140, "imported": 60}


@dataclass(frozen=True)
class SizeSpec:
    """How many buyers and suppliers a generated demo event has, over how many days."""

    buyers: int
    suppliers: int
    days: int = 3
    tables_scale: float = 1.0


LARGE = SizeSpec(buyers=1000, suppliers=3000)


def seed_large_demo(
    session: Session, now: datetime, size: SizeSpec = LARGE, seed: int = 2025
) -> DemoSummary:
    """Create the large demo event unless it exists; flushes, the caller commits.

    Its first negotiation day was yesterday (event time); publish its schedule with
    ``demo.publish_demo_schedule`` and record outcomes with ``demo_deals.seed_demo_outcomes``.
    """
    existing = session.scalar(select(Event).where(Event.slug == LARGE_SLUG))
    if existing is not None:
        return DemoSummary(existing, 0, 0, created=False)
    rng = random.Random(seed)
    calendar = demo_calendar(now)
    days = [calendar.first_day + timedelta(days=n) for n in range(size.days)]
    deadline = calendar.registration_deadline
    event = Event(
        slug=LARGE_SLUG,
        name="Chongqing-SCO Economic and Trade Cooperation Conference (large demo)",
        venue="Chongqing International Expo Center (demo data)",
        city="Chongqing",
        timezone=TZ,
        start_date=days[0],
        end_date=days[-1],
        registration_deadline=deadline,
        status=EventStatus.CLOSED,
        description=(
            f"SYNTHETIC DEMO DATA at scale: {size.buyers} buyers from SCO member and partner "
            f"states meet {size.suppliers} Chongqing enterprises over {size.days} days."
        ),
        default_max_meetings=10,
        is_demo=True,
        created_at=deadline - timedelta(days=60),
    )
    session.add(event)
    install_default_taxonomy(session, event)
    for zone in event.zones:
        zone.tables = max(2, round(TABLES.get(zone.code, 20) * size.tables_scale))
    _grid(session, event, days)
    sectors = {
        s.code: s for s in session.scalars(select(Sector).where(Sector.event_id == event.id))
    }
    organiser = demo_organiser(session, event)
    event.organisers.append(organiser)
    session.flush()
    seeder = _Seeder(session, event, sectors, days, rng, organiser, deadline)
    seeder.demo_company()
    countries = [c for c, n in BUYER_COUNTRIES.items() for _ in range(n)]
    for number in range(2, size.buyers + 1):
        seeder.buyer(number, countries[number % len(countries)])
    for number in range(1, size.suppliers + 1):
        seeder.supplier(number)
    session.add_all(seeder.rows)
    session.flush()
    _add_requests(session, event, rng, calendar, now)
    return DemoSummary(event, size.buyers, size.suppliers, created=True)


def _grid(session: Session, event: Event, days: list[date]) -> None:
    """20-minute slots 09:00-17:30 on every day, less the lunch break; days and breaks stored."""
    day_inputs = tuple(DayInput(d, *HOURS) for d in days)
    breaks = tuple(BreakInput(d, *LUNCH, "Lunch") for d in days)
    event.schedule_days = [
        EventDay(day=d.day, start_time=d.start, end_time=d.end) for d in day_inputs
    ]
    event.breaks = [
        EventBreak(day=b.day, start_time=b.start, end_time=b.end, label=b.label) for b in breaks
    ]
    session.add_all(
        Slot(event=event, starts_at=start, ends_at=end)
        for start, end in plan_grid(TZ, day_inputs, breaks, event.slot_minutes or 20)
    )


class _Seeder:
    """Builds the companies, contacts and participations; ``rows`` are added at once."""

    def __init__(
        self,
        session: Session,
        event: Event,
        sectors: dict[str, Sector],
        days: list[date],
        rng: random.Random,
        organiser: User,
        deadline: datetime,
    ) -> None:
        self.session, self.event, self.sectors, self.days = session, event, sectors, days
        self.rng, self.organiser, self.deadline = rng, organiser, deadline
        self.rows: list[object] = []
        # Nobody knows this password: the contacts are placeholders (see services.demo).
        self.unusable = generate_password_hash(
            secrets.token_urlsafe(32), method=user_model.PASSWORD_HASH_METHOD
        )

    def _line(self, kind: str, code: str, low: int, high: int) -> Offering:
        return Offering(
            kind=kind,
            sector=self.sectors[code],
            description=", ".join(self.rng.sample(PRODUCTS[code], 2)),
            volume_usd=Decimal(self.rng.randrange(low, high) * 1000),
        )

    def _buyer_lines(self) -> list[Offering]:
        rng = self.rng
        lines = [
            self._line(OfferingKind.BUY, code, 50, 2000)
            for code in rng.sample(BUYER_INTERESTS, rng.randint(1, 3))
        ]
        if rng.random() < 0.35:  # imported-goods zone: SCO companies sell too
            lines.append(self._line(OfferingKind.SELL, rng.choice(IMPORTED), 20, 500))
        return lines

    def demo_company(self) -> None:
        """The README's demo company takes part as a buyer (created when missing)."""
        contact = self.session.scalar(select(User).where(User.email == DEMO_COMPANY[0]))
        if contact is not None and contact.company is not None:
            self._participate(contact.company, self._buyer_lines(), approved=True)
            return
        company = Company(
            legal_name="Steppe Trading KZ-01 (demo)",
            country="KZ",
            city="Almaty",
            size=CompanySize.MEDIUM,
            languages=COUNTRY_LANGUAGES["KZ"],
            description="Synthetic demo purchasing company.",
            created_at=self.deadline - timedelta(days=30),
        )
        user = self._contact(company, DEMO_COMPANY[0], "Demo Contact 001", "ru")
        user.set_password(DEMO_COMPANY[1])
        self._participate(company, self._buyer_lines(), approved=True)

    def buyer(self, number: int, country: str) -> None:
        rng = self.rng
        script = "cyrillic" if country in CYRILLIC_COUNTRIES and rng.random() < 0.6 else "latin"
        first, kind = BUYER_NAMES[script]
        company = Company(
            legal_name=f"{rng.choice(first)} {rng.choice(kind)} {country}-{number:04d} (demo)",
            country=country,
            city=rng.choice(CITIES[country]),
            size=rng.choice([CompanySize.SMALL, CompanySize.MEDIUM, CompanySize.LARGE]),
            languages=COUNTRY_LANGUAGES[country],
            description="Synthetic demo purchasing company.",
        )
        self._register(company, f"large-b{number:04d}@demo.example", "ru", self._buyer_lines())

    def supplier(self, number: int) -> None:
        rng = self.rng
        script = "chinese" if rng.random() < 0.6 else "latin"
        first, kind = SUPPLIER_NAMES[script]
        name = (
            f"{rng.choice(first)}{rng.choice(kind)}有限公司 {number:04d}号 (demo)"
            if script == "chinese"
            else f"{rng.choice(first)} {rng.choice(kind)} Co., Ltd. No.{number:04d} (demo)"
        )
        company = Company(
            legal_name=name,
            country="CN",
            city="Chongqing",
            size=rng.choice([CompanySize.SMALL, CompanySize.MEDIUM, CompanySize.LARGE]),
            languages=["zh", "en"] if rng.random() < 0.6 else rng.choice([["zh", "ru"], ["zh"]]),
            description="Synthetic demo Chongqing enterprise.",
        )
        lines = [
            self._line(OfferingKind.SELL, code, 100, 5000)
            for code in rng.sample(SUPPLIER_SECTORS, rng.randint(1, 2))
        ]
        if number % 9 == 0:  # Chongqing importers buy in the imported-goods zone
            lines.append(self._line(OfferingKind.BUY, rng.choice(IMPORTED), 20, 500))
        self._register(company, f"large-s{number:04d}@demo.example", "zh", lines)

    def _register(self, company: Company, email: str, locale: str, lines: list[Offering]) -> None:
        company.created_at = _between(
            self.rng, self.deadline - timedelta(days=40), self.deadline - timedelta(hours=1)
        )
        user = self._contact(company, email, f"Contact {email.split('@')[0]}", locale)
        user.password_hash = self.unusable
        self._participate(company, lines, approved=self.rng.random() < 0.92)

    def _contact(self, company: Company, email: str, name: str, locale: str) -> User:
        user = User(
            email=email,
            full_name=name,
            role=Role.COMPANY,
            company=company,
            email_confirmed_at=company.created_at + timedelta(minutes=self.rng.randint(2, 600)),
            created_at=company.created_at,
            locale=locale,
        )
        self.rows += [company, user]
        return user

    def _participate(self, company: Company, lines: list[Offering], approved: bool) -> None:
        rng = self.rng
        registered = company.created_at
        window = HOURS
        roll = rng.random()
        if roll < 0.1:
            window = (HOURS[0], LUNCH[0])
        elif roll < 0.2:
            window = (LUNCH[1], HOURS[1])
        days = self.days if rng.random() < 0.6 else sorted(rng.sample(self.days, 2))
        self.rows.append(
            Participation(
                event=self.event,
                company=company,
                status=ParticipationStatus.APPROVED if approved else ParticipationStatus.PENDING,
                decided_at=registered + timedelta(hours=rng.randint(2, 72)) if approved else None,
                decided_by_id=self.organiser.id if approved else None,
                directory_consent=rng.random() < 0.9,
                max_meetings=rng.choice([None, 8, 10, 12]),
                interpreter_needed="zh" not in company.languages and "en" not in company.languages,
                offerings=lines,
                availability=[
                    Availability(day=day, start_time=window[0], end_time=window[1]) for day in days
                ],
                created_at=registered,
                updated_at=registered,
            )
        )
