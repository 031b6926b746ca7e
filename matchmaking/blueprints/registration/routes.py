"""Registration views."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from matchmaking.blueprints.main.routes import get_public_event
from matchmaking.blueprints.registration import bp
from matchmaking.blueprints.registration.forms import RegistrationForm
from matchmaking.errors import DomainError, EmailTaken, show_on_form
from matchmaking.extensions import db, limiter
from matchmaking.models.types import utcnow
from matchmaking.services import notifications
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
    if form.validate_on_submit():
        locale = str(get_locale() or "en")
        try:
            user = register_company(
                db.session,
                event,
                form.company_input(),
                form.contact_input(locale),
                form.participation_input(),
                utcnow(),
            )
            db.session.commit()
        except (EmailTaken, IntegrityError):
            # Same answer as a new registration: never reveal that the address is known.
            db.session.rollback()
            notifications.send_already_registered(form.email.data or "", locale)
            return redirect(url_for("registration.done", slug=event.slug))
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
            return render_template("registration/register.html", form=form, event=event), 422
        notifications.send_confirmation(user)
        return redirect(url_for("registration.done", slug=event.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("registration/register.html", form=form, event=event), status


@bp.get("/events/<slug>/register/done")
def done(slug: str) -> str:
    event = get_public_event(slug)
    return render_template("registration/done.html", event=event)
