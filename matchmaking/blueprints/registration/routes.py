"""Registration views."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from matchmaking.blueprints import account_mail
from matchmaking.blueprints.actions import Outcome, attempt
from matchmaking.blueprints.main.routes import get_public_event
from matchmaking.blueprints.registration import bp
from matchmaking.blueprints.registration.forms import RegistrationForm
from matchmaking.errors import EmailTaken
from matchmaking.extensions import db, limiter
from matchmaking.models.types import utcnow
from matchmaking.services.registration import register_company


def _auth_limit() -> str:
    return str(current_app.config["AUTH_RATE_LIMIT"])


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def register(slug: str) -> Response | tuple[str, int]:
    event = get_public_event(slug)
    if not event.registration_open(utcnow()):
        return render_template("registration/closed.html", event=event), 403
    form = RegistrationForm()
    form.setup_company_choices()
    form.setup_participation_choices(event, _)
    outcome = Outcome()
    if form.validate_on_submit():
        locale = str(get_locale() or "en")
        with attempt(form, silent=(EmailTaken, IntegrityError)) as outcome:
            user = register_company(
                db.session,
                event,
                form.company_input(),
                form.contact_input(locale),
                form.participation_input(),
                utcnow(),
            )
        if outcome.ok:
            account_mail.send_confirmation(user)
            return redirect(url_for("registration.done", slug=event.slug))
        if isinstance(outcome.error, (EmailTaken, IntegrityError)):
            # Same answer as a new registration: never reveal that the address is known.
            account_mail.send_already_registered(form.email.data or "", locale)
            return redirect(url_for("registration.done", slug=event.slug))
    return render_template("registration/register.html", form=form, event=event), outcome.status


@bp.get("/events/<slug>/register/done")
def done(slug: str) -> str:
    event = get_public_event(slug)
    return render_template("registration/done.html", event=event)
