"""Property tests: random small instances -> solve -> every hard rule holds (independent
checker), fixed meetings unchanged, statistics agree, and on tiny instances the must count
and score match a brute-force optimum."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaking.scheduling import parse_instance, solve

from .builders import slots as make_slots
from .checker import breaks, violations

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instances(draw: st.DrawFn, max_companies: int = 7, max_pairs: int = 12) -> dict[str, Any]:
    """Random valid instances with gaps, caps, candidate slots, several zones and fixed ones."""
    days = draw(st.integers(1, 2))
    slots = make_slots(draw(st.integers(2, 5)), days)
    ids = [s["id"] for s in slots]
    zones = [
        {"id": f"z{i}", "tables": draw(st.integers(1, 3))} for i in range(draw(st.integers(1, 2)))
    ]
    n = draw(st.integers(3, max_companies))
    companies: list[dict[str, Any]] = []
    for i in range(n):
        company: dict[str, Any] = {"id": f"c{i}"}
        if draw(st.integers(0, 3)) == 0:
            company["available"] = draw(st.lists(st.sampled_from(ids), unique=True))
        if draw(st.integers(0, 3)) == 0:
            company["max_meetings"] = draw(st.integers(0, 4))
        companies.append(company)
    all_pairs = list(itertools.combinations(range(n), 2))
    chosen = draw(
        st.lists(
            st.sampled_from(all_pairs),
            unique=True,
            min_size=min(3, len(all_pairs)),
            max_size=min(max_pairs, len(all_pairs)),
        )
    )
    candidates = []
    for a, b in chosen:
        if draw(st.booleans()):
            a, b = b, a
        cand: dict[str, Any] = {
            "buyer": f"c{a}",
            "supplier": f"c{b}",
            "zone": draw(st.sampled_from(zones))["id"],
            "score": draw(st.floats(0.05, 10, allow_nan=False)),
            "must": draw(st.booleans()),
        }
        if draw(st.integers(0, 3)) == 0:
            cand["slots"] = draw(st.lists(st.sampled_from(ids), unique=True, min_size=1))
        candidates.append(cand)
    data: dict[str, Any] = {
        "format": "matchmaking-instance/1",
        "event": {"name": "Random", "timezone": "Asia/Shanghai"},
        "slots": slots,
        "zones": zones,
        "companies": companies,
        "candidates": candidates,
    }
    data["fixed"] = _fixed(data, draw(st.lists(st.integers(0, 50), max_size=4)))
    return data


def _fixed(data: dict[str, Any], picks: list[int]) -> list[dict[str, Any]]:
    """Fixed meetings for some candidates, placed in the first slot that breaks no rule."""
    companies = {c["id"]: c for c in data["companies"]}
    tables = {z["id"]: z["tables"] for z in data["zones"]}
    busy: set[tuple[str, str]] = set()
    used: dict[tuple[str, str], int] = {}
    count: dict[str, int] = {}
    fixed: list[dict[str, Any]] = []
    done: set[int] = set()
    for pick in picks:
        if not data["candidates"]:
            break
        index = pick % len(data["candidates"])
        if index in done:
            continue
        cand = data["candidates"][index]
        pair = (cand["buyer"], cand["supplier"])
        for slot in [s["id"] for s in data["slots"]]:
            if cand.get("slots") is not None and slot not in cand["slots"]:
                continue
            ok = used.get((cand["zone"], slot), 0) < tables[cand["zone"]]
            for cid in pair:
                company = companies[cid]
                ok = ok and (company.get("available") is None or slot in company["available"])
                ok = ok and (cid, slot) not in busy
                cap = company.get("max_meetings")
                ok = ok and (cap is None or count.get(cid, 0) < cap)
            if ok:
                table = used.get((cand["zone"], slot), 0) + 1
                used[cand["zone"], slot] = table
                for cid in pair:
                    busy.add((cid, slot))
                    count[cid] = count.get(cid, 0) + 1
                fixed.append(
                    {"buyer": pair[0], "supplier": pair[1], "slot": slot, "zone": cand["zone"]}
                    | {"table": table}
                )
                done.add(index)
                break
    return fixed


@SETTINGS
@given(instances())
def test_solution_keeps_every_hard_rule(data: dict[str, Any]) -> None:
    schedule = solve(parse_instance(data), time_limit=0.3).to_dict()
    assert violations(data, schedule) == []
    stats = schedule["statistics"]
    assert stats["breaks"] == breaks(data, schedule)
    assert stats["meetings"] == len(schedule["meetings"])
    fixed = [tuple(sorted(f.items())) for f in data["fixed"]]
    meetings = [tuple(sorted(m.items())) for m in schedule["meetings"]]
    assert all(f in meetings for f in fixed)


def _brute_force(data: dict[str, Any]) -> tuple[int, float]:
    """Best (must count, score) over every assignment of candidates to slots or nothing."""
    fixed_pairs = {(f["buyer"], f["supplier"]) for f in data["fixed"]}
    free = [c for c in data["candidates"] if (c["buyer"], c["supplier"]) not in fixed_pairs]
    options = [None, *[s["id"] for s in data["slots"]]]
    best = (-1, -1.0)
    for choice in itertools.product(options, repeat=len(free)):
        meetings = list(data["fixed"])
        per_slot: dict[tuple[str, str], int] = {}
        for f in data["fixed"]:
            per_slot[f["zone"], f["slot"]] = max(
                per_slot.get((f["zone"], f["slot"]), 0), f["table"]
            )
        for cand, slot in zip(free, choice, strict=True):
            if slot is not None:
                key = (cand["zone"], slot)
                per_slot[key] = per_slot.get(key, 0) + 1
                meetings.append(
                    {"buyer": cand["buyer"], "supplier": cand["supplier"], "slot": slot}
                    | {"zone": cand["zone"], "table": per_slot[key]}
                )
        schedule = {"format": "matchmaking-schedule/1", "meetings": meetings}
        if violations(data, schedule):
            continue
        by_pair = {(c["buyer"], c["supplier"]): c for c in data["candidates"]}
        chosen = [by_pair[m["buyer"], m["supplier"]] for m in meetings]
        value = (sum(c["must"] for c in chosen), sum(c["score"] for c in chosen))
        best = max(best, value)
    return best


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_companies=4, max_pairs=4))
def test_tiny_instances_reach_the_optimum(data: dict[str, Any]) -> None:
    schedule = solve(parse_instance(data), time_limit=0.5)
    must, score = _brute_force(data)
    assert schedule.statistics["must_scheduled"] == must
    assert abs(schedule.statistics["score"] - score) <= 1e-3 * max(1.0, score)
