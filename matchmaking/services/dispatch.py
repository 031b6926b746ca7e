"""At-most-once e-mail delivery for the scheduler's jobs, with bounded retries.

Each message has a key (kind, subject_key, recipient), unique in ``sent_messages``. A run
first *claims* the key in a short committed write transaction: it inserts the row as
"sending", or moves a due retry to "sending", with a conditional statement whose row
count says whether this run won, so a concurrent run (another thread or process) finds
the key taken and sends nothing. The claim numbers the attempt (``attempts``). The run
then builds the mail (reading), ends its read transaction, talks to the mail server
holding no transaction, and records the outcome right after the SMTP conversation in
another short write transaction, for its own attempt only: "delivered" exactly when the
server accepted the message. A failed send is retried by a later run after a backoff, up
to MAX_ATTEMPTS, and then stays "failed", listed for the organisers and logged.

This module commits: a claim only protects anyone once it is visible to other runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from matchmaking.models import SentMessage
from matchmaking.models.notification import MessageStatus
from matchmaking.services.mail import Mail, MailError, send_mail
from matchmaking.services.transactions import insert_unless_present, write_transaction

log = logging.getLogger("matchmaking.dispatch")

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=5)  # doubled after each failed attempt: 5, 10, 20, 40 minutes
# A claim older than this (wall clock) means the process died mid-send: the outcome is
# unknown, so the message is reported as failed rather than sent again (at most once beats
# twice). A run that was only slow and then hears the server accept records "delivered".
STALE_SENDING = timedelta(minutes=30)
# A retry its job no longer rediscovers (say, a reminder after its meeting) is given up.
ABANDONED_RETRY = timedelta(hours=24)
# Recording an accepted message is retried this often before the run gives up on it.
RECORD_TRIES = 3

SENT, SKIPPED, RETRY, FAILED = "sent", "skipped", "retry", "failed"

SENDING = MessageStatus.SENDING.value
DELIVERED = MessageStatus.DELIVERED.value
RETRYING = MessageStatus.RETRY.value
GIVEN_UP = MessageStatus.FAILED.value
SUPERSEDED = MessageStatus.SUPERSEDED.value


@dataclass(frozen=True)
class MessageKey:
    """Who gets what; the first three fields are the unique key."""

    kind: str
    subject_key: str
    recipient: str
    event_id: int | None = None
    company_id: int | None = None


@dataclass(frozen=True)
class Claim:
    """This run's right to send one message: the row and the attempt it numbered."""

    id: int
    attempt: int


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure."""
    return BACKOFF * (2 ** max(attempts - 1, 0))


def _clock() -> datetime:
    """Wall-clock time, for claims: how long another process has been sending is real time."""
    return datetime.now(UTC)


def _is(key: MessageKey) -> ColumnElement[bool]:
    return and_(
        SentMessage.kind == key.kind,
        SentMessage.subject_key == key.subject_key,
        SentMessage.recipient == key.recipient,
    )


def _insert_claim(session: Session, key: MessageKey, now: datetime) -> Claim | None:
    """Insert ``key`` as "sending" unless it exists (then None)."""
    statement = (
        insert_unless_present(session, SentMessage.__table__)
        .values(
            kind=key.kind,
            subject_key=key.subject_key,
            recipient=key.recipient,
            event_id=key.event_id,
            company_id=key.company_id,
            subject="",
            status=SENDING,
            attempts=1,
            last_error="",
            claimed_at=_clock(),
            created_at=now,
            updated_at=now,
        )
        .returning(SentMessage.id, SentMessage.attempts)
    )
    row = session.execute(statement).one_or_none()
    return None if row is None else Claim(row.id, row.attempts)


def _claim(session: Session, key: MessageKey, now: datetime) -> Claim | None:
    """Claim ``key`` for this run, committed; None when it is not this run's to send."""
    with write_transaction(session):
        claim = _insert_claim(session, key, now)
        if claim is None:
            row = session.execute(
                update(SentMessage)
                .where(
                    _is(key),
                    SentMessage.status == RETRYING,
                    or_(SentMessage.next_attempt_at.is_(None), SentMessage.next_attempt_at <= now),
                )
                .values(
                    status=SENDING,
                    attempts=SentMessage.attempts + 1,
                    claimed_at=_clock(),
                    updated_at=now,
                )
                .returning(SentMessage.id, SentMessage.attempts)
                .execution_options(synchronize_session=False)
            ).one_or_none()
            claim = None if row is None else Claim(row.id, row.attempts)
        if claim is None:
            _give_up_dead_sends(session, now, _is(key))
    return claim


def _give_up_dead_sends(session: Session, now: datetime, *where: ColumnElement[bool]) -> int:
    """Mark sends claimed longer than STALE_SENDING ago (wall clock) as failed, outcome unknown.

    One conditional UPDATE: a send recorded meanwhile is no longer "sending" and is left
    alone. The attempt number is kept, so the claiming run, should it still hear the
    server accept, records the delivery over this verdict.
    """
    rows = session.execute(
        update(SentMessage)
        .where(
            *where,
            SentMessage.status == SENDING,
            SentMessage.claimed_at < _clock() - STALE_SENDING,
        )
        .values(
            status=GIVEN_UP,
            next_attempt_at=None,
            last_error="the scheduler stopped while sending; the outcome is unknown",
            updated_at=now,
        )
        .returning(SentMessage.kind, SentMessage.subject_key, SentMessage.recipient)
        .execution_options(synchronize_session=False)
    ).all()
    for row in rows:
        log.error(
            "%s %s to %s was claimed over %s ago and never recorded; reported as failed",
            row.kind,
            row.subject_key,
            row.recipient,
            STALE_SENDING,
        )
    return len(rows)


def _record(session: Session, claim: Claim, values: dict[str, Any]) -> bool:
    """Write this attempt's outcome (retried on database errors); False if the row moved on."""
    for attempt in range(1, RECORD_TRIES + 1):
        try:
            with write_transaction(session):
                recorded = session.execute(
                    update(SentMessage)
                    .where(SentMessage.id == claim.id, SentMessage.attempts == claim.attempt)
                    .values(**values)
                    .returning(SentMessage.id)
                    .execution_options(synchronize_session=False)
                ).first()
            return recorded is not None
        except OperationalError:
            if attempt == RECORD_TRIES:
                raise
            log.warning("could not record message %d, trying again", claim.id, exc_info=True)
            time.sleep(attempt)
    return False  # pragma: no cover - the loop returns or raises


def _record_delivery(
    session: Session, claim: Claim, key: MessageKey, subject: str, now: datetime
) -> str:
    values = {
        "status": DELIVERED,
        "subject": subject[:300],
        "sent_at": _clock(),
        "updated_at": now,
        "last_error": "",
        "next_attempt_at": None,
    }
    try:
        recorded = _record(session, claim, values)
    except OperationalError:
        log.error(
            "%s %s to %s was accepted by the mail server but could not be recorded",
            key.kind,
            key.subject_key,
            key.recipient,
        )
        raise
    if not recorded:  # cannot happen while only this run holds the attempt number
        log.error("%s %s to %s: claim %s was lost", key.kind, key.subject_key, key.recipient, claim)
    return SENT


def _record_failure(
    session: Session, claim: Claim, key: MessageKey, subject: str, now: datetime, error: str
) -> str:
    final = claim.attempt >= MAX_ATTEMPTS
    _record(
        session,
        claim,
        {
            "status": GIVEN_UP if final else RETRYING,
            "subject": subject[:300],
            "last_error": error[:2000],
            "next_attempt_at": None if final else now + backoff(claim.attempt),
            "updated_at": now,
        },
    )
    if final:
        log.error(
            "giving up on %s %s to %s after %d attempt(s): %s",
            key.kind,
            key.subject_key,
            key.recipient,
            claim.attempt,
            error,
        )
        return FAILED
    log.warning(
        "%s %s to %s failed (attempt %d), retrying after %s: %s",
        key.kind,
        key.subject_key,
        key.recipient,
        claim.attempt,
        (now + backoff(claim.attempt)).isoformat(),
        error,
    )
    return RETRY


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
    claim = _claim(session, key, now)
    if claim is None:
        return SKIPPED
    try:
        mail = build()
    except Exception as exc:  # a broken template or PDF must not leave the row "sending"
        session.rollback()
        log.exception("could not build %s %s for %s", key.kind, key.subject_key, key.recipient)
        return _record_failure(session, claim, key, "", now, f"{type(exc).__name__}: {exc}")
    session.commit()  # end the read transaction: nothing is held while the server talks
    try:
        send_mail(config, mail)
    except MailError as exc:
        return _record_failure(session, claim, key, mail.subject, now, str(exc))
    return _record_delivery(session, claim, key, mail.subject, now)


def enqueue(session: Session, keys: Collection[MessageKey], now: datetime) -> int:
    """Queue messages for a job to send: rows due now with no attempt yet (one statement).

    A queued message is a retry that was never tried (``attempts`` 0): ``deliver`` claims it
    like any due retry. Keys queued or sent before are left as they are. Flushes only.
    """
    if not keys:
        return 0
    rows = [
        {
            "kind": key.kind,
            "subject_key": key.subject_key,
            "recipient": key.recipient,
            "event_id": key.event_id,
            "company_id": key.company_id,
            "subject": "",
            "status": RETRYING,
            "attempts": 0,
            "last_error": "",
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for key in keys
    ]
    session.execute(insert_unless_present(session, SentMessage.__table__), rows)  # executemany
    return len(rows)


def due_keys(session: Session, kind: str, now: datetime, limit: int) -> list[MessageKey]:
    """The keys of queued or retried messages of ``kind`` due by ``now``, oldest first."""
    due = session.scalars(
        select(SentMessage)
        .where(
            SentMessage.kind == kind,
            SentMessage.status == RETRYING,
            or_(SentMessage.next_attempt_at.is_(None), SentMessage.next_attempt_at <= now),
        )
        .order_by(SentMessage.id)
        .limit(limit)
    ).all()
    return [MessageKey(m.kind, m.subject_key, m.recipient, m.event_id, m.company_id) for m in due]


def is_settled(session: Session, key: MessageKey) -> bool:
    """True once ``key`` needs no more work: delivered, or failed for good (and reported)."""
    status = session.scalar(select(SentMessage.status).where(_is(key)))
    return status in (DELIVERED, GIVEN_UP, SUPERSEDED)


def supersede(session: Session, kind: str, company_id: int, keep: str, recipient: str) -> None:
    """Pending retries of ``kind`` for a company and recipient that a newer message replaces."""
    with write_transaction(session):
        session.execute(
            update(SentMessage)
            .where(
                SentMessage.kind == kind,
                SentMessage.company_id == company_id,
                SentMessage.recipient == recipient,
                SentMessage.subject_key != keep,
                SentMessage.status == RETRYING,
            )
            .values(status=SUPERSEDED, next_attempt_at=None)
            .execution_options(synchronize_session=False)
        )


def give_up_abandoned(session: Session, now: datetime) -> int:
    """Retries no job picked up for a day, and sends whose process died, become failures.

    Conditional UPDATEs: a retry that another run claims meanwhile is "sending", not
    "retry", and a send recorded meanwhile is no longer "sending"; neither is touched.
    """
    with write_transaction(session):
        rows = session.execute(
            update(SentMessage)
            .where(
                SentMessage.status == RETRYING,
                SentMessage.updated_at < now - ABANDONED_RETRY,
            )
            .values(
                status=GIVEN_UP,
                next_attempt_at=None,
                last_error=func.trim(SentMessage.last_error + " (no longer retried)"),
            )
            .returning(SentMessage.kind, SentMessage.subject_key, SentMessage.recipient)
            .execution_options(synchronize_session=False)
        ).all()
        for row in rows:
            log.error("gave up on %s %s to %s", row.kind, row.subject_key, row.recipient)
        dead = _give_up_dead_sends(session, now)
    return len(rows) + dead


def list_undelivered(
    session: Session, event_id: int | None = None, event_ids: Collection[int] | None = None
) -> list[SentMessage]:
    """Messages that failed or wait for a retry, newest first; of one event or of ``event_ids``."""
    query = select(SentMessage).where(
        SentMessage.status.in_((GIVEN_UP, RETRYING, SENDING)),
        # Queued messages (``enqueue``) are not undelivered before their first attempt.
        or_(SentMessage.status != RETRYING, SentMessage.attempts > 0),
    )
    if event_id is not None:
        query = query.where(SentMessage.event_id == event_id)
    if event_ids is not None:
        query = query.where(SentMessage.event_id.in_(event_ids))
    return list(session.scalars(query.order_by(SentMessage.updated_at.desc()).limit(500)))
