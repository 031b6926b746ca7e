"""Authentication forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from matchmaking.blueprints.forms_base import BaseForm


class LoginForm(BaseForm):
    """E-mail and password."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address."))],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ResetRequestForm(BaseForm):
    """Ask for a password reset link."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address."))],
    )


class NewPasswordForm(BaseForm):
    """Choose a new password."""

    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=10, max=200, message=_l("Use at least 10 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class LogoutForm(BaseForm):
    """An empty form: logging out is a POST with a CSRF token."""
