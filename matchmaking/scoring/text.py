"""Language-agnostic product text similarity: TF-IDF cosine over the event's descriptions.

Tokens: casefolded word runs of two or more letters (bare numbers are quantities, not products);
CJK runs become character unigrams and bigrams; a light suffix folding merges English plurals
and common Russian inflections; short en/ru/zh stopword and unit lists. Deterministic: no
models, no translation (a Russian "трактор" does not match an English "tractor").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

_STOPWORDS_EN_RU_ZH = """
    a an the and or of for to in on with by from at as is are be we our us you your it its this
    that these those other all any etc such per including include includes also other various
    product products goods company companies supply supplies buy sell looking want wants
    и в во не что на я с со как а то все так его но да к у же вы за бы по только ее от из
    для при или до без под над об мы наш наша наше наши их это этот эти также другие
    продукция продукции товар товары товаров компания поставка поставки купить продать
    的 和 与 及 等 或 在 是 为
    hp kw kg pcs ton tons mm cm шт кг тонн
"""
STOPWORDS = frozenset(_STOPWORDS_EN_RU_ZH.split())

# Longest first, so "ами" is tried before "и".
_RU_ENDINGS_TEXT = """
    ами ями ого его ому ему ыми ими ых их ой ей ий ый ая яя ое ее ые ие ую юю ов ев ам ям ах ях
    ом ем а я ы и у ю о е ь
"""
_RU_ENDINGS = tuple(sorted(_RU_ENDINGS_TEXT.split(), key=len, reverse=True))


def _fold(word: str) -> str:
    """Merge inflected forms: English plurals, common Russian noun and adjective endings."""
    if _CYRILLIC.match(word):
        for ending in _RU_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 4:
                return word[: -len(ending)]
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> dict[str, str]:
    """Map each token of ``text`` to its first surface form, in order of appearance."""
    found: dict[str, str] = {}
    for match in _TOKEN.finditer(text.casefold()):
        run = match.group("cjk")
        if run:
            grams = [c for c in run if c not in STOPWORDS]
            for gram in grams + [run[i : i + 2] for i in range(len(run) - 1)]:
                found.setdefault(gram, gram)
            continue
        word = match.group("word")
        if len(word) < 2 or word.isdigit() or word in STOPWORDS:
            continue
        token = _fold(word)
        if token not in STOPWORDS:
            found.setdefault(token, word)
    return found


def tokenize(text: str) -> tuple[str, ...]:
    """The distinct tokens of ``text``, in order of appearance."""
    return tuple(terms(text))


@dataclass(frozen=True, slots=True)
class Corpus:
    """Document frequencies over an event's descriptions; the IDF is smoothed as in scikit-learn."""

    documents: int = 0
    frequency: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Corpus:
        """Count in how many of ``texts`` each token occurs."""
        frequency: Counter[str] = Counter()
        documents = 0
        for text in texts:
            documents += 1
            frequency.update(tokenize(text))
        return cls(documents, dict(frequency))

    def idf(self, token: str) -> float:
        """ln((1 + N) / (1 + df)) + 1; 1 for every token of an empty corpus."""
        if self.documents == 0:
            return 1.0
        return math.log((1 + self.documents) / (1 + self.frequency.get(token, 0))) + 1.0


@dataclass(frozen=True, slots=True)
class Document:
    """A unit-length binary TF-IDF vector of one description, with surface forms for display."""

    weights: Mapping[str, float]
    surface: Mapping[str, str]
    cjk_runs: tuple[str, ...] = ()
    text: str = ""

    @classmethod
    def of(cls, text: str, corpus: Corpus) -> Document:
        """Vectorise ``text`` against ``corpus``."""
        surface = terms(text)
        raw = {token: corpus.idf(token) for token in surface}
        norm = math.sqrt(sum(w * w for w in raw.values()))
        weights = {token: w / norm for token, w in raw.items()} if norm else {}
        runs = tuple(m.group("cjk") for m in _TOKEN.finditer(text) if m.group("cjk"))
        return cls(weights, surface, runs, text)


def cosine(a: Document, b: Document) -> float:
    """Cosine similarity of two documents, in [0, 1]."""
    small, large = a.weights, b.weights
    if len(small) > len(large):
        small, large = large, small
    total = sum(w * large[t] for t, w in small.items() if t in large)
    return min(1.0, total)


def _cjk_phrases(a: Document, b: Document) -> list[str]:
    """Maximal substrings of ``a``'s CJK runs whose every character bigram also occurs in ``b``."""
    phrases: list[str] = []
    for run in a.cjk_runs:
        start = 0
        for i in range(len(run)):
            if i == len(run) - 1 or run[i : i + 2] not in b.weights:
                if i > start:
                    phrases.append(run[start : i + 1])
                start = i + 1
    return phrases


def _shared(a: Document, b: Document) -> dict[str, tuple[float, str]]:
    """Every shared term with its weight and surface form in ``a`` (see :func:`shared_terms`)."""

    def weight(token: str) -> float:
        return a.weights.get(token, 0.0) * b.weights.get(token, 0.0)

    best: dict[str, tuple[float, str]] = {}
    for token in a.weights:
        if token in b.weights and not _CJK_CHAR.match(token):
            best[token] = (weight(token), a.surface[token])
    for phrase in _cjk_phrases(a, b):
        grams = [phrase[i : i + 2] for i in range(len(phrase) - 1)]
        best[phrase] = (max(best.get(phrase, (0.0, ""))[0], sum(map(weight, grams))), phrase)
    return best


def shared_terms(a: Document, b: Document, limit: int = 3) -> list[tuple[str, str]]:
    """The ``limit`` most informative shared (term, surface form in ``a``), in ``a``'s order.

    Latin and Cyrillic terms are shared tokens; CJK terms are the longest shared phrases, since
    their unigrams and bigrams overlap.
    """
    ranked = sorted(_shared(a, b).items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    # Shown in the order of ``a``'s text, so that "sunflower oil" does not read "oil, sunflower".
    order = {token: position for position, token in enumerate(a.surface)}
    ranked.sort(key=lambda item: order.get(item[0], order.get(item[0][:2], 0)))
    return [(term, shown) for term, (_, shown) in ranked]


# Product phrases are the parts of a description between list punctuation.
_PHRASE_BREAK = re.compile(r"[,;:|/()\[\]\n，、；：（）]+")
MAX_PHRASE_WORDS = 5


def _span(piece: str, shared: Mapping[str, tuple[float, str]]) -> str:
    """``piece`` itself when short; else its words from the first to the last shared one."""
    if len(piece.split()) <= MAX_PHRASE_WORDS:
        return piece
    hits = [
        m
        for m in _TOKEN.finditer(piece)
        if (m.group("word") and _fold(m.group("word").casefold()) in shared)
        or (m.group("cjk") and any(p in m.group("cjk") for p in shared if _CJK_CHAR.match(p)))
    ]
    return piece[hits[0].start() : hits[-1].end()] if hits else piece


def shared_phrases(a: Document, b: Document, limit: int = 3) -> list[str]:
    """The product phrases of ``a``'s text holding a term shared with ``b``, as ``a`` wrote them.

    A phrase ("brake systems") is a part of the text between commas, semicolons and the like,
    kept whole up to MAX_PHRASE_WORDS words, else cut to its shared words; the ``limit``
    holding the most informative terms are returned in the order of the text.
    """
    shared = _shared(a, b)
    if not shared:
        return []
    cjk = [phrase for phrase in shared if _CJK_CHAR.match(phrase)]
    found: dict[str, tuple[float, int, str]] = {}
    for position, raw in enumerate(_PHRASE_BREAK.split(a.text)):
        piece = " ".join(raw.split())
        held = [shared[t][0] for t in terms(piece) if t in shared and not _CJK_CHAR.match(t)]
        held += [shared[p][0] for p in cjk if p in piece.casefold()]
        if held and piece.casefold() not in found:
            found[piece.casefold()] = (max(held), position, _span(piece, shared))
    ranked = sorted(found.values(), key=lambda item: (-item[0], item[1]))[:limit]
    return [phrase for _, _, phrase in sorted(ranked, key=lambda item: item[1])]
