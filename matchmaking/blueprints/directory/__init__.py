"""The participant directory, meeting requests and rescheduling between companies."""

from flask import Blueprint

bp = Blueprint("directory", __name__)

from matchmaking.blueprints.directory import routes  # noqa: E402,F401
