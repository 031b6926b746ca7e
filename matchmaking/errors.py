"""Typed domain errors raised by services, and the one place that maps errors to responses."""

from __future__ import annotations

import contextlib
import traceback
from typing import Any

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the domain was broken; ``field`` names the form field when there is one.

    The class owns the HTTP status: 409, a conflict with the current state, unless a subclass
    says otherwise (``InvalidInput`` 422, ``NotAllowed`` 403...).
    """

    status = 409

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RegistrationClosed(DomainError):
    """The event no longer accepts registrations or edits."""

    status = 403


class EmailTaken(DomainError):
    """An account already uses this e-mail address (never shown to the visitor as such)."""


class NotAllowed(DomainError):
    """The actor may not do this."""

    status = 403


class InvalidInput(DomainError):
    """The data given break a rule of the domain (``field`` says which)."""

    status = 422


def show_on_form(form: Any, error: DomainError, default: str | None = None) -> None:
    """Show a service's error on the field it names (else ``default``, else above the form)."""
    field = getattr(form, error.field or default or "", None)
    (field.errors if field is not None else form.form_errors).append(error.message)


def _discard_failed_transaction() -> None:
    """Roll back what failed, so that rendering the error page can use the database again."""
    from matchmaking.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection itself is gone: a new session will reconnect
        with contextlib.suppress(Exception):
            db.session.remove()


def _log_unexpected(app: Flask, error: BaseException) -> None:
    """Log the exception types, the request's method and path, and the stack: never the
    exception's message, which may quote form data or SQL parameters."""
    chain: list[str] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 5:
        chain.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    app.logger.error(
        "unhandled %s on %s %s\n%s",
        " <- ".join(chain),
        request.method,
        request.path,
        "".join(traceback.format_tb(error.__traceback__)),
    )


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error and domain error as a page (JSON under the API), no traceback."""
    from matchmaking.blueprints.api import errors as api_errors

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        message = _("The form expired or was sent from another site. Please try again.")
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> ResponseReturnValue:
        if api_errors.wants_json():
            return api_errors.domain_error(error)
        return render_template(
            "errors/error.html", code=error.status, message=error.message
        ), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if api_errors.wants_json():
            return api_errors.http_error(error)
        code = error.code or 500
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have access to this page."),
            404: _("This page does not exist."),
            405: _("This action is not allowed here."),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        message = messages.get(code, _("Something went wrong on our side."))
        # Keep the error's own headers (Allow on 405, Retry-After on 429), not its body's type.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return render_template("errors/error.html", code=code, message=message), code, headers

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        _discard_failed_transaction()  # the page below reads the user again
        _log_unexpected(app, error)
        if api_errors.wants_json():
            return api_errors.unexpected_error(error)
        message = _("Something went wrong on our side. The organisers have been told.")
        return render_template("errors/error.html", code=500, message=message), 500
