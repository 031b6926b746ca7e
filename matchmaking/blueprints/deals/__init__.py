"""Deal outcomes, the organisers' tally dashboard, rates, memoranda, publication and tokens."""

from flask import Blueprint

bp = Blueprint("deals", __name__, url_prefix="/deals")

from matchmaking.blueprints.deals import routes  # noqa: E402,F401
