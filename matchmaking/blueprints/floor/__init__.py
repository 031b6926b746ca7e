"""The floor day: check-in by QR code for floor staff and organisers, floor staff accounts, and
the installable web app (manifest, service worker) that keeps agendas readable offline."""

from flask import Blueprint

bp = Blueprint("floor", __name__)

from matchmaking.blueprints.floor import offline, routes  # noqa: E402,F401
