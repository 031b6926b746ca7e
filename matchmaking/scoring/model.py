"""Inputs of the scoring: participants with their offers, interests and meeting requests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_RANGE = re.compile(r"(?P<low>\d+(?:\.\d+)?)(?:–(?P<high>\d+(?:\.\d+)?))?(?: (?P<unit>.+))?")


def _decimal(value: Decimal | int | float | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True, slots=True)
class SizeRange:
    """A quantity range (order size or supply capacity); ranges compare only within one unit."""

    low: Decimal
    high: Decimal
    unit: str = ""

    def __post_init__(self) -> None:
        low, high = _decimal(self.low), _decimal(self.high)
        if not (low.is_finite() and high.is_finite()) or low < 0 or high < low:
            raise ValueError(f"bad range {low}..{high}: need 0 <= low <= high")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def __str__(self) -> str:
        text = str(self.low) if self.low == self.high else f"{self.low}–{self.high}"
        return f"{text} {self.unit}".strip()

    @classmethod
    def parse(cls, text: str) -> SizeRange:
        """The range ``str()`` wrote, e.g. "0–1506000.00 USD" or "250000 USD"."""
        match = _RANGE.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"not a range: {text!r}")
        low = match["low"]
        return cls(Decimal(low), Decimal(match["high"] or low), match["unit"] or "")


def _check_codes(sector: str, subsector: str | None) -> None:
    if not sector:
        raise ValueError("sector code is empty")
    if subsector is not None and not subsector.startswith(sector + "."):
        raise ValueError(f"sub-sector {subsector!r} is not under sector {sector!r}")


@dataclass(frozen=True, slots=True)
class Offer:
    """What a supplier sells: ``subsector`` is "<sector>.<name>", e.g. "machinery.agricultural"."""

    sector: str
    subsector: str | None = None
    description: str = ""
    capacity: SizeRange | None = None

    def __post_init__(self) -> None:
        _check_codes(self.sector, self.subsector)


@dataclass(frozen=True, slots=True)
class Interest:
    """What a buyer wants to buy, with an optional order size."""

    sector: str
    subsector: str | None = None
    description: str = ""
    order: SizeRange | None = None

    def __post_init__(self) -> None:
        _check_codes(self.sector, self.subsector)


@dataclass(frozen=True, slots=True)
class Participant:
    """A company: it is a buyer through its interests and a supplier through its offers."""

    id: str
    country: str | None = None
    languages: tuple[str, ...] = ()
    interpreter_needed: bool = False
    offers: tuple[Offer, ...] = ()
    interests: tuple[Interest, ...] = ()

    def __post_init__(self) -> None:
        # Lists are accepted for convenience; tuples keep the dataclass immutable.
        object.__setattr__(self, "languages", tuple(code.casefold() for code in self.languages))
        object.__setattr__(self, "offers", tuple(self.offers))
        object.__setattr__(self, "interests", tuple(self.interests))


@dataclass(frozen=True, slots=True)
class Request:
    """A meeting request from one company to another; ``accepted`` makes the pair a must."""

    from_id: str
    to_id: str
    accepted: bool = False
