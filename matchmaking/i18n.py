"""Locale selection and localised names of countries and languages for templates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pycountry
from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from matchmaking import figures
from matchmaking.models.company import CompanySize

# SCO member, observer and dialogue-partner states first in country lists.
SCO_COUNTRIES = (
    "CN", "RU", "KZ", "UZ", "KG", "TJ", "IN", "PK", "IR", "BY",
    "MN", "AF", "AM", "AZ", "KH", "NP", "TR", "LK", "EG", "QA", "SA",
    "AE", "KW", "BH", "MV", "MM", "LA",
)  # fmt: skip
# Languages offered on forms (ISO 639-1); pycountry validates them.
LANGUAGE_CODES = (
    "zh", "en", "ru", "kk", "uz", "ky", "tg", "hy", "mn", "be", "az",
    "fa", "tr", "hi", "ur", "ar", "de", "fr", "es", "ko", "ja",
)  # fmt: skip


def select_locale() -> str:
    """Visitor's choice (session), then the account's, then the browser's Accept-Language."""
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # jobs, threads, the CLI: the default unless forced
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("lang")
    if chosen in supported:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return str(current_user.locale)
    return request.accept_languages.best_match(supported) or supported[0]


def _locale() -> Locale:
    return Locale.parse(str(get_locale() or "en"))


def country_name(code: str | None) -> str:
    """The country's name in the visitor's language."""
    if not code:
        return ""
    name = _locale().territories.get(code.upper())
    if name:
        return str(name)
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country else code


def language_name(code: str) -> str:
    """The language's name in the visitor's language."""
    name = _locale().languages.get(code)
    if name:
        return str(name)
    lang = pycountry.languages.get(alpha_2=code)
    return lang.name if lang else code


def country_choices() -> list[SelectChoice]:
    """Country choices in option groups: SCO states first, then all others by local name."""
    from flask_babel import gettext as _

    sco = sorted(((c, country_name(c)) for c in SCO_COUNTRIES), key=lambda p: p[1])
    others = sorted(
        (
            (c.alpha_2, country_name(c.alpha_2))
            for c in pycountry.countries
            if c.alpha_2 not in SCO_COUNTRIES
        ),
        key=lambda p: p[1],
    )
    sco_group, other_group = _("SCO member and partner states"), _("Other countries")
    return (
        [SelectChoice("", "—")]
        + [SelectChoice(code, name, optgroup=sco_group) for code, name in sco]
        + [SelectChoice(code, name, optgroup=other_group) for code, name in others]
    )


def valid_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code.upper()) is not None


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, language_name(code)) for code in LANGUAGE_CODES]


def local_datetime(value: datetime, tz: str, fmt: str = "medium") -> str:
    """The instant in ``tz``; "short" and "medium" are the medium date with the short time
    ("Feb 3, 2027, 9:00 AM": no seconds, which meetings never have), never an all-numeric date
    such as 2/3/27, which readers take differently; "long"/"full" as Babel gives them."""
    locale, zone = _locale(), ZoneInfo(tz)
    if fmt not in ("short", "medium"):
        return format_datetime(value, fmt, tzinfo=zone, locale=locale)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    day = format_date(value.astimezone(zone).date(), "medium", locale=locale)  # times: no seconds
    clock = format_time(value, "short", tzinfo=zone, locale=locale)
    return str(locale.datetime_formats["short"]).format(clock, day)


def local_time(value: datetime | time, tz: str | None = None, fmt: str = "short") -> str:
    """An instant's time in ``tz``, or a wall-clock time (no ``tz``), e.g. "9:00 AM"."""
    if tz is None:
        return format_time(value, fmt, locale=_locale())
    return format_time(value, fmt, tzinfo=ZoneInfo(tz), locale=_locale())


def slot_label(start: datetime, tz: str) -> str:
    """A slot's day and start time in the event's timezone, e.g. "Jun 12, 2026 09:20"."""
    return (
        f"{format_date(start.astimezone(ZoneInfo(tz)).date(), 'medium', locale=_locale())} "
        f"{local_time(start, tz)}"
    )


def local_date(value: date, fmt: str = "long") -> str:
    return format_date(value, fmt, locale=_locale())


def _describe_meeting(meeting: object, participation: object) -> str:
    from matchmaking.services.availability import describe

    return describe(meeting, participation)  # type: ignore[arg-type]


def _solver_reason(code: str) -> str:
    from matchmaking.services.schedules import solver_reason

    return solver_reason(code)


COMPANY_SIZES: dict[str, Any] = {
    CompanySize.MICRO: _l("Fewer than 10 employees"),
    CompanySize.SMALL: _l("10 to 49 employees"),
    CompanySize.MEDIUM: _l("50 to 249 employees"),
    CompanySize.LARGE: _l("250 employees or more"),
}


def company_size_label(code: str | None) -> str:
    """A company size code in the reader's words."""
    return str(COMPANY_SIZES.get(code or "", "—"))


def register_template_helpers(app: Flask) -> None:
    """Filters and globals the templates use."""
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.globals["company_size_label"] = company_size_label
    app.jinja_env.globals["describe_meeting"] = _describe_meeting
    app.jinja_env.globals["solver_reason"] = _solver_reason
    app.jinja_env.filters["number"] = figures.number
    app.jinja_env.filters["money"] = figures.money
    app.jinja_env.filters["percent"] = figures.percent
    app.jinja_env.filters["quantity"] = figures.quantity
    # Field errors are messages (str or lazy strings); list fields also hold nested lists.
    app.jinja_env.tests["message"] = lambda value: not isinstance(value, list | tuple | dict)

    @app.context_processor
    def inject_locale() -> dict[str, object]:
        return {
            "current_locale": str(get_locale() or "en"),
            "available_locales": [
                (code, Locale.parse(code).display_name) for code in app.config["LANGUAGES"]
            ],
        }
