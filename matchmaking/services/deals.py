"""Meeting outcomes: companies (or organisers on their behalf) record them; every save is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pycountry
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager, defer, joinedload, selectinload

from matchmaking.errors import DomainError, InvalidInput, NotAllowed
from matchmaking.models import (
    Company,
    Event,
    Meeting,
    Outcome,
    OutcomeChange,
    Participation,
    ScheduleVersion,
    Sector,
    Slot,
    User,
)
from matchmaking.models.deal import DEAL_STAGES, OUTCOME_STAGES
from matchmaking.models.schedule import Attendance, MeetingStatus, VersionStatus
from matchmaking.models.user import Role
from matchmaking.services.pagination import Page, count_rows

# Currencies offered first on forms: the host's, the SCO members' and partners', then USD/EUR.
COMMON_CURRENCIES = (
    "CNY", "USD", "EUR", "RUB", "KZT", "UZS", "KGS", "TJS", "BYN", "MNT", "AMD", "AZN",
    "INR", "PKR", "IRR",
)  # fmt: skip
MAX_AMOUNT = Decimal("9999999999999999.99")


class InvalidOutcome(InvalidInput):
    """The outcome's data break a rule (the field says which)."""


class MeetingNotHeld(DomainError):
    """Outcomes are recorded for meetings that took place, in the published schedule."""


class OutcomeChanged(DomainError):
    """An outcome entered on a stale copy (offline, or in another tab): the meeting was moved
    or the outcome changed since. Refused, so that change is never silently overwritten."""

    status = 409


@dataclass(frozen=True)
class OutcomeInput:
    """What a company reports about a meeting."""

    stage: str
    amount: Decimal | None = None
    currency: str | None = None
    sector_id: int | None = None
    product: str = ""
    note: str = ""


def valid_currency(code: str | None) -> bool:
    """An ISO 4217 code pycountry knows."""
    return bool(code) and pycountry.currencies.get(alpha_3=str(code).upper()) is not None


def side_of(meeting: Meeting, participation: Participation) -> str:
    """'buyer' or 'supplier'; raises NotAllowed when the participation is not in the meeting."""
    if participation.id == meeting.buyer_id:
        return "buyer"
    if participation.id == meeting.supplier_id:
        return "supplier"
    raise NotAllowed(_("This company did not take part in this meeting."))


def check_may_record(meeting: Meeting, participation: Participation, actor: User) -> None:
    """Companies record their own side; organisers any side (on the company's behalf)."""
    side_of(meeting, participation)
    if actor.has_role(Role.ORGANISER):
        return
    if actor.role != Role.COMPANY or actor.company_id != participation.company_id:
        raise NotAllowed(_("You can only record your own company's outcomes."))


def _validate(event: Event, data: OutcomeInput) -> OutcomeInput:
    if data.stage not in OUTCOME_STAGES:
        raise InvalidOutcome(_("Choose an outcome."), field="stage")
    if len(data.product) > 200:
        raise InvalidOutcome(_("At most 200 characters."), field="product")
    if data.sector_id is not None and data.sector_id not in {s.id for s in event.sectors}:
        raise InvalidOutcome(_("Choose a sector of this event."), field="sector")
    if data.stage not in DEAL_STAGES:
        return OutcomeInput(data.stage, None, None, data.sector_id, data.product, data.note)
    if data.amount is None:
        raise InvalidOutcome(_("A deal needs its value."), field="amount")
    if data.amount < 0 or data.amount > MAX_AMOUNT:
        raise InvalidOutcome(_("Enter a value of zero or more."), field="amount")
    if data.amount != data.amount.quantize(Decimal("0.01")):
        raise InvalidOutcome(_("At most two decimals."), field="amount")
    if not valid_currency(data.currency):
        raise InvalidOutcome(_("Choose a currency."), field="currency")
    currency = str(data.currency).upper()
    return OutcomeInput(data.stage, data.amount, currency, data.sector_id, data.product, data.note)


def _check_meeting(meeting: Meeting, now: datetime) -> None:
    if (
        meeting.version.status != VersionStatus.PUBLISHED
        or meeting.status != MeetingStatus.SCHEDULED
    ):
        raise MeetingNotHeld(_("This meeting is not in the published schedule."))
    if meeting.slot.starts_at > now:
        raise MeetingNotHeld(_("Outcomes can be recorded once the meeting has started."))
    if meeting.attendance == Attendance.NO_SHOW:
        raise MeetingNotHeld(_("This meeting is marked as not held."))


def get_outcome(session: Session, meeting: Meeting, participation: Participation) -> Outcome | None:
    """The outcome ``participation`` reported for ``meeting``, if any."""
    return session.scalar(
        select(Outcome).where(
            Outcome.meeting_id == meeting.id, Outcome.participation_id == participation.id
        )
    )


def outcome_version(meeting: Meeting, outcome: Outcome | None) -> str:
    """The version of ``meeting`` and its outcome a form was opened with: the meeting's
    calendar sequence (it grows when the organisers move or change it) and when the outcome
    was last saved. Marking the meeting held does not change it."""
    saved = outcome.updated_at.isoformat() if outcome is not None else "none"
    return f"{meeting.sequence}/{saved}"


def record_outcome(
    session: Session,
    meeting: Meeting,
    participation: Participation,
    data: OutcomeInput,
    actor: User,
    now: datetime,
    seen_version: str | None = None,
) -> Outcome:
    """Create or correct ``participation``'s outcome of ``meeting``; each change is kept.

    Recording an outcome marks the meeting as held. Saving identical data records nothing.
    With ``seen_version`` (see ``outcome_version``; sent by a form filled offline) a meeting
    or outcome changed since is refused with OutcomeChanged, unless the data are those
    already recorded (a queued entry sent twice).
    """
    check_may_record(meeting, participation, actor)
    _check_meeting(meeting, now)
    data = _validate(meeting.buyer.event, data)
    outcome = get_outcome(session, meeting, participation)
    values = {
        "stage": data.stage,
        "amount": data.amount,
        "currency": data.currency,
        "sector_id": data.sector_id,
        "product": data.product.strip(),
        "note": data.note.strip(),
    }
    identical = outcome is not None and all(getattr(outcome, k) == v for k, v in values.items())
    stale = seen_version is not None and seen_version != outcome_version(meeting, outcome)
    if stale and not identical:
        raise OutcomeChanged(
            _(
                "This meeting or its outcome was changed by someone else meanwhile; "
                "your entry was not saved."
            )
        )
    if outcome is None:
        outcome = Outcome(meeting=meeting, participation=participation, created_at=now, **values)
        session.add(outcome)
    elif identical:
        return outcome
    else:
        for key, value in values.items():
            setattr(outcome, key, value)
    outcome.recorded_by_id = actor.id
    outcome.updated_at = now
    outcome.changes.append(
        OutcomeChange(
            actor_id=actor.id,
            on_behalf=actor.has_role(Role.ORGANISER),
            created_at=now,
            **values,
        )
    )
    if meeting.attendance is None:
        meeting.attendance = Attendance.HELD
    session.flush()
    return outcome


def published_meetings_query(event: Event) -> Select[Meeting]:
    """Scheduled meetings of the event's published schedule version, by slot."""
    return (
        select(Meeting)
        .join(ScheduleVersion, Meeting.version_id == ScheduleVersion.id)
        .join(Slot, Meeting.slot_id == Slot.id)
        .where(
            Meeting.event_id == event.id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .order_by(Slot.starts_at, Meeting.zone_id, Meeting.table_number)
    )


def list_company_meetings(
    session: Session, participation: Participation
) -> list[tuple[Meeting, Outcome | None]]:
    """The company's published meetings with its own outcome of each (never the other's)."""
    meetings = session.scalars(
        published_meetings_query(participation.event).where(
            (Meeting.buyer_id == participation.id) | (Meeting.supplier_id == participation.id)
        )
    ).all()
    outcomes = {
        o.meeting_id: o
        for o in session.scalars(
            select(Outcome).where(Outcome.participation_id == participation.id)
        )
    }
    return [(m, outcomes.get(m.id)) for m in meetings]


@dataclass(frozen=True)
class MeetingOutcomes:
    """A meeting with both sides' outcomes (organisers only)."""

    meeting: Meeting
    buyer: Outcome | None
    supplier: Outcome | None


def _meetings_with_outcomes(session: Session, stmt: Select[Meeting]) -> list[MeetingOutcomes]:
    """The meetings of ``stmt`` (which joins their slots) with what each side reported, in four
    statements: meetings with slots and zones, each side with its company, the outcomes."""
    meetings = session.scalars(
        stmt.options(
            defer(Meeting.reasons),  # the score's reasons (JSON): neither pages nor tallies
            *(
                selectinload(side)
                .load_only(Participation.company_id)
                .joinedload(Participation.company, innerjoin=True)
                .load_only(Company.legal_name, Company.country)
                for side in (Meeting.buyer, Meeting.supplier)
            ),
            contains_eager(Meeting.slot),
            joinedload(Meeting.zone, innerjoin=True),
        )
    ).all()
    ids = [m.id for m in meetings]
    outcomes: dict[tuple[int, int], Outcome] = {}
    if ids:
        for o in session.scalars(
            select(Outcome)
            .where(Outcome.meeting_id.in_(ids))
            .options(joinedload(Outcome.sector).joinedload(Sector.parent))
        ):
            outcomes[(o.meeting_id, o.participation_id)] = o
    return [
        MeetingOutcomes(m, outcomes.get((m.id, m.buyer_id)), outcomes.get((m.id, m.supplier_id)))
        for m in meetings
    ]


def list_event_outcomes(session: Session, event: Event) -> list[MeetingOutcomes]:
    """Every published meeting of ``event`` with what each side reported."""
    return _meetings_with_outcomes(session, published_meetings_query(event))


def page_of_event_outcomes(session: Session, event: Event, number: int, per_page: int = 50) -> Page:
    """One page of the published meetings of ``event`` with what each side reported."""
    stmt = published_meetings_query(event)
    total = count_rows(session, stmt)
    number = min(max(1, number), max(1, -(-total // per_page)))
    rows = _meetings_with_outcomes(session, stmt.limit(per_page).offset((number - 1) * per_page))
    return Page(rows=rows, number=number, per_page=per_page, total=total)
