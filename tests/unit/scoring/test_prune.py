"""Candidate pruning: each company keeps its best pairs; requested and fixed ones always stay."""

from __future__ import annotations

import pytest

from matchmaking.scoring import Weights, build_candidates, keep_count
from matchmaking.scoring.prune import kept

from .builders import buyer, interest, offer, supplier

# One candidate per meeting, no floor: a company with a cap of 3 keeps its 3 best pairs.
ONE_EACH = Weights(candidates_per_meeting=1, candidates_floor=0)


@pytest.mark.parametrize(
    ("cap", "weights", "expected"),
    [
        pytest.param(10, Weights(), 40, id="default-four-per-meeting"),
        pytest.param(3, Weights(), 20, id="default-floor"),
        pytest.param(None, Weights(), None, id="no-cap-keeps-all"),
        pytest.param(10, Weights(candidates_per_meeting=0), None, id="pruning-off"),
        pytest.param(3, Weights(candidates_per_meeting=2.5, candidates_floor=1), 8, id="rounds-up"),
    ],
)
def test_keep_count(cap: int | None, weights: Weights, expected: int | None) -> None:
    assert keep_count(cap, weights) == expected


def _star(n: int) -> list[tuple[str, str, float, bool]]:
    """Buyer b meets suppliers s0..s(n-1), better scores for lower numbers."""
    return [("b", f"s{k}", 0.9 - k / 100, False) for k in range(n)]


def test_a_company_keeps_its_best_k_pairs() -> None:
    pairs = _star(6)
    caps = {"b": 3, **{f"s{k}": 0 for k in range(6)}}  # suppliers keep nothing of their own
    stays = kept(pairs, caps, ONE_EACH)
    assert stays == [True, True, True, False, False, False]


def test_a_pair_stays_when_either_side_keeps_it() -> None:
    # b ranks s5 last, but s5 has only this pair: s5 keeps it.
    pairs = _star(6)
    caps = {"b": 3, "s5": 3}
    caps.update({f"s{k}": 0 for k in range(5)})
    stays = kept(pairs, caps, ONE_EACH)
    assert stays == [True, True, True, False, False, True]


def test_requested_and_fixed_pairs_always_stay() -> None:
    pairs = _star(6)
    pairs[4] = ("b", "s4", 0.1, True)  # requested
    caps = {"b": 2, **{f"s{k}": 0 for k in range(6)}}
    stays = kept(pairs, caps, ONE_EACH, keep={frozenset(("b", "s5"))})
    assert stays == [True, True, False, False, True, True]


def test_build_candidates_prunes_all_but_requested_pairs_beyond_the_cap() -> None:
    tractors = [supplier(f"cn-{k:03d}", offer()) for k in range(30)]
    kz = buyer("kz-001", interest())
    requests = [("kz-001", "cn-029", True), ("kz-001", "cn-028", False)]
    everyone = build_candidates([kz, *tractors], requests)
    caps = {"kz-001": 3, **{p.id: 1 for p in tractors}}
    pruned = build_candidates([kz, *tractors], requests, weights=ONE_EACH, caps=caps)
    assert len(everyone) == len(pruned) == 30  # every supplier keeps its only pair
    caps = {"kz-001": 1, **{p.id: 0 for p in tractors}}  # only the buyer's choice counts
    pruned = build_candidates([kz, *tractors], requests, weights=ONE_EACH, caps=caps)
    # The buyer keeps its best pair; the other requested one stays beyond its one place.
    assert {p.supplier for p in pruned} == {"cn-029", "cn-028"}
    assert next(p for p in pruned if p.supplier == "cn-029").must
