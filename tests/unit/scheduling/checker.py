"""An independent checker of the hard rules, written from scheduling.md (no solver code)."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


def violations(instance: dict[str, Any], schedule: dict[str, Any]) -> list[str]:
    """Every hard-rule violation of ``schedule`` for ``instance`` (both in JSON form)."""
    problems: list[str] = []
    if schedule.get("format") != "matchmaking-schedule/1":
        problems.append("bad format")
    slots = {s["id"] for s in instance["slots"]}
    tables = {z["id"]: z["tables"] for z in instance["zones"]}
    companies = {c["id"]: c for c in instance["companies"]}
    candidates = {(c["buyer"], c["supplier"]): c for c in instance["candidates"]}
    pairs: Counter[frozenset[str]] = Counter()
    seats: Counter[tuple[str, str]] = Counter()
    used: Counter[tuple[str, str, int]] = Counter()
    count: Counter[str] = Counter()
    for m in schedule["meetings"]:
        cand = candidates.get((m["buyer"], m["supplier"]))
        if cand is None:
            problems.append(f"not a candidate: {m}")
            continue
        if m["slot"] not in slots:
            problems.append(f"unknown slot: {m}")
        if m["zone"] != cand["zone"]:
            problems.append(f"wrong zone: {m}")
        if cand.get("slots") is not None and m["slot"] not in cand["slots"]:
            problems.append(f"slot not allowed for pair: {m}")
        pairs[frozenset((m["buyer"], m["supplier"]))] += 1
        for cid in (m["buyer"], m["supplier"]):
            seats[cid, m["slot"]] += 1
            count[cid] += 1
            available = companies[cid].get("available")
            if available is not None and m["slot"] not in available:
                problems.append(f"{cid} not available: {m}")
        table = m["table"]
        if not isinstance(table, int) or isinstance(table, bool):
            problems.append(f"table not an int: {m}")
        elif not 1 <= table <= tables[m["zone"]]:
            problems.append(f"table out of range: {m}")
        used[m["zone"], m["slot"], table] += 1
    problems += [f"pair meets twice: {sorted(p)}" for p, n in pairs.items() if n > 1]
    problems += [f"{c} twice in slot {s}" for (c, s), n in seats.items() if n > 1]
    problems += [f"table used twice: {k}" for k, n in used.items() if n > 1]
    for cid, n in count.items():
        cap = companies[cid].get("max_meetings")
        if cap is not None and n > cap:
            problems.append(f"{cid} has {n} meetings > max_meetings {cap}")
    scheduled = {
        (m["buyer"], m["supplier"], m["slot"], m["zone"], m["table"]) for m in schedule["meetings"]
    }
    for f in instance.get("fixed", []):
        if (f["buyer"], f["supplier"], f["slot"], f["zone"], f["table"]) not in scheduled:
            problems.append(f"fixed meeting missing or changed: {f}")
    return problems


def breaks(instance: dict[str, Any], schedule: dict[str, Any]) -> int:
    """Idle gaps between consecutive meetings, per company and day (Bofill et al.)."""
    zone = ZoneInfo(instance["event"]["timezone"])
    position: dict[str, tuple[object, int]] = {}
    per_day: Counter[object] = Counter()
    for s in instance["slots"]:
        day = datetime.fromisoformat(s["start"]).astimezone(zone).date()
        position[s["id"]] = (day, per_day[day])
        per_day[day] += 1
    busy: dict[tuple[str, object], list[int]] = defaultdict(list)
    for m in schedule["meetings"]:
        day, pos = position[m["slot"]]
        busy[m["buyer"], day].append(pos)
        busy[m["supplier"], day].append(pos)
    total = 0
    for positions in busy.values():
        positions.sort()
        total += sum(1 for a, b in itertools.pairwise(positions) if b - a > 1)
    return total
