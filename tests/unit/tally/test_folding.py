"""The disclosure rule: no published figure lets anyone work out one company's deals.

A published figure holds deals of at least three distinct buyers and three distinct suppliers:
counting both sides together let one buyer with three suppliers (or one supplier with three
buyers) be published alone.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking.tally.groups import (
    MIN_PER_SIDE,
    OTHER,
    Group,
    fold,
    group_deals,
    merge,
    present,
    total_of,
)
from matchmaking.tally.money import exact_sum, to_fen
from matchmaking.tally.outcomes import DIMENSIONS, Deal


def deal(meeting: int, buyer: int, supplier: int, cny: str, key: str = "x") -> Deal:
    return Deal(
        meeting_id=meeting,
        buyer=buyer,
        supplier=supplier,
        stage="tentative",
        value_cny=Decimal(cny),
        value_usd=Decimal(cny) / 8,
        keys=dict.fromkeys(DIMENSIONS, key),
    )


@st.composite
def deal_lists(draw: st.DrawFn) -> list[Deal]:
    """Deals between few buyers (ids 0..) and few suppliers (ids 100..), often lopsided."""
    count = draw(st.integers(min_value=0, max_value=25))
    buyers = draw(st.integers(min_value=1, max_value=8))
    suppliers = draw(st.integers(min_value=1, max_value=8))
    deals = []
    for i in range(count):
        buyer = draw(st.integers(0, buyers - 1))
        supplier = 100 + draw(st.integers(0, suppliers - 1))
        value = draw(st.decimals(min_value=0, max_value=Decimal("1e9"), places=4))
        keys = {d: draw(st.sampled_from(["a", "b", "c", "d", "e", "f"])) for d in DIMENSIONS}
        deals.append(Deal(i, buyer, supplier, "tentative", value, value / 7, keys))
    return deals


def passes(groups: list[Group] | tuple[Group, ...]) -> bool:
    """The deals of ``groups`` together involve three buyers and three suppliers."""
    pooled = merge("pooled", groups)
    return len(pooled.buyers) >= MIN_PER_SIDE and len(pooled.suppliers) >= MIN_PER_SIDE


@settings(max_examples=200)
@given(deal_lists(), st.sampled_from(DIMENSIONS))
def test_groups_add_up_to_the_independent_total(deals: list[Deal], dimension: str) -> None:
    groups = group_deals(deals, dimension)
    assert sum(g.value_cny for g in groups) == sum(d.value_cny for d in deals)
    assert sum(g.deals for g in groups) == len(deals)
    total = total_of(deals)
    assert total.value_cny == exact_sum([d.value_cny for d in deals])
    assert total.value_usd == exact_sum([d.value_usd for d in deals])


@settings(max_examples=300)
@given(deal_lists(), st.sampled_from(DIMENSIONS))
def test_every_published_figure_has_three_buyers_and_three_suppliers(
    deals: list[Deal], dimension: str
) -> None:
    groups = group_deals(deals, dimension)
    folding = fold(groups)
    if not passes(groups):
        assert folding.suppressed and folding.published == ()
        return
    assert not folding.suppressed
    published = folding.published
    for group in published:  # "other" included
        assert len(group.buyers) >= MIN_PER_SIDE and len(group.suppliers) >= MIN_PER_SIDE
    # The published groups still partition the deals...
    assert sum(g.deals for g in published) == len(deals)
    assert exact_sum([g.value_cny for g in published]) == folding.total.value_cny
    # ...and no group short of buyers or suppliers is published under its own key.
    short = {g.key for g in groups if not passes([g])}
    assert not short & {g.key for g in folding.groups}


@settings(max_examples=300)
@given(deal_lists(), st.sampled_from(DIMENSIONS))
def test_the_total_minus_published_groups_isolates_no_small_set(
    deals: list[Deal], dimension: str
) -> None:
    folding = fold(group_deals(deals, dimension))
    if folding.suppressed:
        return
    # Total minus every named group: exactly the deals of "other" (or nothing).
    named_ids = {
        d.meeting_id for d in deals if d.keys[dimension] in {g.key for g in folding.groups}
    }
    left = [d for d in deals if d.meeting_id not in named_ids]
    assert not left or (
        len({d.buyer for d in left}) >= MIN_PER_SIDE
        and len({d.supplier for d in left}) >= MIN_PER_SIDE
    )
    # Total minus any set of published groups leaves three buyers and suppliers, or nothing.
    named = list(folding.groups)
    for size in range(len(named) + 1) if len(named) <= 6 else (len(named) - 1, len(named)):
        for chosen in combinations(named, size):
            rest = [g for g in folding.published if g not in chosen]
            assert not rest or passes(rest)


@settings(max_examples=200)
@given(deal_lists(), st.sampled_from(DIMENSIONS))
def test_presented_groups_add_up_to_the_presented_total(deals: list[Deal], dimension: str) -> None:
    folding = fold(group_deals(deals, dimension))
    if folding.suppressed:
        return
    head, figures = present(folding)
    assert head.value_cny == to_fen(folding.total.value_cny)
    assert sum(f.value_cny for f in figures) == head.value_cny
    assert sum(f.value_usd for f in figures) == head.value_usd
    assert sum(f.deals for f in figures) == head.deals


def test_a_single_small_group_is_not_left_alone_in_other() -> None:
    # Two big groups and one deal: folding the small group alone into "other" would expose it
    # (total minus the big groups), so a big group joins "other".
    deals = [
        deal(1, 1, 11, "100", "kz"), deal(2, 2, 12, "100", "kz"), deal(3, 3, 13, "100", "kz"),
        deal(4, 4, 11, "100", "ru"), deal(5, 5, 12, "100", "ru"), deal(6, 6, 13, "100", "ru"),
        deal(7, 7, 14, "7", "uz"),
    ]  # fmt: skip
    folding = fold(group_deals(deals, "country"))
    assert folding.other is not None and passes([folding.other])
    assert [g.key for g in folding.groups] in (["kz"], ["ru"])


def test_one_buyer_with_many_suppliers_is_not_published_alone() -> None:
    # The measured case: Iran's deals were one buyer's, with three suppliers.
    deals = [deal(i, 1, 10 + i, "500", "ir") for i in range(1, 6)]
    deals += [deal(10 + i, 20 + i, 30 + i, "100", "kz") for i in range(3)]
    deals += [deal(20 + i, 40 + i, 50 + i, "100", "ru") for i in range(3)]
    folding = fold(group_deals(deals, "country"))
    assert "ir" not in {g.key for g in folding.groups}
    assert folding.other is not None and folding.other.deals >= 5  # Iran's deals, and more
    assert len(folding.other.buyers) >= MIN_PER_SIDE


def test_one_supplier_with_many_buyers_is_not_published_alone() -> None:
    deals = [deal(i, 10 + i, 1, "500", "nev") for i in range(1, 6)]
    deals += [deal(10 + i, 20 + i, 30 + i, "100", "food") for i in range(3)]
    deals += [deal(20 + i, 40 + i, 50 + i, "100", "chem") for i in range(3)]
    folding = fold(group_deals(deals, "sector"))
    assert "nev" not in {g.key for g in folding.groups}
    assert folding.other is not None and len(folding.other.suppliers) >= MIN_PER_SIDE


def test_groups_of_one_buyer_each_fold_together_when_they_reach_three() -> None:
    # Iran, Pakistan and India, one buyer each: together they have three of each side.
    deals = [deal(1, 1, 11, "10", "ir"), deal(2, 1, 12, "10", "ir"), deal(3, 2, 13, "10", "pk"),
             deal(4, 3, 14, "10", "in")]  # fmt: skip
    deals += [deal(10 + i, 20 + i, 30 + i, "100", "kz") for i in range(3)]
    folding = fold(group_deals(deals, "country"))
    assert [g.key for g in folding.groups] == ["kz"]
    assert folding.other is not None and folding.other.deals == 4


def test_one_buyer_or_one_supplier_alone_publish_nothing() -> None:
    one_buyer = [deal(i, 1, 10 + i, "100") for i in range(5)]
    one_supplier = [deal(i, 10 + i, 1, "100") for i in range(5)]
    assert fold(group_deals(one_buyer, "zone")).suppressed
    assert fold(group_deals(one_supplier, "zone")).suppressed


def test_other_is_absent_when_every_group_is_big_enough() -> None:
    deals = [deal(i, i, 10 + i, "1", "a") for i in range(3)]
    deals += [deal(5 + i, 5 + i, 20 + i, "1", "b") for i in range(3)]
    folding = fold(group_deals(deals, "zone"))
    assert folding.other is None and len(folding.groups) == 2


def test_every_group_small_folds_into_other() -> None:
    deals = [deal(1, 1, 11, "1", "a"), deal(2, 2, 12, "1", "b"), deal(3, 3, 13, "1", "c")]
    folding = fold(group_deals(deals, "zone"))
    assert folding.groups == () and folding.other is not None
    assert folding.other.key == OTHER
    assert len(folding.other.companies) == 6


def test_keys_asked_to_fold_go_to_other() -> None:
    deals = [deal(i, i, 10 + i, "1", "a") for i in range(3)]
    deals += [deal(5 + i, 5 + i, 20 + i, "1", "b") for i in range(3)]
    folding = fold(group_deals(deals, "zone"), fold_keys=frozenset({"a"}))
    # "a" alone in "other" is fine: it has three buyers and three suppliers.
    assert [g.key for g in folding.groups] == ["b"] and folding.other is not None
    assert folding.other.deals == 3
