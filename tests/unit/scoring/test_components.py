"""Each score component moves the score the way an organiser would expect."""

from __future__ import annotations

import math

import pytest

from matchmaking.scoring import Corpus, Request, Weights, score_match
from tests.unit.scoring.builders import buyer, interest, offer, supplier


def value(b=None, s=None, i=None, o=None, **kwargs) -> float:
    b = b or buyer()
    s = s or supplier()
    return score_match(b, s, i or b.interests[0], o or s.offers[0], **kwargs).value


def component(name: str, **kwargs):
    b, s = kwargs.pop("b", buyer()), kwargs.pop("s", supplier())
    i, o = kwargs.pop("i", b.interests[0]), kwargs.pop("o", s.offers[0])
    score = score_match(b, s, i, o, **kwargs)
    return next(c for c in score.components if c.name == name), score


# --- sector --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        pytest.param("machinery.agricultural", "machinery.general", id="subsector>sector"),
        pytest.param("machinery.general", "auto.parts", id="sector>unrelated"),
        pytest.param("machinery.agricultural", "auto.parts", id="subsector>unrelated"),
    ],
)
def test_sector_fit_order(better: str, worse: str) -> None:
    i = interest("machinery.agricultural", "equipment")
    assert value(i=i, o=offer(better, "equipment")) > value(i=i, o=offer(worse, "equipment"))


@pytest.mark.parametrize(
    ("offer_code", "level", "expected"),
    [
        pytest.param("machinery.agricultural", "subsector", 1.0, id="same-subsector"),
        pytest.param("machinery.general", "sector", 0.5, id="same-sector"),
        pytest.param("machinery", "sector", 0.5, id="offer-without-subsector"),
        pytest.param("food.oils", "none", 0.0, id="unrelated"),
    ],
)
def test_sector_component(offer_code: str, level: str, expected: float) -> None:
    c, score = component("sector", o=offer(offer_code))
    assert (c.value, c.detail["level"]) == (expected, level)
    codes = {r.code for r in score.reasons}
    assert ("same_subsector" in codes) == (level == "subsector")
    assert ("same_sector" in codes) == (level == "sector")


# --- product text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wanted", "made"),
    [
        pytest.param("wheeled tractors", "tractor assembly plant", id="en-plural"),
        pytest.param("колёсные тракторы", "производим трактора", id="ru-inflection"),
        pytest.param("采购拖拉机", "拖拉机制造", id="zh-bigrams"),
        pytest.param("Tractors", "TRACTORS", id="casefold"),
    ],
)
def test_a_shared_product_term_raises_the_score(wanted: str, made: str) -> None:
    i = interest(description=wanted)
    assert value(i=i, o=offer(description=made)) > value(i=i, o=offer(description="seeds"))
    c, score = component("text", i=i, o=offer(description=made))
    assert c.value > 0
    assert any(r.code == "shared_terms" for r in score.reasons)


def test_stopwords_alone_do_not_match() -> None:
    c, score = component(
        "text", i=interest(description="the and of for"), o=offer(description="the and of")
    )
    assert c.value == 0
    assert all(r.code != "shared_terms" for r in score.reasons)


def test_the_event_corpus_weights_rare_terms_higher() -> None:
    corpus = Corpus.from_texts(["tractor parts"] * 9 + ["harvester"])
    i = interest(description="tractor harvester")
    rare = value(i=i, o=offer(description="harvester"), corpus=corpus)
    common = value(i=i, o=offer(description="tractor"), corpus=corpus)
    assert rare > common


# --- requests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("more", "fewer"),
    [
        pytest.param([("kz-001", "cq-017", False)], [], id="one-sided>none"),
        pytest.param([("cq-017", "kz-001", False)], [], id="supplier-asks>none"),
        pytest.param(
            [("kz-001", "cq-017", False), ("cq-017", "kz-001", False)],
            [("kz-001", "cq-017", False)],
            id="mutual>one-sided",
        ),
    ],
)
def test_requests_raise_the_score(more: list, fewer: list) -> None:
    assert value(requests=more) > value(requests=fewer)


def test_request_reasons() -> None:
    one = score_match(
        buyer(), supplier(), interest(), offer(), requests=[Request("kz-001", "cq-017")]
    )
    assert [r.code for r in one.reasons if "request" in r.code] == ["requested"]
    assert next(r for r in one.reasons if r.code == "requested").params["role"] == "buyer"
    both = [("kz-001", "cq-017", True), ("cq-017", "kz-001", False)]
    mutual = score_match(buyer(), supplier(), interest(), offer(), requests=both)
    assert {"mutual_request", "request_accepted"} <= {r.code for r in mutual.reasons}


def test_requests_between_other_companies_are_ignored() -> None:
    assert value(requests=[("kz-001", "cq-999", True)]) == value()


# --- language ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("b_langs", "b_interp", "s_langs", "s_interp", "interpreters", "expected", "code"),
    [
        pytest.param(
            ("ru",), False, ("zh", "ru"), False, True, 1.0, "common_language", id="common"
        ),
        pytest.param(("kk",), True, ("zh",), False, True, 0.5, "interpreter_needed", id="interp"),
        pytest.param(("kk",), False, ("zh",), True, True, 0.5, "interpreter_needed", id="interp-s"),
        pytest.param(
            ("kk",), True, ("zh",), False, False, 0.0, "no_common_language", id="uncovered"
        ),
        pytest.param(("kk",), False, ("zh",), False, True, 0.0, "no_common_language", id="none"),
        pytest.param((), False, ("zh",), False, True, 0.5, None, id="undeclared"),
    ],
)
def test_language_component(b_langs, b_interp, s_langs, s_interp, interpreters, expected, code):
    b = buyer(languages=b_langs, interpreter=b_interp)
    s = supplier(languages=s_langs, interpreter=s_interp)
    c, score = component("language", b=b, s=s, interpreters=interpreters)
    assert c.value == expected
    codes = {r.code for r in score.reasons}
    language_codes = codes & {"common_language", "interpreter_needed", "no_common_language"}
    assert language_codes == ({code} if code else set())


def test_interpreter_scores_below_a_common_language() -> None:
    common = value(b=buyer(languages=("ru",)), s=supplier(languages=("ru", "zh")))
    interp = value(b=buyer(languages=("kk",), interpreter=True), s=supplier(languages=("zh",)))
    assert common > interp > value(b=buyer(languages=("kk",)), s=supplier(languages=("zh",)))


def test_language_codes_are_casefolded() -> None:
    c, score = component("language", b=buyer(languages=("RU",)), s=supplier(languages=("ru",)))
    assert c.value == 1.0
    assert next(r for r in score.reasons if r.code == "common_language").params == {
        "language": "ru"
    }


# --- capacity ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "capacity", "unit", "expected", "code"),
    [
        pytest.param((20, 50), (10, 500), "units", 1.0, "capacity_fits", id="overlap"),
        pytest.param((100, 200), (60, 80), "units", 0.5, "capacity_short", id="a-bit-short"),
        pytest.param((1000, 2000), (10, 50), "units", 0.0, "capacity_short", id="far-below"),
        pytest.param((1, 5), (100, 500), "units", 0.5, "order_below_minimum", id="too-small"),
        pytest.param((1000, 2000), (10, 50), "t", 0.5, None, id="other-unit"),
        pytest.param(None, (10, 50), "units", 0.5, None, id="no-order"),
    ],
)
def test_capacity_component(order, capacity, unit, expected, code) -> None:
    i = interest(order=order)
    o = offer(capacity=capacity, unit=unit)
    c, score = component("capacity", i=i, o=o)
    assert c.value == expected
    codes = {r.code for r in score.reasons} & {
        "capacity_fits",
        "capacity_short",
        "order_below_minimum",
    }
    assert codes == ({code} if code else set())


def test_capacity_mismatch_lowers_the_score() -> None:
    i = interest(order=(1000, 2000))
    assert value(i=i, o=offer(capacity=(10, 50))) < value(i=i, o=offer(capacity=(500, 5000)))


# --- weights -------------------------------------------------------------------------------


def test_weights_change_rankings() -> None:
    # Same sub-sector but no shared words, against another sub-sector that makes exactly this.
    i = interest("machinery.agricultural", "combine harvesters")
    same_subsector = offer("machinery.agricultural", "irrigation pumps")
    same_words = offer("machinery.general", "combine harvesters")
    by_sector = Weights(sector=1.0, text=0.1)
    by_text = Weights(sector=0.1, text=1.0)
    assert value(i=i, o=same_subsector, weights=by_sector) > value(
        i=i, o=same_words, weights=by_sector
    )
    assert value(i=i, o=same_subsector, weights=by_text) < value(i=i, o=same_words, weights=by_text)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"sector": -0.1}, id="negative"),
        pytest.param(
            {"sector": 0, "text": 0, "request": 0, "language": 0, "capacity": 0}, id="all-zero"
        ),
        pytest.param({"text": math.nan}, id="nan"),
        pytest.param({"text": math.inf}, id="inf"),
        pytest.param({"diversity": 1.0}, id="diversity-1"),
        pytest.param({"same_country_free": -1}, id="negative-free"),
        pytest.param({"language": "high"}, id="not-a-number"),
    ],
)
def test_invalid_weights_raise(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Weights(**kwargs)


def test_components_carry_their_weights() -> None:
    weights = Weights(sector=2.0)
    score = score_match(buyer(), supplier(), interest(), offer(), weights=weights)
    assert {c.name: c.weight for c in score.components}["sector"] == 2.0
    total = sum(c.value * c.weight for c in score.components) / weights.total()
    assert score.value == pytest.approx(total)
