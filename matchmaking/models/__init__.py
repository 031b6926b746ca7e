"""SQLAlchemy models, one module per aggregate."""

from matchmaking.models.company import Availability, Company, Offering, Participation
from matchmaking.models.deal import (
    ApiToken,
    ExchangeRate,
    Memorandum,
    Outcome,
    OutcomeChange,
    TallySettings,
    TallySnapshot,
    TallySnapshotGroup,
)
from matchmaking.models.event import (
    Event,
    EventBreak,
    EventDay,
    Sector,
    Slot,
    Zone,
    event_organisers,
    zone_sectors,
)
from matchmaking.models.notification import CalendarFeed, SentMessage
from matchmaking.models.request import MeetingRequest
from matchmaking.models.schedule import (
    Meeting,
    MeetingChange,
    MeetingSeat,
    RescheduleProposal,
    ScheduleVersion,
)
from matchmaking.models.user import User

__all__ = [
    "ApiToken",
    "Availability",
    "CalendarFeed",
    "Company",
    "Event",
    "EventBreak",
    "EventDay",
    "ExchangeRate",
    "Meeting",
    "MeetingChange",
    "MeetingRequest",
    "MeetingSeat",
    "Memorandum",
    "Offering",
    "Outcome",
    "OutcomeChange",
    "Participation",
    "RescheduleProposal",
    "ScheduleVersion",
    "Sector",
    "SentMessage",
    "Slot",
    "TallySettings",
    "TallySnapshot",
    "TallySnapshotGroup",
    "User",
    "Zone",
    "event_organisers",
    "zone_sectors",
]
