"""The API's error bodies: every error under its URL prefix is JSON of one documented shape.

The shape is the API's ``Error`` schema: ``{"message": ..., "parameter": ...}``, ``parameter``
naming the parameter or header at fault when there is one. ``matchmaking.errors`` calls these
functions for requests under the prefix, including URLs that match no route.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from matchmaking.blueprints.api import bp
from matchmaking.errors import DomainError

# Connection refused or lost, a locked SQLite file, a full pool: try again later (503).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 30


def wants_json() -> bool:
    """Whether the current request is under the API's URL prefix (matched by a route or not)."""
    prefix = bp.url_prefix or ""
    return request.path == prefix or request.path.startswith(prefix + "/")


def error_response(
    status: int,
    message: str,
    parameter: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A JSON error of the API's one shape."""
    body: dict[str, Any] = {"message": message}
    if parameter:
        body["parameter"] = parameter
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _message(status: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("The API token is invalid or revoked."),
        403: _("You do not have access to this resource."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        429: _("Too many requests. Please slow down."),
        503: _("The service is temporarily unavailable. Please try again shortly."),
    }
    if status in messages:
        return messages[status]
    if status < 500:
        return messages[400]
    return _("Something went wrong on our side. The organisers have been told.")


def http_error(error: HTTPException) -> Response:
    """An HTTP error (404, 405 with its ``Allow`` header, 429, ...) as JSON."""
    if isinstance(error, InternalServerError) and error.original_exception is not None:
        return unexpected_error(error.original_exception)
    code = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return error_response(code, _message(code), headers=headers)


def domain_error(error: DomainError) -> Response:
    """A service's typed error with its status, naming the parameter at fault."""
    return error_response(error.status, error.message, error.field)


def unexpected_error(error: BaseException) -> Response:
    """503 when the database cannot be reached, else 500; a generic message, never a traceback."""
    if isinstance(error, DATABASE_UNAVAILABLE):
        return error_response(503, _message(503), headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return error_response(500, _message(500))
