"""Small instance builders for the scheduling tests (JSON form)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

DAY1 = datetime(2025, 6, 12, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def slots(per_day: int, days: int = 1) -> list[dict[str, Any]]:
    """``per_day`` consecutive 20-minute slots on each of ``days`` days."""
    out = []
    for d in range(days):
        for i in range(per_day):
            start = DAY1 + timedelta(days=d, minutes=20 * i)
            out.append(
                {
                    "id": f"d{d + 1}-{i:02d}",
                    "start": start.isoformat(),
                    "end": (start + timedelta(minutes=20)).isoformat(),
                }
            )
    return out


def instance(
    companies: int = 4,
    pairs: list[tuple[int, int]] | None = None,
    per_day: int = 4,
    days: int = 1,
    tables: int = 2,
) -> dict[str, Any]:
    """Companies c0..c{n-1}, candidate pairs (i, j) with score 1 in zone 'z'."""
    pairs = [(0, 1), (2, 3), (0, 3)] if pairs is None else pairs
    return {
        "format": "matchmaking-instance/1",
        "event": {"name": "Test", "timezone": "Asia/Shanghai"},
        "slots": slots(per_day, days),
        "zones": [{"id": "z", "name": "Zone", "tables": tables}],
        "companies": [{"id": f"c{i}", "role": "both"} for i in range(companies)],
        "candidates": [
            {"buyer": f"c{a}", "supplier": f"c{b}", "zone": "z", "score": 1.0} for a, b in pairs
        ],
    }


def changed(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``data`` with ``path`` (dots and [i]) set to value, or deleted if DELETE."""
    data = copy.deepcopy(data)
    keys: list[Any] = []
    for part in path.replace("]", "").split("."):
        name, *indices = part.split("[")
        if name:
            keys.append(name)
        keys += [int(i) for i in indices]
    target = data
    for key in keys[:-1]:
        target = target[key]
    if value is DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return data


DELETE = object()


def random_small(
    rng: Any,
    max_slots: int,
    max_pairs: int,
    tables: int | tuple[int, ...],
    gaps: float,
    keep: float,
) -> dict[str, Any]:
    """A random one-day instance for brute-force comparisons: 4-6 companies, 4..max_slots
    slots, 4..max_pairs pairs, ``tables`` (or one of them, drawn), and each company, with
    probability ``gaps``, available in each slot with probability ``keep``."""
    n, per_day = rng.randint(4, 6), rng.randint(4, max_slots)
    all_pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    data = instance(
        companies=n,
        pairs=rng.sample(all_pairs, min(len(all_pairs), rng.randint(4, max_pairs))),
        per_day=per_day,
        tables=tables if isinstance(tables, int) else rng.choice(tables),
    )
    for i in range(n):
        if rng.random() < gaps:
            ids = [s["id"] for s in data["slots"] if rng.random() < keep]
            data = changed(data, f"companies[{i}].available", ids)
    return data
