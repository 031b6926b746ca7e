"""Quality figures under a deadline: computed when they fit, else skipped with the reason."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from benchmarks.generate import generate
from matchmaking.scheduling.model import Instance, Meeting
from matchmaking.scheduling.parse import parse_instance
from matchmaking.scheduling.quality import (
    OutOfTime,
    first_come_first_served,
    must_first_bound,
    report,
    seconds_needed,
)
from tests.unit.scheduling_quality.builders import instance, pair, slot_id


def hub() -> tuple[Instance, list[Meeting]]:
    problem = instance(
        [pair("hub", "a", 1.0, must=True), pair("hub", "b", 3.0), pair("hub", "c", 1.0)],
        companies={"hub": {"max_meetings": 2}},
    )
    return problem, [Meeting("hub", "a", slot_id(1, 0), "z", 1)]


def test_with_time_to_spare_the_block_is_the_full_one_plus_an_empty_skipped_list() -> None:
    problem, meetings = hub()
    full = report(problem, meetings)
    assert report(problem, meetings, deadline=time.monotonic() + 60) == {**full, "skipped": []}


def test_past_deadline_skips_bound_and_baseline_but_measures_the_schedule() -> None:
    problem, meetings = hub()
    block = report(problem, meetings, deadline=time.monotonic() - 1)
    assert json.loads(json.dumps(block)) == block
    assert [entry["figure"] for entry in block["skipped"]] == ["bound", "baseline"]
    assert all(entry["reason"].startswith("not enough time") for entry in block["skipped"])
    assert block["figures"]["meetings"] == 1
    assert block["must"] == {
        "scheduled": 1,
        "bound": None,
        "total": 1,
        "baseline": None,
        "all_kept": None,
    }
    assert block["score"] == {
        "value": 1.0,
        "bound": None,
        "percent_of_bound": None,
        "baseline": None,
        "percent_of_baseline": None,
    }
    assert block["table_use"]["baseline"] is None


def test_figures_passed_in_are_used_whatever_the_deadline() -> None:
    problem, meetings = hub()
    bound = must_first_bound(problem)
    block = report(problem, meetings, bound=bound, deadline=time.monotonic() - 1)
    assert [entry["figure"] for entry in block["skipped"]] == ["baseline"]
    assert block["must"]["all_kept"] is True


def test_estimates_grow_with_the_candidates() -> None:
    small, large = (parse_instance(generate(f, 1)) for f in ("chongqing", "regional"))
    for part, seconds in seconds_needed(small).items():
        assert 0 < seconds < seconds_needed(large)[part]


@pytest.mark.parametrize(
    "compute",
    [
        lambda p, d: must_first_bound(p, deadline=d),
        lambda p, d: first_come_first_served(p, deadline=d),
    ],
    ids=["bound", "baseline"],
)
def test_a_passed_deadline_stops_the_computation(
    compute: Callable[[Instance, float], object],
) -> None:
    problem = parse_instance(generate("chongqing", 1))
    with pytest.raises(OutOfTime):
        compute(problem, time.monotonic() - 1)
