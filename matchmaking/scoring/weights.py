"""Per-event weights of the score components."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

COMPONENTS = ("sector", "text", "request", "language", "capacity")


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the additive components, plus the diversity discount per repeated country."""

    sector: float = 0.35
    text: float = 0.25
    request: float = 0.20
    language: float = 0.12
    capacity: float = 0.08
    # A supplier's buyers from one country beyond ``same_country_free`` each lose this share.
    # That count is read with int(): stored weights are JSON numbers, like the others.
    diversity: float = 0.15
    same_country_free: float = 2
    # Candidate pruning (scoring.prune): each company keeps its best max(floor, per_meeting x
    # its meeting cap) pairs; candidates_per_meeting 0 keeps every pair.
    candidates_per_meeting: float = 4
    candidates_floor: float = 20
    _total: float = field(default=0.0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            if not f.init:
                continue
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"weight {f.name} must be a number, not {value!r}")
            if not value >= 0:  # also rejects NaN
                raise ValueError(f"weight {f.name} must be non-negative, not {value!r}")
        # Cached: the candidate builder divides by it once per pair.
        object.__setattr__(self, "_total", sum(float(getattr(self, n)) for n in COMPONENTS))
        if self.total() == 0:
            raise ValueError("at least one component weight must be positive")
        if not self.diversity < 1:
            raise ValueError("diversity must be below 1")
        if self.total() == float("inf"):
            raise ValueError("weights must be finite")

    def of(self, component: str) -> float:
        """The weight of one additive component."""
        return float(getattr(self, component))

    def total(self) -> float:
        """The sum of the additive component weights."""
        return self._total
