"""Interpreters: organisers register them (form or file); each interpreter reads its agenda."""

from flask import Blueprint

bp = Blueprint("interpreters", __name__)

from matchmaking.blueprints.interpreters import agenda, routes  # noqa: E402,F401
