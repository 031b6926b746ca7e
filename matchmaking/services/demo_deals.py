"""Synthetic outcomes for the demo event: a tally of about 500 million yuan, rates, memoranda.

Figures are invented (like the demo companies); they only make the dashboard, press page and
API show something plausible: most meetings held, about four in ten ending in a deal, deals in
the buyer's currency, a few conflicting reports.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from matchmaking.models import (
    Event,
    Meeting,
    Outcome,
    Participation,
    ScheduleVersion,
    User,
)
from matchmaking.models.deal import OutcomeStage
from matchmaking.models.schedule import Attendance, MeetingStatus, VersionStatus
from matchmaking.models.user import Role
from matchmaking.services.deals import OutcomeInput, record_outcome
from matchmaking.services.memoranda import MemorandumInput, add_memorandum
from matchmaking.services.rates import RateInput, set_exchange_rate
from matchmaking.services.tally import publish_tally

TARGET_CNY = Decimal("500000000")
# Units of CNY and USD per unit of the currency (rounded, synthetic, of the order of 2025).
DEMO_RATES = {
    "CNY": ("1", "0.1391"), "USD": ("7.19", "1"), "EUR": ("7.85", "1.092"),
    "RUB": ("0.0880", "0.01224"), "KZT": ("0.01380", "0.001919"),
    "UZS": ("0.000560", "0.0000779"), "KGS": ("0.0822", "0.01143"), "TJS": ("0.660", "0.0918"),
    "BYN": ("2.20", "0.306"), "MNT": ("0.00211", "0.000294"), "AMD": ("0.01850", "0.002573"),
    "AZN": ("4.23", "0.5882"), "INR": ("0.0840", "0.01168"), "PKR": ("0.0256", "0.00356"),
    "IRR": ("0.000171", "0.0000238"),
}  # fmt: skip
COUNTRY_CURRENCY = {
    "RU": "RUB", "KZ": "KZT", "UZ": "UZS", "KG": "KGS", "TJ": "TJS", "BY": "BYN", "MN": "MNT",
    "AM": "AMD", "AZ": "AZN", "IN": "INR", "PK": "PKR", "IR": "IRR",
}  # fmt: skip
MEMORANDA = (
    ("Chamber of Commerce and Industry of the Kyrgyz Republic", "KG"),
    ("National Chamber of Entrepreneurs of the Republic of Kazakhstan \u201cAtameken\u201d", "KZ"),
)
# Outcome of a held meeting: (stage, weight).
STAGE_WEIGHTS = (
    (OutcomeStage.NO_INTEREST, 30),
    (OutcomeStage.FOLLOW_UP, 28),
    (OutcomeStage.TENTATIVE, 27),
    (OutcomeStage.PRELIMINARY, 10),
    (OutcomeStage.SIGNED, 5),
)


def _published_meetings(session: Session, event: Event) -> list[Meeting]:
    return list(
        session.scalars(
            select(Meeting)
            .join(ScheduleVersion, Meeting.version_id == ScheduleVersion.id)
            .where(
                Meeting.event_id == event.id,
                ScheduleVersion.status == VersionStatus.PUBLISHED,
                Meeting.status == MeetingStatus.SCHEDULED,
            )
            .options(
                selectinload(Meeting.buyer).selectinload(Participation.company),
                selectinload(Meeting.supplier).selectinload(Participation.company),
                selectinload(Meeting.buyer).selectinload(Participation.offerings),
                selectinload(Meeting.supplier).selectinload(Participation.offerings),
                selectinload(Meeting.slot),
            )
            .order_by(Meeting.id)
        )
    )


def _actor(participation: Participation, organiser: User) -> User:
    contacts = participation.company.contacts
    return contacts[0] if contacts else organiser


def _subject(meeting: Meeting) -> tuple[int | None, str]:
    """The sector and product the deal is about: what the supplier sells, if declared."""
    offerings = meeting.supplier.sells or meeting.buyer.buys or meeting.supplier.offerings
    if not offerings:
        return None, ""
    offering = offerings[0]
    return offering.sector_id, offering.description.split(",")[0][:200]


def seed_demo_outcomes(session: Session, event: Event, now: datetime, rng: random.Random) -> int:
    """Record synthetic outcomes of ``event``'s published meetings that ended by ``now``.

    Returns how many outcomes were recorded: 0 (and nothing changes) when the event has no
    published schedule, no meeting of it has ended yet, or outcomes exist already. Meetings
    still to come (or under way) get neither attendance nor outcome. Adds the exchange rates
    of the currencies used, two memoranda with partner chambers signed on the first day, and
    publishes the tally.
    """
    published = _published_meetings(session, event)
    if not published:
        return 0
    existing = session.scalar(
        select(func.count(Outcome.id)).where(Outcome.meeting_id.in_([m.id for m in published]))
    )
    if existing:
        return 0
    meetings = [m for m in published if m.slot.ends_at <= now]
    if not meetings:
        return 0
    organiser = next(iter(event.organisers), None) or session.scalar(
        select(User).where(User.role == Role.ORGANISER).order_by(User.id)
    )
    if organiser is None:
        organiser = User(
            email="deals-seed@demo.example", full_name="Demo organiser", role=Role.ORGANISER
        )
        organiser.set_password(secrets.token_urlsafe(32))  # nobody logs in as it
        session.add(organiser)
        session.flush()

    valid_from = event.start_date - timedelta(days=30)
    for code, (to_cny, to_usd) in DEMO_RATES.items():
        rate = RateInput(code, valid_from, Decimal(to_cny), Decimal(to_usd))
        set_exchange_rate(session, event, rate, organiser)

    # Draw the deals first (value in CNY, heavy-tailed), then scale them to the target.
    stages = [stage for stage, _weight in STAGE_WEIGHTS]
    weights = [weight for _stage, weight in STAGE_WEIGHTS]
    plans: list[tuple[Meeting, str, float]] = []
    for meeting in meetings:
        if rng.random() < 0.1:
            meeting.attendance = Attendance.NO_SHOW
            continue
        meeting.attendance = Attendance.HELD
        if rng.random() < 0.05:
            continue  # held, nobody reported yet
        stage = rng.choices(stages, weights)[0]
        plans.append((meeting, stage, rng.lognormvariate(0, 1.1)))
    raw_total = sum(
        w
        for _m, s, w in plans
        if s in (OutcomeStage.TENTATIVE, OutcomeStage.PRELIMINARY, OutcomeStage.SIGNED)
    )
    scale = float(TARGET_CNY) / raw_total if raw_total else 0.0

    count = 0
    for meeting, stage_code, weight in plans:
        stage = OutcomeStage(stage_code)
        sector_id, product = _subject(meeting)
        deal = stage in (OutcomeStage.TENTATIVE, OutcomeStage.PRELIMINARY, OutcomeStage.SIGNED)
        currency = None
        amount = None
        if deal:
            roll = rng.random()
            local = COUNTRY_CURRENCY.get(meeting.buyer.company.country, "USD")
            currency = "CNY" if roll < 0.3 else ("USD" if roll < 0.5 else local)
            value_cny = Decimal(str(round(weight * scale, 2)))
            amount = (value_cny / Decimal(DEMO_RATES[currency][0])).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_EVEN
            )
        # Reported within a few hours of the meeting's end, and not after ``now``.
        when = min(now, meeting.slot.ends_at + timedelta(minutes=rng.randint(5, 240)))
        sides = [meeting.buyer, meeting.supplier]
        if rng.random() < 0.15:
            sides = [rng.choice(sides)]  # only one company reported
        for index, participation in enumerate(sides):
            side_amount = amount
            if deal and amount is not None and index == 1 and rng.random() < 0.1:
                # The supplier remembers a higher figure: a conflict; "lower" keeps the buyer's.
                side_amount = (amount * Decimal("1.1")).quantize(Decimal("0.01"))
            data = OutcomeInput(
                stage=stage,
                amount=side_amount,
                currency=currency,
                sector_id=sector_id,
                product=product,
                note="",
            )
            actor = _actor(participation, organiser)
            record_outcome(session, meeting, participation, data, actor, when)
            count += 1

    for partner, country in MEMORANDA:
        add_memorandum(
            session,
            event,
            MemorandumInput(partner, country, event.start_date, "Cooperation in trade promotion"),
            organiser,
        )
    publish_tally(session, event, None, organiser, now)
    return count
