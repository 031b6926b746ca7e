"""Template globals for deal figures (also used by the press pages); amounts use the app-wide
``money`` filter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Flask
from flask_babel import gettext as _

from matchmaking.blueprints.deals.forms import RULE_LABELS, STAGE_LABELS
from matchmaking.i18n import country_name, local_date
from matchmaking.models import Event
from matchmaking.tally.groups import OTHER


def group_label(dimension: str, key: str, label: str = "", event: Event | None = None) -> str:
    """The translated name of a group key; a zone's in the reader's language when ``event``
    (the zone's) is given, else the stored ``label`` through the catalogue."""
    if key == OTHER:
        return _("Other")
    if dimension == "country":
        return country_name(key)
    if dimension == "stage":
        return str(STAGE_LABELS.get(key, key))
    if dimension == "sector":
        return _("Unspecified") if key == "unspecified" else _(label or key)
    if dimension == "day":
        try:
            return local_date(date.fromisoformat(key), "medium")
        except ValueError:
            return key
    if dimension == "zone" and event is not None:
        zone = next((z for z in event.zones if z.code == key), None)
        if zone is not None:
            return zone.display_name
    return _(label or key)  # the default zones' names are in the catalogues


def dimension_label(dimension: str) -> str:
    names = {
        "zone": _("By zone"),
        "country": _("By country"),
        "sector": _("By sector"),
        "day": _("By day"),
        "stage": _("By stage"),
    }
    return names.get(dimension, dimension)


def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))


def rule_label(rule: str) -> str:
    return str(RULE_LABELS.get(rule, rule))


def bar_width(value: Decimal, largest: Decimal, full: int = 360) -> float:
    """Pixel length of a chart bar (geometry only, so float is fine here)."""
    if not largest:
        return 0.0
    return round(float(value / largest) * full, 1)


def register_deal_helpers(app: Flask) -> None:
    """Make the deal labels and chart geometry available to every template (deals and press)."""
    for helper in (group_label, dimension_label, stage_label, rule_label, bar_width):
        app.add_template_global(helper)
