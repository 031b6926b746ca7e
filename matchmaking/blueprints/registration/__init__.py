"""Online registration of a company for an event."""

from flask import Blueprint

bp = Blueprint("registration", __name__)

from matchmaking.blueprints.registration import routes  # noqa: E402,F401
