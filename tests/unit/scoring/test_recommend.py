"""Recommendations cover a buyer's needs, weighed by order volume, before repeating one."""

from __future__ import annotations

import pytest

from matchmaking.scoring import (
    Option,
    Participant,
    build_candidates,
    choose,
    coverage,
    needs,
    pick_counterparts,
)
from tests.unit.scoring.builders import buyer, interest, offer, supplier

USD = "USD"


def _tractor_buyer() -> Participant:
    """The issue's Kazakh buyer: 3 M USD of tractors, 0.5 M USD of fertiliser."""
    return buyer(
        "kz-001",
        interest("agrimachinery.tractors", "wheeled tractors", (3_000_000, 3_000_000), USD),
        interest("chemicals.fertilisers", "urea, potash fertiliser", (500_000, 500_000), USD),
        languages=("kk", "ru"),
        interpreter=True,
    )


def _market() -> list[Participant]:
    """Eight Russian-speaking fertiliser suppliers; fifteen tractor makers, one Russian-speaking."""
    fertiliser = offer("chemicals.fertilisers", "urea, potash fertiliser", (0, 5_000_000), USD)
    tractors = offer("agrimachinery.tractors", "crawler tractors", (0, 1_000_000), USD)
    return [
        *(supplier(f"cq-f{n}", fertiliser, languages=("zh", "ru")) for n in range(8)),
        supplier("cq-t-ru", tractors, languages=("zh", "ru")),
        *(supplier(f"cq-t{n:02d}", tractors, languages=("zh",)) for n in range(14)),
    ]


def test_the_tractor_buyer_is_recommended_the_russian_speaking_tractor_maker_first() -> None:
    me, market = _tractor_buyer(), _market()
    pairs = build_candidates([me, *market], min_score=0.3)
    people = {p.id: p for p in market}
    ranked = sorted(pairs, key=lambda p: -p.score)
    assert all(p.supplier.startswith("cq-f") for p in ranked[:8])  # the issue: fertiliser only
    assert coverage(me, [people[p.supplier] for p in ranked[:8]]) == pytest.approx(0.5 / 3.5)

    picked = pick_counterparts(me, [(people[p.supplier], p.score) for p in pairs], 8)
    shown = [pairs[k].supplier for k in picked]
    assert shown[:2] == ["cq-t-ru", "cq-f0"]  # largest need first, then the other need
    assert len(shown) == 8
    assert coverage(me, [people[s] for s in shown]) == 1.0


def test_needs_are_weighed_by_order_volume_largest_first() -> None:
    me = buyer(
        "kz-001",
        interest("chemicals.fertilisers", "urea", (100, 300), USD),
        interest("agrimachinery.tractors", "tractors", (1000, 1000), USD),
        interest("chemicals.fertilisers", "potash", (100, 100), USD),
        interest("nev.parts", "tyres"),  # no volume: counts as the mean stated one
    )
    assert needs(me) == {
        "agrimachinery.tractors": 1000.0,
        "nev.parts": 650.0,
        "chemicals.fertilisers": 300.0,
    }


def test_needs_without_any_volume_weigh_the_same() -> None:
    me = buyer("kz-001", interest("nev.parts", "tyres"), interest("machinery", "pumps"))
    assert needs(me) == {"nev.parts": 1.0, "machinery": 1.0}


def test_a_sector_need_is_covered_by_any_offer_of_the_sector() -> None:
    me = buyer("kz-001", interest("machinery", "pumps"), interest("nev.parts", "tyres"))
    assert coverage(me, [supplier("cq-1", offer("machinery.pumps"))]) == 0.5
    assert coverage(me, [supplier("cq-1", offer("nev.batteries"))]) == 0.0


@pytest.mark.parametrize(
    ("options", "wanted", "limit", "expected"),
    [
        pytest.param(
            [Option(0.2), Option(0.9), Option(0.5)], {}, 2, [1, 2], id="no-needs-score-order"
        ),
        pytest.param(
            [Option(0.9, frozenset("a")), Option(0.8, frozenset("a")), Option(0.3, frozenset("b"))],
            {"a": 1.0, "b": 9.0},
            2,
            [2, 0],
            id="largest-need-first",
        ),
        pytest.param(
            [Option(0.9, frozenset("a")), Option(0.9, frozenset("a")), Option(0.2, frozenset("c"))],
            {"a": 5.0, "b": 3.0, "c": 2.0},
            3,
            [0, 2, 1],
            id="each-need-before-any-twice-none-for-b",
        ),
        pytest.param(
            [
                Option(0.5, frozenset("a")),
                Option(0.5, frozenset("b")),
                Option(0.5, frozenset("a")),
                Option(0.5, frozenset("b")),
                Option(0.5, frozenset("a")),
            ],
            {"a": 9.0, "b": 1.0},
            4,
            [0, 1, 2, 4],
            id="then-places-follow-volume",
        ),
        pytest.param(
            [Option(0.4, frozenset("a")), Option(0.9), Option(0.3)],
            {"a": 1.0},
            3,
            [0, 1, 2],
            id="others-by-score-after",
        ),
    ],
)
def test_choose(
    options: list[Option], wanted: dict[str, float], limit: int, expected: list[int]
) -> None:
    assert choose(options, wanted, limit) == expected
