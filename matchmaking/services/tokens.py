"""Signed, expiring tokens for e-mail confirmation and password reset."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from matchmaking.models import User

_CONFIRM = "email-confirm"
_RESET = "password-reset"


def _serializer(secret: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=salt)


def confirmation_token(secret: str, user: User) -> str:
    """A token confirming ``user``'s e-mail address."""
    return _serializer(secret, _CONFIRM).dumps({"uid": user.id, "email": user.email})


def reset_token(secret: str, user: User) -> str:
    """A token allowing one password change; it dies when the password changes."""
    return _serializer(secret, _RESET).dumps({"uid": user.id, "ph": user.password_hash[-16:]})


def read_confirmation(secret: str, token: str, max_age: int) -> tuple[int, str] | None:
    """(user id, e-mail) from a valid confirmation token, else None."""
    try:
        data = _serializer(secret, _CONFIRM).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    return int(data["uid"]), str(data["email"])


def read_reset(secret: str, token: str, max_age: int) -> tuple[int, str] | None:
    """(user id, password-hash fragment) from a valid reset token, else None."""
    try:
        data = _serializer(secret, _RESET).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    return int(data["uid"]), str(data["ph"])
