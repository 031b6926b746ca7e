"""Organisers generate, inspect, edit and publish an event's schedule."""

from flask import Blueprint

bp = Blueprint("schedule", __name__, url_prefix="/organiser/events/<slug>/schedule")

from matchmaking.blueprints.schedule import routes  # noqa: E402,F401
