"""Tokenisation and similarity are deterministic and language-agnostic."""

from __future__ import annotations

import pytest

from matchmaking.scoring import Corpus, Document, cosine, tokenize
from matchmaking.scoring.text import shared_phrases, shared_terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Tractors and Combine-Harvesters", ("tractor", "combine", "harvester"), id="en"
        ),
        pytest.param("Batteries, boxes; glass", ("battery", "box", "glass"), id="en-plurals"),
        pytest.param("Тракторы и комбайны", ("трактор", "комбайн"), id="ru"),
        pytest.param("拖拉机", ("拖", "拉", "机", "拖拉", "拉机"), id="zh"),
        pytest.param("的和", ("的和",), id="zh-stop-unigrams"),
        pytest.param("EV电池 batteries", ("ev", "电", "池", "电池", "battery"), id="mixed"),
        pytest.param("a the of и в", (), id="stopwords"),
        pytest.param("", (), id="empty"),
    ],
)
def test_tokenize(text: str, expected: tuple[str, ...]) -> None:
    assert tokenize(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("tractor", "tractor", id="same"),
        pytest.param("tractor seeder", "seeder pump", id="partial"),
        pytest.param("", "tractor", id="empty"),
        pytest.param("oil", "tractor", id="disjoint"),
    ],
)
def test_cosine_is_symmetric_and_bounded(a: str, b: str) -> None:
    corpus = Corpus.from_texts([a, b, "tractor parts"])
    da, db = Document.of(a, corpus), Document.of(b, corpus)
    assert 0.0 <= cosine(da, db) <= 1.0
    assert cosine(da, db) == pytest.approx(cosine(db, da))


def test_identical_texts_have_similarity_one() -> None:
    corpus = Corpus.from_texts(["tractor seeder", "oil"])
    doc = Document.of("tractor seeder", corpus)
    assert cosine(doc, doc) == pytest.approx(1.0)


def test_shared_terms_show_the_buyers_words_and_whole_cjk_phrases() -> None:
    corpus = Corpus()
    buyer = Document.of("Sunflower oil; 拖拉机", corpus)
    supplier = Document.of("oil of sunflower, 拖拉机零件", corpus)
    assert shared_terms(buyer, supplier) == [
        ("sunflower", "sunflower"),
        ("oil", "oil"),
        ("拖拉机", "拖拉机"),
    ]


@pytest.mark.parametrize(
    ("buyer", "supplier", "expected"),
    [
        pytest.param("brake systems", "brake systems", ["brake systems"], id="issue"),
        pytest.param(
            "Brake systems, headlamps; gearboxes",
            "gearboxes and brake pads",
            ["Brake systems", "gearboxes"],
            id="buyers-own-phrases-in-its-order",
        ),
        pytest.param("拖拉机、收割机", "收割机", ["收割机"], id="cjk"),
        pytest.param(
            "we import wheeled tractors of 80-120 hp for our farms",
            "tractors",
            ["tractors"],
            id="long-phrase-cut-to-shared-words",
        ),
    ],
)
def test_shared_phrases_keep_the_buyers_product_phrases_whole(
    buyer: str, supplier: str, expected: list[str]
) -> None:
    a = Document.of(buyer, Corpus())
    assert shared_phrases(a, Document.of(supplier, Corpus())) == expected


def test_bare_numbers_are_not_product_terms() -> None:
    assert tokenize("tractors 80-120 hp, model t40") == ("tractor", "model", "t40")
