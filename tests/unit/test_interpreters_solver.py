"""The solver with interpreters: hard rule 4 on random instances (independent checker), scarce
interpreters to must pairs first then to the highest scores, reasons for pairs left out, and
the tie-break keeping an interpreter in one zone without idle gaps."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.checker import check
from matchmaking.scheduling import parse_instance, solve
from matchmaking.scheduling.interpreters import NO_INTERPRETER, NO_INTERPRETER_FREE, staff
from matchmaking.scheduling.problem import build_problem

from .scheduling.builders import instance
from .scheduling.checker import violations
from .scheduling.test_properties import instances

LANGUAGES = ("zh", "ru", "en")


@st.composite
def with_interpreters(draw: st.DrawFn) -> dict[str, Any]:
    """A random instance (``test_properties.instances``) whose companies speak one or two of
    three languages, with interpreter needs for pairs sharing none and 0-4 interpreters with
    random languages, slots, zones and caps; fixed meetings needing an interpreter get the
    first one free that may serve them, or are no longer fixed."""
    data = draw(instances())
    slot_ids = [s["id"] for s in data["slots"]]
    spoken = {
        c["id"]: draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True))
        for c in data["companies"]
    }
    for cand in data["candidates"]:
        buyer, supplier = spoken[cand["buyer"]], spoken[cand["supplier"]]
        if not set(buyer) & set(supplier):
            cand["interpreter"] = {"buyer": buyer, "supplier": supplier}
    people = []
    for i in range(draw(st.integers(0, 4))):  # none: every need is left out
        person: dict[str, Any] = {
            "id": f"i{i}",
            "languages": draw(st.lists(st.sampled_from(LANGUAGES), min_size=2, unique=True)),
        }
        if draw(st.booleans()):
            person["available"] = draw(st.lists(st.sampled_from(slot_ids), min_size=1, unique=True))
        if draw(st.booleans()):
            zones = [z["id"] for z in data["zones"]]
            person["zones"] = draw(st.lists(st.sampled_from(zones), min_size=1, unique=True))
        if draw(st.integers(0, 3)) == 0:
            person["max_meetings"] = draw(st.integers(0, 3))
        people.append(person)
    data["interpreters"] = people
    data["fixed"] = _staff_fixed(data)
    return data


def _staff_fixed(data: dict[str, Any]) -> list[dict[str, Any]]:
    needs = {(c["buyer"], c["supplier"]): c.get("interpreter") for c in data["candidates"]}
    busy: set[tuple[str, str]] = set()
    count: dict[str, int] = {}
    kept = []
    for meeting in data["fixed"]:
        need = needs[meeting["buyer"], meeting["supplier"]]
        if need is not None:
            for person in data["interpreters"]:
                ok = set(person["languages"]) & set(need["buyer"]) and set(
                    person["languages"]
                ) & set(need["supplier"])
                ok = ok and meeting["slot"] in person.get("available", [meeting["slot"]])
                ok = ok and meeting["zone"] in person.get("zones", [meeting["zone"]])
                ok = ok and (person["id"], meeting["slot"]) not in busy
                ok = ok and count.get(person["id"], 0) < person.get("max_meetings", 99)
                if ok:
                    meeting = meeting | {"interpreter": person["id"]}
                    busy.add((person["id"], meeting["slot"]))
                    count[person["id"]] = count.get(person["id"], 0) + 1
                    break
            else:
                continue
        kept.append(meeting)
    return kept


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_interpreters())
def test_every_schedule_keeps_hard_rule_4(data: dict[str, Any]) -> None:
    schedule = solve(parse_instance(data), time_limit=0.3).to_dict()
    assert check(data, schedule) == []
    assert violations(data, schedule) == []
    for fixed in data["fixed"]:
        assert fixed in schedule["meetings"]
    scheduled = {(m["buyer"], m["supplier"]) for m in schedule["meetings"]}
    reasons = {(r["buyer"], r["supplier"]): r["reason"] for r in schedule["unscheduled"]}
    for cand in data["candidates"]:
        pair = (cand["buyer"], cand["supplier"])
        assert (pair in scheduled) != (pair in reasons)


def one_slot(scores: list[float], musts: list[bool], interpreters: int) -> dict[str, Any]:
    """Pairs (0,1), (2,3)... all needing a ru-zh interpreter, in one slot with ample tables."""
    n = len(scores)
    data = instance(companies=2 * n, pairs=[(2 * i, 2 * i + 1) for i in range(n)], per_day=1)
    data["zones"][0]["tables"] = n
    for cand, score, must in zip(data["candidates"], scores, musts, strict=True):
        cand.update(score=score, must=must, interpreter={"buyer": ["ru"], "supplier": ["zh"]})
    data["interpreters"] = [{"id": f"i{i}", "languages": ["zh", "ru"]} for i in range(interpreters)]
    return data


def _served(schedule: dict[str, Any]) -> dict[str, str]:
    return {m["buyer"]: m["interpreter"] for m in schedule["meetings"]}


def test_scarce_interpreter_goes_to_the_must_pair_first() -> None:
    data = one_slot([5.0, 0.2, 3.0], [False, True, False], interpreters=1)
    schedule = solve(parse_instance(data), time_limit=1).to_dict()
    assert check(data, schedule) == []
    assert _served(schedule) == {"c2": "i0"}
    reasons = {r["buyer"]: r["reason"] for r in schedule["unscheduled"]}
    assert reasons == {"c0": NO_INTERPRETER_FREE, "c4": NO_INTERPRETER_FREE}


def test_then_to_the_highest_scores() -> None:
    data = one_slot([1.0, 4.0, 3.0], [False, False, False], interpreters=2)
    schedule = solve(parse_instance(data), time_limit=1).to_dict()
    assert sorted(_served(schedule)) == ["c2", "c4"]
    assert schedule["statistics"]["interpreters"]["left_out"] == 1


def test_pair_no_interpreter_speaks_for_is_left_out_with_its_reason() -> None:
    data = one_slot([1.0, 2.0], [True, False], interpreters=1)
    data["candidates"][0]["interpreter"] = {"buyer": ["kk"], "supplier": ["zh"]}
    schedule = solve(parse_instance(data), time_limit=1).to_dict()
    assert _served(schedule) == {"c2": "i0"}
    assert schedule["unscheduled"][0]["reason"] == NO_INTERPRETER


def test_meeting_moves_to_the_slot_its_interpreter_works() -> None:
    data = instance(companies=2, pairs=[(0, 1)], per_day=4) | {
        "interpreters": [{"id": "i0", "languages": ["zh", "ru"], "available": ["d1-03"]}]
    }
    data["candidates"][0]["interpreter"] = {"buyer": ["ru"], "supplier": ["zh"]}
    schedule = solve(parse_instance(data), time_limit=1).to_dict()
    assert [(m["slot"], m["interpreter"]) for m in schedule["meetings"]] == [("d1-03", "i0")]


def test_meeting_without_need_has_no_interpreter() -> None:
    data = one_slot([1.0, 1.0], [False, False], interpreters=2)
    del data["candidates"][1]["interpreter"]
    schedule = solve(parse_instance(data), time_limit=1).to_dict()
    by_buyer = {m["buyer"]: m for m in schedule["meetings"]}
    assert "interpreter" in by_buyer["c0"] and "interpreter" not in by_buyer["c2"]


def test_interpreters_stay_in_one_zone_without_gaps() -> None:
    """Zone z holds c0's meetings, zone y c1's, in slots 0-2; both interpreters serve both
    zones, so the tie-break gives each interpreter one zone's three meetings."""
    data = instance(companies=8, pairs=[(0, 2), (0, 3), (0, 4), (1, 5), (1, 6), (1, 7)])
    data["slots"] = data["slots"][:3]
    data["zones"].append({"id": "y", "name": "Other", "tables": 1})
    data["zones"][0]["tables"] = 1
    for i, cand in enumerate(data["candidates"]):
        cand["zone"] = "z" if i < 3 else "y"
        cand["interpreter"] = {"buyer": ["ru"], "supplier": ["zh"]}
    data["interpreters"] = [{"id": f"i{i}", "languages": ["zh", "ru"]} for i in range(2)]
    schedule = solve(parse_instance(data), time_limit=1).to_dict()
    assert check(data, schedule) == [] and len(schedule["meetings"]) == 6
    zones = {m["interpreter"]: set() for m in schedule["meetings"]}
    for m in schedule["meetings"]:
        zones[m["interpreter"]].add(m["zone"])
    assert sorted(map(sorted, zones.values())) == [["y"], ["z"]]
    figures = schedule["statistics"]["interpreters"]
    assert (figures["zone_changes"], figures["breaks"]) == (0, 0)


def _staff(data: dict[str, Any], placed: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Run ``staff`` on the given slots (buyer -> slot id; others unplaced) and return the
    schedule it leads to (tables numbered in order) and supplier -> interpreter ("-": none)."""
    parsed = parse_instance(data)
    problem = build_problem(parsed)
    index = {s.id: t for t, s in enumerate(parsed.slots)}
    slots = [
        index[placed[parsed.candidates[p.index].buyer]]
        if parsed.candidates[p.index].buyer in placed
        else -1
        for p in problem.pairs
    ]
    found, staffing = staff(problem, slots, time.monotonic() + 1)
    meetings = []
    for pair, t in zip(problem.pairs, found, strict=True):
        if t >= 0:
            cand = parsed.candidates[pair.index]
            meeting = {"buyer": cand.buyer, "supplier": cand.supplier, "zone": cand.zone}
            meeting |= {"slot": parsed.slots[t].id, "table": len(meetings) + 1}
            if cand.pair in staffing.interpreter_of:
                meeting["interpreter"] = staffing.interpreter_of[cand.pair]
            meetings.append(meeting)
    schedule = {"format": "matchmaking-schedule/1", "meetings": meetings}
    assert check(data, schedule) == []
    return schedule, {m["supplier"]: m.get("interpreter", "-") for m in meetings}


def _pairs_world(pairs: list[tuple[int, int, bool]], per_day: int) -> dict[str, Any]:
    """Companies c0..c9, pairs (buyer, supplier, must) needing ru-zh, score 1 (must ones 0.1)."""
    data = instance(companies=10, pairs=[(a, b) for a, b, _ in pairs], per_day=per_day)
    data["zones"][0]["tables"] = 5
    for cand, (_, _, must) in zip(data["candidates"], pairs, strict=True):
        cand.update(must=must, score=0.1 if must else 1.0)
        cand["interpreter"] = {"buyer": ["ru"], "supplier": ["zh"]}
    return data


def test_must_pair_takes_the_slot_and_interpreter_of_non_must_meetings() -> None:
    """B (c2-c3, must) cannot be served where it is (d1-00: i0 works only in d1-01); in
    d1-01 its company c2 meets C and i0 interprets for A: both non-must, both give way."""
    data = _pairs_world([(0, 1, False), (2, 3, True), (2, 4, False)], per_day=2)
    del data["candidates"][2]["interpreter"]
    data["interpreters"] = [
        {"id": "i0", "languages": ["ru", "zh"], "available": ["d1-01"], "max_meetings": 1}
    ]
    _, served = _staff(data, {"c0": "d1-01", "c2": "d1-00"})
    assert served["c3"] == "i0" and "c1" not in served


def test_must_pair_is_served_through_a_chain_of_hand_overs() -> None:
    """B (c4-c5, must, Russian) needs i0, busy with M (must, English) in d1-00; i1 could
    take M but is at its cap with N (non-must): N gives way, M goes to i1, B to i0."""
    data = _pairs_world([(0, 1, True), (2, 3, False), (4, 5, True)], per_day=3)
    for cand in data["candidates"][:2]:
        cand["interpreter"] = {"buyer": ["en"], "supplier": ["zh"]}
    for i in (4, 5):
        data["companies"][i]["available"] = ["d1-00", "d1-02"]
    data["interpreters"] = [
        {"id": "i0", "languages": ["ru", "zh", "en"], "available": ["d1-00", "d1-01"]}
        | {"max_meetings": 1},
        {"id": "i1", "languages": ["en", "zh"], "available": ["d1-00", "d1-01"]}
        | {"max_meetings": 1},
    ]
    _, served = _staff(data, {"c0": "d1-00", "c2": "d1-01", "c4": "d1-02"})
    assert served == {"c1": "i1", "c5": "i0"}
