"""Numbers, money and quantity ranges written the reader's way (Babel, the current locale).

Pages use the visitor's locale; e-mails and PDFs are rendered under ``force_locale`` with the
recipient's. Whole amounts drop the ".00"; CSV and JSON keep machine formats and never come here.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_symbol,
    is_currency,
)
from flask_babel import get_locale

from matchmaking.scoring import SizeRange

_FRACTION = re.compile(r"0\.0+")
_LAST_ZERO = re.compile(r"0(?![^;]*0)")


def _reader() -> Locale:
    return _parsed(str(get_locale() or "en"))


@cache
def _parsed(identifier: str) -> Locale:
    """The Babel locale of ``identifier``, parsed once per process (a page writes figures by
    the hundred; the locales are few and their data never changes)."""
    return Locale.parse(identifier)


def _whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


def number(value: Decimal | int | float | None, digits: int | None = None) -> str:
    """A number grouped the reader's way: with ``digits`` decimals when given, else a Decimal
    with every significant decimal (an exchange rate) and a float with up to three."""
    if value is None:
        return ""
    if digits is not None:
        return format_decimal(
            value, format="#,##0." + "0" * digits if digits else "#,##0", locale=_reader()
        )
    if isinstance(value, Decimal):
        return format_decimal(value.normalize(), locale=_reader(), decimal_quantization=False)
    return format_decimal(value, locale=_reader())


def percent(value: float | Decimal | None, digits: int = 1) -> str:
    """A share (0.973) as a percentage the reader's way ("97.3%", "97,3 %")."""
    if value is None:
        return ""
    locale = _reader()
    pattern = str(locale.percent_formats[None].pattern)
    if digits:
        pattern = _LAST_ZERO.sub("0." + "0" * digits, pattern, count=1)
    return format_percent(value, pattern, locale=locale)


def money(value: Decimal | None, currency: str | None = None) -> str:
    """An amount in ``currency`` ("CN¥13,020", "1 809,50 $"); two decimals unless whole."""
    if value is None:
        return ""
    return _money(value, currency, str(get_locale() or "en"))


# A pure function of the amount, the currency and the locale (equal amounts such as 1.5 and
# 1.50 read the same), and pages repeat amounts: each result is kept per process.
@lru_cache(maxsize=8192, typed=True)
def _money(value: Decimal, currency: str | None, identifier: str) -> str:
    if not currency or not is_currency(currency):  # a bare figure, or a unit such as "t"
        return f"{number(value)} {currency or ''}".strip()
    locale = _parsed(identifier)
    pattern = locale.currency_formats["standard"].pattern
    if _whole(value):
        text = format_currency(
            value, currency, _FRACTION.sub("0", pattern), locale=locale, currency_digits=False
        )
    else:
        text = format_currency(value, currency, pattern, locale=locale)
    return _spaced(text, get_currency_symbol(currency, locale))


def _spaced(text: str, symbol: str) -> str:
    """CLDR's currency spacing, which Babel leaves out: a no-break space between digits and a
    symbol that ends (or starts) with a letter ("KZT 1,500,000", not "KZT1,500,000")."""
    at = text.find(symbol)
    if at < 0 or not symbol:
        return text
    end = at + len(symbol)
    if end < len(text) and text[end].isdigit() and not _is_symbol(symbol[-1]):
        return f"{text[:end]}\xa0{text[end:]}"
    if at > 0 and text[at - 1].isdigit() and not _is_symbol(symbol[0]):
        return f"{text[:at]}\xa0{text[at:]}"
    return text


def _is_symbol(char: str) -> bool:
    return unicodedata.category(char).startswith("S")


def money_range(low: Decimal, high: Decimal, currency: str | None = None) -> str:
    """A range of amounts: "$0 – $1,506,000" where the symbol leads, "0–1 506 000 $" where it
    trails (the symbol is then written once)."""
    if low == high:
        return money(low, currency)
    upper = money(high, currency)
    if currency and is_currency(currency) and not money(low, currency)[:1].isdigit():
        return f"{money(low, currency)} – {upper}"
    return f"{money(low)}–{upper}"


def quantity(value: SizeRange | str) -> str:
    """An order size or capacity (a range or its text, e.g. "0–1506000.00 USD") the reader's way;
    text that is not a range is returned as it is."""
    if isinstance(value, str):
        text = value
        try:
            value = SizeRange.parse(text)
        except ValueError:
            return text
    return money_range(value.low, value.high, value.unit or None)
