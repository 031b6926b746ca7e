"""Read and check a file of registrations (CSV or Excel) before organisers import it.

Pure: no database and no request. The caller gives what the event knows (its sector names and
codes, ``Catalogue``); ``parse_registrations`` answers with the rows it understood and, for
everything else, errors naming the row as the spreadsheet numbers it (the header is row 1)
and the column as the file heads it. Nothing here raises on a bad file: binary garbage, an
empty file, a workbook with formulas or huge cells all become messages.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 60
MAX_CELL_CHARS = 2_000
# A workbook is a zip archive: refuse one that would unpack to more than this.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
CONTACT_LOCALES = ("en", "zh", "ru")
ROLES = ("buyer", "supplier", "both")
R = TypeVar("R")  # a row understood
P = TypeVar("P", bound="ParsedTable[Any]")


@dataclass(frozen=True)
class Column:
    """One column of the import format: its key, heading in the template, and other headings
    (English, Chinese, Russian) read as the same column."""

    key: str
    label: Any
    aliases: tuple[str, ...]
    required: bool = False
    max_length: int = 200


COLUMNS: tuple[Column, ...] = (
    Column("company", _l("Company name"), ("company", "legal name", "company legal name",
           "公司名称", "公司", "企业名称", "单位名称", "компания", "название компании",
           "наименование", "наименование компании"), required=True),
    Column("country", _l("Country"), ("country", "国家", "国别", "страна"), required=True),
    Column("city", _l("City"), ("city", "城市", "город"), required=True, max_length=100),
    Column("website", _l("Website"), ("website", "web site", "site", "网站", "网址", "сайт",
           "веб-сайт"), max_length=300),
    Column("size", _l("Company size"), ("size", "企业规模", "规模", "размер компании",
           "размер")),
    Column("languages", _l("Languages"), ("languages", "语言", "языки")),
    Column("role", _l("Role"), ("role", "角色", "类型", "роль")),
    Column("sells", _l("Sells"), ("sells", "offers", "出售", "供应", "продаёт", "продает",
           "предлагает"), max_length=MAX_CELL_CHARS),
    Column("buys", _l("Buys"), ("buys", "wants to buy", "采购", "求购", "покупает"),
           max_length=MAX_CELL_CHARS),
    Column("description", _l("About the company"), ("description", "about", "公司简介", "简介",
           "о компании", "описание"), max_length=2000),
    Column("contact_name", _l("Contact name"), ("contact", "contact name", "contact person",
           "联系人", "联系人姓名", "контактное лицо", "фио", "имя"), required=True),
    Column("email", _l("E-mail"), ("e-mail", "email", "e-mail address", "邮箱", "电子邮件",
           "电子邮箱", "эл. почта", "электронная почта", "почта"), required=True,
           max_length=254),
    Column("phone", _l("Phone"), ("phone", "telephone", "电话", "手机", "телефон"),
           max_length=50),
    Column("position", _l("Position"), ("position", "job title", "职位", "职务", "должность")),
    Column("contact_language", _l("Contact language"), ("contact language", "language",
           "联系语言", "语种", "язык контакта", "язык")),
    Column("max_meetings", _l("Most meetings"), ("max meetings", "most meetings",
           "最多会谈", "макс. встреч", "максимум встреч")),
    Column("interpreter_needed", _l("Needs an interpreter"), ("interpreter needed",
           "needs interpreter", "interpreter", "需要翻译", "翻译", "нужен переводчик",
           "переводчик")),
    Column("brings_interpreter", _l("Brings own interpreter"), ("brings interpreter",
           "own interpreter", "brings own interpreter", "自带翻译", "свой переводчик")),
    Column("listed", _l("Listed in the directory"), ("listed", "listed in the directory",
           "listed in directory", "directory", "列入名录", "名录", "в каталоге", "каталог")),
)  # fmt: skip
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
TEMPLATE_EXAMPLE = {
    "company": "ТОО «Степь Агро»",
    "country": "KZ",
    "city": "Алматы",
    "website": "https://steppe.example",
    "size": "medium",
    "languages": "ru kk",
    "role": "buyer",
    "sells": "",
    "buys": "agrimachinery.tractors: wheeled tractors 80-120 hp",
    "description": "",
    "contact_name": "Айгерим Садыкова",
    "email": "aigerim@steppe.example",
    "phone": "+7 701 555 0101",
    "position": "Director",
    "contact_language": "ru",
    "max_meetings": "12",
    "interpreter_needed": "no",
    "brings_interpreter": "yes",
    "listed": "yes",
}

# The example row's words in the reader's language (the import reads all three).
TEMPLATE_WORDS = {
    "zh": {"role": "采购商", "size": "中型", "yes": "是", "no": "否"},
    "ru": {"role": "покупатель", "size": "среднее", "yes": "да", "no": "нет"},
}


def template_example(locale: str) -> dict[str, str]:
    """``TEMPLATE_EXAMPLE`` with its words (role, size, yes and no) in ``locale``."""
    example = dict(TEMPLATE_EXAMPLE)
    words = TEMPLATE_WORDS.get(locale)
    if words is not None:
        example["role"], example["size"] = words["role"], words["size"]
        for key in ("interpreter_needed", "brings_interpreter", "listed"):
            example[key] = words[example[key]]
    return example


_SIZES = {
    "micro": "micro", "small": "small", "medium": "medium", "large": "large",
    "微型": "micro", "小型": "small", "中型": "medium", "大型": "large",
    "микро": "micro", "малое": "small", "малая": "small", "среднее": "medium",
    "средняя": "medium", "крупное": "large", "крупная": "large",
}  # fmt: skip
_ROLES = {
    "buyer": "buyer", "supplier": "supplier", "both": "both", "seller": "supplier",
    "采购商": "buyer", "买家": "buyer", "供应商": "supplier", "卖家": "supplier", "两者": "both",
    "покупатель": "buyer", "поставщик": "supplier", "оба": "both",
}  # fmt: skip
_LOCALES = {
    "en": "en", "english": "en", "英语": "en", "английский": "en",
    "zh": "zh", "chinese": "zh", "中文": "zh", "汉语": "zh", "китайский": "zh",
    "ru": "ru", "russian": "ru", "俄语": "ru", "русский": "ru",
}  # fmt: skip
_YES_NO = {
    "yes": "yes", "y": "yes", "true": "yes", "1": "yes", "x": "yes", "是": "yes", "需要": "yes",
    "有": "yes", "да": "yes",
    "no": "no", "n": "no", "false": "no", "0": "no", "否": "no", "不需要": "no", "无": "no",
    "нет": "no",
}  # fmt: skip
_LIST_SPLIT = re.compile(r"[;；\n]+")
_WORD_SPLIT = re.compile(r"[\s,;，；、/]+")


@dataclass(frozen=True)
class Catalogue:
    """What the event offers, for reading a row: sector ids by normalised code or name (in any
    of the app's languages), country codes by normalised name, and known language codes."""

    sectors: Mapping[str, int]
    countries: Mapping[str, str]
    languages: frozenset[str]


@dataclass(frozen=True)
class Line:
    """One "sector: products" line of the Sells or Buys column."""

    sector_id: int
    description: str


@dataclass(frozen=True)
class ImportRow:
    """One registration as the file gives it, checked; ``number`` is its spreadsheet row."""

    number: int
    company: str
    country: str
    city: str
    website: str
    size: str
    languages: tuple[str, ...]
    sells: tuple[Line, ...]
    buys: tuple[Line, ...]
    description: str
    contact_name: str
    email: str
    phone: str
    position: str
    contact_language: str
    max_meetings: int | None
    # Defaults: rows kept by a preview made before these columns existed still load.
    interpreter_needed: bool = False
    brings_interpreter: bool = False
    listed: bool = False  # in the participant directory: the company agreed

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form of the row (kept between the preview and the import)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["languages"] = list(self.languages)
        data["sells"] = [[line.sector_id, line.description] for line in self.sells]
        data["buys"] = [[line.sector_id, line.description] for line in self.buys]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ImportRow:
        """The row ``to_json`` gave."""
        values = dict(data)
        values["languages"] = tuple(values["languages"])
        for kind in ("sells", "buys"):
            values[kind] = tuple(Line(int(s), str(d)) for s, d in values[kind])
        return cls(**values)

    @property
    def role(self) -> str:
        if self.sells and self.buys:
            return "both"
        return "supplier" if self.sells else "buyer"


@dataclass(frozen=True)
class RowError:
    """What is wrong in one cell (``row`` 0: the file as a whole)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        return _(
            "Row %(row)d, %(column)s: %(message)s",
            row=self.row,
            column=self.column,
            message=self.message,
        )


@dataclass
class ParsedTable(Generic[R]):
    """The rows of a file understood and the errors found; it may be imported when ``ok``."""

    rows: list[R] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # column key: the file's heading
    ignored: list[str] = field(default_factory=list)
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


@dataclass
class ParsedFile(ParsedTable[ImportRow]):
    """The registrations understood and the errors found."""


class UnreadableFile(Exception):
    """The file cannot be read at all (its message says why, for the organiser)."""


def _has_control_characters(text: str, multiline: bool) -> bool:
    allowed = "\t\n\r" if multiline else ""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def normalise(text: str) -> str:
    """A heading or name as compared: NFKC, casefolded, inner spaces collapsed, outer space,
    asterisks (a required-column mark) and colons dropped."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return " ".join(text.replace("*", " ").strip(" :").split())


def heading_keys(columns: Sequence[Column]) -> dict[str, str]:
    """Each normalised heading that names a column (its key in words, and its aliases)."""
    keys: dict[str, str] = {}
    for column in columns:
        for alias in (column.key.replace("_", " "), *column.aliases):
            keys.setdefault(normalise(alias), column.key)
    return keys


_HEADERS = heading_keys(COLUMNS)


def header_key(heading: str, translated: Mapping[str, str] = {}) -> str | None:
    """The column a heading names (its aliases, or a template's heading in another language
    given by ``translated``), else None."""
    name = normalise(heading)
    return _HEADERS.get(name) or translated.get(name)


# --- reading the file -------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM) or UTF-16 with its BOM, else what
    Russian (Windows-1251) or Chinese (GBK/GB18030) Excel writes; raises ``UnreadableFile``."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableFile(_("The file is not readable text.")) from None
    if data[:4000].count(b"\x00") > len(data[:4000]) // 4:
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text
        raise UnreadableFile(_("The file is not readable text."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    cyrillic = _cp1251_text(data)
    if cyrillic is not None:
        return cyrillic
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    raise UnreadableFile(_("The file is not readable text. Save it as CSV UTF-8 or as .xlsx."))


def _cp1251_text(data: bytes) -> str | None:
    """The text as Windows-1251 when its non-ASCII words read like Cyrillic words (an optional
    capital, then small letters, or all capitals); GBK read this way gives a jumble."""
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return None
    words = re.findall(r"[^\x00-\x7f]+", text)
    if not words:
        return None
    wordlike = sum(bool(re.fullmatch(r"[А-ЯЁ]?[а-яё]+|[А-ЯЁ]+|[«»№–—]", w)) for w in words)
    return text if wordlike >= 0.8 * len(words) else None


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = decode_text(data)
    sample = text[:4000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    csv.field_size_limit(MAX_FILE_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        raise UnreadableFile(_("The file is not a readable CSV file.")) from None


class _Formula(str):
    """A cell holding a formula (its text), reported instead of imported."""


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # imported when needed: a large library

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise UnreadableFile(_("The workbook is too large once unpacked."))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except UnreadableFile:
        raise
    except Exception:  # openpyxl raises many kinds on damaged files
        raise UnreadableFile(_("The file is not a readable Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        for cells in sheet.iter_rows(max_col=MAX_COLUMNS):
            row: list[str] = []
            for cell in cells:
                value = getattr(cell, "value", None)
                text = _cell_text(value)
                if getattr(cell, "data_type", "") == "f":
                    text = _Formula(text)
                row.append(text)
            yield row
    except UnreadableFile:
        raise
    except Exception:
        raise UnreadableFile(_("The file is not a readable Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()


def read_table(filename: str, data: bytes) -> Iterator[list[str]]:
    """The file's rows of cells as text (``.csv`` or ``.xlsx``); raises ``UnreadableFile``."""
    if not data:
        raise UnreadableFile(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(
            _("The file is larger than %(size)d MB.", size=MAX_FILE_BYTES // (1024 * 1024))
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(data)
    if name.endswith(".csv"):
        return _csv_rows(data)
    raise UnreadableFile(_("Upload a .csv or .xlsx file."))


# --- checking the rows ------------------------------------------------------------------------


def parse_table(
    parsed: P,
    filename: str,
    data: bytes,
    read_rows: Callable[[Sequence[str], Iterator[list[str]]], None],
) -> P:
    """``parsed`` filled by ``read_rows`` from the file's header (its first row that is not
    blank) and the rows below; a file that cannot be read leaves no rows and one error."""
    try:
        rows = iter(read_table(filename, data))
        header = next((r for r in rows if any(c.strip() for c in r)), None)
        if header is None:
            raise UnreadableFile(_("The file has no rows."))
        read_rows(header, rows)
    except UnreadableFile as error:  # the one message that matters then
        parsed.rows, parsed.errors = [], [RowError(0, "", str(error))]
    except (RecursionError, MemoryError, ValueError, OverflowError, LookupError):
        parsed.rows, parsed.errors = [], [RowError(0, "", _("The file could not be read."))]
    return parsed


def read_headings(
    parsed: ParsedTable[Any], header: Sequence[str], key_of: Callable[[str], str | None]
) -> dict[str, int]:
    """The position of each column the header names (``key_of`` a heading: its column's key).

    ``parsed.columns`` gets each column's heading as the file writes it; a heading naming no
    column, or one already named, goes to ``parsed.ignored``.
    """
    positions: dict[str, int] = {}
    headings: dict[str, str] = {}
    for index, heading in enumerate(header):
        heading = heading.strip()[:100]
        if not heading:
            continue
        key = key_of(heading)
        if key is None or key in positions:
            parsed.ignored.append(heading)
            continue
        positions[key], headings[key] = index, heading
    parsed.columns = headings
    return positions


def data_rows(
    parsed: ParsedTable[Any],
    rows: Iterator[list[str]],
    positions: Mapping[str, int],
    max_rows: int,
    too_many: str,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row below the header that is not blank: its number as the spreadsheet shows it and
    its cells by column key. Counts them in ``parsed.total_rows``; past ``max_rows`` the file
    is refused with ``too_many``."""
    number = 1  # the header's row; blank rows before it are not counted (rare, and harmless)
    for cells in rows:
        number += 1
        if not any(c.strip() for c in cells):
            continue
        parsed.total_rows += 1
        if parsed.total_rows > max_rows:
            raise UnreadableFile(too_many)
        yield number, {k: (cells[i] if i < len(cells) else "") for k, i in positions.items()}


class _RowReader:
    """Reads one data row into an ``ImportRow``, collecting its errors."""

    def __init__(
        self,
        number: int,
        cells: Mapping[str, str],
        headings: Mapping[str, str],
        catalogue: Catalogue,
    ) -> None:
        self.number = number
        self.cells = cells
        self.headings = headings
        self.catalogue = catalogue
        self.errors: list[RowError] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.headings.get(key, key), message))

    def text(self, key: str) -> str:
        value = self.cells.get(key, "")
        column = next(c for c in COLUMNS if c.key == key)
        if isinstance(value, _Formula):
            self.error(key, _("formulas are not imported; paste the values instead"))
            return ""
        value = value.strip()
        if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@"):
            value = value[1:]  # the quote our CSV exports put before formula-like text
        multiline = key in ("sells", "buys", "description")
        if _has_control_characters(value, multiline):
            self.error(key, _("remove the control characters"))
            return ""
        if len(value) > column.max_length:
            self.error(key, _("longer than %(max)d characters", max=column.max_length))
            return ""
        if column.required and not value:
            self.error(key, _("required"))
        return value

    def read(self) -> ImportRow | None:
        company, city = self.text("company"), self.text("city")
        country = self.country(self.text("country"))
        website = self.website(self.text("website"))
        size = self.choice("size", _SIZES, "small", _("use micro, small, medium or large"))
        contact_language = self.choice("contact_language", _LOCALES, "en", _("use en, zh or ru"))
        languages = self.languages(self.text("languages"), contact_language)
        sells, buys = self.lines("sells"), self.lines("buys")
        role = self.choice("role", _ROLES, "", _("use buyer, supplier or both"))
        if not sells and not buys and not self.has_error("sells", "buys"):
            self.error("sells", _("give at least one sector the company sells in or buys from"))
        elif role in ("supplier", "both") and not sells:
            self.error("sells", _("a supplier needs at least one sector it sells in"))
        elif role in ("buyer", "both") and not buys:
            self.error("buys", _("a buyer needs at least one sector it buys from"))
        email = self.email(self.text("email"))
        yes_no = _("use yes or no")
        interpreter_needed = self.choice("interpreter_needed", _YES_NO, "no", yes_no) == "yes"
        brings_interpreter = self.choice("brings_interpreter", _YES_NO, "no", yes_no) == "yes"
        listed = self.choice("listed", _YES_NO, "no", yes_no) == "yes"
        if interpreter_needed and brings_interpreter:
            self.error(
                "brings_interpreter",
                _("a company that brings its own interpreter does not need one; answer no in"
                  " one of the two columns"),
            )  # fmt: skip
        row = ImportRow(
            number=self.number,
            company=company,
            country=country,
            city=city,
            website=website,
            size=size,
            languages=languages,
            sells=sells,
            buys=buys,
            description=self.text("description"),
            contact_name=self.text("contact_name"),
            email=email,
            phone=self.text("phone"),
            position=self.text("position"),
            contact_language=contact_language,
            max_meetings=self.max_meetings(self.text("max_meetings")),
            interpreter_needed=interpreter_needed,
            brings_interpreter=brings_interpreter,
            listed=listed,
        )
        return None if self.errors else row

    def has_error(self, *keys: str) -> bool:
        names = {self.headings.get(k, k) for k in keys}
        return any(e.column in names for e in self.errors)

    def country(self, value: str) -> str:
        if not value:
            return ""
        code = self.catalogue.countries.get(normalise(value))
        if code is None:
            self.error("country", _("unknown country “%(value)s”", value=value[:60]))
            return ""
        return code

    def website(self, value: str) -> str:
        if value and not re.match(r"^https?://", value, re.IGNORECASE):
            value = "https://" + value
        if value and not re.fullmatch(r"https?://[^\s/?#]+\.[^\s/?#]+\S*", value, re.IGNORECASE):
            self.error("website", _("not a web address"))
            return ""
        return value

    def choice(self, key: str, words: Mapping[str, str], default: str, hint: str) -> str:
        value = self.text(key)
        if not value:
            return default
        chosen = words.get(normalise(value))
        if chosen is None:
            self.error(key, hint)
            return default
        return chosen

    def languages(self, value: str, fallback: str) -> tuple[str, ...]:
        if not value:
            return (fallback,)
        codes: list[str] = []
        for word in _WORD_SPLIT.split(value):
            if not word:
                continue
            code = _LOCALES.get(normalise(word), normalise(word))
            if code not in self.catalogue.languages:
                self.error("languages", _("unknown language “%(value)s”", value=word[:40]))
                continue
            codes.append(code)
        return tuple(dict.fromkeys(codes))

    def lines(self, key: str) -> tuple[Line, ...]:
        value = self.text(key)
        lines: dict[int, Line] = {}
        for item in _LIST_SPLIT.split(value):
            item = item.strip()
            if not item:
                continue
            sector, _sep, products = item.replace("：", ":").partition(":")
            sector_id = self.catalogue.sectors.get(normalise(sector))
            if sector_id is None:
                self.error(key, _("unknown sector “%(value)s”", value=sector.strip()[:60]))
                continue
            if len(products.strip()) > 500:
                self.error(key, _("products longer than %(max)d characters", max=500))
                continue
            lines.setdefault(sector_id, Line(sector_id, products.strip()))
        return tuple(lines.values())

    def email(self, value: str) -> str:
        if not value:
            return ""
        try:
            checked = validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            self.error("email", _("not a valid address"))
            return ""
        return str(checked.normalized).lower()

    def max_meetings(self, value: str) -> int | None:
        if not value:
            return None
        if not value.isdigit() or len(value) > 2 or not 1 <= int(value) <= 40:
            self.error("max_meetings", _("a whole number from 1 to 40"))
            return None
        return int(value)


def _company_key(row: ImportRow) -> tuple[str, str]:
    return normalise(row.company), row.country


def parse_registrations(
    filename: str,
    data: bytes,
    catalogue: Catalogue,
    translated: Mapping[str, str] = {},
) -> ParsedFile:
    """Read the file and check every row; ``translated`` maps further headings (the template's,
    in each language) to column keys. Duplicates inside the file are errors."""
    parsed = ParsedFile()
    return parse_table(
        parsed,
        filename,
        data,
        lambda header, rows: _read_rows(parsed, header, rows, catalogue, translated),
    )


def _read_rows(
    parsed: ParsedFile,
    header: Sequence[str],
    rows: Iterator[list[str]],
    catalogue: Catalogue,
    translated: Mapping[str, str],
) -> None:
    positions = read_headings(parsed, header, lambda heading: header_key(heading, translated))
    headings = parsed.columns
    missing = [str(c.label) for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise UnreadableFile(
            _(
                "Columns missing: %(columns)s. Download the template to see the columns.",
                columns=", ".join(missing),
            )
        )
    emails: dict[str, int] = {}
    companies: dict[tuple[str, str], int] = {}
    too_many = _("The file has more than %(max)d registrations; split it.", max=MAX_ROWS)
    for number, values in data_rows(parsed, rows, positions, MAX_ROWS, too_many):
        reader = _RowReader(number, values, headings, catalogue)
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
        first = companies.setdefault(_company_key(row), number)
        if first != number:
            parsed.errors.append(
                RowError(
                    number, headings["company"], _("the same company as row %(row)d", row=first)
                )
            )
            continue
        parsed.rows.append(row)
    if not parsed.total_rows:
        raise UnreadableFile(_("The file has no registrations below its header row."))
