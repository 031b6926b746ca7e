"""Live refill on the day: the standby list and the pairs offered for freed table-slots.

When a meeting is marked no-show or cancelled on the day, or a company checks out early, its
table in that slot is free: the best pairs of companies present and free then are offered for
it (``RefillOffer``), and floor staff, an organiser or one of the two companies confirms one.
At most one offer of a table-slot is accepted: a partial unique index says so, beside the
meetings' own table and seat constraints.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from matchmaking.models.company import Participation
    from matchmaking.models.event import Slot, Zone
    from matchmaking.models.schedule import Meeting


class RefillStatus(StrEnum):
    """Where an offer of a freed table-slot stands."""

    OPEN = "open"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"  # another offer took the table, or a company is no longer free


class Standby(db.Model):  # type: ignore[name-defined,misc]
    """A company saying it has free slots on one event day (in the event's timezone)."""

    __tablename__ = "refill_standby"
    __table_args__ = (UniqueConstraint("participation_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participation: Mapped[Participation] = relationship()


class RefillOffer(db.Model):  # type: ignore[name-defined,misc]
    """A pair offered for a freed table in a slot of the published schedule, with its rank."""

    __tablename__ = "refill_offers"
    __table_args__ = (
        CheckConstraint(one_of("status", RefillStatus), name="status_known"),
        CheckConstraint("buyer_id <> supplier_id", name="two_companies"),
        CheckConstraint("table_number > 0", name="table_positive"),
        CheckConstraint("rank > 0", name="rank_positive"),
        Index(
            "uq_refill_offers_one_accepted",
            "version_id",
            "slot_id",
            "zone_id",
            "table_number",
            unique=True,
            sqlite_where=text(f"status = '{RefillStatus.ACCEPTED}'"),
            postgresql_where=text(f"status = '{RefillStatus.ACCEPTED}'"),
        ),
        Index("ix_refill_offers_event_status", "event_id", "status"),
        Index("ix_refill_offers_version_slot", "version_id", "slot_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_versions.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"))
    table_number: Mapped[int] = mapped_column(Integer)
    buyer_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    requested: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(16), default="")
    status: Mapped[str] = mapped_column(String(16), default=RefillStatus.OPEN)
    # The meeting whose no-show or cancellation freed the table (None: a check-out, or staff).
    freed_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    buyer: Mapped[Participation] = relationship(foreign_keys=[buyer_id])
    supplier: Mapped[Participation] = relationship(foreign_keys=[supplier_id])
    slot: Mapped[Slot] = relationship()
    zone: Mapped[Zone] = relationship()
    meeting: Mapped[Meeting | None] = relationship(foreign_keys=[meeting_id])
