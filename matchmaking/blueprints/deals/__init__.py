"""Deal outcomes, the organisers' tally dashboard, rates, memoranda, publication and tokens."""

from flask import Blueprint

bp = Blueprint("deals", __name__, url_prefix="/deals")

from matchmaking.blueprints.deals import display, routes  # noqa: E402,F401
