"""An interpreter's own pages: its events, and at each its agenda (page, PDF, calendar, feed).

An interpreter sees only the meetings it interprets, at the events it was registered for.
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, url_for
from flask_babel import force_locale, get_locale
from flask_login import current_user

from matchmaking.blueprints.access import role_required
from matchmaking.blueprints.downloads import calendar_feed, download
from matchmaking.blueprints.interpreters import bp
from matchmaking.extensions import db, limiter
from matchmaking.models import Interpreter
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services.interpreter_agendas import (
    build_interpreter_agenda,
    feed_token,
    interpreter_calendar,
    interpreter_pdf,
    own_interpreter,
    user_for_feed,
)
from matchmaking.services.interpreters import interpreters_of_user


def _own(slug: str) -> Interpreter:
    interpreter = own_interpreter(db.session, current_user, slug)
    if interpreter is None:
        abort(404)
    return interpreter


@bp.get("/interpreter/")
@role_required(Role.INTERPRETER)
def home() -> str:
    """The events the interpreter works at, and its calendar subscription link."""
    return render_template(
        "interpreters/home.html",
        places=interpreters_of_user(db.session, current_user),
        feed_url=url_for(
            "interpreters.feed",
            token=feed_token(current_app.config["SECRET_KEY"], current_user),
            _external=True,
        ),
    )


@bp.get("/interpreter/events/<slug>/agenda")
@role_required(Role.INTERPRETER)
def agenda(slug: str) -> str:
    interpreter = _own(slug)
    return render_template(
        "interpreters/agenda.html", agenda=build_interpreter_agenda(db.session, interpreter)
    )


@bp.get("/interpreter/events/<slug>/agenda.pdf")
@role_required(Role.INTERPRETER)
def agenda_pdf(slug: str) -> Response:
    interpreter = _own(slug)
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    with force_locale(locale):
        pdf = interpreter_pdf(build_interpreter_agenda(db.session, interpreter), locale, utcnow())
    return download(pdf, "application/pdf", f"interpreting-{slug}.pdf", inline=True)


@bp.get("/interpreter/events/<slug>/agenda.ics")
@role_required(Role.INTERPRETER)
def agenda_ics(slug: str) -> Response:
    interpreter = _own(slug)
    agenda = build_interpreter_agenda(db.session, interpreter)
    ics = interpreter_calendar([agenda], utcnow(), name=agenda.event.display_name)
    return download(ics, "text/calendar", f"interpreting-{slug}.ics")


@bp.get("/interpreter/calendar/<token>.ics")
@limiter.limit("120 per minute")
def feed(token: str) -> Response:
    """The interpreter's calendar subscription: its meetings at every event, no login."""
    user = user_for_feed(db.session, current_app.config["SECRET_KEY"], token)
    if user is None or user.role != Role.INTERPRETER:
        abort(404)
    locale = user.locale if user.locale in current_app.config["LANGUAGES"] else None
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        agendas = [
            build_interpreter_agenda(db.session, i) for i in interpreters_of_user(db.session, user)
        ]
        ics = interpreter_calendar(
            [a for a in agendas if a.version is not None],
            utcnow(),
            name=user.full_name,
            method=None,
        )
    return calendar_feed(ics, "interpreting.ics")
