"""Meeting requests between participants; an accepted request is a must-meet pair."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from matchmaking.models.company import Participation


class RequestStatus(StrEnum):
    """Where a meeting request stands; open and accepted requests are live."""

    OPEN = "open"  # awaiting the recipient's answer
    ACCEPTED = "accepted"  # a must-meet pair for the optimiser
    DECLINED = "declined"
    EXPIRED = "expired"  # unanswered past its expiry (the expire-requests job)
    WITHDRAWN = "withdrawn"  # taken back by the requester


REQUEST_STATUSES = tuple(RequestStatus)
LIVE_REQUEST_STATUSES = (RequestStatus.OPEN, RequestStatus.ACCEPTED)


class MeetingRequest(db.Model):  # type: ignore[name-defined,misc]
    """A request from one participant to meet another, with a short message."""

    __tablename__ = "meeting_requests"
    __table_args__ = (
        CheckConstraint("requester_id <> recipient_id", name="two_companies"),
        CheckConstraint(one_of("status", RequestStatus), name="status_known"),
        # One live request per pair, whoever asked first.
        Index(
            "uq_meeting_requests_live_pair",
            "event_id",
            "pair_key",
            unique=True,
            sqlite_where=text(one_of("status", LIVE_REQUEST_STATUSES)),
            postgresql_where=text(one_of("status", LIVE_REQUEST_STATUSES)),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    buyer_id: Mapped[int] = mapped_column(ForeignKey("participations.id", ondelete="CASCADE"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("participations.id", ondelete="CASCADE"))
    pair_key: Mapped[str] = mapped_column(String(40))  # "<smaller id>-<larger id>"
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    requester: Mapped[Participation] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[Participation] = relationship(foreign_keys=[recipient_id])
    buyer: Mapped[Participation] = relationship(foreign_keys=[buyer_id])
    supplier: Mapped[Participation] = relationship(foreign_keys=[supplier_id])
