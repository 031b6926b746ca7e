"""Typed domain errors raised by services, and the one place that maps errors to responses."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the domain was broken; ``field`` names the form field when there is one."""

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


def show_on_form(form: Any, error: DomainError, default: str | None = None) -> None:
    """Show a service's error on the field it names (else ``default``, else above the form)."""
    field = getattr(form, error.field or default or "", None)
    (field.errors if field is not None else form.form_errors).append(error.message)


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error and domain error as a page, never a traceback."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        message = _("The form expired or was sent from another site. Please try again.")
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[str, int]:
        return render_template(
            "errors/error.html", code=error.status, message=error.message
        ), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have access to this page."),
            404: _("This page does not exist."),
            405: _("This action is not allowed here."),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        message = messages.get(code, _("Something went wrong on our side."))
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        app.logger.exception("unhandled error")
        message = _("Something went wrong on our side. The organisers have been told.")
        return render_template("errors/error.html", code=500, message=message), 500
