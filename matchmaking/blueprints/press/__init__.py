"""The public press page: published deal totals with charts, and their CSV."""

from flask import Blueprint

bp = Blueprint("press", __name__, url_prefix="/press")

from matchmaking.blueprints.press import routes  # noqa: E402,F401
