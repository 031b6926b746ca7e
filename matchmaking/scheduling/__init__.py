"""Pure scheduling core: the exchange format, its validation and the solver."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import InstanceError
from .model import (
    Candidate,
    Company,
    Instance,
    Interpreter,
    LanguageNeed,
    Meeting,
    Schedule,
    Slot,
    Zone,
)
from .parse import parse_instance, parse_instance_file

if TYPE_CHECKING:
    from .solver import solve

__all__ = [
    "Candidate",
    "Company",
    "Instance",
    "InstanceError",
    "Interpreter",
    "LanguageNeed",
    "Meeting",
    "Schedule",
    "Slot",
    "Zone",
    "parse_instance",
    "parse_instance_file",
    "solve",
]


def __getattr__(name: str) -> object:
    """Load the solver on first use: it imports OR-Tools (about 0.4 s), which the
    ``matchmaking`` command line needs only for ``matchmaking solve``, inside its time limit."""
    if name == "solve":
        from .solver import solve

        return solve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
