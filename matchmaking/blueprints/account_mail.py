"""Account e-mails sent while handling a request: builds their links (signed tokens, absolute
addresses) and hands them with the app's mail settings to ``services.notifications``."""

from __future__ import annotations

from flask import current_app, url_for

from matchmaking.models import Event, User
from matchmaking.services import notifications, tokens


def _reset_link(user: User) -> str:
    token = tokens.reset_token(current_app.config["SECRET_KEY"], user)
    return url_for("auth.reset", token=token, _external=True)


def send_confirmation(user: User) -> bool:
    """Send the link that confirms ``user``'s address."""
    token = tokens.confirmation_token(current_app.config["SECRET_KEY"], user)
    link = url_for("auth.confirm", token=token, _external=True)
    return notifications.send_confirmation(current_app.config, user, link)


def send_password_reset(user: User) -> bool:
    """Send a one-use link to choose a new password."""
    return notifications.send_password_reset(current_app.config, user, _reset_link(user))


def send_invitation(user: User, inviter: User) -> bool:
    """Tell a new contact person they were added, with a link to set a password."""
    return notifications.send_invitation(current_app.config, user, inviter, _reset_link(user))


def send_floor_staff_invitation(user: User, event: Event) -> bool:
    """Tell a new floor staff member of ``event``, with a link to set a password."""
    return notifications.send_floor_staff_invitation(
        current_app.config,
        user,
        event,
        _reset_link(user),
        url_for("floor.check_in_page", slug=event.slug, _external=True),
        url_for("auth.reset_request", _external=True),
    )


def send_already_registered(email: str, locale: str) -> bool:
    """Someone registered with a known address: tell its owner instead of the visitor."""
    return notifications.send_already_registered(
        current_app.config,
        email,
        locale,
        login=url_for("auth.login", _external=True),
        reset=url_for("auth.reset_request", _external=True),
    )
