"""Account e-mails (confirmation, reset, invitation), rendered in the recipient's language.

The caller gives the mail settings and the links (with their signed tokens): this module
sends what it is given, inside a request or out of one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from matchmaking.models import Event, User
from matchmaking.services.mail import Mail, MailError, send_mail

log = logging.getLogger(__name__)

Config = Mapping[str, Any]


def build_mail(to: str, locale: str, subject_key: str, template: str, **context: object) -> Mail:
    """The account e-mail ``template`` to ``to``, rendered in ``locale``."""
    with force_locale(locale):
        subjects = {
            "confirm": _("Confirm your e-mail address"),
            "reset": _("Choose a new password"),
            "invite": _("You have been added as a contact person"),
            "known": _("Your registration attempt"),
            "imported": _("Your company is registered: choose your password"),
            "floor_staff": _("You are floor staff: choose your password"),
            "approved": _("Your registration is approved"),
            "rejected": _("Your registration was not approved"),
        }
        return Mail(
            to=to,
            subject=subjects[subject_key],
            text=render_template(f"email/{template}.txt", **context),
        )


def _send(
    config: Config, to: str, locale: str, subject_key: str, template: str, **context: object
) -> bool:
    mail = build_mail(to, locale, subject_key, template, **context)
    try:
        send_mail(config, mail)
    except MailError:
        log.exception("e-mail to %s failed", to)
        return False
    return True


def send_confirmation(config: Config, user: User, link: str) -> bool:
    """Send ``link``, which confirms ``user``'s address."""
    return _send(config, user.email, user.locale, "confirm", "confirm", user=user, link=link)


def send_password_reset(config: Config, user: User, link: str) -> bool:
    """Send ``link``, a one-use link to choose a new password."""
    return _send(config, user.email, user.locale, "reset", "reset", user=user, link=link)


def send_invitation(config: Config, user: User, inviter: User, link: str) -> bool:
    """Tell a new contact person they were added, with ``link`` to set a password."""
    return _send(
        config,
        user.email,
        inviter.locale,
        "invite",
        "invite",
        user=user,
        inviter=inviter,
        link=link,
    )


def send_floor_staff_invitation(
    config: Config, user: User, event: Event, link: str, check_in: str, reset: str
) -> bool:
    """Tell a new floor staff member of ``event``, in their language, with ``link`` to choose a
    password, the ``check_in`` page and the ``reset`` page."""
    return _send(
        config,
        user.email,
        user.locale,
        "floor_staff",
        "floor_staff",
        user=user,
        event=event,
        link=link,
        check_in=check_in,
        reset=reset,
    )


def send_already_registered(
    config: Config, email: str, locale: str, login: str, reset: str
) -> bool:
    """Someone registered with a known address: tell its owner (with the ``login`` and password
    ``reset`` links) instead of the visitor."""
    return _send(config, email, locale, "known", "known", login=login, reset=reset)
