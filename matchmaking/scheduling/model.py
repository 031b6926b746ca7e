"""Typed form of the scheduling exchange format (``shared/formats/scheduling.md``, version 1).

Pure data: no I/O, no Flask, no SQLAlchemy. Parsing and validation of the JSON form live in
``matchmaking.scheduling.parse``; ``to_dict`` methods give the JSON form back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

INSTANCE_FORMAT = "matchmaking-instance/1"
SCHEDULE_FORMAT = "matchmaking-schedule/1"


@dataclass(frozen=True, slots=True)
class Slot:
    """A time slot; ``day`` is its calendar day in the event's timezone."""

    id: str
    start: datetime
    end: datetime
    day: date


@dataclass(frozen=True, slots=True)
class Zone:
    """A negotiation zone with tables numbered 1..tables."""

    id: str
    name: str
    tables: int


@dataclass(frozen=True, slots=True)
class Company:
    """A participant; ``available`` None means every slot, ``max_meetings`` None means no cap."""

    id: str
    role: str = "both"
    country: str | None = None
    languages: tuple[str, ...] = ()
    available: frozenset[str] | None = None
    max_meetings: int | None = None


@dataclass(frozen=True, slots=True)
class Interpreter:
    """An interpreter between any two of ``languages`` (ISO 639-1); ``available`` and ``zones``
    None mean every slot and every zone, ``max_meetings`` None means no cap."""

    id: str
    languages: frozenset[str]
    available: frozenset[str] | None = None
    zones: frozenset[str] | None = None
    max_meetings: int | None = None


@dataclass(frozen=True, slots=True)
class LanguageNeed:
    """A pair with no common language: its interpreter speaks one of ``buyer`` and one of
    ``supplier``."""

    buyer: tuple[str, ...]
    supplier: tuple[str, ...]

    def served_by(self, interpreter: Interpreter) -> bool:
        """Whether ``interpreter`` speaks one of the buyer's and one of the supplier's languages."""
        spoken = interpreter.languages
        return not spoken.isdisjoint(self.buyer) and not spoken.isdisjoint(self.supplier)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A buyer-supplier pair that may meet in ``zone``; ``slots`` None means any common slot;
    ``interpreter`` None means the pair needs none."""

    buyer: str
    supplier: str
    zone: str
    score: float
    must: bool = False
    slots: frozenset[str] | None = None
    interpreter: LanguageNeed | None = None

    @property
    def pair(self) -> tuple[str, str]:
        return (self.buyer, self.supplier)


@dataclass(frozen=True, slots=True)
class Meeting:
    """One scheduled meeting; ``interpreter`` is the id of its interpreter, if it needs one."""

    buyer: str
    supplier: str
    slot: str
    zone: str
    table: int
    interpreter: str | None = None

    @property
    def pair(self) -> tuple[str, str]:
        return (self.buyer, self.supplier)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "buyer": self.buyer,
            "supplier": self.supplier,
            "slot": self.slot,
            "zone": self.zone,
            "table": self.table,
        }
        if self.interpreter is not None:
            data["interpreter"] = self.interpreter
        return data


@dataclass(frozen=True, slots=True)
class Instance:
    """A whole scheduling problem; ``slots`` are ordered by start."""

    name: str
    timezone: str
    slots: tuple[Slot, ...]
    zones: tuple[Zone, ...]
    companies: tuple[Company, ...]
    candidates: tuple[Candidate, ...]
    fixed: tuple[Meeting, ...] = ()
    interpreters: tuple[Interpreter, ...] = ()


@dataclass(slots=True)
class Schedule:
    """A solver result: the meetings plus free-form statistics and unscheduled pairs."""

    meetings: list[Meeting]
    statistics: dict[str, Any] = field(default_factory=dict)
    unscheduled: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SCHEDULE_FORMAT,
            "meetings": [m.to_dict() for m in self.meetings],
            "statistics": self.statistics,
            "unscheduled": self.unscheduled,
        }
