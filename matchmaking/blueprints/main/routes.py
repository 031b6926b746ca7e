"""Public views."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from matchmaking.blueprints.access import is_safe_redirect
from matchmaking.blueprints.main import bp
from matchmaking.extensions import db, limiter
from matchmaking.models import Event
from matchmaking.models.event import EventStatus
from matchmaking.models.types import utcnow


def get_public_event(slug: str) -> Event:
    """The event with ``slug``; drafts only for the organisers who manage them."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    if event.status == EventStatus.DRAFT and not (
        current_user.is_authenticated and event.managed_by(current_user)
    ):
        abort(404)
    return event


@bp.get("/")
def index() -> str:
    events = db.session.scalars(
        select(Event)
        .where(Event.status.in_((EventStatus.OPEN, EventStatus.CLOSED)))
        .order_by(Event.start_date)
    ).all()
    return render_template("main/index.html", events=events, now=utcnow())


@bp.get("/events/<slug>/")
def event(slug: str) -> str:
    event = get_public_event(slug)
    return render_template(
        "main/event.html",
        event=event,
        registration_open=event.registration_open(utcnow()),
    )


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    target = request.args.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("main.index"))


@bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[dict[str, str], int]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200


@bp.get("/favicon.ico")
@limiter.exempt
def favicon() -> Response:
    """Browsers and bookmark tools ask for /favicon.ico whatever the page links: the app's icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
