"""Template filters and globals for deal figures (also used by the press pages)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _

from matchmaking.blueprints.deals import bp
from matchmaking.blueprints.deals.forms import RULE_LABELS, STAGE_LABELS
from matchmaking.i18n import country_name, local_date
from matchmaking.tally.groups import OTHER


@bp.app_template_filter("money")
def money(value: Decimal | None) -> str:
    """A figure with two decimals, grouped the visitor's way (the value is already rounded)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00", locale=str(get_locale() or "en"))


@bp.app_template_global("group_label")
def group_label(dimension: str, key: str, label: str = "") -> str:
    """The translated name of a group key."""
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
    return _(label or key)  # zone names come from the taxonomy, which is in the catalogues


@bp.app_template_global("dimension_label")
def dimension_label(dimension: str) -> str:
    names = {
        "zone": _("By zone"),
        "country": _("By country"),
        "sector": _("By sector"),
        "day": _("By day"),
        "stage": _("By stage"),
    }
    return names.get(dimension, dimension)


@bp.app_template_global("stage_label")
def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))


@bp.app_template_global("rule_label")
def rule_label(rule: str) -> str:
    return str(RULE_LABELS.get(rule, rule))


@bp.app_template_global("bar_width")
def bar_width(value: Decimal, largest: Decimal, full: int = 360) -> float:
    """Pixel length of a chart bar (geometry only, so float is fine here)."""
    if not largest:
        return 0.0
    return round(float(value / largest) * full, 1)
