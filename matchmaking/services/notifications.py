"""Account e-mails (confirmation, reset, invitation), rendered in the recipient's language."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from matchmaking.models import User
from matchmaking.services import tokens
from matchmaking.services.mail import Mail, MailError, send_mail


def _send(to: str, locale: str, subject_key: str, template: str, **context: object) -> bool:
    with force_locale(locale):
        subjects = {
            "confirm": _("Confirm your e-mail address"),
            "reset": _("Choose a new password"),
            "invite": _("You have been added as a contact person"),
            "known": _("Your registration attempt"),
        }
        mail = Mail(
            to=to,
            subject=subjects[subject_key],
            text=render_template(f"email/{template}.txt", **context),
        )
    try:
        send_mail(current_app.config, mail)
    except MailError:
        current_app.logger.exception("e-mail to %s failed", to)
        return False
    return True


def send_confirmation(user: User) -> bool:
    """Send the link that confirms ``user``'s address."""
    token = tokens.confirmation_token(current_app.config["SECRET_KEY"], user)
    link = url_for("auth.confirm", token=token, _external=True)
    return _send(user.email, user.locale, "confirm", "confirm", user=user, link=link)


def send_password_reset(user: User) -> bool:
    """Send a one-use link to choose a new password."""
    token = tokens.reset_token(current_app.config["SECRET_KEY"], user)
    link = url_for("auth.reset", token=token, _external=True)
    return _send(user.email, user.locale, "reset", "reset", user=user, link=link)


def send_invitation(user: User, inviter: User) -> bool:
    """Tell a new contact person they were added, with a link to set a password."""
    token = tokens.reset_token(current_app.config["SECRET_KEY"], user)
    link = url_for("auth.reset", token=token, _external=True)
    return _send(
        user.email, inviter.locale, "invite", "invite", user=user, inviter=inviter, link=link
    )


def send_already_registered(email: str, locale: str) -> bool:
    """Someone registered with a known address: tell its owner instead of the visitor."""
    login = url_for("auth.login", _external=True)
    reset = url_for("auth.reset_request", _external=True)
    return _send(email, locale, "known", "known", login=login, reset=reset)
