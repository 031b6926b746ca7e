"""The must-first bound: LP relaxation of choosing pairs, checked on hand-computed cases."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking.scheduling.model import Instance, Meeting
from matchmaking.scheduling.quality import Bound, evaluate, must_first_bound
from tests.unit.scheduling_quality.builders import instance, pair, slot_id


def test_star_limited_by_the_hub_cap() -> None:
    problem = instance(
        [pair("hub", leaf, score) for leaf, score in (("a", 1.0), ("b", 2.0), ("c", 3.0))],
        companies={"hub": {"max_meetings": 2}},
    )
    assert must_first_bound(problem) == Bound(must=0, score=5.0, must_upper=0.0, score_upper=5.0)


def test_star_limited_by_available_slots_when_uncapped() -> None:
    problem = instance(
        [pair("hub", leaf, score) for leaf, score in (("a", 1.0), ("b", 2.0), ("c", 3.0))],
        companies={"hub": {"available": [slot_id(1, 0), slot_id(1, 2)]}},
    )
    assert must_first_bound(problem).score == pytest.approx(5.0)


def test_keeping_the_must_pair_lowers_the_score() -> None:
    problem = instance(
        [pair("hub", "a", 1.0, must=True), pair("hub", "b", 5.0)],
        companies={"hub": {"max_meetings": 1}},
    )
    bound = must_first_bound(problem)
    assert (bound.must, bound.score, bound.score_upper) == (1, pytest.approx(1.0), 5.0)


def test_zone_limited_to_tables_times_slots() -> None:
    problem = instance(
        [pair("a", "b", 1.0), pair("c", "d", 2.0), pair("e", "f", 3.0)],
        per_day=2,
        tables={"z": 1},
    )
    assert must_first_bound(problem).score == pytest.approx(5.0)


def test_fractional_must_optimum_is_floored() -> None:
    # A triangle of must pairs, caps 1: the LP takes each pair at 1/2.
    problem = instance(
        [pair("a", "b", must=True), pair("b", "c", must=True), pair("a", "c", must=True)],
        companies={name: {"max_meetings": 1} for name in "abc"},
    )
    bound = must_first_bound(problem)
    assert bound.must_upper == pytest.approx(1.5)
    assert bound.must == 1
    assert bound.score == pytest.approx(1.5)


@pytest.mark.parametrize(
    "overrides",
    [
        {"a": {"available": [slot_id(1, 0)]}, "b": {"available": [slot_id(1, 1)]}},
        {"a": {"available": []}},
    ],
    ids=["no common slot", "never available"],
)
def test_pairs_without_a_common_slot_are_left_out(overrides: dict) -> None:
    problem = instance([pair("a", "b", 4.0, must=True), pair("c", "d", 1.0)], companies=overrides)
    assert must_first_bound(problem) == Bound(must=0, score=1.0, must_upper=0.0, score_upper=1.0)


def test_candidate_slots_disjoint_from_availability_leave_the_pair_out() -> None:
    problem = instance(
        [pair("a", "b", 4.0, allowed=(slot_id(1, 2),)), pair("c", "d", 1.0)],
        companies={"a": {"available": [slot_id(1, 0)]}},
    )
    assert must_first_bound(problem).score_upper == pytest.approx(1.0)


def test_fixed_pairs_are_forced_in() -> None:
    problem = instance(
        [pair("hub", "a", 1.0), pair("hub", "b", 5.0)],
        companies={"hub": {"max_meetings": 1}},
        fixed=(Meeting("hub", "a", slot_id(1, 0), "z", 1),),
    )
    assert must_first_bound(problem).score_upper == pytest.approx(1.0)


def test_fixed_meetings_over_a_cap_are_rejected() -> None:
    problem = instance(
        [pair("hub", "a"), pair("hub", "b")],
        companies={"hub": {"max_meetings": 1}},
        fixed=(
            Meeting("hub", "a", slot_id(1, 0), "z", 1),
            Meeting("hub", "b", slot_id(1, 1), "z", 1),
        ),
    )
    with pytest.raises(ValueError, match="bound LP"):
        must_first_bound(problem)


def test_no_candidates() -> None:
    assert must_first_bound(instance([])) == Bound(0, 0.0, 0.0, 0.0)


def best_schedule(problem: Instance) -> tuple[int, float]:
    """Brute force: the lexicographic optimum (must pairs, score) over every valid schedule."""
    companies = {company.id: company for company in problem.companies}
    tables = problem.zones[0].tables
    options = [[None, *[slot.id for slot in problem.slots]] for _ in problem.candidates]
    best = (0, 0.0)
    for choice in itertools.product(*options):
        busy: set[tuple[str, str]] = set()
        used: dict[str, int] = {}
        count: dict[str, int] = {}
        valid = True
        for candidate, slot in zip(problem.candidates, choice, strict=True):
            if slot is None:
                continue
            if candidate.slots is not None and slot not in candidate.slots:
                valid = False
            used[slot] = used.get(slot, 0) + 1
            valid = valid and used[slot] <= tables
            for company_id in candidate.pair:
                company = companies[company_id]
                count[company_id] = count.get(company_id, 0) + 1
                valid = valid and (company_id, slot) not in busy
                valid = valid and (company.available is None or slot in company.available)
                cap = company.max_meetings
                valid = valid and (cap is None or count[company_id] <= cap)
                busy.add((company_id, slot))
        if valid:
            meetings = [
                Meeting(c.buyer, c.supplier, s, c.zone, 1)
                for c, s in zip(problem.candidates, choice, strict=True)
                if s is not None
            ]
            figures = evaluate(problem, meetings)
            best = max(best, (figures.must_scheduled, round(figures.score, 9)))
    return best


@st.composite
def tiny_instances(draw: st.DrawFn) -> Instance:
    """Up to five pairs among four companies, two slots, one or two tables."""
    names = ["a", "b", "c", "d"]
    possible = list(itertools.combinations(names, 2))
    chosen = draw(st.lists(st.sampled_from(possible), min_size=1, max_size=5, unique=True))
    candidates = [
        pair(
            buyer,
            supplier,
            draw(st.sampled_from([0.5, 1.0, 2.0, 3.5])),
            draw(st.booleans()),
            allowed=draw(st.sampled_from([None, (slot_id(1, 0),), (slot_id(1, 1),)])),
        )
        for buyer, supplier in chosen
    ]
    slots = [slot_id(1, 0), slot_id(1, 1)]
    companies = {
        name: {
            "max_meetings": draw(st.sampled_from([None, 1, 2])),
            "available": draw(st.sampled_from([None, slots[:1], slots[1:], slots])),
        }
        for name in names
    }
    return instance(
        candidates,
        per_day=2,
        tables={"z": draw(st.integers(1, 2))},
        companies=companies,
    )


@settings(max_examples=60, deadline=None)
@given(tiny_instances())
def test_bound_never_below_the_brute_force_optimum(problem: Instance) -> None:
    must, score = best_schedule(problem)
    bound = must_first_bound(problem)
    assert must <= bound.must
    assert score <= bound.score_upper + 1e-6
    if must == bound.must:
        assert score <= bound.score + 1e-6


def test_highs_and_glop_agree_and_print_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    problem = instance(
        [pair("a", "b", 2.0, must=True), pair("b", "c", 1.0, must=True), pair("a", "c", 3.0)],
        companies={name: {"max_meetings": 1} for name in "abc"},
    )
    highs, glop = must_first_bound(problem), must_first_bound(problem, "GLOP")
    figures = ("must", "score", "must_upper", "score_upper")
    values = [getattr(highs, name) for name in figures]
    assert values == pytest.approx([getattr(glop, name) for name in figures])
    assert highs.must == 1
    assert capfd.readouterr() == ("", "")
