"""At-most-once e-mail delivery for the scheduler's jobs, with bounded retries.

Each message has a key (kind, subject_key, recipient), unique in ``sent_messages``. The job
claims the key by inserting (or re-claiming) the row and committing *before* it talks to
the mail server, so a re-run or a concurrent run finds the row and sends nothing. A send
that fails is retried by a later run after a backoff, up to MAX_ATTEMPTS, and then stays
``failed``, listed for the organisers and logged.

This module commits: claiming a key only protects anyone once it is visible to other runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaking.models import SentMessage
from matchmaking.services.mail import Mail, MailError, send_mail

log = logging.getLogger("matchmaking.dispatch")

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=5)  # doubled after each failed attempt: 5, 10, 20, 40 minutes
# A row left "sending" this long means the process died mid-send: the outcome is unknown,
# so it is reported as failed rather than sent again (at most once beats twice).
STALE_SENDING = timedelta(minutes=30)
# A retry its job no longer rediscovers (say, a reminder after its meeting) is given up.
ABANDONED_RETRY = timedelta(hours=24)

SENT, SKIPPED, RETRY, FAILED = "sent", "skipped", "retry", "failed"


@dataclass(frozen=True)
class MessageKey:
    """Who gets what; the first three fields are the unique key."""

    kind: str
    subject_key: str
    recipient: str
    event_id: int | None = None
    company_id: int | None = None


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure."""
    return BACKOFF * (2 ** max(attempts - 1, 0))


def _claim(session: Session, key: MessageKey, now: datetime) -> SentMessage | None:
    """The row for ``key`` marked "sending" and committed, or None when it is not ours to send."""
    row = session.scalar(
        select(SentMessage).where(
            SentMessage.kind == key.kind,
            SentMessage.subject_key == key.subject_key,
            SentMessage.recipient == key.recipient,
        )
    )
    if row is None:
        row = SentMessage(
            kind=key.kind,
            subject_key=key.subject_key,
            recipient=key.recipient,
            event_id=key.event_id,
            company_id=key.company_id,
            status="sending",
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another run claimed it between our read and our insert
            return None
        session.commit()
        return row
    if row.status == "retry" and (row.next_attempt_at is None or row.next_attempt_at <= now):
        claimed = session.execute(
            update(SentMessage)
            .where(
                SentMessage.id == row.id,
                SentMessage.status == "retry",
                SentMessage.attempts == row.attempts,
            )
            .values(status="sending", updated_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if getattr(claimed, "rowcount", 0) != 1:
            return None
        session.refresh(row)
        return row
    if row.status == "sending" and row.updated_at < now - STALE_SENDING:
        _fail(row, now, "the scheduler stopped while sending; the outcome is unknown", final=True)
        session.commit()
    return None


def _fail(row: SentMessage, now: datetime, error: str, final: bool = False) -> None:
    row.attempts += 1
    row.last_error = error[:2000]
    row.updated_at = now
    if final or row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
        row.next_attempt_at = None
        log.error(
            "giving up on %s %s to %s after %d attempt(s): %s",
            row.kind,
            row.subject_key,
            row.recipient,
            row.attempts,
            error,
        )
    else:
        row.status = "retry"
        row.next_attempt_at = now + backoff(row.attempts)
        log.warning(
            "%s %s to %s failed (attempt %d), retrying after %s: %s",
            row.kind,
            row.subject_key,
            row.recipient,
            row.attempts,
            row.next_attempt_at.isoformat(),
            error,
        )


def deliver(
    session: Session,
    config: Any,
    key: MessageKey,
    build: Callable[[], Mail],
    now: datetime,
) -> str:
    """Send the mail ``build`` makes unless ``key`` was already sent or is being sent.

    Returns SENT, SKIPPED (done before, in progress elsewhere, or waiting for its retry),
    RETRY (failed, will be retried) or FAILED (failed for good).
    """
    row = _claim(session, key, now)
    if row is None:
        return SKIPPED
    try:
        mail = build()
        row.subject = mail.subject[:300]
        send_mail(config, mail)
    except MailError as exc:
        _fail(row, now, str(exc))
    except Exception as exc:  # a broken template or PDF must not leave the row "sending"
        log.exception("could not build %s %s for %s", key.kind, key.subject_key, key.recipient)
        _fail(row, now, f"{type(exc).__name__}: {exc}")
    else:
        row.attempts += 1
        row.status = "delivered"
        row.sent_at = now
        row.updated_at = now
        row.last_error = ""
        row.next_attempt_at = None
    session.commit()
    return {"delivered": SENT, "retry": RETRY}.get(row.status, FAILED)


def is_settled(session: Session, key: MessageKey) -> bool:
    """True once ``key`` needs no more work: delivered, or failed for good (and reported)."""
    status = session.scalar(
        select(SentMessage.status).where(
            SentMessage.kind == key.kind,
            SentMessage.subject_key == key.subject_key,
            SentMessage.recipient == key.recipient,
        )
    )
    return status in ("delivered", "failed", "superseded")


def supersede(session: Session, kind: str, company_id: int, keep: str, recipient: str) -> None:
    """Pending retries of ``kind`` for a company and recipient that a newer message replaces."""
    session.execute(
        update(SentMessage)
        .where(
            SentMessage.kind == kind,
            SentMessage.company_id == company_id,
            SentMessage.recipient == recipient,
            SentMessage.subject_key != keep,
            SentMessage.status == "retry",
        )
        .values(status="superseded", next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )


def give_up_abandoned(session: Session, now: datetime) -> int:
    """Retries no job picked up for a day become failures the organisers see."""
    rows = session.scalars(
        select(SentMessage).where(
            SentMessage.status == "retry", SentMessage.updated_at < now - ABANDONED_RETRY
        )
    ).all()
    for row in rows:
        row.status = "failed"
        row.next_attempt_at = None
        row.last_error = (row.last_error + " (no longer retried)").strip()[:2000]
        log.error("gave up on %s %s to %s", row.kind, row.subject_key, row.recipient)
    return len(rows)


def list_undelivered(session: Session, event_id: int | None = None) -> list[SentMessage]:
    """Messages that failed or wait for a retry, newest first."""
    query = select(SentMessage).where(SentMessage.status.in_(("failed", "retry", "sending")))
    if event_id is not None:
        query = query.where(SentMessage.event_id == event_id)
    return list(session.scalars(query.order_by(SentMessage.updated_at.desc()).limit(500)))
