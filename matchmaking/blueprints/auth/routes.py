"""Authentication views; none of them reveals whether an e-mail address is known."""

from __future__ import annotations

import secrets
from functools import cache

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from matchmaking.blueprints import account_mail
from matchmaking.blueprints.access import is_safe_redirect
from matchmaking.blueprints.auth import bp
from matchmaking.blueprints.auth.forms import (
    LoginForm,
    LogoutForm,
    NewPasswordForm,
    ResetRequestForm,
)
from matchmaking.extensions import db, limiter
from matchmaking.models import User
from matchmaking.models import user as user_model
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services import tokens
from matchmaking.services.registration import confirm_email, get_user_by_email


def _auth_limit() -> str:
    return str(current_app.config["AUTH_RATE_LIMIT"])


def home_for(user: User) -> str:
    if user.has_role(Role.ORGANISER):  # administrators too
        return url_for("organiser.index")
    if user.role == Role.COMPANY:
        return url_for("company.dashboard")
    if user.role == Role.FLOOR_STAFF:
        return url_for("floor.index")
    if user.role == Role.INTERPRETER:
        return url_for("interpreters.home")
    return url_for("deals.my_tokens")  # reporters: their API tokens and the press pages


@cache
def _dummy_hash(method: str) -> str:
    """A hash of a random password made like real ones, so checking it costs the same."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, else None; one hash check in every case.

    An unknown address is checked against a dummy hash so that the answer takes as long as
    for a known one and its timing does not tell which addresses have accounts.
    """
    user = get_user_by_email(db.session, email)
    if user is None:
        check_password_hash(_dummy_hash(user_model.PASSWORD_HASH_METHOD), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def login() -> Response | tuple[str, int] | str:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = _authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            if user.email_confirmed_at is None:
                account_mail.send_confirmation(user)
                flash(
                    _("Please confirm your e-mail address first. We have sent you a new link."),
                    "warning",
                )
                return render_template("auth/login.html", form=form), 200
            login_user(user, remember=bool(form.remember.data))
            target = request.args.get("next")
            return redirect(target if is_safe_redirect(target) else home_for(user))
        form.password.errors.append(_("Invalid e-mail or password."))
        return render_template("auth/login.html", form=form), 422
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    if LogoutForm().validate_on_submit():
        current_user.end_sessions()  # copies of this session or remember cookie die too
        db.session.commit()
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.get("/confirm/<token>")
def confirm(token: str) -> Response | tuple[str, int]:
    data = tokens.read_confirmation(
        current_app.config["SECRET_KEY"], token, current_app.config["EMAIL_TOKEN_MAX_AGE"]
    )
    user = db.session.get(User, data[0]) if data else None
    if user is None or data is None or not confirm_email(db.session, user, data[1], utcnow()):
        message = _("This confirmation link is invalid or has expired. Log in to get a new one.")
        return render_template("errors/error.html", code=400, message=message), 400
    db.session.commit()
    flash(_("Your e-mail address is confirmed. You can log in now."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def reset_request() -> Response | tuple[str, int] | str:
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = get_user_by_email(db.session, form.email.data or "")
        if user is not None and user.active:
            account_mail.send_password_reset(user)
        flash(
            _("If an account uses this address, we have sent it a link to choose a new password."),
            "info",
        )
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def reset(token: str) -> Response | tuple[str, int] | str:
    data = tokens.read_reset(
        current_app.config["SECRET_KEY"], token, current_app.config["RESET_TOKEN_MAX_AGE"]
    )
    user = db.session.get(User, data[0]) if data else None
    if user is None or data is None or user.password_hash[-16:] != data[1]:
        message = _("This link is invalid, expired or already used. Ask for a new one.")
        return render_template("errors/error.html", code=400, message=message), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data or "")
        if user.email_confirmed_at is None:
            user.email_confirmed_at = utcnow()  # the link reached this mailbox
        db.session.commit()
        flash(_("Your password is changed. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/reset.html", form=form), status
