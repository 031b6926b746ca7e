"""The zh and ru catalogues are complete, well-formed and cover every string in the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "matchmaking" / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("zh", "ru")
# Same arguments as the Makefile's `translations` target.
EXTRACT_ARGS = ("extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_")

# A %-directive: optional (name), flags, width, precision, conversion; "%%" is a literal percent.
_DIRECTIVE = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale)


def _key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, list | tuple) else message.id


def _messages(catalog: Catalog) -> dict[str, Message]:
    return {_key(m): m for m in catalog if m.id}


def _directives(text: str) -> set[str]:
    """The %-directives of ``text``; a stray "%" shows up as the marker "%<stray>"."""
    found = {m.group(0) for m in _DIRECTIVE.finditer(text) if m.group(0) != "%%"}
    rest = _DIRECTIVE.sub("", text)
    if "%" in rest:
        found.add("%<stray>")
    return found


@pytest.fixture(scope="module")
def template() -> dict[str, Message]:
    return _messages(_read(POT))


@pytest.fixture(scope="module", params=LOCALES)
def catalogue(request: pytest.FixtureRequest) -> tuple[str, Catalog]:
    locale = request.param
    return locale, _read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)


def test_every_template_message_is_translated(
    template: dict[str, Message], catalogue: tuple[str, Catalog]
) -> None:
    locale, catalog = catalogue
    messages = _messages(catalog)
    assert not catalog.fuzzy, f"{locale}: the catalogue header is marked fuzzy"
    problems = []
    for key, source in template.items():
        message = messages.get(key)
        if message is None:
            problems.append(f"missing: {key!r}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        if source.pluralizable:
            forms = message.string if isinstance(message.string, list | tuple) else ()
            if len(forms) != catalog.num_plurals or not all(forms):
                problems.append(f"plural forms incomplete ({catalog.num_plurals}): {key!r}")
        elif not isinstance(message.string, str) or not message.string.strip():
            problems.append(f"untranslated: {key!r}")
    assert not problems, f"{locale}:\n" + "\n".join(problems)


def test_placeholders_match(catalogue: tuple[str, Catalog]) -> None:
    locale, catalog = catalogue
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, list | tuple) else [message.id]
        strings = (
            list(message.string) if isinstance(message.string, list | tuple) else [message.string]
        )
        expected = _directives(ids[0])
        if len(ids) > 1:
            # Some plural forms may leave the number out (e.g. "one table"), never add names.
            allowed = expected | _directives(ids[1])
            for form in strings:
                found = _directives(form or "")
                if not found <= allowed or "%<stray>" in found:
                    problems.append(f"{ids[0]!r} -> {form!r}: {sorted(found)} vs {sorted(allowed)}")
            continue
        found = _directives(strings[0] or "")
        if found != expected:
            problems.append(f"{ids[0]!r} -> {strings[0]!r}: {sorted(found)} vs {sorted(expected)}")
    assert not problems, f"{locale}:\n" + "\n".join(problems)


def test_no_new_untranslated_strings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extracting afresh (as `make translations` does) finds nothing the catalogues lack."""
    monkeypatch.chdir(ROOT)
    output = tmp_path / "fresh.pot"
    status = CommandLineInterface().run(["pybabel", "-q", *EXTRACT_ARGS, "-o", str(output), "."])
    assert not status
    fresh = _messages(_read(output))
    assert fresh, "extraction found no messages"
    strays = {
        location
        for message in fresh.values()
        for location, _line in message.locations
        if not location.startswith(("matchmaking/", "templates/"))
    }
    assert not strays, f"babel.cfg lets extraction scan other files: {sorted(strays)}"
    for locale in LOCALES:
        translated = _messages(_read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale))
        missing = sorted(set(fresh) - set(translated))
        assert not missing, (
            f"{locale}: new strings not in the catalogue; run `make translations` and translate "
            f"them: {missing}"
        )


# Strings that read the same in every language (codes, units, names of formats and brands).
SAME_IN_EVERY_LANGUAGE = frozenset(
    {"CSV", "PDF", "iCal", "JSON", "API", "USD", "CNY", "ID", "OK", "Excel (.xlsx)"}
)


# Patterns of placeholders and punctuation only ("%(languages)s: %(shortage)s"): a language
# may keep or change the punctuation (Chinese takes full-width colons and brackets).
def _punctuation_only(text: str) -> bool:
    return not re.search(r"\w", re.sub(r"%\(\w+\)[sd]", "", text))


# Latin words left over in a translation: a sign of an untranslated fragment or placeholder.
_ENGLISH_WORD = re.compile(r"(?<![%(\w])[A-Za-z]{4,}(?![\w)])")
_ALLOWED_LATIN = frozenset(
    {
        "Email", "E-mail", "Excel", "iCal", "JSON", "Matchmaking", "Chromium", "Google",
        "Outlook", "Apple", "WeChat", "Telegram", "WhatsApp", "Playwright", "SMTP", "HTTPS",
        "Chongqing", "SCO", "JAIR", "MaxSAT", "CSV", "UTC", "true", "false", "OpenAPI",
        "Asia", "Shanghai", "Authorization", "Bearer", "token", "xlsx", "UTF",
    }
)  # fmt: skip


def test_no_translation_repeats_the_english(catalogue: tuple[str, Catalog]) -> None:
    """A zh or ru string identical to its English, or with an English word left in it (outside
    %(placeholders)s and HTML), was not translated."""
    locale, catalog = catalogue
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, list | tuple) else [message.id]
        strings = (
            list(message.string) if isinstance(message.string, list | tuple) else [message.string]
        )
        for text in strings:
            if not text or ids[0] in SAME_IN_EVERY_LANGUAGE or _punctuation_only(ids[0]):
                continue
            if text in ids:
                problems.append(f"same as the English: {ids[0]!r}")
                continue
            bare = re.sub(
                r"<[^>]+>|%\([^)]*\)\w|https?://\S+|\{[^}]*\}"
                r"|matchmaking [a-z-]+( --?[a-z-]+( [a-z]+)?)*",  # HTML, names, links, commands
                " ",
                text,
            )
            words = set(_ENGLISH_WORD.findall(bare)) - _ALLOWED_LATIN
            if words:
                problems.append(f"English words {sorted(words)} in {text!r} (for {ids[0]!r})")
    assert not problems, f"{locale}:\n" + "\n".join(problems)
