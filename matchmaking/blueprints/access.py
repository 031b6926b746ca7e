"""Role checks applied to every view, and the lookups that 404 when access is denied."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeGuard, TypeVar
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from matchmaking.extensions import db
from matchmaking.models import Event, Participation
from matchmaking.models.event import EventStatus

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: str) -> Callable[[F], F]:
    """Require a logged-in user with one of ``roles`` (403 otherwise).

    An administrator passes wherever an organiser does (``User.has_role``); a view of one
    event then also checks that the organiser manages it (``organiser_event_or_404``).
    """

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def event_or_404(slug: str, public: bool = False) -> Event:
    """The event with ``slug``; 404 when unknown, or when ``public`` and still a draft."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or (public and event.status == EventStatus.DRAFT):
        abort(404)
    return event


def require_manages(event: Event) -> None:
    """404 unless the current organiser manages ``event`` (administrators manage all).

    An event assigned to other organisers answers as if it did not exist, like an unknown
    slug: an organiser learns nothing about the events of others. Views that reach an event
    through another object (a registration, a meeting, a request) call this on its event.
    """
    if not event.managed_by(current_user):
        abort(404)


def organiser_event_or_404(slug: str) -> Event:
    """The event with ``slug`` if the current organiser manages it; 404 otherwise."""
    event = event_or_404(slug)
    require_manages(event)
    return event


def own_participation_or_404(slug: str) -> Participation:
    """The current company's participation in the event with ``slug``; 404 if it has none."""
    participation = db.session.scalar(
        select(Participation)
        .join(Participation.event)
        .where(Event.slug == slug, Participation.company_id == current_user.company_id)
        .options(contains_eager(Participation.event))  # the view reads it: no second statement
    )
    if participation is None:
        abort(404)
    return participation


def is_safe_redirect(target: str | None) -> TypeGuard[str]:
    """Only same-site relative paths are followed after login or a language switch.

    Browsers drop tabs and newlines and read backslashes as slashes, so "/\t/evil.example"
    would leave the site: any control character or whitespace makes the target unsafe.
    """
    if not target or not target.startswith("/"):
        return False
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return False
    parts = urlsplit(target.replace("\\", "/"))
    return not parts.scheme and not parts.netloc and not target.startswith("//")
