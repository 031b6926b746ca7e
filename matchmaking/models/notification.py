"""Outgoing notifications: the log of what was sent, and companies' calendar feed secrets."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, one_of, utcnow


class MessageStatus(StrEnum):
    """Where an e-mail the scheduler owes stands."""

    SENDING = "sending"  # claimed by one run, which is building or sending it
    DELIVERED = "delivered"  # the mail server accepted it
    RETRY = "retry"  # refused or unreachable; a later run tries again
    FAILED = "failed"  # given up (or the outcome is unknown), reported to the organisers
    SUPERSEDED = "superseded"  # a newer message replaces this pending retry


MESSAGE_STATUSES = tuple(MessageStatus)


class SentMessage(db.Model):  # type: ignore[name-defined,misc]
    """One e-mail the scheduler owes someone; the unique key makes sending at most once.

    A run claims the row (inserts it, or moves a due retry to "sending") in a committed
    transaction before it talks to the mail server, so a second, concurrent run finds it
    taken. ``attempts`` counts claims: the claim's number identifies the run whose outcome
    may be recorded. ``claimed_at`` is wall-clock time, so a send is only presumed dead
    when no process could still be at it, whatever "now" the jobs were given.
    """

    __tablename__ = "sent_messages"
    __table_args__ = (
        UniqueConstraint("kind", "subject_key", "recipient"),
        CheckConstraint(one_of("status", MessageStatus), name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_sent_messages_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_key: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(254))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.SENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CalendarFeed(db.Model):  # type: ignore[name-defined,misc]
    """A company's calendar subscription: the random token in its feed URL."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), unique=True
    )
    # 256 random bits (secrets.token_urlsafe); kept so the page can show the URL again.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
