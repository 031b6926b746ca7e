"""Small builders of typed instances for the quality tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from matchmaking.scheduling.model import Candidate, Company, Instance, Meeting, Slot, Zone

FIRST_DAY = date(2025, 6, 12)


def slot_id(day: int, index: int) -> str:
    """Id of the index-th slot (0-based) of day ``day`` (1-based)."""
    return f"d{day}s{index}"


def slots(per_day: int = 3, days: int = 1) -> tuple[Slot, ...]:
    """Twenty-minute slots from 09:00 on consecutive days."""
    result = []
    for day in range(1, days + 1):
        calendar = FIRST_DAY + timedelta(days=day - 1)
        for index in range(per_day):
            start = datetime(calendar.year, calendar.month, calendar.day, 9) + timedelta(
                minutes=20 * index
            )
            result.append(Slot(slot_id(day, index), start, start + timedelta(minutes=20), calendar))
    return tuple(result)


def pair(
    buyer: str,
    supplier: str,
    score: float = 1.0,
    must: bool = False,
    zone: str = "z",
    allowed: tuple[str, ...] | None = None,
) -> Candidate:
    """A candidate; ``allowed`` becomes its slot list."""
    return Candidate(
        buyer, supplier, zone, score, must, None if allowed is None else frozenset(allowed)
    )


def instance(
    candidates: list[Candidate],
    *,
    per_day: int = 3,
    days: int = 1,
    tables: dict[str, int] | None = None,
    companies: dict[str, dict[str, Any]] | None = None,
    fixed: tuple[Meeting, ...] = (),
) -> Instance:
    """An instance whose companies are the candidates' ends, with per-company overrides."""
    overrides = companies or {}
    ids = list(dict.fromkeys([c.buyer for c in candidates] + [c.supplier for c in candidates]))
    ids += [company_id for company_id in overrides if company_id not in ids]
    built = []
    for company_id in ids:
        extra = dict(overrides.get(company_id, {}))
        if extra.get("available") is not None:
            extra["available"] = frozenset(extra["available"])
        built.append(Company(company_id, **extra))
    zones = tuple(Zone(zone, zone.upper(), count) for zone, count in (tables or {"z": 5}).items())
    return Instance(
        "test", "Asia/Shanghai", slots(per_day, days), zones, tuple(built), tuple(candidates), fixed
    )
