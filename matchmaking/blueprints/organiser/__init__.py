"""Organisers' console: events and registrations."""

from flask import Blueprint

bp = Blueprint("organiser", __name__, url_prefix="/organiser")

from matchmaking.blueprints.organiser import imports, routes  # noqa: E402,F401
