"""What a company's agenda page and PDF show for the floor day: the check-in code with its QR
code, and the version stamp that names the PDF kept on the phone for offline reading."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import get_locale

from matchmaking.blueprints.floor import bp
from matchmaking.models.types import utcnow
from matchmaking.services.agendas import Agenda
from matchmaking.services.company_codes import check_in_block


@bp.app_template_global("offline_version")
def agenda_version(agenda: Agenda | Any) -> str:
    """Changes whenever the agenda's content may: the published version, its meetings' last
    change and the reader's language. The PDF link carries it, so a kept PDF is never stale.
    (Company and interpreter agendas alike: entries with a ``meeting``, a ``version``.)"""
    entries = (*agenda.entries, *getattr(agenda, "cancelled", ()))
    changed = max((e.meeting.updated_at for e in entries), default=None)
    parts = [
        str(agenda.version.id if agenda.version else 0),
        f"{changed.timestamp():.6f}" if changed else "0",
        str(get_locale() or ""),
    ]
    return "-".join(parts)


def check_in_context(agenda: Agenda) -> dict[str, Any]:
    """The template variables of the check-in code block (templates/floor/_check_in_code.html)."""
    return check_in_block(current_app.config["SECRET_KEY"], agenda.participation)


@bp.app_template_global("rendered_at")
def rendered_at() -> datetime:
    """When the page was made: a kept copy read offline says how old it is."""
    return utcnow()
