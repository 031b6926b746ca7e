"""Organisers' console: events and registrations."""

from flask import Blueprint

bp = Blueprint("organiser", __name__, url_prefix="/organiser")

from matchmaking.blueprints.organiser import routes  # noqa: E402,F401
