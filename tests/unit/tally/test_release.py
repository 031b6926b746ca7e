"""Successive snapshots: subtracting any two never singles out the deals of a few companies."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking.tally.groups import MIN_PER_SIDE, fold, group_deals
from matchmaking.tally.outcomes import DIMENSIONS, Deal
from matchmaking.tally.release import Published, Release, changes_between, plan_release, version

COUNTRY = {1: "KZ", 2: "KZ", 3: "KZ", 4: "RU", 5: "RU", 6: "RU", 7: "UZ", 8: "UZ", 9: "UZ"}


def deal(meeting: int, buyer: int, supplier: int, cny: str = "1000", **keys: str) -> Deal:
    values = {"zone": "z1" if meeting % 2 == 0 else "z2", "country": COUNTRY.get(buyer, "KZ"),
              "sector": "nev", "day": "2025-05-28", "stage": "tentative"}  # fmt: skip
    values.update(keys)
    value = Decimal(cny)
    return Deal(meeting, buyer, supplier, values["stage"], value, value / 7, values)


def base() -> list[Deal]:
    """Nine buyers (three per country), each with two deals; four suppliers (101-104)."""
    return [
        deal(m, b, 101 + m % 4, str(1000 + m)) for b in range(1, 10) for m in (2 * b, 2 * b + 1)
    ]


def changed(deals: list[Deal], meeting: int, cny: str | None = None, **keys: str) -> list[Deal]:
    """``deals`` with ``meeting``'s deal counted with another value or group key."""
    result = []
    for d in deals:
        if d.meeting_id == meeting:
            value = Decimal(cny) if cny is not None else d.value_cny
            new_keys = {**d.keys, **keys}
            d = replace(d, value_cny=value, value_usd=value / 7, keys=new_keys,
                        stage=new_keys["stage"])  # fmt: skip
        result.append(d)
    return result


def release(deals: list[Deal], *earlier: Release) -> Release:
    result = plan_release(deals, [e.published() for e in earlier])
    assert result is not None
    return result


def named(r: Release, dimension: str) -> list[str]:
    return [g.key for g in r.foldings[dimension].groups]


def test_the_first_release_is_the_plain_folding() -> None:
    first = release(base())
    for dimension in DIMENSIONS:
        assert first.foldings[dimension] == fold(group_deals(base(), dimension))
    assert named(first, "country") == ["UZ", "RU", "KZ"]  # by value, largest first


def test_nothing_changed_keeps_the_snapshot() -> None:
    first = release(base())
    assert plan_release(base(), [first.published()]) is None


@pytest.mark.parametrize(
    "now",
    [
        pytest.param(changed(base(), 2, "999999"), id="amount"),
        pytest.param(changed(base(), 2, stage="signed"), id="stage"),
        pytest.param(changed(base(), 2, zone="z2"), id="zone"),
        pytest.param(changed(base(), 2, country="RU"), id="country"),
        pytest.param([*base(), deal(40, 1, 101, "5000")], id="added"),
        pytest.param([d for d in base() if d.meeting_id != 2], id="withdrawn"),
    ],
)
def test_one_changed_deal_keeps_the_snapshot(now: list[Deal]) -> None:
    first = release(base())
    assert plan_release(now, [first.published()]) is None


def test_changes_of_one_buyer_keep_the_snapshot_however_many_deals() -> None:
    first = release(base())
    now = [*base(), *(deal(40 + i, 1, 101 + i, "70") for i in range(4))]
    assert plan_release(now, [first.published()]) is None


def test_changes_of_three_buyers_and_three_suppliers_release_a_snapshot() -> None:
    first = release(base())
    # Kazakh buyers 1, 2, 3 with suppliers 103, 101, 104.
    now = changed(changed(changed(base(), 2, "1500"), 4, "1600"), 7, "1700")
    second = release(now, first)
    assert sorted(named(second, "country")) == sorted(named(first, "country"))
    kz = next(g for g in second.foldings["country"].groups if g.key == "KZ")
    assert kz.value_cny == sum(d.value_cny for d in now if d.keys["country"] == "KZ")


def test_a_group_whose_own_change_is_one_deal_is_folded() -> None:
    first = release(base())
    # One deal changed in each country: 3 buyers and 3 suppliers in all, but each country's
    # difference would be one deal's change, so no country is published under its own name.
    now = changed(changed(changed(base(), 2, "1500"), 8, "1600"), 15, "1700")
    second = release(now, first)
    assert named(second, "country") == []
    assert second.foldings["country"].other is not None
    assert second.foldings["country"].other.deals == len(now)


def test_changes_undone_later_cannot_be_subtracted_from_an_older_snapshot() -> None:
    first = release(base())
    second = release(changed(changed(changed(base(), 2, "1500"), 4, "1600"), 7, "1700"), first)
    # Back to the first snapshot's deals, but for one: against the first snapshot only that
    # one deal changed, although four changed since the second.
    now = changed(base(), 8, "1800")
    assert plan_release(now, [second.published()]) is not None
    assert plan_release(now, [first.published(), second.published()]) is None


def test_a_suppressed_snapshot_gives_nothing_to_subtract() -> None:
    few = [deal(1, 1, 101), deal(2, 2, 102)]
    first = release(few)
    assert first.suppressed
    now = [*few, deal(3, 3, 103)]
    second = release(now, first)
    assert not second.suppressed


def test_versions_compare_equal_values_whatever_their_exponent() -> None:
    one = deal(1, 1, 101, "1000")
    other = replace(one, value_cny=Decimal("1000.0000"), value_usd=one.value_usd)
    assert version(one) == version(other)
    assert version(one) != version(replace(one, value_cny=Decimal("1000.01")))


# --- property: an observer holding every released snapshot --------------------------------


def _enough(meetings: set[int], parties: dict[int, tuple[int, int]]) -> bool:
    """No deal, or deals of three buyers and three suppliers."""
    buyers = {parties[m][0] for m in meetings}
    suppliers = {parties[m][1] for m in meetings}
    return not meetings or (len(buyers) >= MIN_PER_SIDE and len(suppliers) >= MIN_PER_SIDE)


def isolated_differences(a: Published, b: Published) -> list[set[int]]:
    """The sets of changed deals whose summed change an observer gets by subtracting a from b.

    Per dimension: each group named in both, and all the rest together; plus the total.
    """
    if a.suppressed or b.suppressed:
        return []
    changes = changes_between(a.versions, b.versions)
    cells = [{c.meeting_id for c in changes}]
    for dimension in DIMENSIONS:
        both = a.named[dimension] & b.named[dimension]
        for key in both:
            cells.append({c.meeting_id for c in changes if key in c.keys(dimension)})
        cells.append({c.meeting_id for c in changes if c.keys(dimension) - both})
    return cells


@st.composite
def histories(draw: st.DrawFn) -> list[list[Deal]]:
    """Successive states of an event's deals; a state may start again from an older one."""
    buyers, suppliers = range(1, 7), range(101, 107)
    keys = st.fixed_dictionaries(
        {
            "zone": st.sampled_from("ab"),
            "country": st.sampled_from("xyz"),
            "sector": st.sampled_from("st"),
            "day": st.just("d"),
            "stage": st.sampled_from(["tentative", "signed"]),
        }
    )
    values = st.sampled_from(["100", "200", "300", "1000"])

    parties: dict[int, tuple[int, int]] = {}  # a meeting's companies never change

    def new_deal(meeting: int) -> Deal:
        if meeting not in parties:
            parties[meeting] = (draw(st.sampled_from(buyers)), draw(st.sampled_from(suppliers)))
        k = draw(keys)
        value = Decimal(draw(values))
        return Deal(meeting, *parties[meeting], k["stage"], value, value / 7, k)

    states = [[new_deal(m) for m in range(draw(st.integers(0, 14)))]]
    for _step in range(draw(st.integers(1, 7))):
        state = {d.meeting_id: d for d in draw(st.sampled_from(states))}
        for _op in range(draw(st.integers(1, 6))):
            op = draw(st.sampled_from(["value", "key", "add", "remove"]))
            if op == "add" or not state:
                meeting = draw(st.integers(0, 24))
                state[meeting] = new_deal(meeting)
            else:
                meeting = draw(st.sampled_from(sorted(state)))
                d = state[meeting]
                if op == "remove":
                    del state[meeting]
                elif op == "value":
                    value = Decimal(draw(values))
                    state[meeting] = replace(d, value_cny=value, value_usd=value / 7)
                else:
                    k = {**d.keys, **draw(keys)}
                    state[meeting] = replace(d, keys=k, stage=k["stage"])
        states.append(list(state.values()))
    return states


@settings(max_examples=200, deadline=None)
@given(histories())
def test_no_two_released_snapshots_single_out_a_few_companies(states: list[list[Deal]]) -> None:
    released: list[Published] = []
    parties: dict[int, tuple[int, int]] = {}
    for deals in states:
        for d in deals:
            parties[d.meeting_id] = (d.buyer, d.supplier)
        result = plan_release(deals, released)
        if result is not None:
            for f in result.foldings.values():
                for g in f.published:
                    assert len(g.buyers) >= MIN_PER_SIDE and len(g.suppliers) >= MIN_PER_SIDE
            released.append(result.published())
    for a, b in combinations(released, 2):
        for cell in isolated_differences(a, b):
            assert _enough(cell, parties), cell
