"""Login, logout, e-mail confirmation and password reset."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from matchmaking.blueprints.auth import routes  # noqa: E402,F401
