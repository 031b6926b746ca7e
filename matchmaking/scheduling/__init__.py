"""Pure scheduling core: the exchange format, its validation and the solver."""

from .errors import InstanceError
from .model import Candidate, Company, Instance, Meeting, Schedule, Slot, Zone
from .parse import parse_instance, parse_instance_file
from .solver import solve

__all__ = [
    "Candidate",
    "Company",
    "Instance",
    "InstanceError",
    "Meeting",
    "Schedule",
    "Slot",
    "Zone",
    "parse_instance",
    "parse_instance_file",
    "solve",
]
