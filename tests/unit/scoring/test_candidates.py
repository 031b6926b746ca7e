"""The candidate builder on a small Chongqing-SCO event."""

from __future__ import annotations

import random

import pytest

from matchmaking.scoring import (
    FLOOR,
    Participant,
    Request,
    Weights,
    build_candidates,
    explain,
    to_candidate_dicts,
)
from tests.unit.scoring.builders import MAPPING, buyer, interest, offer, supplier

KZ_FARM = buyer(
    "kz-agro",
    interest("machinery.agricultural", "wheeled tractors 80-120 hp, seeders", order=(20, 50)),
)
CQ_TRACTOR = Participant(
    "cq-tractor",
    "CN",
    ("zh", "ru"),
    offers=(offer("machinery.agricultural", "tractors 50-150 hp", capacity=(10, 500)),),
    interests=(interest("food.oils", "sunflower oil for our canteens"),),
)
CQ_PUMP = supplier(
    "cq-pump", offer("machinery.general", "irrigation pumps"), languages=("zh",), interpreter=True
)
RU_OIL = Participant(
    "ru-oil", "RU", ("ru", "en"), offers=(offer("food.oils", "refined sunflower oil in bulk"),)
)
CQ_FOOD = Participant(
    "cq-food", "CN", ("zh", "en"), interests=(interest("food.oils", "sunflower oil, rapeseed oil"),)
)
UZ_BUS = buyer(
    "uz-bus",
    interest("auto.nev", "electric buses"),
    country="UZ",
    languages=("uz", "ru"),
)
EVENT = [KZ_FARM, CQ_TRACTOR, CQ_PUMP, RU_OIL, CQ_FOOD, UZ_BUS]


def pairs_of(participants=EVENT, requests=(), **kwargs):
    return {(p.buyer, p.supplier): p for p in build_candidates(participants, requests, **kwargs)}


def test_a_kazakh_tractor_buyer_meets_a_chongqing_tractor_maker() -> None:
    pair = pairs_of(mapping=MAPPING)["kz-agro", "cq-tractor"]
    assert pair.zone == "machinery"
    assert not pair.must
    assert {"same_subsector", "shared_terms", "common_language", "capacity_fits"} <= {
        r.code for r in pair.reasons
    }
    assert pair.score > pairs_of(mapping=MAPPING)["kz-agro", "cq-pump"].score


@pytest.mark.parametrize(
    ("requests", "must"),
    [
        pytest.param([Request("kz-agro", "cq-tractor", accepted=True)], True, id="accepted"),
        pytest.param([("cq-tractor", "kz-agro", True)], True, id="accepted-by-buyer"),
        pytest.param([("kz-agro", "cq-tractor", False)], False, id="pending"),
        pytest.param([], False, id="none"),
    ],
)
def test_an_accepted_request_makes_the_pair_a_must(requests, must) -> None:
    pairs = pairs_of(requests=requests, mapping=MAPPING)
    assert pairs["kz-agro", "cq-tractor"].must is must
    assert sum(p.must for p in pairs.values()) == int(must)


def test_imported_goods_put_the_russian_company_on_the_supplier_side() -> None:
    pairs = pairs_of(mapping=MAPPING)
    oil = pairs["cq-food", "ru-oil"]
    assert oil.zone == "imported"
    assert ("ru-oil", "cq-food") not in pairs
    assert "sunflower" in explain(oil)
    # A Chongqing company can buy in one pair and sell in another.
    assert ("cq-tractor", "ru-oil") in pairs and ("kz-agro", "cq-tractor") in pairs


def test_no_sector_fit_and_no_request_means_no_pair() -> None:
    pairs = pairs_of(mapping=MAPPING)
    assert ("uz-bus", "cq-tractor") not in pairs
    assert ("kz-agro", "ru-oil") not in pairs


def test_a_request_creates_a_pair_without_sector_fit() -> None:
    pairs = pairs_of(requests=[("cq-tractor", "uz-bus", False)], mapping=MAPPING)
    pair = pairs["uz-bus", "cq-tractor"]
    assert pair.zone == "machinery"  # the offer's sector decides
    requested = next(r for r in pair.reasons if r.code == "requested")
    assert requested.params == {"company": "cq-tractor", "role": "supplier"}


def test_min_score_drops_weak_pairs_but_keeps_requested_ones() -> None:
    weak = ("kz-agro", "cq-pump")
    all_pairs = pairs_of(mapping=MAPPING)
    threshold = all_pairs[weak].score + 0.01
    assert weak not in pairs_of(mapping=MAPPING, min_score=threshold)
    assert weak in pairs_of(requests=[("cq-pump", "kz-agro", False)], mapping=MAPPING, min_score=1)


def test_the_best_interest_offer_match_is_chosen() -> None:
    wants_two = buyer(
        "by-001",
        interest("machinery.general", "pumps"),
        interest("machinery.agricultural", "tractors"),
        country="BY",
    )
    makes_two = supplier(
        "cq-001", offer("machinery.general", "lathes"), offer("machinery.agricultural", "tractors")
    )
    (pair,) = build_candidates([wants_two, makes_two], mapping=MAPPING)
    assert pair.match.interest == wants_two.interests[1]
    assert pair.match.offer == makes_two.offers[1]


def test_two_companies_that_could_sell_to_each_other_get_one_pair() -> None:
    tractors_for_oil = Participant(
        "ru-trade", "RU", ("ru",), offers=(offer("food.oils", "sunflower oil"),),
        interests=(interest("machinery.agricultural", "wheel loaders"),),
    )  # fmt: skip
    pairs = pairs_of([tractors_for_oil, CQ_TRACTOR], mapping=MAPPING)
    # Oil is the better fit ("sunflower oil" in both texts, nothing shared about machines):
    # one pair, in the imported-goods zone.
    assert list(pairs) == [("cq-tractor", "ru-trade")]
    assert pairs["cq-tractor", "ru-trade"].zone == "imported"
    asked = pairs_of([tractors_for_oil, CQ_TRACTOR], [("ru-trade", "cq-tractor", True)])
    assert [(k, p.must) for k, p in asked.items()] == [(("cq-tractor", "ru-trade"), True)]


def test_output_is_sorted_and_independent_of_input_order() -> None:
    expected = build_candidates(EVENT, [("kz-agro", "cq-tractor", True)], mapping=MAPPING)
    assert [(p.buyer, p.supplier) for p in expected] == sorted(
        (p.buyer, p.supplier) for p in expected
    )
    shuffled = EVENT[:]
    random.Random(7).shuffle(shuffled)
    again = build_candidates(shuffled, {("kz-agro", "cq-tractor", True)}, mapping=MAPPING)
    assert again == expected


def test_scores_match_their_components() -> None:
    for pair in build_candidates(EVENT, [("uz-bus", "cq-pump", False)], mapping=MAPPING):
        explained = pair.explained()
        assert explained.value == pytest.approx(pair.score, abs=1e-12)
        assert FLOOR <= pair.score <= 1


def test_interpreters_the_organiser_does_not_provide_give_no_credit() -> None:
    provided = pairs_of(mapping=MAPPING)["kz-agro", "cq-pump"]
    missing = pairs_of(mapping=MAPPING, interpreters=False)["kz-agro", "cq-pump"]
    assert missing.score < provided.score
    assert "an interpreter is needed" in explain(provided)


def test_candidate_dicts_follow_the_exchange_format() -> None:
    pairs = build_candidates(EVENT, [("kz-agro", "cq-tractor", True)], mapping=MAPPING)
    dicts = to_candidate_dicts(pairs)
    assert len(dicts) == len(pairs)
    first = next(d for d in dicts if d["buyer"] == "kz-agro" and d["supplier"] == "cq-tractor")
    assert set(first) == {"buyer", "supplier", "zone", "score", "must"}
    assert first["must"] is True and first["zone"] == "machinery"
    for d in dicts:
        assert 0 < d["score"] <= 1 and d["score"] == round(d["score"], 4)


def test_unmapped_sectors_need_a_default_zone() -> None:
    pairs = build_candidates(EVENT, mapping={"machinery": "machinery"})
    with pytest.raises(ValueError, match="no zone"):
        to_candidate_dicts(pairs)
    fallback = build_candidates(EVENT, mapping={"machinery": "machinery"}, default_zone="general")
    assert {d["zone"] for d in to_candidate_dicts(fallback)} == {"machinery", "general"}


def test_the_scheduler_accepts_the_candidates() -> None:
    parse = pytest.importorskip("matchmaking.scheduling.parse")
    pairs = build_candidates(EVENT, [("kz-agro", "cq-tractor", True)], mapping=MAPPING)
    instance = {
        "format": "matchmaking-instance/1",
        "event": {"name": "Chongqing-SCO", "timezone": "Asia/Shanghai"},
        "slots": [{"id": "d1-0900", "start": "2025-06-12T09:00:00+08:00",
                   "end": "2025-06-12T09:20:00+08:00"}],
        "zones": [{"id": z, "name": z, "tables": 5} for z in ("nev", "machinery", "imported")],
        "companies": [{"id": p.id, "country": p.country} for p in EVENT],
        "candidates": to_candidate_dicts(pairs),
    }  # fmt: skip
    assert len(parse.parse_instance(instance).candidates) == len(pairs)


@pytest.mark.parametrize(
    ("participants", "requests", "message"),
    [
        pytest.param([KZ_FARM, KZ_FARM], [], "duplicate", id="duplicate-id"),
        pytest.param(EVENT, [("kz-agro", "nobody", True)], "unknown", id="unknown-request"),
    ],
)
def test_bad_input_raises(participants, requests, message) -> None:
    with pytest.raises(ValueError, match=message):
        build_candidates(participants, requests)


def test_self_requests_are_ignored() -> None:
    assert pairs_of(requests=[("kz-agro", "kz-agro", True)]) == pairs_of()


def test_weights_reach_the_candidates() -> None:
    heavy = pairs_of(weights=Weights(language=5.0), interpreters=False)
    light = pairs_of(weights=Weights(language=0.0), interpreters=False)
    # cq-pump shares no language with kz-agro: weighting languages sinks it further.
    assert heavy["kz-agro", "cq-pump"].score < light["kz-agro", "cq-pump"].score
