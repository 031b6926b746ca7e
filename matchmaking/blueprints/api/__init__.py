"""The JSON API (token or anonymous access to published figures) and its OpenAPI document."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from matchmaking.blueprints.api import routes  # noqa: E402,F401
