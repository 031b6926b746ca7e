"""Live refill on the day: proposals for freed tables (floor staff, organisers, companies), the
standby list, the zone screens at each zone's entrance."""

from flask import Blueprint

bp = Blueprint("refill", __name__)

from matchmaking.blueprints.refill import routes  # noqa: E402,F401
