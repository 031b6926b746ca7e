"""The first-come, first-served baseline, ``evaluate`` and ``report``."""

from __future__ import annotations

import json

from benchmarks.checker import check
from benchmarks.generate import generate
from matchmaking.scheduling.model import Meeting
from matchmaking.scheduling.parse import parse_instance
from matchmaking.scheduling.quality import (
    Figures,
    evaluate,
    first_come_first_served,
    must_first_bound,
    report,
)
from tests.unit.scheduling_quality.builders import instance, pair, slot_id


def booked(meetings: list[Meeting]) -> list[tuple[str, str, str, int]]:
    return [(m.buyer, m.supplier, m.slot, m.table) for m in meetings]


def test_each_pair_takes_the_earliest_free_slot_and_lowest_table() -> None:
    problem = instance([pair("a", "b", 3.0), pair("a", "c", 2.0), pair("d", "e", 1.0)])
    assert booked(first_come_first_served(problem)) == [
        ("a", "b", slot_id(1, 0), 1),
        ("a", "c", slot_id(1, 1), 1),
        ("d", "e", slot_id(1, 0), 2),
    ]


def test_must_first_then_score_then_input_order() -> None:
    problem = instance(
        [
            pair("x", "b", 1.0),
            pair("x", "a", 5.0),
            pair("x", "c", 0.5, must=True),
            pair("x", "d", 1.0),
        ],
        per_day=4,
    )
    order = [m.supplier for m in first_come_first_served(problem)]
    assert order == ["c", "a", "b", "d"]


def test_full_zone_pushes_to_the_next_slot() -> None:
    problem = instance([pair("a", "b"), pair("c", "d"), pair("e", "f")], tables={"z": 2})
    assert [(m.slot, m.table) for m in first_come_first_served(problem)] == [
        (slot_id(1, 0), 1),
        (slot_id(1, 0), 2),
        (slot_id(1, 1), 1),
    ]


def test_caps_availability_and_candidate_slots() -> None:
    problem = instance(
        [pair("a", "b", 3.0), pair("a", "c", 2.0), pair("d", "e", 1.0, allowed=(slot_id(1, 2),))],
        companies={"a": {"max_meetings": 1}, "b": {"available": [slot_id(1, 1)]}},
    )
    assert booked(first_come_first_served(problem)) == [
        ("a", "b", slot_id(1, 1), 1),
        ("d", "e", slot_id(1, 2), 1),
    ]


def test_fixed_meetings_come_first_and_hold_their_table() -> None:
    fixed = Meeting("c", "d", slot_id(1, 0), "z", 1)
    problem = instance(
        [pair("a", "b", 9.0), pair("c", "d", 1.0), pair("c", "e", 2.0)],
        fixed=(fixed,),
        companies={"c": {"max_meetings": 1}},
    )
    assert booked(first_come_first_served(problem)) == [
        ("c", "d", slot_id(1, 0), 1),
        ("a", "b", slot_id(1, 0), 2),
    ]


def test_no_slot_left_means_unscheduled() -> None:
    problem = instance([pair("a", "b"), pair("a", "c"), pair("a", "d")], per_day=2)
    assert len(first_come_first_served(problem)) == 2


def test_generated_baseline_passes_the_independent_checker() -> None:
    data = generate("chongqing", 3)
    meetings = first_come_first_served(parse_instance(data))
    assert check(data, {"meetings": [m.to_dict() for m in meetings]}) == []


def test_evaluate() -> None:
    problem = instance(
        [pair("a", "b", 2.0, must=True), pair("a", "c", 1.5), pair("d", "e", 1.0, must=True)],
        tables={"z": 2},
    )
    meetings = [Meeting("a", "b", slot_id(1, 0), "z", 1), Meeting("a", "c", slot_id(1, 2), "z", 1)]
    assert evaluate(problem, meetings) == Figures(
        meetings=2,
        must_scheduled=1,
        must_total=2,
        score=3.5,
        breaks=1,
        idle_slots=1,
        table_use=2 / 6,
    )


def test_report_is_json_and_compares_with_bound_and_baseline() -> None:
    problem = instance(
        [pair("hub", "a", 1.0, must=True), pair("hub", "b", 3.0), pair("hub", "c", 1.0)],
        companies={"hub": {"max_meetings": 2}},
    )
    meetings = [
        Meeting("hub", "a", slot_id(1, 0), "z", 1),
        Meeting("hub", "b", slot_id(1, 1), "z", 1),
    ]
    figures = report(problem, meetings)
    assert json.loads(json.dumps(figures)) == figures
    assert figures["must"] == {
        "scheduled": 1,
        "bound": 1,
        "total": 1,
        "baseline": 1,
        "all_kept": True,
    }
    assert figures["score"]["percent_of_bound"] == 100.0
    assert figures["breaks"]["value"] == 0
    assert figures["breaks"]["percent_of_baseline"] is None
    given = report(problem, meetings[:1], must_first_bound(problem), meetings)
    assert given["score"]["percent_of_bound"] == 25.0
    assert given["score"]["percent_of_baseline"] == 25.0
