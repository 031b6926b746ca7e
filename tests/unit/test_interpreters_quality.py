"""Interpreter figures of the quality report, the generator's pools and the checker's rule 4."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from benchmarks.checker import check
from benchmarks.generate import generate
from matchmaking.scheduling import Meeting, parse_instance
from matchmaking.scheduling.model import LanguageNeed
from matchmaking.scheduling.quality import (
    LanguagePairs,
    interpreter_bound,
    interpreter_figures,
    report,
)

from .scheduling.builders import instance


def needing(pairs: int = 3, cap: int | None = 2, musts: int = 0) -> dict[str, Any]:
    """Pairs (0,1), (2,3)... needing ru-zh; one ru-zh interpreter with ``cap``; 4 slots."""
    data = instance(companies=2 * pairs, pairs=[(2 * i, 2 * i + 1) for i in range(pairs)])
    for i, cand in enumerate(data["candidates"]):
        cand["interpreter"] = {"buyer": ["ru"], "supplier": ["zh"]}
        cand["must"] = i < musts
    person: dict[str, Any] = {"id": "i0", "languages": ["ru", "zh"]}
    if cap is not None:
        person["max_meetings"] = cap
    data["interpreters"] = [person]
    return data


def test_bound_counts_interpreter_slots() -> None:
    assert interpreter_bound(parse_instance(needing(cap=2))).meetings == 2
    assert interpreter_bound(parse_instance(needing(cap=None))).meetings == 3
    data = needing(cap=None)
    data["interpreters"][0]["available"] = ["d1-00"]
    assert interpreter_bound(parse_instance(data)).meetings == 1


def test_bound_keeps_company_caps_and_languages() -> None:
    data = needing(cap=None)
    data["companies"][0]["max_meetings"] = 0
    data["candidates"][1]["interpreter"] = {"buyer": ["kk"], "supplier": ["zh"]}
    bound = interpreter_bound(parse_instance(data))
    assert bound.meetings == 1


def test_must_bounds() -> None:
    bound = interpreter_bound(parse_instance(needing(pairs=3, cap=1, musts=2)))
    assert (bound.meetings, bound.must, bound.must_all) == (1, 1, 1)
    data = needing(pairs=2, cap=None, musts=2)
    data["companies"][0]["max_meetings"] = 1
    data["companies"].append({"id": "c9"})
    data["candidates"].append({"buyer": "c0", "supplier": "c9", "zone": "z", "score": 1.0})
    data["candidates"][-1]["must"] = True
    bound = interpreter_bound(parse_instance(data))
    assert (bound.meetings, bound.must, bound.must_all) == (2, 2, 2)  # c0 meets once


def test_figures_name_the_short_language_pair() -> None:
    parsed = parse_instance(needing(cap=1))
    meetings = [Meeting("c0", "c1", "d1-00", "z", 1, "i0")]
    left = [
        {"buyer": "c2", "supplier": "c3", "reason": "no interpreter free"},
        {"buyer": "c4", "supplier": "c5", "reason": "no room left (companies, caps or tables)"},
    ]
    figures = interpreter_figures(parsed, meetings, left, interpreter_bound(parsed))
    assert figures["scheduled"] == 1 and figures["bound"] == 1
    assert figures["percent_of_bound"] == 100.0
    assert figures["capacity"] == 1 and figures["utilisation"] == 1.0
    assert figures["left_out"] == [{"buyer": "c2", "supplier": "c3", "languages": "ru-zh"}]
    assert figures["short"] == [{"languages": "ru-zh", "scheduled": 1, "short_by": 1}]


def test_without_solver_rows_left_out_pairs_are_found_in_the_schedule() -> None:
    parsed = parse_instance(needing(cap=1))
    meetings = [Meeting("c0", "c1", "d1-00", "z", 1, "i0")]
    figures = interpreter_figures(parsed, meetings)
    assert {row["buyer"] for row in figures["left_out"]} == {"c2", "c4"}
    free = interpreter_figures(parse_instance(needing(cap=3)), meetings)
    assert free["left_out"] == [] and free["short"] == []


def crowded(cap: int | None) -> dict[str, Any]:
    """c0 meets once: c1 (0.9, needs ru-zh) or c2 (0.5, needs none); one ru-zh interpreter
    with ``cap``."""
    data = needing(pairs=1, cap=cap)
    data["companies"].append({"id": "c2"})
    data["companies"][0]["max_meetings"] = 1
    data["candidates"][0]["score"] = 0.9
    data["candidates"].append({"buyer": "c0", "supplier": "c2", "zone": "z", "score": 0.5})
    return data


def test_a_full_company_shows_the_interpreter_shortage() -> None:
    """With no interpreter free, c0 meets c2: the pair it would rather have met, c1, is
    left out for want of an interpreter (not 'no room left'), in the solver's reasons and
    the report, and ru-zh is short by one interpreter-slot."""
    from matchmaking.scheduling.budget import solve_with_report

    schedule, quality = solve_with_report(parse_instance(crowded(cap=0)), None)
    assert [m.pair for m in schedule.meetings] == [("c0", "c2")]
    reasons = {(r["buyer"], r["supplier"]): r["reason"] for r in schedule.unscheduled}
    assert reasons[("c0", "c1")] == "no interpreter free"
    assert schedule.statistics["interpreters"]["left_out"] == 1
    figures = quality["interpreters"]
    assert figures["left_out"] == [{"buyer": "c0", "supplier": "c1", "languages": "ru-zh"}]
    assert figures["short"] == [{"languages": "ru-zh", "scheduled": 0, "short_by": 1}]
    assert set(quality["bound"]) == {"must", "score", "must_upper", "score_upper"}


def test_every_figure_names_the_shortage_even_with_no_time_left() -> None:
    """Out of time, the report drops the bound that shows the shortage; with
    ``every_figure`` (the demo's seeding) the search stops in time and every figure is there."""
    import time

    from matchmaking.scheduling.budget import solve_with_report

    problem = parse_instance(crowded(cap=0))
    _schedule, hurried = solve_with_report(problem, time.monotonic())
    assert "bound" in {row["figure"] for row in hurried["skipped"]}
    assert hurried["bound"] is None
    schedule, quality = solve_with_report(problem, time.monotonic(), every_figure=True)
    assert [m.pair for m in schedule.meetings] == [("c0", "c2")]
    assert "skipped" not in quality and quality["bound"] is not None
    assert quality["interpreters"]["short"] == [
        {"languages": "ru-zh", "scheduled": 0, "short_by": 1}
    ]


def test_a_pair_left_out_while_an_interpreter_was_free_is_not_blamed_on_interpreters() -> None:
    parsed = parse_instance(crowded(cap=None))
    meetings = [Meeting("c0", "c2", "d1-00", "z", 1, None)]
    held = {("c0", "c1")}
    assert interpreter_figures(parsed, meetings, [], None, held)["left_out"] == []
    busy = crowded(cap=None)
    busy["interpreters"][0]["available"] = ["d1-01"]
    busy["companies"][1]["available"] = ["d1-00", "d1-02"]  # c1: never when i0 is free
    figures = interpreter_figures(parse_instance(busy), meetings, [], None, held)
    assert [row["supplier"] for row in figures["left_out"]] == ["c1"]


def test_report_has_an_interpreter_block_only_when_needed() -> None:
    parsed = parse_instance(needing(cap=1))
    block = report(parsed, [Meeting("c0", "c1", "d1-00", "z", 1, "i0")])["interpreters"]
    assert block["scheduled"] == 1 and block["bound"] == 1
    assert "interpreters" not in report(parse_instance(instance()), [])


def test_interpreter_tie_break_figures() -> None:
    data = needing(cap=None)
    data["zones"].append({"id": "y", "name": "Other", "tables": 2})
    data["candidates"][1]["zone"] = "y"
    meetings = [
        Meeting("c0", "c1", "d1-00", "z", 1, "i0"),
        Meeting("c2", "c3", "d1-01", "y", 1, "i0"),
        Meeting("c4", "c5", "d1-03", "z", 1, "i0"),
    ]
    figures = interpreter_figures(parse_instance(data), meetings)
    assert (figures["zone_changes"], figures["breaks"]) == (2, 1)


def test_language_pair_is_the_one_the_pool_speaks() -> None:
    data = needing()
    data["interpreters"] = [{"id": "i0", "languages": ["en", "zh"]}]
    names = LanguagePairs(parse_instance(data))
    assert names.label(LanguageNeed(("ur", "en"), ("zh", "ru"))) == "en-zh"


@pytest.mark.parametrize("pool", ["plentiful", "scarce"])
def test_generated_pools_change_only_interpreter_fields(pool: str) -> None:
    plain, staffed = generate("chongqing", 1), generate("chongqing", 1, pool)
    stripped = copy.deepcopy(staffed)
    del stripped["interpreters"]
    for cand in stripped["candidates"]:
        cand.pop("interpreter", None)
    for meeting in stripped.get("fixed", []):
        meeting.pop("interpreter", None)
    kept = {(m["buyer"], m["supplier"]) for m in stripped.get("fixed", [])}
    plain["fixed"] = [m for m in plain.get("fixed", []) if (m["buyer"], m["supplier"]) in kept]
    assert stripped == plain
    languages = {c["id"]: set(c["languages"]) for c in staffed["companies"]}
    for cand in staffed["candidates"]:
        shared = languages[cand["buyer"]] & languages[cand["supplier"]]
        assert ("interpreter" in cand) == (not shared)
    parse_instance(staffed)


def test_scarce_pool_is_smaller_than_the_plentiful_one() -> None:
    plentiful = generate("chongqing", 2, "plentiful")["interpreters"]
    scarce = generate("chongqing", 2, "scarce")["interpreters"]
    tables = sum(z["tables"] for z in generate("chongqing", 2)["zones"])
    assert len(plentiful) == 2 * tables  # Russian and English for each zone
    assert all("max_meetings" in p for p in scarce)
    assert 0 < sum(p["max_meetings"] for p in scarce) < 21 * len(plentiful) / 10


def staffed_schedule() -> tuple[dict[str, Any], dict[str, Any]]:
    data = needing(pairs=2, cap=None)
    data["interpreters"].append({"id": "i1", "languages": ["en", "zh"]})
    data["companies"].append({"id": "c9"})
    data["candidates"].append({"buyer": "c0", "supplier": "c9", "zone": "z", "score": 1.0})
    meetings = [
        {"buyer": "c0", "supplier": "c1", "slot": "d1-00", "zone": "z", "table": 1},
        {"buyer": "c2", "supplier": "c3", "slot": "d1-01", "zone": "z", "table": 1},
        {"buyer": "c0", "supplier": "c9", "slot": "d1-02", "zone": "z", "table": 1},
    ]
    meetings[0]["interpreter"] = meetings[1]["interpreter"] = "i0"
    return data, {"format": "matchmaking-schedule/1", "meetings": meetings}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d, s: s["meetings"][0].pop("interpreter"), "interpreter-missing"),
        (lambda d, s: s["meetings"][2].update(interpreter="i0"), "interpreter-not-needed"),
        (lambda d, s: s["meetings"][0].update(interpreter="i7"), "interpreter-unknown"),
        (lambda d, s: s["meetings"][0].update(interpreter="i1"), "interpreter-unqualified"),
        (lambda d, s: d["interpreters"][0].update(available=["d1-01"]), "interpreter-unavailable"),
        (lambda d, s: d["interpreters"][0].update(zones=["y"]), "interpreter-wrong-zone"),
        (lambda d, s: d["interpreters"][0].update(max_meetings=1), "interpreter-over-cap"),
        (lambda d, s: s["meetings"][1].update(slot="d1-00", table=2), "interpreter-double-booked"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_checker_finds_each_breach_of_rule_4(change: Any, code: str) -> None:
    data, schedule = staffed_schedule()
    assert check(data, schedule) == []
    change(data, schedule)
    assert {v.split(":")[0] for v in check(data, schedule)} == {code}


def test_interpreter_bound_is_skipped_when_out_of_time() -> None:
    parsed = parse_instance(needing(cap=1))
    block = report(parsed, [Meeting("c0", "c1", "d1-00", "z", 1, "i0")], deadline=0.0)
    assert block["interpreters"]["bound"] is None
    assert block["interpreters"]["utilisation"] == 1.0
    assert "interpreter_bound" in {row["figure"] for row in block["skipped"]}
