"""Invitations of imported contacts: queued by the import, sent by the scheduler's job.

An import of thousands of rows must return at once, so it only queues one ``sent_messages``
row per contact (``dispatch.enqueue``) in its own transaction; the ``send-import-invitations``
job then delivers them through ``dispatch.deliver`` (at most once, retried on failure) with
a password link made at sending time, so the link's two hours start when the mail leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, User
from matchmaking.services import dispatch
from matchmaking.services.mail import Mail
from matchmaking.services.notifications import build_mail

KIND = "import_invitation"
BATCH = 1000  # invitations one run of the job sends at most; the next minute sends more

# The invitee's password link and the page to ask for a new one, both absolute.
Links = Callable[[User], tuple[str, str]]


def _key(event: Event, user: User) -> dispatch.MessageKey:
    return dispatch.MessageKey(KIND, f"event-{event.id}", user.email, event.id, user.company_id)


def queue_import_invitations(
    session: Session, event: Event, users: Sequence[User], now: datetime
) -> int:
    """Queue an invitation to each of ``users`` (one statement); the caller commits."""
    return dispatch.enqueue(session, [_key(event, user) for user in users], now)


def send_import_invitations(session: Session, config: Any, now: datetime, links: Links) -> int:
    """Send the queued invitations that are due (at most ``BATCH``); returns how many left."""
    keys = dispatch.due_keys(session, KIND, now, BATCH)
    sent = 0
    for key in keys:

        def build(key: dispatch.MessageKey = key) -> Mail:
            user = session.scalar(select(User).where(User.email == key.recipient))
            event = session.get(Event, key.event_id)
            if user is None or event is None:
                raise LookupError("the invited account or its event no longer exists")
            link, reset = links(user)
            return build_mail(
                user.email,
                user.locale,
                "imported",
                "imported",
                user=user,
                event=event,
                link=link,
                reset=reset,
            )

        sent += dispatch.deliver(session, config, key, build, now) == dispatch.SENT
    return sent
