"""A company's own dashboard: profile, participation, contacts."""

from flask import Blueprint

bp = Blueprint("company", __name__, url_prefix="/company")

from matchmaking.blueprints.company import routes  # noqa: E402,F401
