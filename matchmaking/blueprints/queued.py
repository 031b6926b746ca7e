"""JSON answers to entries queued on a phone with no network and sent later (static/js/queue.js).

Such a request asks for ``Accept: application/json`` and is answered ``{"ok", "message"}``
with the status of the error (422 a field, 409 a change made meanwhile), so the phone can list
a refused entry under "Not saved" with the reason.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from matchmaking.blueprints.actions import Outcome
from matchmaking.errors import DomainError


def json_requested() -> bool:
    """Whether the request comes from a phone's queue (or another script) asking for JSON."""
    return request.accept_mimetypes.best == "application/json"


def json_answer(outcome: Outcome, success: str, **extra: Any) -> tuple[Response, int]:
    """The answer to a queued entry once ``attempt`` ran (``silent`` on DomainError)."""
    if outcome.ok:
        return jsonify(ok=True, message=success, **extra), 200
    error = outcome.error
    if isinstance(error, DomainError):
        return jsonify(ok=False, message=error.message, field=error.field), error.status
    return jsonify(ok=False, message=_("This entry could not be saved.")), outcome.status


def invalid_json(form: FlaskForm) -> tuple[Response, int]:
    """The answer to a queued entry whose form did not validate: its first error, 422."""
    field, errors = next(
        iter(form.errors.items()), ("", [_("The request could not be understood.")])
    )
    return jsonify(ok=False, message=str(errors[0]), field=field), 422
