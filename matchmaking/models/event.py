"""The event aggregate: an event, its sector taxonomy, zones and slot grid."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, one_of, utcnow
from matchmaking.models.user import Role

if TYPE_CHECKING:
    from matchmaking.models.company import Participation
    from matchmaking.models.user import User


def _language(locale: str | None) -> str:
    """The language code of ``locale`` ("zh" of "zh_Hans"), by default the reader's ("" with
    no application context: the organisers' own wording)."""
    if locale is None:
        from flask_babel import get_locale

        try:
            current = get_locale()
        except RuntimeError:
            current = None
        locale = str(current) if current else ""
    return locale.split("_")[0]


class EventStatus(StrEnum):
    """Where an event stands; ``services.event_status`` says which moves are allowed."""

    DRAFT = "draft"  # being set up, not visible to companies
    OPEN = "open"  # registration open until the deadline
    CLOSED = "closed"  # registration closed; scheduling and the event itself
    ARCHIVED = "archived"  # over, read only


EVENT_STATUSES = tuple(EventStatus)

zone_sectors = Table(
    "zone_sectors",
    db.metadata,
    Column("zone_id", ForeignKey("zones.id", ondelete="CASCADE"), primary_key=True),
    Column("sector_id", ForeignKey("sectors.id", ondelete="CASCADE"), primary_key=True),
)

# Which organisers manage which event (administrators manage all without a row here).
# The composite primary key makes each assignment unique.
event_organisers = Table(
    "event_organisers",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Event(db.Model):  # type: ignore[name-defined,misc]
    """A conference or forum; everything else is scoped to one event."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint(one_of("status", EventStatus), name="status_known"),
        CheckConstraint("default_max_meetings > 0", name="max_meetings_positive"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_minutes_sane"),
        CheckConstraint("open_request_cap > 0", name="open_request_cap_positive"),
        CheckConstraint("request_expiry_hours > 0", name="request_expiry_positive"),
        CheckConstraint("reminder_evening_hour BETWEEN 0 AND 23", name="evening_hour_sane"),
        CheckConstraint("reminder_minutes_before >= 0", name="minutes_before_non_negative"),
        CheckConstraint("summary_hour BETWEEN 0 AND 23", name="summary_hour_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    registration_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.DRAFT)
    description: Mapped[str] = mapped_column(Text, default="")
    # Name, venue and description in other languages: {"zh": {"name": ...}, "ru": {...}}; the
    # columns above hold the organisers' own wording, shown where no translation is given.
    translations: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON)
    default_max_meetings: Mapped[int] = mapped_column(Integer, default=12)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    open_request_cap: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    request_expiry_hours: Mapped[int] = mapped_column(Integer, default=72, server_default="72")
    # Reminders, in the event's timezone: the evening before each day, and before each meeting
    # (0 minutes: no per-meeting reminder); the organisers' daily summary at summary_hour.
    reminder_evening_hour: Mapped[int] = mapped_column(Integer, default=18, server_default="18")
    reminder_minutes_before: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    summary_hour: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    scoring_weights: Mapped[dict[str, float] | None] = mapped_column(JSON)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sectors: Mapped[list[Sector]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Sector.position"
    )
    zones: Mapped[list[Zone]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Zone.position"
    )
    slots: Mapped[list[Slot]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Slot.starts_at"
    )
    schedule_days: Mapped[list[EventDay]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventDay.day"
    )
    breaks: Mapped[list[EventBreak]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="(EventBreak.day, EventBreak.start_time)",
    )
    participations: Mapped[list[Participation]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )
    organisers: Mapped[list[User]] = relationship(secondary=event_organisers, order_by="User.email")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    TRANSLATED = ("name", "venue", "city", "description")

    def text(self, field: str, locale: str | None = None) -> str:
        """``field`` (name, venue, city, description) in ``locale`` (default: the reader's)."""
        language = _language(locale)
        given = ((self.translations or {}).get(language) or {}).get(field)
        return given or str(getattr(self, field) or "")

    @property
    def display_name(self) -> str:
        return self.text("name")

    @property
    def display_venue(self) -> str:
        return self.text("venue")

    @property
    def display_city(self) -> str:
        return self.text("city")

    @property
    def display_description(self) -> str:
        return self.text("description")

    @property
    def days(self) -> list[date]:
        return [
            date.fromordinal(o)
            for o in range(self.start_date.toordinal(), self.end_date.toordinal() + 1)
        ]

    def managed_by(self, user: User) -> bool:
        """Administrators manage every event; organisers the events assigned to them."""
        if user.role == Role.ADMIN:
            return True
        return user.role == Role.ORGANISER and any(o.id == user.id for o in self.organisers)

    def registration_open(self, now: datetime) -> bool:
        """Companies may register and edit until the deadline while the event is open."""
        return self.status == EventStatus.OPEN and now < self.registration_deadline

    def top_sectors(self) -> list[Sector]:
        return [s for s in self.sectors if s.parent_id is None]


class Sector(db.Model):  # type: ignore[name-defined,misc]
    """A node of the event's two-level sector taxonomy."""

    __tablename__ = "sectors"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="sectors")
    parent: Mapped[Sector | None] = relationship(remote_side="Sector.id", back_populates="children")
    children: Mapped[list[Sector]] = relationship(
        back_populates="parent", order_by="Sector.position"
    )


class Zone(db.Model):  # type: ignore[name-defined,misc]
    """A negotiation zone with its tables and the sectors it hosts."""

    __tablename__ = "zones"
    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        CheckConstraint("tables > 0", name="tables_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    # The name per language, {"zh": ..., "ru": ...}: participants read the zone's name in their
    # own language where one is given, else ``name`` (``zone_name``).
    translations: Mapped[dict[str, str] | None] = mapped_column(JSON)
    tables: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="zones")
    sectors: Mapped[list[Sector]] = relationship(secondary=zone_sectors)

    @property
    def display_name(self) -> str:
        """The zone's name in the reader's language."""
        return zone_name(self.name, self.translations)


def zone_name(name: str, translations: dict[str, str] | None) -> str:
    """A zone's name in the reader's language from its stored ``name`` and ``translations``
    (for queries that read the two columns without the zone): the translation given, else
    ``name`` through the catalogue, which holds the default zones' English names."""
    given = (translations or {}).get(_language(None))
    if given:
        return given
    from flask_babel import gettext

    try:
        return str(gettext(name))
    except RuntimeError:  # no application context: the organisers' own wording
        return name


class Slot(db.Model):  # type: ignore[name-defined,misc]
    """A meeting slot of the event's grid, stored in UTC."""

    __tablename__ = "slots"
    __table_args__ = (
        # One active slot per start time; a retired slot (kept for the cancelled meetings that
        # point at it) may share its start with a slot of a new grid (another slot length).
        Index(
            "uq_slots_active_start",
            "event_id",
            "starts_at",
            unique=True,
            sqlite_where=text("retired = 0"),
            postgresql_where=text("NOT retired"),
        ),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A slot removed from the grid is retired, not deleted: cancelled meetings keep pointing at it.
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    event: Mapped[Event] = relationship(back_populates="slots")

    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.event.tz)

    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.event.tz)


class EventDay(db.Model):  # type: ignore[name-defined,misc]
    """Meeting hours of one event day, in the event's timezone."""

    __tablename__ = "event_days"
    __table_args__ = (
        UniqueConstraint("event_id", "day"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)

    event: Mapped[Event] = relationship(back_populates="schedule_days")


class EventBreak(db.Model):  # type: ignore[name-defined,misc]
    """A break that blocks everyone (lunch, plenary session), in the event's timezone."""

    __tablename__ = "event_breaks"
    __table_args__ = (CheckConstraint("end_time > start_time", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    label: Mapped[str] = mapped_column(String(120), default="")

    event: Mapped[Event] = relationship(back_populates="breaks")
