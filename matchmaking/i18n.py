"""Locale selection and localised names of countries and languages for templates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

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
# Time zones of SCO member and partner states (and Russia's main ones), first in zone lists.
SCO_TIMEZONES = (
    "Asia/Shanghai", "Asia/Urumqi", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg",
    "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Vladivostok",
    "Asia/Almaty", "Asia/Tashkent", "Asia/Bishkek", "Asia/Dushanbe", "Asia/Kolkata",
    "Asia/Karachi", "Asia/Tehran", "Europe/Minsk", "Asia/Ulaanbaatar", "Asia/Kabul",
    "Asia/Yerevan", "Asia/Baku", "Asia/Phnom_Penh", "Asia/Kathmandu", "Europe/Istanbul",
    "Asia/Colombo", "Africa/Cairo", "Asia/Qatar", "Asia/Riyadh", "Asia/Dubai", "Asia/Kuwait",
    "Asia/Bahrain", "Indian/Maldives", "Asia/Yangon", "Asia/Vientiane",
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
    return _parsed_locale(_locale_id())


def _locale_id() -> str:
    return str(get_locale() or "en")


@cache
def _parsed_locale(identifier: str) -> Locale:
    """The Babel locale of ``identifier``, parsed once per process (pages name countries,
    languages and dates by the hundred; the locales are few and their data never changes)."""
    return Locale.parse(identifier)


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
    return _local_datetime(value, tz, fmt, _locale_id())


# The formatters below are pure functions of their arguments and the locale, and lists repeat
# the same instants (a slot's meetings): each result is kept per process.
@lru_cache(maxsize=8192)
def _local_datetime(value: datetime, tz: str, fmt: str, identifier: str) -> str:
    locale, zone = _parsed_locale(identifier), ZoneInfo(tz)
    if fmt not in ("short", "medium"):
        return format_datetime(value, fmt, tzinfo=zone, locale=locale)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    day = format_date(value.astimezone(zone).date(), "medium", locale=locale)  # times: no seconds
    clock = format_time(value, "short", tzinfo=zone, locale=locale)
    return str(locale.datetime_formats["short"]).format(clock, day)


def local_time(value: datetime | time, tz: str | None = None, fmt: str = "short") -> str:
    """An instant's time in ``tz``, or a wall-clock time (no ``tz``), e.g. "9:00 AM"."""
    if isinstance(value, datetime):  # a bare time's zone name may depend on today's date
        return _local_time(value, tz, fmt, _locale_id())
    return _local_time.__wrapped__(value, tz, fmt, _locale_id())


@lru_cache(maxsize=8192)
def _local_time(value: datetime | time, tz: str | None, fmt: str, identifier: str) -> str:
    locale = _parsed_locale(identifier)
    if tz is None:
        return format_time(value, fmt, locale=locale)
    return format_time(value, fmt, tzinfo=ZoneInfo(tz), locale=locale)


def slot_label(start: datetime, tz: str) -> str:
    """A slot's day and start time in the event's timezone, e.g. "Jun 12, 2026 09:20"."""
    return _slot_label(start, tz, _locale_id())


@lru_cache(maxsize=8192)
def _slot_label(start: datetime, tz: str, identifier: str) -> str:
    locale = _parsed_locale(identifier)
    return (
        f"{format_date(start.astimezone(ZoneInfo(tz)).date(), 'medium', locale=locale)} "
        f"{_local_time(start, tz, 'short', identifier)}"
    )


@cache
def known_timezones() -> frozenset[str]:
    """The IANA time zone names of the time zone database (system or tzdata package)."""
    return frozenset(available_timezones())


@lru_cache(maxsize=1024)
def _zone(tz: str) -> ZoneInfo:
    """The zone, kept: ZoneInfo itself keeps only a few recently used zones loaded, and the
    list of all zones would read every zone file again on each page."""
    return ZoneInfo(tz)


def utc_offset(tz: str, on: date | datetime | None = None) -> str:
    """The zone's offset from UTC at noon of ``on`` (default: now), e.g. "UTC+08:00"; the
    bare name when the zone is unknown."""
    try:
        zone = _zone(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return tz
    if on is None:
        at = datetime.now(UTC).astimezone(zone)
    elif isinstance(on, datetime):
        at = on.astimezone(zone) if on.tzinfo else on.replace(tzinfo=zone)
    else:
        at = datetime.combine(on, time(12), tzinfo=zone)
    offset = at.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_label(tz: str, on: date | datetime | None = None) -> str:
    """A time zone as readers are shown it: its id and offset, "Asia/Shanghai, UTC+08:00" (no
    brackets: pages put it in brackets); the offset is the one of ``on`` (an event's first
    day), else of now."""
    offset = utc_offset(tz, on)
    return tz if offset == tz else f"{tz}, {offset}"


ZONE_REGIONS = frozenset(
    ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian",
     "Pacific")
)  # fmt: skip


def timezone_choices() -> list[SelectChoice]:
    """The zones of the database named by region and city, sorted, with their offset now: the
    SCO states' zones first, in their own group, then UTC and the others. Names that are not
    a region's city (PRC, GMT0, Etc/GMT+5 whose sign reads reversed, SystemV/...) are not
    offered, though still accepted (``known_timezones``)."""
    from flask_babel import gettext as _

    known = known_timezones()
    first = [tz for tz in SCO_TIMEZONES if tz in known]
    others = sorted(
        tz for tz in known - set(first) if tz.split("/", 1)[0] in ZONE_REGIONS and "/" in tz
    )
    sco_group, other_group = _("SCO member and partner states"), _("Other time zones")
    return [SelectChoice(tz, zone_label(tz), optgroup=sco_group) for tz in first] + [
        SelectChoice(tz, zone_label(tz), optgroup=other_group) for tz in ["UTC", *others]
    ]


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
    app.jinja_env.filters["zone_label"] = zone_label
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
                (code, _parsed_locale(code).display_name) for code in app.config["LANGUAGES"]
            ],
        }
