"""Agendas: companies' meetings (page, PDF, calendar, feed) and organisers' sheets and check-in."""

from flask import Blueprint

bp = Blueprint("agenda", __name__)

from matchmaking.blueprints.agenda import routes  # noqa: E402,F401
