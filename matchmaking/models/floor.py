"""The floor day: staff who check companies in at the venue, and each company's check-in per day."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from matchmaking.models.company import Participation
    from matchmaking.models.user import User

# Floor staff (Role.FLOOR_STAFF) of each event, created by its organisers; staff act only at
# the events listed here.
event_floor_staff = Table(
    "event_floor_staff",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class CheckIn(db.Model):  # type: ignore[name-defined,misc]
    """A company's arrival at the venue on one event day (in the event's timezone), and its
    early departure if it leaves before its last meeting."""

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("participation_id", "day"),
        CheckConstraint(
            "checked_out_at IS NULL OR checked_out_at >= checked_in_at", name="out_after_in"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    participation: Mapped[Participation] = relationship()
    checked_in_by: Mapped[User | None] = relationship(foreign_keys=[checked_in_by_id])

    @property
    def present(self) -> bool:
        """Checked in and not (yet) checked out."""
        return self.checked_out_at is None
