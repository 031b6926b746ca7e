"""The deal aggregate: meeting outcomes and their history, exchange rates, memoranda, the
published tally (settings and snapshots) and reporters' API tokens.

Amounts are NUMERIC (Decimal in Python), never float. Outcome amounts are in the deal's own
currency with two decimals; exchange rates are units of CNY or USD per one unit of the currency.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from matchmaking.models.company import Participation
    from matchmaking.models.event import Event, Sector
    from matchmaking.models.schedule import Meeting
    from matchmaking.models.user import User


class OutcomeStage(StrEnum):
    """What a company reports about a meeting, lowest first; the last three are deals."""

    NO_INTEREST = "no_interest"
    FOLLOW_UP = "follow_up"
    TENTATIVE = "tentative"
    PRELIMINARY = "preliminary"
    SIGNED = "signed"


class ConflictRule(StrEnum):
    """Which of the two companies' differing reports of a meeting the tally counts."""

    LOWER = "lower"  # the lower value
    HIGHER = "higher"
    BUYER = "buyer"  # the buyer's report
    SUPPLIER = "supplier"


class TallyDimension(StrEnum):
    """What a published tally group is grouped by."""

    ZONE = "zone"
    COUNTRY = "country"
    SECTOR = "sector"
    DAY = "day"
    STAGE = "stage"


OUTCOME_STAGES = tuple(OutcomeStage)
DEAL_STAGES = (OutcomeStage.TENTATIVE, OutcomeStage.PRELIMINARY, OutcomeStage.SIGNED)
CONFLICT_RULES = tuple(ConflictRule)

_STAGES_SQL = one_of("stage", OutcomeStage)
_IS_DEAL_SQL = one_of("stage", DEAL_STAGES)
_HAS_VALUE_SQL = "amount IS NOT NULL AND currency IS NOT NULL"

# Amounts up to 10^16 in the deal's currency (UZS and MNT run into the billions).
Amount = Numeric(18, 2)
Rate = Numeric(20, 10)
Figure = Numeric(20, 2)


class Outcome(db.Model):  # type: ignore[name-defined,misc]
    """What one company of a meeting reports about it; deals carry a value and currency."""

    __tablename__ = "outcomes"
    __table_args__ = (
        UniqueConstraint("meeting_id", "participation_id"),
        CheckConstraint(_STAGES_SQL, name="stage_known"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_non_negative"),
        CheckConstraint(f"({_IS_DEAL_SQL}) = ({_HAS_VALUE_SQL})", name="deals_have_value"),
        CheckConstraint("currency IS NULL OR length(currency) = 3", name="currency_alpha3"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Amount)
    currency: Mapped[str | None] = mapped_column(String(3))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id", ondelete="SET NULL"))
    product: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    participation: Mapped[Participation] = relationship()
    sector: Mapped[Sector | None] = relationship()
    changes: Mapped[list[OutcomeChange]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="OutcomeChange.id"
    )

    @property
    def is_deal(self) -> bool:
        return self.stage in DEAL_STAGES


class OutcomeChange(db.Model):  # type: ignore[name-defined,misc]
    """One version of an outcome as it was saved (the first row is its creation)."""

    __tablename__ = "outcome_changes"
    __table_args__ = (
        CheckConstraint(_STAGES_SQL, name="stage_known"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(
        ForeignKey("outcomes.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Amount)
    currency: Mapped[str | None] = mapped_column(String(3))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id", ondelete="SET NULL"))
    product: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    outcome: Mapped[Outcome] = relationship(back_populates="changes")
    actor: Mapped[User | None] = relationship()


class ExchangeRate(db.Model):  # type: ignore[name-defined,misc]
    """Value of one unit of ``currency`` in CNY and USD, valid from a date (event-scoped)."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("event_id", "currency", "valid_from"),
        CheckConstraint("to_cny > 0", name="to_cny_positive"),
        CheckConstraint("to_usd > 0", name="to_usd_positive"),
        CheckConstraint("length(currency) = 3", name="currency_alpha3"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date] = mapped_column(Date)
    to_cny: Mapped[Decimal] = mapped_column(Rate)
    to_usd: Mapped[Decimal] = mapped_column(Rate)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Memorandum(db.Model):  # type: ignore[name-defined,misc]
    """A memorandum of cooperation between the organiser and a partner institution."""

    __tablename__ = "memoranda"
    __table_args__ = (CheckConstraint("length(country) = 2", name="country_alpha2"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    partner: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    signed_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TallySettings(db.Model):  # type: ignore[name-defined,misc]
    """How an event's tally is computed and whether (and from when) it is published."""

    __tablename__ = "tally_settings"
    __table_args__ = (CheckConstraint(one_of("conflict_rule", ConflictRule), name="rule_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    conflict_rule: Mapped[str] = mapped_column(String(16), default=ConflictRule.LOWER)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    embargo_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()


class TallySnapshot(db.Model):  # type: ignore[name-defined,misc]
    """Figures of an event as published at one time; the latest is what the public reads.

    Earlier snapshots are kept: a new one is released only when its differences from every
    earlier one protect single companies (``matchmaking.tally.release``), which needs the deal
    versions each covered (``covered``). Figures are already rounded to the fen for presentation
    (see ``matchmaking.tally.money``); ``suppressed`` means the deals are of fewer than three
    buyers or three suppliers, so nothing but a notice shows.
    """

    __tablename__ = "tally_snapshots"
    __table_args__ = (
        CheckConstraint("total_cny >= 0 AND total_usd >= 0", name="totals_non_negative"),
        CheckConstraint("deals >= 0 AND companies >= 0", name="counts_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    conflict_rule: Mapped[str] = mapped_column(String(16))
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    total_cny: Mapped[Decimal] = mapped_column(Figure)
    total_usd: Mapped[Decimal] = mapped_column(Figure)
    deals: Mapped[int] = mapped_column(Integer)
    companies: Mapped[int] = mapped_column(Integer)
    meetings_held: Mapped[int] = mapped_column(Integer, default=0)

    groups: Mapped[list[TallySnapshotGroup]] = relationship(
        back_populates="snapshot",
        cascade="all, delete-orphan",
        order_by="(TallySnapshotGroup.dimension, TallySnapshotGroup.position)",
    )
    covered: Mapped[list[TallySnapshotDeal]] = relationship(
        back_populates="snapshot",
        cascade="all, delete-orphan",
        order_by="TallySnapshotDeal.meeting_id",
    )

    def groups_by(self, dimension: str) -> list[TallySnapshotGroup]:
        return [g for g in self.groups if g.dimension == dimension]


class TallySnapshotGroup(db.Model):  # type: ignore[name-defined,misc]
    """One published group of a snapshot; ``key`` 'other' collects the folded small groups.

    ``buyers`` and ``suppliers`` (distinct companies on each side) are not shown; they record
    that the group passed the disclosure rule.
    """

    __tablename__ = "tally_snapshot_groups"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "dimension", "key"),
        CheckConstraint(one_of("dimension", TallyDimension), name="dimension_known"),
        CheckConstraint("value_cny >= 0 AND value_usd >= 0", name="values_non_negative"),
        CheckConstraint("companies >= 3", name="enough_companies"),
        CheckConstraint("buyers >= 3 AND suppliers >= 3", name="enough_parties"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("tally_snapshots.id", ondelete="CASCADE"), index=True
    )
    dimension: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(120))
    label: Mapped[str] = mapped_column(String(200))
    value_cny: Mapped[Decimal] = mapped_column(Figure)
    value_usd: Mapped[Decimal] = mapped_column(Figure)
    deals: Mapped[int] = mapped_column(Integer)
    companies: Mapped[int] = mapped_column(Integer)
    buyers: Mapped[int] = mapped_column(Integer)
    suppliers: Mapped[int] = mapped_column(Integer)

    snapshot: Mapped[TallySnapshot] = relationship(back_populates="groups")


class TallySnapshotDeal(db.Model):  # type: ignore[name-defined,misc]
    """A deal as a snapshot counted it (never shown): who, in which groups, a digest of its value.

    Meeting and company ids are plain integers, not foreign keys: a deal whose meeting is
    deleted later must still count as a change against this snapshot.
    """

    __tablename__ = "tally_snapshot_deals"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "meeting_id"),
        CheckConstraint(_IS_DEAL_SQL, name="stage_is_deal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("tally_snapshots.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int] = mapped_column(Integer)
    buyer_company_id: Mapped[int] = mapped_column(Integer)
    supplier_company_id: Mapped[int] = mapped_column(Integer)
    zone: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(120))
    sector: Mapped[str] = mapped_column(String(120))
    day: Mapped[str] = mapped_column(String(10))
    stage: Mapped[str] = mapped_column(String(16))
    fingerprint: Mapped[str] = mapped_column(String(64))

    snapshot: Mapped[TallySnapshot] = relationship(back_populates="covered")


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A reporter's API token; only its SHA-256 is stored (the token is shown once)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None
