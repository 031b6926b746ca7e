"""Public pages: event list and landing pages, language switch, health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from matchmaking.blueprints.main import routes  # noqa: E402,F401
