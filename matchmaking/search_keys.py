"""Script-insensitive search keys: casefolded text plus its Latin transliteration (anyascii)
and, for Chinese, its pinyin read by phrase (pypinyin).

Pure (standard library, anyascii and pypinyin). Rows store ``search_key(...)`` of their
searchable fields (``Company.search_key``, ``User.search_key``, kept up to date by the models);
a query word matches a row when one of its ``spellings`` begins a word of the key, or, written
in Chinese, is anywhere in it (``has_word``), which SQL tests with LIKE on SQLite and PostgreSQL
alike. So "Степь", "СТЕПЬ", "step" and "Stepʹ" all find "ТОО «Степь Агро Импорт»", and
"Урал" finds "Уралмаш" and "Ural Motors" but not "Agricultural Machinery" (a substring did);
"重庆" finds "重庆长安" and "Chongqing Machinery Co", and "chongqing" finds both. Chinese is
written without spaces, so a key also holds the pinyin of each run of characters from each of
its syllables on (``pinyin_suffixes``): "changan" begins a word of "重庆长安"'s key.
anyascii reads each Chinese character alone ("重庆": "zhongqing", as 重 reads in 重量), so
pypinyin's phrase reading ("chongqing") is kept beside it. Russian is also
spelled as passports spell it (ICAO 9303) where that differs from anyascii: "Байкал" is
"baykal" in one and "baikal" in the other, and companies write their Latin names either way.
A change to these functions needs a migration that recomputes the stored keys (as 0010, 0019,
0020 and 0021 did).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii

# Dropped, not replaced by a space: "Stepʹ" and anyascii's "Step'" for "Степь" are one word.
_APOSTROPHES = re.compile(r"['`ʹʻʼʽ’‘´]")
# Everything that is not a letter or digit (quotes «», dots, commas, @, %, _) separates words;
# so keys and query words never hold LIKE's wildcards.
_SEPARATORS = re.compile(r"[\W_]+")
# Chinese characters (CJK unified ideographs, extension A and the compatibility block).
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# The Russian letters that passports (ICAO 9303) spell otherwise than anyascii (й: y, ю: yu,
# я: ya, ё: e); ъ (ie there) is left out: "Объект" would become "obieekt".
_PASSPORT = str.maketrans({"й": "i", "ю": "iu", "я": "ia", "ё": "e"})
_PASSPORT_LETTERS = re.compile("[йюяё]")
_URL_SCHEME = re.compile(r"^\s*[a-z][a-z0-9+.-]*://(www\.)?", re.IGNORECASE)


def fold(text: str) -> str:
    """``text`` casefolded (after NFKC), its words separated by single spaces, punctuation gone."""
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(word for word in _SEPARATORS.split(text) if word)


def transliterate(text: str) -> str:
    """``text`` in Latin letters (anyascii), folded: "Степь Агро" -> "step agro"."""
    return fold(anyascii(unicodedata.normalize("NFKC", text)))


def pinyin(text: str) -> str:
    """``text`` with its Chinese read as pinyin by phrase, folded: "重庆长安" -> "chongqingchangan"
    (syllables of a run of characters joined, as anyascii joins them); "" without Chinese.
    pypinyin's dictionaries (about 55 MB) load on the first Chinese text a process sees."""
    if not HAN.search(text):
        return ""
    from pypinyin import Style, lazy_pinyin

    return transliterate("".join(lazy_pinyin(unicodedata.normalize("NFKC", text), Style.NORMAL)))


def passport(text: str) -> str:
    """``text``'s Russian letters as Russian passports spell them (ICAO 9303), the rest as in
    ``transliterate``: "Байкал" -> "baikal", "Юг" -> "iug"; "" when no letter differs."""
    folded = fold(text)
    if not _PASSPORT_LETTERS.search(folded):
        return ""
    return transliterate(folded.translate(_PASSPORT))


def spellings(text: str) -> tuple[str, ...]:
    """The folded text and, when they differ from it, its transliteration, its passport
    spelling and its pinyin."""
    found = [fold(text)]
    for other in (transliterate(text), passport(text), pinyin(text)):
        if other and other not in found:
            found.append(other)
    return tuple(found)


def pinyin_suffixes(text: str) -> str:
    """The pinyin of each run of Chinese characters in ``text`` from its second syllable on, and
    from each later one: "重庆长安" -> "qingchangan changan an"; "" without Chinese. Stored in
    keys only (a query word is matched at word starts, and Chinese has no spaces)."""
    if not HAN.search(text):
        return ""
    from pypinyin import Style, lazy_pinyin

    found: list[str] = []
    for run in _HAN_RUN.findall(unicodedata.normalize("NFKC", text)):
        syllables = [transliterate(s) for s in lazy_pinyin(run, Style.NORMAL)]
        found += ["".join(syllables[i:]) for i in range(1, len(syllables))]
    return " ".join(word for word in found if word)


def search_key(*fields: str | None) -> str:
    """The stored key of a row: every spelling of every non-empty field (and the pinyin of its
    Chinese from each syllable on), space-separated."""
    return " ".join(
        s for field in fields if field for s in (*spellings(field), pinyin_suffixes(field)) if s
    )


def company_search_key(legal_name: str | None, city: str | None, website: str | None) -> str:
    """A company's key: legal name, city, and website without its scheme and "www."."""
    return search_key(legal_name, city, _URL_SCHEME.sub("", website or ""))


def contact_search_key(full_name: str | None, email: str | None) -> str:
    """A contact person's key: full name and e-mail address."""
    return search_key(full_name, email)


def search_words(query: str) -> list[tuple[str, ...]]:
    """The query's whitespace-separated words, each as its spellings (empty words dropped).

    A row matches when its key has a spelling of every word (``has_word``), in any order and
    field.
    """
    words = (spellings(word) for word in query.split())
    return [tuple(s for s in word if s) for word in words if any(word)]


def has_word(key: str, spelling: str) -> bool:
    """Whether ``spelling`` begins a word of ``key``, or, holding Chinese, is anywhere in it
    (the SQL of ``services.word_search.key_has`` tests the same)."""
    if HAN.search(spelling):
        return spelling in key
    return key.startswith(spelling) or f" {spelling}" in key


def matches(words: Iterable[tuple[str, ...]], key: str) -> bool:
    """Whether ``key`` has a spelling of each of ``words`` (as ``search_words`` gives)."""
    return all(any(has_word(key, s) for s in word) for word in words)
