"""The company aggregate: a company, its event participations, offerings and availability."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
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
from sqlalchemy import event as sa_event
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, one_of, utcnow
from matchmaking.search_keys import company_search_key, search_key

if TYPE_CHECKING:
    from matchmaking.models.event import Event, Sector
    from matchmaking.models.user import User


class CompanySize(StrEnum):
    """A company's size class, as it declares it when registering."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class ParticipationStatus(StrEnum):
    """An organiser's decision on a company's registration for an event."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class OfferingKind(StrEnum):
    """Whether a participant sells in a sector or wants to buy there."""

    SELL = "sell"
    BUY = "buy"


COMPANY_SIZES = tuple(CompanySize)
PARTICIPATION_STATUSES = tuple(ParticipationStatus)
OFFERING_KINDS = tuple(OfferingKind)


class Company(db.Model):  # type: ignore[name-defined,misc]
    """A legal entity; its contact persons are users."""

    __tablename__ = "companies"
    __table_args__ = (
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        CheckConstraint(one_of("size", CompanySize), name="size_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str] = mapped_column(String(100))
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[str] = mapped_column(String(10), default=CompanySize.SMALL)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Name, city and website, casefolded and transliterated (matchmaking.search_keys); set on
    # every insert and update. Searches scan one event's companies, so no index: a B-tree
    # cannot serve LIKE '%word%'.
    search_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The description, likewise: the directory's search reads it with the offerings' keys.
    description_key: Mapped[str] = mapped_column(Text, default="", server_default="")

    contacts: Mapped[list[User]] = relationship(back_populates="company", order_by="User.id")
    participations: Mapped[list[Participation]] = relationship(
        back_populates="company", cascade="all, delete-orphan"
    )


@sa_event.listens_for(Company, "before_insert")
@sa_event.listens_for(Company, "before_update")
def _set_company_search_key(_mapper: object, _connection: object, company: Company) -> None:
    company.search_key = company_search_key(company.legal_name, company.city, company.website)
    company.description_key = search_key(company.description)


class Participation(db.Model):  # type: ignore[name-defined,misc]
    """A company's registration for one event."""

    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("event_id", "company_id"),
        CheckConstraint(one_of("status", ParticipationStatus), name="status_known"),
        CheckConstraint("max_meetings IS NULL OR max_meetings > 0", name="max_meetings_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ParticipationStatus.PENDING, index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    max_meetings: Mapped[int | None] = mapped_column(Integer)
    # Bumped by every schedule edit of the company's meetings: that UPDATE is the lock that
    # makes such edits take turns (services.schedule_edits.lock_companies).
    meetings_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    interpreter_note: Mapped[str] = mapped_column(String(200), default="")
    # The company brings its own interpreter: its pairs with no common language need none
    # from the event's pool.
    brings_interpreter: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
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
        return [o for o in self.offerings if o.kind == OfferingKind.SELL]

    @property
    def buys(self) -> list[Offering]:
        return [o for o in self.offerings if o.kind == OfferingKind.BUY]

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
        CheckConstraint(one_of("kind", OfferingKind), name="kind_known"),
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
    # The description casefolded and transliterated, for the directory's search.
    search_key: Mapped[str] = mapped_column(Text, default="", server_default="")

    participation: Mapped[Participation] = relationship(back_populates="offerings")
    sector: Mapped[Sector] = relationship()


@sa_event.listens_for(Offering, "before_insert")
@sa_event.listens_for(Offering, "before_update")
def _set_offering_search_key(_mapper: object, _connection: object, offering: Offering) -> None:
    offering.search_key = search_key(offering.description)


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
