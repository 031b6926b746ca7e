"""A supplier's candidates are diversified across buyer countries."""

from __future__ import annotations

import pytest

from matchmaking.scoring import Weights, build_candidates, diversify
from tests.unit.scoring.builders import MAPPING, buyer, supplier


def kazakh_buyers(n: int):
    return [buyer(f"kz-{k:03d}") for k in range(n)]


def scores(pairs) -> dict[str, float]:
    return {p.buyer: p.score for p in pairs}


def test_the_third_buyer_from_one_country_is_discounted() -> None:
    participants = [*kazakh_buyers(4), buyer("uz-001", country="UZ"), supplier()]
    plain = scores(build_candidates(participants, mapping=MAPPING, diversity=False))
    pairs = build_candidates(participants, mapping=MAPPING)
    diverse = scores(pairs)
    # Identical buyers: ties rank by id, so kz-000 and kz-001 are free, kz-002 and kz-003 pay.
    assert diverse["kz-000"] == diverse["kz-001"] == plain["kz-001"]
    assert diverse["kz-002"] == pytest.approx(plain["kz-002"] * 0.85)
    assert diverse["kz-003"] == pytest.approx(plain["kz-003"] * 0.85**2)
    assert diverse["uz-001"] == plain["uz-001"]
    # The lone Uzbek buyer now outranks the third Kazakh one.
    assert diverse["uz-001"] > diverse["kz-002"]
    third = next(p for p in pairs if p.buyer == "kz-002")
    assert third.discount is not None and third.discount.rank == 3
    assert third.components[-1].name == "diversity"
    assert third.reasons[-1].code == "diversity_discount"
    assert third.reasons[-1].params == {"country": "KZ", "rank": 3}


@pytest.mark.parametrize(
    ("weights", "discounted"),
    [
        pytest.param(Weights(diversity=0.0), set(), id="off"),
        pytest.param(Weights(same_country_free=1), {"kz-001", "kz-002"}, id="one-free"),
        pytest.param(Weights(same_country_free=3), set(), id="three-free"),
    ],
)
def test_diversity_is_configurable(weights: Weights, discounted: set[str]) -> None:
    participants = [*kazakh_buyers(3), supplier()]
    pairs = build_candidates(participants, weights=weights, mapping=MAPPING)
    assert {p.buyer for p in pairs if p.discount} == discounted


def test_diversify_helper_over_existing_pairs() -> None:
    participants = [*kazakh_buyers(3), buyer("ru-001", country="RU"), supplier()]
    plain = build_candidates(participants, mapping=MAPPING, diversity=False)
    countries = {p.id: p.country for p in participants}
    diverse = diversify(plain, countries, Weights())
    assert [p.buyer for p in diverse] == [p.buyer for p in plain]
    assert {p.buyer for p in diverse if p.discount} == {"kz-002"}
    assert diverse == build_candidates(participants, mapping=MAPPING)


def test_buyers_of_unknown_country_are_not_discounted() -> None:
    participants = [*(buyer(f"x-{k}", country="") for k in range(4)), supplier()]
    assert not any(p.discount for p in build_candidates(participants, mapping=MAPPING))


def test_each_supplier_is_diversified_separately() -> None:
    participants = [*kazakh_buyers(2), supplier("cq-001"), supplier("cq-002")]
    assert not any(p.discount for p in build_candidates(participants, mapping=MAPPING))
