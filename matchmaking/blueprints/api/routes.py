"""JSON API views: the published deal totals; errors are JSON naming the parameter (errors.py)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from matchmaking.blueprints.api import bp
from matchmaking.blueprints.api.errors import error_response
from matchmaking.blueprints.api.openapi import DOCUMENT
from matchmaking.extensions import db, limiter
from matchmaking.models import Event, TallySnapshot, User
from matchmaking.models.types import utcnow
from matchmaking.services import api_tokens
from matchmaking.services.tally import published_snapshot
from matchmaking.tally.outcomes import DIMENSIONS

_NO_CALLER = object()


def _caller() -> User | None:
    """The reporter authenticated by the Bearer token (cached per request), else None.

    Raises NotAllowed (403) when the token is valid but its account may no longer use the API.
    """
    cached = g.get("api_caller", _NO_CALLER)
    if cached is not _NO_CALLER:
        return cached  # type: ignore[return-value]
    header = request.headers.get("Authorization", "")
    token = None
    if header.startswith("Bearer "):
        token = api_tokens.authenticate(db.session, header[7:].strip())
    user = token.user if token else None
    g.api_token, g.api_caller = token, user
    return user


def _rate_key() -> str:
    user = _caller()
    return f"reporter:{user.id}" if user else f"ip:{request.remote_addr or 'unknown'}"


def _rate_limit() -> str:
    if _caller() is not None:
        return str(current_app.config.get("API_TOKEN_RATE_LIMIT", "600 per minute"))
    return str(current_app.config.get("API_RATE_LIMIT", "60 per minute"))


@bp.before_request
def authenticate() -> Response | None:
    """A request with a token must carry a valid one; without a token it is anonymous."""
    if "Authorization" not in request.headers:
        return None
    if _caller() is None:
        return error_response(
            401,
            _("The API token is invalid or revoked."),
            "Authorization",
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
    # The time of last use is kept to the hour, so most reads write nothing.
    if api_tokens.record_token_use(db.session, g.api_token, utcnow()):
        db.session.commit()
    return None


@bp.get("/openapi.json")
@limiter.exempt
def openapi() -> Response:
    return jsonify(DOCUMENT)


def _figure(cny: Any, usd: Any, deals: int, companies: int) -> dict[str, Any]:
    return {"cny": str(cny), "usd": str(usd), "deals": deals, "companies": companies}


def _snapshot_body(event: Event, snapshot: TallySnapshot, group_by: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event": {
            "slug": event.slug,
            "name": event.name,
            "start_date": event.start_date.isoformat(),
            "end_date": event.end_date.isoformat(),
        },
        "currency": "CNY",
        "currencies": ["CNY", "USD"],
        "as_of": snapshot.computed_at.isoformat().replace("+00:00", "Z"),
        "group_by": group_by,
        "meetings_held": snapshot.meetings_held,
        "notice": None,
        "total": None,
        "groups": [],
    }
    if snapshot.suppressed:
        body["notice"] = _(
            "Too few companies have reported deals (fewer than three buyers or three "
            "suppliers), so no figures are published yet."
        )
        return body
    body["total"] = _figure(
        snapshot.total_cny, snapshot.total_usd, snapshot.deals, snapshot.companies
    )
    if group_by:
        body["groups"] = [
            {
                "key": group.key,
                "label": group.label,
                **_figure(group.value_cny, group.value_usd, group.deals, group.companies),
            }
            for group in snapshot.groups_by(group_by)
        ]
    return body


@bp.get("/events/<slug>/deals/totals")
@limiter.limit(_rate_limit, key_func=_rate_key)
def totals(slug: str) -> Response:
    """Published totals, optionally grouped; reporters and the public read the same snapshot."""
    group_by = request.args.get("group_by")
    if group_by is not None and group_by not in DIMENSIONS:
        return error_response(
            400,
            _("group_by must be one of: %(values)s.", values=", ".join(DIMENSIONS)),
            "group_by",
        )
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        return error_response(404, _("There is no event with this slug."), "slug")
    snapshot = published_snapshot(db.session, event, utcnow())
    return jsonify(_snapshot_body(event, snapshot, group_by))
