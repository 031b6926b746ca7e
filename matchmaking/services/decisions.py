"""E-mails telling a company's contacts the organisers' decision on its registration.

Deciding (one registration or a bulk approval of hundreds) only queues one ``sent_messages``
row per contact (``dispatch.enqueue``), in the decision's own transaction; the
``send-registration-decisions`` job delivers them (at most once, retried on failure). Each
decision is its own message (its key holds the decision and its time), so a registration
approved after a rejection is told so again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Participation, User
from matchmaking.models.company import ParticipationStatus
from matchmaking.services import dispatch
from matchmaking.services.mail import Mail
from matchmaking.services.notifications import build_mail

KIND = "registration_decision"
BATCH = 1000  # decisions one run of the job sends at most; the next minute sends more

# The page a contact opens next: the event's page for an approved company (its directory),
# the company's own page otherwise; absolute.
Links = Callable[[Participation], str]


def queue_decisions(
    session: Session, participations: Sequence[Participation], now: datetime
) -> int:
    """Queue the decisions just taken on ``participations`` to each active contact of their
    companies (one query for the contacts, one statement for the queue); the caller
    commits."""
    if not participations:
        return 0
    stamp = now.strftime("%Y%m%d%H%M%S")
    by_company = {p.company_id: p for p in participations}
    contacts = session.execute(
        select(User.email, User.company_id).where(
            User.company_id.in_(by_company), User.active.is_(True)
        )
    ).all()
    keys = []
    for email, company_id in contacts:
        assert company_id is not None  # selected by it
        p = by_company[company_id]
        subject = f"participation-{p.id}-{p.status}-{stamp}"
        keys.append(dispatch.MessageKey(KIND, subject, email, p.event_id, p.company_id))
    return dispatch.enqueue(session, keys, now)


def _participation_of(subject_key: str) -> tuple[int, str]:
    """The registration id and the decision in a message's subject key."""
    _, number, status, _stamp = subject_key.split("-")
    return int(number), status


def send_decisions(session: Session, config: Any, now: datetime, links: Links) -> int:
    """Send the queued decisions that are due (at most ``BATCH``); returns how many left."""
    keys = dispatch.due_keys(session, KIND, now, BATCH)
    sent = 0
    for key in keys:

        def build(key: dispatch.MessageKey = key) -> Mail:
            number, status = _participation_of(key.subject_key)
            participation = session.get(Participation, number)
            user = session.scalar(select(User).where(User.email == key.recipient))
            if participation is None or user is None:
                raise LookupError("the registration or its contact no longer exists")
            approved = status == ParticipationStatus.APPROVED
            return build_mail(
                user.email,
                user.locale,
                "approved" if approved else "rejected",
                "decision",
                user=user,
                event=participation.event,
                company=participation.company,
                approved=approved,
                reason=participation.status_reason if not approved else "",
                link=links(participation),
            )

        sent += dispatch.deliver(session, config, key, build, now) == dispatch.SENT
    return sent
