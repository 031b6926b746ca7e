"""The schedule aggregate: versions of an event's schedule, their meetings and changes.

Double booking is impossible by construction: every active meeting owns one *seat* per
company (version, slot, participation) and one table (version, slot, zone, table); both are
unique in the database, so two organisers editing at once cannot both win.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from matchmaking.models.company import Participation
    from matchmaking.models.event import Event, Slot, Zone

VERSION_STATUSES = ("generating", "draft", "failed", "published", "superseded")
MEETING_STATUSES = ("scheduled", "cancelled")


class ScheduleVersion(db.Model):  # type: ignore[name-defined,misc]
    """One generated (or hand-made) schedule of an event; at most one is published."""

    __tablename__ = "schedule_versions"
    __table_args__ = (
        UniqueConstraint("event_id", "number"),
        CheckConstraint(
            "status IN ('generating', 'draft', 'failed', 'published', 'superseded')",
            name="status_known",
        ),
        Index(
            "uq_schedule_versions_one_published",
            "event_id",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # The draft this one was regenerated from (its locked meetings are kept).
    base_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedule_versions.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default="draft")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    instance: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    unscheduled: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    base: Mapped[ScheduleVersion | None] = relationship(remote_side="ScheduleVersion.id")
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Meeting.id"
    )


class Meeting(db.Model):  # type: ignore[name-defined,misc]
    """A one-on-one meeting of a buyer and a supplier in a slot, zone and table."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("version_id", "buyer_id", "supplier_id"),
        CheckConstraint("buyer_id <> supplier_id", name="two_companies"),
        CheckConstraint("table_number > 0", name="table_positive"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_known"),
        CheckConstraint(
            "attendance IS NULL OR attendance IN ('held', 'no_show')", name="attendance_known"
        ),
        Index(
            "uq_meetings_table_in_slot",
            "version_id",
            "slot_id",
            "zone_id",
            "table_number",
            unique=True,
            sqlite_where=text("status = 'scheduled'"),
            postgresql_where=text("status = 'scheduled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_versions.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    buyer_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"))
    table_number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(16), default="solver")
    must: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Stable calendar identity of the pair at this event; SEQUENCE grows with every change.
    uid: Mapped[str] = mapped_column(String(120))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    attendance: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    version: Mapped[ScheduleVersion] = relationship(back_populates="meetings")
    buyer: Mapped[Participation] = relationship(foreign_keys=[buyer_id])
    supplier: Mapped[Participation] = relationship(foreign_keys=[supplier_id])
    slot: Mapped[Slot] = relationship()
    zone: Mapped[Zone] = relationship()
    seats: Mapped[list[MeetingSeat]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    changes: Mapped[list[MeetingChange]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingChange.id"
    )

    def counterpart_of(self, participation_id: int) -> Participation:
        return self.supplier if participation_id == self.buyer_id else self.buyer


class MeetingSeat(db.Model):  # type: ignore[name-defined,misc]
    """A company's place in an active meeting; unique per version and slot."""

    __tablename__ = "meeting_seats"
    __table_args__ = (UniqueConstraint("version_id", "slot_id", "participation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_versions.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )

    meeting: Mapped[Meeting] = relationship(back_populates="seats")


class MeetingChange(db.Model):  # type: ignore[name-defined,misc]
    """A recorded change of a meeting (after publication, companies are told)."""

    __tablename__ = "meeting_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # added, moved, cancelled, restored, table
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="changes")


class RescheduleProposal(db.Model):  # type: ignore[name-defined,misc]
    """A company proposes another slot for a meeting; the counterpart accepts or declines."""

    __tablename__ = "reschedule_proposals"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'accepted', 'declined', 'withdrawn', 'failed')",
            name="status_known",
        ),
        Index(
            "uq_reschedule_proposals_one_open",
            "meeting_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    proposer_id: Mapped[int] = mapped_column(ForeignKey("participations.id", ondelete="CASCADE"))
    to_slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship()
    to_slot: Mapped[Slot] = relationship()
