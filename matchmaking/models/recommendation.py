"""Each participant's recommended counterparts, stored when the event's data changes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from matchmaking.models.company import Participation


class Recommendation(db.Model):  # type: ignore[name-defined,misc]
    """A counterpart recommended to a participant, its rank (from 1), score and reasons.

    ``reason`` holds the scoring reasons (code and parameters) so that the page explains them
    in the reader's language.
    """

    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("participation_id", "rank"),
        CheckConstraint("rank > 0", name="rank_positive"),
        CheckConstraint("participation_id <> counterpart_id", name="two_companies"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    counterpart_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    participation: Mapped[Participation] = relationship(foreign_keys=[participation_id])
    counterpart: Mapped[Participation] = relationship(foreign_keys=[counterpart_id])


class RecommendationRun(db.Model):  # type: ignore[name-defined,misc]
    """When an event's recommendations were computed, and a fingerprint of the data they used
    (registrations, offerings, live requests, weights): a different fingerprint marks them stale."""

    __tablename__ = "recommendation_runs"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(64))
