"""Explanations say, in a sentence, why two companies were matched."""

from __future__ import annotations

import pytest

from matchmaking.scoring import (
    TEMPLATES,
    Reason,
    Score,
    SizeRange,
    explain,
    reason_text,
    score_match,
)
from tests.unit.scoring.builders import buyer, interest, offer, supplier

NAMES = {"machinery.agricultural": "agricultural machinery", "kz-001": "Agro Astana"}


def sentence(**kwargs) -> str:
    b = kwargs.pop("b", buyer())
    s = kwargs.pop("s", supplier())
    i, o = kwargs.pop("i", interest()), kwargs.pop("o", offer())
    return explain(score_match(b, s, i, o, **kwargs), names=NAMES)


def test_the_headline_example() -> None:
    text = sentence(i=interest(description="tractors"), o=offer(description="we make tractors"))
    assert text == (
        "Both in agricultural machinery; the buyer wants tractors, the supplier offers them; "
        "both speak Russian."
    )


@pytest.mark.parametrize(
    ("kwargs", "fact"),
    [
        pytest.param({}, "both in agricultural machinery", id="subsector"),
        pytest.param({"o": offer("machinery.general")}, "both in machinery", id="sector"),
        pytest.param({}, "both speak Russian", id="language"),
        pytest.param(
            {"b": buyer(languages=("kk",), interpreter=True), "s": supplier(languages=("zh",))},
            "an interpreter is needed",
            id="interpreter",
        ),
        pytest.param(
            {"requests": [("kz-001", "cq-017", True)]},
            "Agro Astana asked for this meeting; the request was accepted",
            id="requested",
        ),
        pytest.param(
            {"requests": [("kz-001", "cq-017", False), ("cq-017", "kz-001", False)]},
            "both asked for this meeting",
            id="mutual",
        ),
        pytest.param(
            {"i": interest(order=(20, 50)), "o": offer(capacity=(10, 500))},
            "the supplier's capacity (10–500 units) fits the order (20–50 units)",
            id="capacity",
        ),
        pytest.param(
            {"i": interest(order=(1000, 2000)), "o": offer(capacity=(10, 50))},
            "is below the order",
            id="capacity-short",
        ),
    ],
)
def test_explanations_contain_the_facts(kwargs: dict, fact: str) -> None:
    assert fact.casefold() in sentence(**kwargs).casefold()


def test_product_phrases_are_not_split_into_words() -> None:
    i = interest("nev.parts", "brake systems, headlamps")
    text = sentence(i=i, o=offer("nev.parts", "brake systems and gearboxes"))
    assert "the buyer wants brake systems, the supplier offers them" in text


def test_translate_is_applied_to_templates_before_formatting() -> None:
    french = {TEMPLATES["common_language"]: "les deux parlent %(language)s"}
    score = Score(0.5, (), (Reason("common_language", {"language": "ru"}),))
    names = {"ru": "russe"}
    assert explain(score, names=names, translate=lambda m: french.get(m, m)) == (
        "Les deux parlent russe."
    )


def test_a_broken_translation_falls_back_to_english() -> None:
    reason = Reason("common_language", {"language": "ru"})
    assert reason_text(reason, translate=lambda m: "%(langue)s") == "both speak Russian"


def test_templates_use_named_placeholders_only() -> None:
    for template in TEMPLATES.values():
        assert "%s" not in template and "{" not in template


def test_a_name_is_not_capitalised_and_no_reasons_give_no_sentence() -> None:
    score = Score(0.5, (), (Reason("requested", {"company": "cq-017", "role": "supplier"}),))
    assert explain(score) == "cq-017 asked for this meeting."
    assert explain(Score(0.01, (), ())) == ""


def test_unknown_codes_render_as_the_code() -> None:
    assert reason_text(Reason("brand_new_reason")) == "brand_new_reason"


@pytest.mark.parametrize(
    "text", ["0–1506000.00 USD", "250000.00 USD", "10–500 units", "5–10.5 metric tons", "7"]
)
def test_a_range_reads_back_from_its_text(text: str) -> None:
    assert str(SizeRange.parse(text)) == text


def test_quantities_go_through_the_callers_formatter() -> None:
    i, o = interest(order=(1000, 2000)), offer(capacity=(10, 50))
    score = score_match(buyer(), supplier(), i, o)
    seen: list[SizeRange] = []

    def quantity(text: str) -> str:
        seen.append(SizeRange.parse(text))
        return f"<{len(seen)}>"

    assert "capacity (<2>) is below the order (<1>)" in explain(score, quantity=quantity)
    assert seen == [SizeRange(1000, 2000, "units"), SizeRange(10, 50, "units")]
