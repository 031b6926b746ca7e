"""Reporters' API tokens: random, shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from matchmaking.errors import EmailTaken, InvalidInput, NotAllowed
from matchmaking.models import ApiToken, User
from matchmaking.models.user import Role
from matchmaking.services.registration import get_user_by_email, normalise_email

# Tokens carry 256 random bits, so a fast hash is safe: there is nothing to brute-force.
_PREFIX = "mmr_"
LAST_USE_PRECISION = timedelta(hours=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_may_manage(owner: User, actor: User) -> None:
    if owner.role != Role.REPORTER:
        raise NotAllowed(_("API tokens are for reporters."))
    if not actor.has_role(Role.ORGANISER) and actor.id != owner.id:
        raise NotAllowed(_("You can only manage your own tokens."))


def create_token(
    session: Session, owner: User, name: str, actor: User, now: datetime
) -> tuple[ApiToken, str]:
    """A new token for ``owner``; returns the row and the token itself (shown only once)."""
    _check_may_manage(owner, actor)
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("Give the token a name of at most 100 characters."), field="name")
    token = _PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=owner.id,
        name=name,
        token_hash=hash_token(token),
        prefix=token[: len(_PREFIX) + 4],
        created_at=now,
        created_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, token: ApiToken, actor: User, now: datetime) -> None:
    """Revoke ``token`` (kept for the record, never accepted again)."""
    _check_may_manage(token.user, actor)
    if token.revoked_at is None:
        token.revoked_at = now
    session.flush()


def list_tokens(session: Session, owner: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id.desc())
        )
    )


def authenticate(session: Session, token: str) -> ApiToken | None:
    """The unrevoked token matching ``token``, or None; reads only.

    NotAllowed when the token is genuine but its owner is no longer an active reporter.
    """
    if not token.startswith(_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(token))
        .options(joinedload(ApiToken.user))  # read below: one statement, not two
    )
    if row is None or row.revoked_at is not None:
        return None
    if row.user.role != Role.REPORTER or not row.user.active:
        raise NotAllowed(_("This account may no longer use the API."), field="Authorization")
    return row


def record_token_use(session: Session, token: ApiToken, now: datetime) -> bool:
    """Set ``last_used_at`` when it is unset or older than LAST_USE_PRECISION; True if changed.

    Reading the API must not write on every request: the time of last use is kept to the hour.
    """
    last = token.last_used_at
    if last is not None and now - last < LAST_USE_PRECISION:
        return False
    token.last_used_at = now
    session.flush()
    return True


def list_reporters(session: Session) -> list[User]:
    return list(
        session.scalars(select(User).where(User.role == Role.REPORTER).order_by(User.email))
    )


def create_reporter(
    session: Session, email: str, full_name: str, actor: User, now: datetime
) -> User:
    """A reporter account (organisers only); the reporter sets a password via the reset link."""
    if not actor.has_role(Role.ORGANISER):
        raise NotAllowed(_("Only organisers create reporter accounts."))
    email = normalise_email(email)
    if get_user_by_email(session, email) is not None:
        raise EmailTaken(_("An account already uses this e-mail address."), field="email")
    user = User(
        email=email, full_name=full_name.strip(), role=Role.REPORTER, email_confirmed_at=now
    )
    user.set_password(secrets.token_urlsafe(32))
    session.add(user)
    session.flush()
    return user
