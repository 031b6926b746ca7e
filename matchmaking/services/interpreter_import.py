"""Read and check a file of interpreters (CSV or Excel) before organisers register them.

Pure like ``registration_import`` (whose file reading it reuses): errors name the row as the
spreadsheet numbers it (the header is row 1) and the column as the file heads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from matchmaking.services.interpreters import (
    MAX_COST_PER_SLOT_USD,
    HoursInput,
    InterpreterInput,
    hours_example,
    language_code,
    read_hours,
)
from matchmaking.services.registration_import import (
    MAX_CELL_CHARS,
    Column,
    ParsedTable,
    RowError,
    UnreadableFile,
    data_rows,
    heading_keys,
    normalise,
    parse_table,
    read_headings,
)

MAX_ROWS = 1_000

COLUMNS: tuple[Column, ...] = (
    Column("name", _l("Name"), ("name", "interpreter", "full name", "姓名", "翻译", "имя",
           "фио", "переводчик"), required=True),
    Column("email", _l("E-mail"), ("e-mail", "email", "邮箱", "电子邮件", "эл. почта",
           "электронная почта", "почта"), required=True, max_length=254),
    Column("languages", _l("Languages"), ("languages", "语言", "языки"), required=True),
    Column("hours", _l("Working hours"), ("hours", "working hours", "availability",
           "工作时间", "часы работы"), max_length=MAX_CELL_CHARS),
    Column("zones", _l("Zones"), ("zones", "zone", "区域", "зоны", "зона")),
    Column("max_meetings", _l("Most meetings"), ("max meetings", "most meetings",
           "最多会谈", "макс. встреч", "максимум встреч")),
    Column("cost", _l("Cost per slot (USD)"), ("cost", "cost per slot", "cost per slot usd",
           "cost per slot (usd)", "每时段费用", "стоимость слота")),
    Column("contact_language", _l("Contact language"), ("contact language", "language",
           "联系语言", "язык контакта", "язык")),
)  # fmt: skip
TEMPLATE_EXAMPLE = {
    "name": "Ли Вэй",
    "email": "li.wei@interpreters.example",
    "languages": "zh ru",
    "hours": "",
    "zones": "",
    "max_meetings": "14",
    "cost": "25.00",
    "contact_language": "ru",
}
_LOCALES = {"en": "en", "zh": "zh", "ru": "ru", "english": "en", "chinese": "zh",
            "russian": "ru", "中文": "zh", "русский": "ru"}  # fmt: skip
_WORDS = re.compile(r"[\s,;，；、/]+")


@dataclass(frozen=True)
class EventFacts:
    """What a row may name: the event's days and its zones (codes by normalised code or name)."""

    days: frozenset[date]
    zones: Mapping[str, str]


@dataclass
class ParsedInterpreters(ParsedTable[tuple[int, InterpreterInput]]):
    """The rows understood (with their spreadsheet row numbers) and the errors found."""


_HEADERS = heading_keys(COLUMNS)


class _RowReader:
    def __init__(self, number: int, cells: Mapping[str, str], headings: Mapping[str, str],
                 facts: EventFacts) -> None:  # fmt: skip
        self.number, self.cells, self.headings, self.facts = number, cells, headings, facts
        self.errors: list[RowError] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.headings.get(key, key), message))

    def text(self, key: str) -> str:
        column = next(c for c in COLUMNS if c.key == key)
        value = str(self.cells.get(key, "")).strip()
        if any(ord(ch) < 32 for ch in value):
            self.error(key, _("remove the control characters"))
            return ""
        if len(value) > column.max_length:
            self.error(key, _("longer than %(max)d characters", max=column.max_length))
            return ""
        if column.required and not value:
            self.error(key, _("required"))
        return value

    def languages(self) -> tuple[str, ...]:
        value = self.text("languages")
        codes: list[str] = []
        for word in _WORDS.split(value):
            if not word:
                continue
            code = language_code(word)
            if code is None:
                self.error("languages", _("unknown language code “%(value)s”", value=word[:40]))
            elif code not in codes:
                codes.append(code)
        if value and len(codes) < 2 and not self.errors:
            self.error("languages", _("give at least two languages to interpret between"))
        return tuple(codes)

    def hours(self) -> tuple[HoursInput, ...]:
        result: dict[date, HoursInput] = {}
        for item in re.split(r"[;；\n]+", self.text("hours")):
            if not item.strip():
                continue
            try:
                hours = read_hours(item)
            except ValueError:
                example = hours_example(min(self.facts.days, default=date.today()))
                self.error(
                    "hours", _("write “%(example)s”, several separated by “;”", example=example)
                )
                continue
            day = hours.day
            if day not in self.facts.days:
                self.error("hours", _("%(day)s is not a day of the event", day=day.isoformat()))
            elif hours.end <= hours.start:
                self.error("hours", _("the hours must end after they start"))
            elif day in result:
                self.error("hours", _("%(day)s is given twice", day=day.isoformat()))
            else:
                result[day] = hours
        return tuple(result.values())

    def zones(self) -> tuple[str, ...]:
        codes: list[str] = []
        for word in re.split(r"[;；,，\n]+", self.text("zones")):
            if not word.strip():
                continue
            code = self.facts.zones.get(normalise(word))
            if code is None:
                self.error("zones", _("unknown zone “%(value)s”", value=word.strip()[:40]))
            elif code not in codes:
                codes.append(code)
        return tuple(codes)

    def max_meetings(self) -> int | None:
        value = self.text("max_meetings")
        if not value:
            return None
        if not value.isdigit() or not 1 <= int(value) <= 200:
            self.error("max_meetings", _("a whole number from 1 to 200"))
            return None
        return int(value)

    def cost(self) -> Decimal | None:
        value = self.text("cost").replace(",", ".").replace("$", "").strip()
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0 or amount > MAX_COST_PER_SLOT_USD:
            self.error("cost", _("an amount in US dollars from 0 to 10 million, such as 25.00"))
            return None
        return amount.quantize(Decimal("0.01"))

    def email(self) -> str:
        value = self.text("email").lower()
        if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            self.error("email", _("not a valid address"))
            return ""
        return value

    def read(self) -> InterpreterInput | None:
        locale_word = self.text("contact_language")
        locale = _LOCALES.get(normalise(locale_word), "") if locale_word else "en"
        if not locale:
            self.error("contact_language", _("use en, zh or ru"))
        row = InterpreterInput(
            name=self.text("name"),
            email=self.email(),
            languages=self.languages(),
            hours=self.hours(),
            zones=self.zones(),
            max_meetings=self.max_meetings(),
            cost_per_slot_usd=self.cost(),
            locale=locale or "en",
        )
        return None if self.errors else row


def parse_interpreters(filename: str, data: bytes, facts: EventFacts) -> ParsedInterpreters:
    """Read the file and check every row; an address given twice is an error."""
    parsed = ParsedInterpreters()
    return parse_table(
        parsed, filename, data, lambda header, rows: _read_rows(parsed, header, rows, facts)
    )


def _read_rows(parsed: ParsedInterpreters, header: Sequence[str], rows: Iterator[list[str]],
               facts: EventFacts) -> None:  # fmt: skip
    labels = {normalise(str(c.label)): c.key for c in COLUMNS}  # the template's, in this locale
    positions = read_headings(
        parsed,
        header,
        lambda heading: _HEADERS.get(normalise(heading)) or labels.get(normalise(heading)),
    )
    headings = parsed.columns
    missing = [str(c.label) for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise UnreadableFile(_("Columns missing: %(columns)s.", columns=", ".join(missing)))
    emails: dict[str, int] = {}
    too_many = _("The file has more than %(max)d rows; split it.", max=MAX_ROWS)
    for number, values in data_rows(parsed, rows, positions, MAX_ROWS, too_many):
        reader = _RowReader(number, values, headings, facts)
        row = reader.read()
        parsed.errors.extend(reader.errors)
        if row is None:
            continue
        first = emails.setdefault(row.email, number)
        if first != number:
            parsed.errors.append(
                RowError(number, headings["email"], _("the same address as row %(row)d", row=first))
            )
            continue
        parsed.rows.append((number, row))
    if not parsed.total_rows:
        raise UnreadableFile(_("The file has no interpreters below its header row."))
