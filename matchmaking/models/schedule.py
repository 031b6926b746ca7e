"""The schedule aggregate: versions of an event's schedule, their meetings and changes.

Double booking is impossible by construction: every active meeting owns one *seat* per
company (version, slot, participation) and one table (version, slot, zone, table); both are
unique in the database, so two organisers editing at once cannot both win.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from matchmaking.models.company import Participation
    from matchmaking.models.event import Event, Slot, Zone
    from matchmaking.models.interpreter import Interpreter


class VersionStatus(StrEnum):
    """Where a schedule version stands; at most one per event is published."""

    QUEUED = "queued"  # waiting for a `matchmaking worker`
    GENERATING = "generating"  # claimed by a worker, which heartbeats
    DRAFT = "draft"  # generated (or copied), editable, not yet shown to companies
    FAILED = "failed"  # generation failed; the message says why
    PUBLISHED = "published"  # what companies see
    SUPERSEDED = "superseded"  # published before, replaced by a newer publication


class MeetingStatus(StrEnum):
    """Whether a meeting takes place; a cancelled meeting keeps its row and history."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Attendance(StrEnum):
    """What happened at a meeting, as recorded at the check-in desk or with an outcome."""

    HELD = "held"
    NO_SHOW = "no_show"


class ProposalStatus(StrEnum):
    """Where a company's proposal of another time for a meeting stands."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    FAILED = "failed"  # accepted, but the new time was no longer free


VERSION_STATUSES = tuple(VersionStatus)
MEETING_STATUSES = tuple(MeetingStatus)


class ScheduleVersion(db.Model):  # type: ignore[name-defined,misc]
    """One generated (or hand-made) schedule of an event; at most one is published."""

    __tablename__ = "schedule_versions"
    __table_args__ = (
        UniqueConstraint("event_id", "number"),
        CheckConstraint(one_of("status", VersionStatus), name="status_known"),
        Index(
            "uq_schedule_versions_one_published",
            "event_id",
            unique=True,
            sqlite_where=text(f"status = '{VersionStatus.PUBLISHED}'"),
            postgresql_where=text(f"status = '{VersionStatus.PUBLISHED}'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # The draft this one was regenerated from (its locked meetings are kept).
    base_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedule_versions.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.DRAFT)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    # The generation job: its time limit, the worker that claimed it and its last sign of life.
    time_limit: Mapped[float | None] = mapped_column(Float)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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
    stored_instance: Mapped[ScheduleInstance | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def instance(self) -> dict[str, Any] | None:
        """The solver instance (exchange format) this version was generated from; read only
        for download and re-generation: it is stored apart and compressed."""
        stored = self.stored_instance
        return None if stored is None else stored.load()

    @instance.setter
    def instance(self, value: dict[str, Any] | None) -> None:
        self.stored_instance = None if value is None else ScheduleInstance.of(value)


class Meeting(db.Model):  # type: ignore[name-defined,misc]
    """A one-on-one meeting of a buyer and a supplier in a slot, zone and table."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("version_id", "buyer_id", "supplier_id"),
        CheckConstraint("buyer_id <> supplier_id", name="two_companies"),
        CheckConstraint("table_number > 0", name="table_positive"),
        CheckConstraint(one_of("status", MeetingStatus), name="status_known"),
        CheckConstraint(
            "attendance IS NULL OR " + one_of("attendance", Attendance), name="attendance_known"
        ),
        Index(
            "uq_meetings_table_in_slot",
            "version_id",
            "slot_id",
            "zone_id",
            "table_number",
            unique=True,
            sqlite_where=text(f"status = '{MeetingStatus.SCHEDULED}'"),
            postgresql_where=text(f"status = '{MeetingStatus.SCHEDULED}'"),
        ),
        # An interpreter is at one active meeting per slot, like a table.
        Index(
            "uq_meetings_interpreter_in_slot",
            "version_id",
            "slot_id",
            "interpreter_id",
            unique=True,
            sqlite_where=text(
                f"status = '{MeetingStatus.SCHEDULED}' AND interpreter_id IS NOT NULL"
            ),
            postgresql_where=text(
                f"status = '{MeetingStatus.SCHEDULED}' AND interpreter_id IS NOT NULL"
            ),
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
    # The interpreter of a pair with no common language (models.interpreter), if assigned.
    interpreter_id: Mapped[int | None] = mapped_column(
        ForeignKey("interpreters.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.SCHEDULED)
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
    interpreter: Mapped[Interpreter | None] = relationship()
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
        CheckConstraint(one_of("status", ProposalStatus), name="status_known"),
        Index(
            "uq_reschedule_proposals_one_open",
            "meeting_id",
            unique=True,
            sqlite_where=text(f"status = '{ProposalStatus.OPEN}'"),
            postgresql_where=text(f"status = '{ProposalStatus.OPEN}'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    proposer_id: Mapped[int] = mapped_column(ForeignKey("participations.id", ondelete="CASCADE"))
    to_slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship()
    to_slot: Mapped[Slot] = relationship()


class ScheduleInstance(db.Model):  # type: ignore[name-defined,misc]
    """A version's solver instance as zlib-compressed JSON (tens of MB at 4,000 companies
    before compression): kept out of ``schedule_versions`` so pages never load it."""

    __tablename__ = "schedule_instances"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_versions.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)

    @classmethod
    def of(cls, value: dict[str, Any]) -> ScheduleInstance:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return cls(data=zlib.compress(text.encode("utf-8"), 6))

    def load(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(zlib.decompress(self.data).decode("utf-8"))
        return loaded
