"""Outputs of the scoring: a score with its components and the reasons behind it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Eligible pairs never score 0: the scheduler's candidates need a positive score.
FLOOR = 0.01


@dataclass(frozen=True, slots=True)
class Component:
    """One term of the score: ``value`` in [0, 1] (a factor for "diversity"), and why."""

    name: str
    value: float
    weight: float
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reason:
    """A fact that explains a match, e.g. Reason("common_language", {"language": "ru"})."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Score:
    """The score of one interest-offer match, in [FLOOR, 1]."""

    value: float
    components: tuple[Component, ...]
    reasons: tuple[Reason, ...]


def clamp(value: float) -> float:
    """Bound a score to [FLOOR, 1]."""
    return min(1.0, max(FLOOR, value))
