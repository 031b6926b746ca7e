"""Interpreter capacity before the slots: pair selection takes no more pairs needing an
interpreter than the pool has interpreter-slots for (must pairs first, then score), the
solver keeps its time limit with staffing inside it, and a must pair left out for want of
an interpreter says so."""

from __future__ import annotations

import time
from typing import Any

from benchmarks.checker import check
from benchmarks.generate import generate
from matchmaking.scheduling import parse_instance, solve
from matchmaking.scheduling.interpreters import NO_INTERPRETER_FREE
from matchmaking.scheduling.problem import build_problem
from matchmaking.scheduling.quality import interpreter_bound
from matchmaking.scheduling.select import lp_pairs, select_pairs, within_capacity

from .scheduling.builders import instance

RU_ZH = {"buyer": ["ru"], "supplier": ["zh"]}


def choices(buyers: int = 4, interpreter_slots: int = 1, must: int | None = 3) -> dict[str, Any]:
    """Buyers c0..c{n-1} (one meeting each) may meet a Chinese supplier (score 1.0 - i/10,
    needing a ru-zh interpreter) or a Russian-speaking one (score 0.3, no interpreter);
    buyer ``must``'s Chinese pair is a must pair. One interpreter, ``interpreter_slots``
    meetings at most; four slots, tables for everyone."""
    n = buyers
    pairs = [(i, n + i) for i in range(n)] + [(i, 2 * n + i) for i in range(n)]
    data = instance(companies=3 * n, pairs=pairs, per_day=4, tables=2 * n)
    for i in range(n):
        data["companies"][i]["max_meetings"] = 1
        chinese, russian = data["candidates"][i], data["candidates"][n + i]
        chinese.update(score=1.0 - i / 10, must=i == must, interpreter=RU_ZH)
        russian.update(score=0.3)
    data["interpreters"] = [
        {"id": "i0", "languages": ["ru", "zh"], "max_meetings": interpreter_slots}
    ]
    return data


def _needing(data: dict[str, Any], picked: list[bool]) -> list[str]:
    """Buyers of the picked pairs needing an interpreter."""
    problem = build_problem(parse_instance(data))
    return sorted(
        data["candidates"][pair.index]["buyer"]
        for pair, chosen in zip(problem.pairs, picked, strict=True)
        if chosen and "interpreter" in data["candidates"][pair.index]
    )


def test_selection_takes_no_more_interpreter_pairs_than_interpreter_slots() -> None:
    data = choices(buyers=4, interpreter_slots=2, must=3)
    problem = build_problem(parse_instance(data))
    lp, _ = lp_pairs(problem)
    exact, proven = select_pairs(problem, time.monotonic() + 5, lp)
    # The must pair first (lowest score), then the best-scoring Chinese pair.
    assert _needing(data, lp) == _needing(data, exact) == ["c0", "c3"]
    assert proven
    # Every buyer still meets someone: the others get their Russian-speaking pair.
    for picked in (lp, exact):
        assert sum(picked) == 4


def test_plentiful_pool_changes_nothing_in_the_selection() -> None:
    data = choices(buyers=4, interpreter_slots=4, must=None)
    problem = build_problem(parse_instance(data))
    lp, _ = lp_pairs(problem)
    assert _needing(data, lp) == ["c0", "c1", "c2", "c3"]


def test_starting_schedule_drops_interpreter_pairs_beyond_capacity_must_first() -> None:
    data = choices(buyers=4, interpreter_slots=1, must=2)
    problem = build_problem(parse_instance(data))
    everything = [0] * len(problem.pairs)
    kept = within_capacity(problem, everything)
    assert _needing(data, [t >= 0 for t in kept]) == ["c2"]


def test_scarce_pool_schedule_serves_the_must_pair_and_fills_the_rest() -> None:
    data = choices(buyers=4, interpreter_slots=1, must=3)
    schedule = solve(parse_instance(data), time_limit=1).to_dict()
    assert check(data, schedule) == []
    by_buyer = {m["buyer"]: m for m in schedule["meetings"]}
    assert sorted(by_buyer) == ["c0", "c1", "c2", "c3"]
    assert by_buyer["c3"]["supplier"] == "c7" and by_buyer["c3"]["interpreter"] == "i0"
    assert all("interpreter" not in by_buyer[b] for b in ("c0", "c1", "c2"))
    assert schedule["statistics"]["interpreters"]["meetings"] == 1


def test_must_pair_left_out_for_want_of_an_interpreter_says_so() -> None:
    """Two must pairs need the one interpreter-slot; c2's must pair loses (lower score),
    and c2 meets its other partner instead: the reason is the interpreter, not c2's cap."""
    data = instance(companies=5, pairs=[(0, 1), (2, 3), (2, 4)], per_day=2, tables=3)
    data["companies"][2]["max_meetings"] = 1
    for cand, score in zip(data["candidates"][:2], (1.0, 0.5), strict=True):
        cand.update(score=score, must=True, interpreter=RU_ZH)
    data["candidates"][2]["score"] = 0.1
    data["interpreters"] = [{"id": "i0", "languages": ["ru", "zh"], "max_meetings": 1}]
    schedule = solve(parse_instance(data), time_limit=1).to_dict()
    assert check(data, schedule) == []
    assert {(m["buyer"], m["supplier"]) for m in schedule["meetings"]} == {
        ("c0", "c1"),
        ("c2", "c4"),
    }
    assert schedule["unscheduled"] == [
        {"buyer": "c2", "supplier": "c3", "reason": NO_INTERPRETER_FREE}
    ]


def test_bound_leaves_out_a_must_pair_its_interpreters_never_meet() -> None:
    """The pair's companies are only free in d1-00, the interpreter only in d1-03."""
    data = choices(buyers=1, interpreter_slots=4, must=0)
    data["companies"][0]["available"] = ["d1-00"]
    data["interpreters"][0]["available"] = ["d1-03"]
    parsed = parse_instance(data)
    assert interpreter_bound(parsed).must == 0
    schedule = solve(parsed, time_limit=1).to_dict()
    reasons = {r["supplier"]: r["reason"] for r in schedule["unscheduled"]}
    assert reasons == {"c1": NO_INTERPRETER_FREE}


def test_time_limit_holds_with_interpreter_staffing() -> None:
    """Staffing runs inside the limit (``interpreters.staffing_seconds``), not after it."""
    data = generate("chongqing", 1, "scarce")
    parsed = parse_instance(data)
    limit = 1.0
    started = time.monotonic()
    schedule = solve(parsed, time_limit=limit)
    elapsed = time.monotonic() - started
    assert check(data, schedule.to_dict()) == []
    assert schedule.statistics["interpreters"]["meetings"] > 0
    assert elapsed < limit + 0.05
