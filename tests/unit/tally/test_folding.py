"""The disclosure rule: no published figure lets anyone work out one company's deals."""

from __future__ import annotations

from decimal import Decimal
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking.tally.groups import (
    MIN_COMPANIES,
    OTHER,
    Group,
    fold,
    group_deals,
    present,
    total_of,
)
from matchmaking.tally.money import exact_sum, to_fen
from matchmaking.tally.outcomes import DIMENSIONS, Deal


def deal(meeting: int, a: int, b: int, cny: str, key: str = "x") -> Deal:
    return Deal(
        meeting_id=meeting,
        companies=frozenset({a, b}),
        stage="tentative",
        value_cny=Decimal(cny),
        value_usd=Decimal(cny) / 8,
        keys=dict.fromkeys(DIMENSIONS, key),
    )


@st.composite
def deal_lists(draw: st.DrawFn) -> list[Deal]:
    count = draw(st.integers(min_value=0, max_value=25))
    companies = draw(st.integers(min_value=2, max_value=12))
    deals = []
    for i in range(count):
        a, b = draw(st.lists(st.integers(0, companies - 1), min_size=2, max_size=2, unique=True))
        value = draw(st.decimals(min_value=0, max_value=Decimal("1e9"), places=4))
        keys = {d: draw(st.sampled_from(["a", "b", "c", "d", "e", "f"])) for d in DIMENSIONS}
        deals.append(Deal(i, frozenset({a, b}), "tentative", value, value / 7, keys))
    return deals


def companies_of(groups: list[Group] | tuple[Group, ...]) -> frozenset[int]:
    return frozenset().union(*(g.companies for g in groups))


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
def test_every_published_figure_covers_enough_companies(deals: list[Deal], dimension: str) -> None:
    groups = group_deals(deals, dimension)
    folding = fold(groups)
    if len(companies_of(groups)) < MIN_COMPANIES:
        assert folding.suppressed and folding.published == ()
        return
    assert not folding.suppressed
    published = folding.published
    for group in published:
        assert len(group.companies) >= MIN_COMPANIES
    # The published groups still partition the deals...
    assert sum(g.deals for g in published) == len(deals)
    assert exact_sum([g.value_cny for g in published]) == folding.total.value_cny
    # ...and no group too small on its own is published under its own key.
    small = {g.key for g in groups if len(g.companies) < MIN_COMPANIES}
    assert not small & {g.key for g in folding.groups}
    # Subtracting any set of published groups from the total leaves >= 3 companies or nothing.
    named = list(folding.groups)
    for size in range(len(named) + 1) if len(named) <= 6 else (len(named) - 1, len(named)):
        for chosen in combinations(named, size):
            rest = [g for g in published if g not in chosen]
            if rest:
                assert len(companies_of(rest)) >= MIN_COMPANIES


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
    # Two big groups and one deal between two companies: folding the small group alone into
    # "other" would expose it (total minus the big groups), so a big group joins "other".
    deals = [
        deal(1, 1, 2, "100", "kz"), deal(2, 3, 4, "100", "kz"),
        deal(3, 5, 6, "100", "ru"), deal(4, 7, 8, "100", "ru"),
        deal(5, 9, 10, "7", "uz"),
    ]  # fmt: skip
    folding = fold(group_deals(deals, "country"))
    assert folding.other is not None
    assert len(folding.other.companies) >= MIN_COMPANIES
    assert [g.key for g in folding.groups] == ["kz"] or [g.key for g in folding.groups] == ["ru"]


def test_fewer_than_three_companies_publish_nothing() -> None:
    deals = [deal(1, 1, 2, "100"), deal(2, 1, 2, "50")]
    assert fold(group_deals(deals, "zone")).suppressed


def test_other_is_absent_when_every_group_is_big_enough() -> None:
    deals = [deal(1, 1, 2, "1", "a"), deal(2, 2, 3, "1", "a"), deal(3, 4, 5, "1", "b"),
             deal(4, 5, 6, "1", "b")]  # fmt: skip
    folding = fold(group_deals(deals, "zone"))
    assert folding.other is None and len(folding.groups) == 2


def test_every_group_small_folds_into_other() -> None:
    deals = [deal(1, 1, 2, "1", "a"), deal(2, 3, 4, "1", "b")]
    folding = fold(group_deals(deals, "zone"))
    assert folding.groups == () and folding.other is not None
    assert folding.other.key == OTHER
    assert len(folding.other.companies) == 4
