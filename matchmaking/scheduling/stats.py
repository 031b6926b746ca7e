"""Objective figures of a schedule: must pairs, score, breaks and idle slots."""

from __future__ import annotations

from typing import Any

from .model import Instance, Meeting
from .quality import day_positions, gaps

__all__ = ["day_positions", "gaps", "measure"]


def measure(instance: Instance, meetings: list[Meeting]) -> dict[str, Any]:
    """must_scheduled, must_total, score, breaks, idle_slots and meetings of a schedule."""
    by_pair = {c.pair: c for c in instance.candidates}
    chosen = [by_pair[m.pair] for m in meetings]
    breaks, idle = gaps(instance, meetings)
    return {
        "must_scheduled": sum(1 for c in chosen if c.must),
        "must_total": sum(1 for c in instance.candidates if c.must),
        "score": round(sum(c.score for c in chosen), 9),
        "breaks": breaks,
        "idle_slots": idle,
        "meetings": len(meetings),
    }
