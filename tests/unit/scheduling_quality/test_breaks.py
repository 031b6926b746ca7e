"""Breaks and idle slots: per company and day, gaps between consecutive meetings."""

from __future__ import annotations

import pytest

from matchmaking.scheduling.model import Meeting
from matchmaking.scheduling.quality import count_breaks, idle_slots
from tests.unit.scheduling_quality.builders import instance, pair, slot_id


def hub_meetings(taken: list[tuple[int, int]]) -> list[Meeting]:
    """Company "hub" meets a fresh partner in each (day, 1-based slot); partners meet once."""
    return [
        Meeting("hub", f"p{n}", slot_id(day, position - 1), "z", 1)
        for n, (day, position) in enumerate(taken)
    ]


@pytest.mark.parametrize(
    ("taken", "breaks", "idle"),
    [
        ([], 0, 0),
        ([(1, 3)], 0, 0),
        ([(1, 1), (1, 2), (1, 3)], 0, 0),
        ([(1, 1), (1, 2), (1, 5)], 1, 2),
        ([(1, 1), (1, 3), (1, 5)], 2, 2),
        ([(1, 2), (1, 6)], 1, 3),
        ([(1, 5), (1, 1), (1, 2)], 1, 2),
        ([(1, 1), (1, 3), (2, 1), (2, 3)], 2, 2),
        ([(1, 6), (2, 1)], 0, 0),
        ([(1, 1), (2, 6)], 0, 0),
        ([(1, 1), (1, 6), (2, 2), (2, 3), (2, 6)], 2, 6),
    ],
    ids=[
        "none",
        "one meeting",
        "back to back",
        "slots 1 2 5",
        "alternate",
        "wide gap",
        "order of meetings irrelevant",
        "a gap on each of two days",
        "end of day 1 then start of day 2",
        "one meeting per day",
        "two days mixed",
    ],
)
def test_breaks_and_idle_slots(taken: list[tuple[int, int]], breaks: int, idle: int) -> None:
    meetings = hub_meetings(taken)
    problem = instance([pair(m.buyer, m.supplier) for m in meetings], per_day=6, days=2)
    assert count_breaks(problem, meetings) == breaks
    assert idle_slots(problem, meetings) == idle


def test_both_sides_of_a_meeting_count() -> None:
    meetings = [
        Meeting("a", "b", slot_id(1, 0), "z", 1),
        Meeting("a", "b2", slot_id(1, 1), "z", 1),
        Meeting("b", "a2", slot_id(1, 2), "z", 2),
        Meeting("a", "b3", slot_id(1, 3), "z", 1),
    ]
    problem = instance([pair(m.buyer, m.supplier) for m in meetings], per_day=4)
    # a: slots 0, 1, 3 (one break); b: slots 0, 2 (one break); the others meet once.
    assert count_breaks(problem, meetings) == 2
    assert idle_slots(problem, meetings) == 2


def test_day_order_follows_instance_slots_not_clock_gaps() -> None:
    # Slots 0 and 1 are consecutive in the day's sequence whatever lies between them (a lunch).
    problem = instance([pair("hub", "p0"), pair("hub", "p1")], per_day=2)
    lunch = problem.slots[1]
    late = type(lunch)(
        lunch.id, lunch.start.replace(hour=13), lunch.end.replace(hour=13), lunch.day
    )
    problem = type(problem)(
        problem.name,
        problem.timezone,
        (problem.slots[0], late),
        problem.zones,
        problem.companies,
        problem.candidates,
    )
    assert count_breaks(problem, hub_meetings([(1, 1), (1, 2)])) == 0
