"""Interpreters of an event: a scheduled resource, like a table, one meeting per slot.

An interpreter translates between any two of its languages (ISO 639-1 codes), on the days and
hours it gives (none given: every slot), in the zones it serves (none: every zone), up to its
cap of meetings. Its account (Role.INTERPRETER) shows its own agenda at the events it serves.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from matchmaking.models.event import Event, Zone
    from matchmaking.models.user import User

# The zones an interpreter serves; none listed: every zone of its event.
interpreter_zones = Table(
    "interpreter_zones",
    db.metadata,
    Column("interpreter_id", ForeignKey("interpreters.id", ondelete="CASCADE"), primary_key=True),
    Column("zone_id", ForeignKey("zones.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Interpreter(db.Model):  # type: ignore[name-defined,misc]
    """A person who interprets meetings at one event; one user may serve several events."""

    __tablename__ = "interpreters"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        CheckConstraint("max_meetings IS NULL OR max_meetings > 0", name="max_meetings_positive"),
        CheckConstraint("cost_per_slot_usd IS NULL OR cost_per_slot_usd >= 0", name="cost_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The name shown on agendas and table sheets (the account's e-mail is the login).
    name: Mapped[str] = mapped_column(String(200))
    # ISO 639-1 codes, lower case, at least two; it translates between any two of them.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_meetings: Mapped[int | None] = mapped_column(Integer)
    cost_per_slot_usd: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()
    zones: Mapped[list[Zone]] = relationship(secondary=interpreter_zones, order_by="Zone.position")
    availability: Mapped[list[InterpreterAvailability]] = relationship(
        back_populates="interpreter",
        cascade="all, delete-orphan",
        order_by="InterpreterAvailability.day",
    )

    @property
    def email(self) -> str:
        return self.user.email


class InterpreterAvailability(db.Model):  # type: ignore[name-defined,misc]
    """The hours an interpreter works on one event day, in the event's timezone."""

    __tablename__ = "interpreter_availabilities"
    __table_args__ = (
        UniqueConstraint("interpreter_id", "day"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interpreter_id: Mapped[int] = mapped_column(
        ForeignKey("interpreters.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)

    interpreter: Mapped[Interpreter] = relationship(back_populates="availability")
