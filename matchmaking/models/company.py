"""The company aggregate: a company, its event participations, offerings and availability."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from matchmaking.models.event import Event, Sector
    from matchmaking.models.user import User

COMPANY_SIZES = ("micro", "small", "medium", "large")
PARTICIPATION_STATUSES = ("pending", "approved", "rejected")
OFFERING_KINDS = ("sell", "buy")


class Company(db.Model):  # type: ignore[name-defined,misc]
    """A legal entity; its contact persons are users."""

    __tablename__ = "companies"
    __table_args__ = (
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        CheckConstraint("size IN ('micro', 'small', 'medium', 'large')", name="size_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str] = mapped_column(String(100))
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[str] = mapped_column(String(10), default="small")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list[User]] = relationship(back_populates="company", order_by="User.id")
    participations: Mapped[list[Participation]] = relationship(
        back_populates="company", cascade="all, delete-orphan"
    )


class Participation(db.Model):  # type: ignore[name-defined,misc]
    """A company's registration for one event."""

    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("event_id", "company_id"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
        CheckConstraint("max_meetings IS NULL OR max_meetings > 0", name="max_meetings_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    max_meetings: Mapped[int | None] = mapped_column(Integer)
    # Bumped by every schedule edit of the company's meetings: that UPDATE is the lock that
    # makes such edits take turns (services.schedule_edits.lock_companies).
    meetings_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    interpreter_note: Mapped[str] = mapped_column(String(200), default="")
    directory_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="participations")
    company: Mapped[Company] = relationship(back_populates="participations")
    offerings: Mapped[list[Offering]] = relationship(
        back_populates="participation", cascade="all, delete-orphan", order_by="Offering.id"
    )
    availability: Mapped[list[Availability]] = relationship(
        back_populates="participation", cascade="all, delete-orphan", order_by="Availability.day"
    )

    @property
    def sells(self) -> list[Offering]:
        return [o for o in self.offerings if o.kind == "sell"]

    @property
    def buys(self) -> list[Offering]:
        return [o for o in self.offerings if o.kind == "buy"]

    @property
    def role(self) -> str:
        """buyer, supplier or both, from what the company declared."""
        sells, buys = bool(self.sells), bool(self.buys)
        if sells and buys:
            return "both"
        return "supplier" if sells else "buyer"


class Offering(db.Model):  # type: ignore[name-defined,misc]
    """What a participant sells (kind 'sell') or wants to buy (kind 'buy') in one sector."""

    __tablename__ = "offerings"
    __table_args__ = (
        UniqueConstraint("participation_id", "kind", "sector_id"),
        CheckConstraint("kind IN ('sell', 'buy')", name="kind_known"),
        CheckConstraint("volume_usd IS NULL OR volume_usd >= 0", name="volume_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(4))
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(Text, default="")
    # Order size for a purchase, supply capacity for a sale; optional, in US dollars.
    volume_usd: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    participation: Mapped[Participation] = relationship(back_populates="offerings")
    sector: Mapped[Sector] = relationship()


class Availability(db.Model):  # type: ignore[name-defined,misc]
    """The hours a participant can attend on one event day, in the event's timezone."""

    __tablename__ = "availabilities"
    __table_args__ = (
        UniqueConstraint("participation_id", "day"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)

    participation: Mapped[Participation] = relationship(back_populates="availability")
