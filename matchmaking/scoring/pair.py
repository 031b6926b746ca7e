"""A scored candidate pair for the scheduler; its components and reasons are computed on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .result import Component, Reason, Score
from .score import Match, combine


class MatchSource(Protocol):
    """Where a pair finds, on demand, the match its score was computed from."""

    def match(self, buyer: str, supplier: str) -> Match: ...


@dataclass(frozen=True, slots=True)
class Discount:
    """The diversity discount of a pair: the supplier's ``rank``-th buyer from ``country``."""

    country: str
    rank: int
    factor: float
    weight: float


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """A candidate meeting; ``zone`` is None when no sector of the match maps to a zone.

    ``components`` and ``reasons`` are rebuilt from ``source`` on access (building hundreds of
    thousands of full explanations up front would be slow); ``score`` includes the discount.
    """

    buyer: str
    supplier: str
    zone: str | None
    score: float
    must: bool
    source: MatchSource = field(repr=False, compare=False)
    discount: Discount | None = None

    @property
    def match(self) -> Match:
        """The interest, offer and requests behind the score."""
        return self.source.match(self.buyer, self.supplier)

    def explained(self) -> Score:
        """The pair's score with its components and reasons, the discount included."""
        base = combine(self.match)
        if self.discount is None:
            return base
        d = self.discount
        detail = {"country": d.country, "rank": d.rank, "factor": round(d.factor, 4)}
        component = Component("diversity", d.factor, d.weight, detail)
        reason = Reason("diversity_discount", {"country": d.country, "rank": d.rank})
        return Score(self.score, (*base.components, component), (*base.reasons, reason))

    @property
    def components(self) -> tuple[Component, ...]:
        """The score components; "diversity" is a factor applied to the weighted mean."""
        return self.explained().components

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The facts behind the score, for :func:`explain`."""
        return self.explained().reasons
