"""Organisers set up an event: days and hours, breaks, slot length, zones, caps and weights.

Changing the slot grid never drops a meeting silently: ``apply_setup`` refuses with the list
of meetings in slots that would disappear, unless the organiser confirms; then those meetings
are cancelled with a recorded change and their slots retired.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking import scoring
from matchmaking.errors import DomainError, InvalidInput, NotAllowed
from matchmaking.models import (
    Event,
    EventBreak,
    EventDay,
    Meeting,
    Slot,
    User,
    Zone,
)
from matchmaking.models.event import EventStatus
from matchmaking.models.schedule import MeetingStatus, VersionStatus
from matchmaking.models.user import Role
from matchmaking.scoring.weights import COMPONENTS
from matchmaking.services.schedule_edits import cancel_meeting
from matchmaking.services.taxonomy import install_default_taxonomy


@dataclass(frozen=True)
class DayInput:
    day: date
    start: time
    end: time


@dataclass(frozen=True)
class BreakInput:
    day: date
    start: time
    end: time
    label: str = ""


@dataclass(frozen=True)
class ZoneInput:
    code: str
    name: str
    tables: int
    sector_ids: tuple[int, ...] = ()
    # The name in other languages, by language code; empty ones are dropped.
    translations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SetupInput:
    """Everything the set-up form edits."""

    registration_deadline: datetime
    slot_minutes: int
    default_max_meetings: int
    open_request_cap: int
    request_expiry_hours: int
    days: tuple[DayInput, ...]
    breaks: tuple[BreakInput, ...] = ()
    zones: tuple[ZoneInput, ...] = ()
    weights: dict[str, float] = field(default_factory=dict)


class GridWouldDropMeetings(DomainError):
    """The new grid removes slots that hold meetings; the organiser must confirm."""

    status = 409

    def __init__(self, meetings: list[Meeting]) -> None:
        super().__init__(
            ngettext(
                "%(num)d meeting is in a slot the new grid removes.",
                "%(num)d meetings are in slots the new grid removes.",
                len(meetings),
            ),
            field="confirm_drop",
        )
        self.meetings = meetings


def plan_grid(
    tz: str, days: tuple[DayInput, ...], breaks: tuple[BreakInput, ...], minutes: int
) -> list[tuple[datetime, datetime]]:
    """Slots (UTC start, end) filling each day's hours, skipping any that touch a break."""
    zone = ZoneInfo(tz)
    result = []
    for day in sorted(days, key=lambda d: d.day):
        cursor = datetime.combine(day.day, day.start, tzinfo=zone)
        stop = datetime.combine(day.day, day.end, tzinfo=zone)
        day_breaks = [
            (
                datetime.combine(b.day, b.start, tzinfo=zone),
                datetime.combine(b.day, b.end, tzinfo=zone),
            )
            for b in breaks
            if b.day == day.day
        ]
        while cursor + timedelta(minutes=minutes) <= stop:
            end = cursor + timedelta(minutes=minutes)
            clash = next((b for b in day_breaks if cursor < b[1] and b[0] < end), None)
            if clash is not None:
                cursor = max(cursor + timedelta(minutes=minutes), clash[1])
                continue
            result.append((cursor.astimezone(UTC), end.astimezone(UTC)))
            cursor = end
    return result


def meetings_dropped_by(
    session: Session, event: Event, grid: list[tuple[datetime, datetime]]
) -> list[Meeting]:
    """Scheduled meetings (drafts and published) whose slot is not in ``grid``."""
    keep = set(grid)
    return [
        m
        for m in session.scalars(
            select(Meeting)
            .join(Meeting.slot)
            .where(
                Meeting.event_id == event.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Slot.retired.is_(False),
            )
        )
        if (m.slot.starts_at, m.slot.ends_at) not in keep
        and m.version.status in (VersionStatus.DRAFT, VersionStatus.PUBLISHED)
    ]


def grid_changed(event: Event, data: SetupInput) -> bool:
    """Whether the set-up changes the slot grid: its days, hours, breaks or slot length.

    When none of these change, saving never touches slots or meetings, even where the stored
    grid was built some other way (an imported or older event whose breaks were not recorded).
    """
    if not event.slots:
        return True
    days = {(d.day, d.start_time, d.end_time) for d in event.schedule_days}
    breaks = {(b.day, b.start_time, b.end_time) for b in event.breaks}
    return (
        data.slot_minutes != event.slot_minutes
        or {(d.day, d.start, d.end) for d in data.days} != days
        or {(b.day, b.start, b.end) for b in data.breaks} != breaks
    )


def _validate(event: Event, data: SetupInput) -> None:
    if not data.days:
        raise InvalidInput(_("Give at least one day with meeting hours."), field="days")
    seen = set()
    for day in data.days:
        if day.day in seen:
            raise InvalidInput(_("Each day appears once."), field="days")
        seen.add(day.day)
        if day.end <= day.start:
            raise InvalidInput(_("A day must end after it starts."), field="days")
    hours = {day.day: day for day in data.days}
    for brk in data.breaks:
        if brk.day not in seen:
            raise InvalidInput(_("A break must be on one of the event's days."), field="breaks")
        if brk.end <= brk.start:
            raise InvalidInput(_("A break must end after it starts."), field="breaks")
        if brk.start < hours[brk.day].start or brk.end > hours[brk.day].end:
            raise InvalidInput(
                _("A break must lie within its day's meeting hours."), field="breaks"
            )
    last = max(data.days, key=lambda d: d.day)
    if data.registration_deadline > datetime.combine(
        last.day, last.end, tzinfo=ZoneInfo(event.timezone)
    ):
        raise InvalidInput(
            _("Registration must close before the end of the event's last day."),
            field="registration_deadline",
        )
    codes = [z.code for z in data.zones]
    if not codes:
        raise InvalidInput(_("Give at least one negotiation zone."), field="zones")
    if len(set(codes)) != len(codes):
        raise InvalidInput(_("Zone codes must be different."), field="zones")
    sector_ids = {s.id for s in event.sectors}
    for zone in data.zones:
        if not set(zone.sector_ids) <= sector_ids:
            raise InvalidInput(_("Unknown sector."), field="zones")


def validate_weights(weights: Mapping[str, float]) -> scoring.Weights:
    """The scoring weights (missing ones take their defaults), or ``InvalidInput`` naming the
    form field at fault: each a finite non-negative number, the diversity discount below 1,
    and the component weights not all zero (a score is their weighted average)."""
    known = {f.name for f in fields(scoring.Weights) if f.init}
    for name, value in weights.items():
        at = f"weight_{name}"
        if name not in known:
            raise InvalidInput(_("Unknown scoring weight."), field="weight_sector")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InvalidInput(_("A weight must be a number."), field=at)
        if value < 0:
            raise InvalidInput(_("A weight cannot be negative."), field=at)
    if not weights.get("diversity", 0) < 1:
        raise InvalidInput(_("The diversity discount must be below 1."), field="weight_diversity")
    defaults = scoring.Weights()
    total = sum(float(weights.get(n, defaults.of(n))) for n in COMPONENTS)
    if total == 0:
        raise InvalidInput(
            _("At least one component weight must be positive."), field="weight_sector"
        )
    if not math.isfinite(total):
        raise InvalidInput(_("The weights are too large."), field="weight_sector")
    return scoring.Weights(**weights)


def apply_setup(
    session: Session, event: Event, data: SetupInput, actor: User, confirm_drop: bool = False
) -> list[Meeting]:
    """Apply the set-up; returns the meetings cancelled because their slot disappeared."""
    if not actor.has_role(Role.ORGANISER):
        raise NotAllowed(_("Only organisers can set up events."))
    _validate(event, data)
    validate_weights(data.weights)
    dropped: list[Meeting] = []
    rebuild = grid_changed(event, data)
    if rebuild:
        grid = plan_grid(event.timezone, data.days, data.breaks, data.slot_minutes)
        dropped = meetings_dropped_by(session, event, grid)
    _check_zone_changes(session, event, data)
    if dropped and not confirm_drop:
        raise GridWouldDropMeetings(dropped)
    for meeting in dropped:
        cancel_meeting(session, meeting, actor)
    if rebuild:
        existing = {(s.starts_at, s.ends_at): s for s in event.slots}
        keep = set(grid)
        for key, slot in existing.items():  # retire first: a new slot may share a start time
            if key not in keep:
                slot.retired = True
        session.flush()
        for key, slot in existing.items():
            if key in keep:
                slot.retired = False
        for start, end in grid:
            if (start, end) not in existing:
                session.add(Slot(event=event, starts_at=start, ends_at=end))
    event.schedule_days.clear()
    event.breaks.clear()
    session.flush()
    event.schedule_days.extend(
        EventDay(day=d.day, start_time=d.start, end_time=d.end) for d in data.days
    )
    event.breaks.extend(
        EventBreak(day=b.day, start_time=b.start, end_time=b.end, label=b.label.strip())
        for b in data.breaks
    )
    event.start_date = min(d.day for d in data.days)
    event.end_date = max(d.day for d in data.days)
    event.registration_deadline = data.registration_deadline
    event.slot_minutes = data.slot_minutes
    event.default_max_meetings = data.default_max_meetings
    event.open_request_cap = data.open_request_cap
    event.request_expiry_hours = data.request_expiry_hours
    event.scoring_weights = dict(data.weights) or None
    _apply_zones(session, event, data)
    session.flush()
    return dropped


def _check_zone_changes(session: Session, event: Event, data: SetupInput) -> None:
    wanted = {z.code: z for z in data.zones}
    for zone in event.zones:
        used = session.scalars(select(Meeting).where(Meeting.zone_id == zone.id)).all()
        if zone.code not in wanted and used:  # cancelled meetings keep their zone too
            raise DomainError(
                _(
                    "Zone %(zone)s has meetings in a schedule; it cannot be removed.",
                    zone=zone.code,
                ),
                field="zones",
            )
        if zone.code in wanted and any(
            m.status == MeetingStatus.SCHEDULED and m.table_number > wanted[zone.code].tables
            for m in used
        ):
            raise DomainError(
                _(
                    "Zone %(zone)s has meetings at tables above %(tables)d.",
                    zone=zone.code,
                    tables=wanted[zone.code].tables,
                ),
                field="zones",
            )


def catalogue_names(name: str) -> dict[str, str]:
    """``name`` in each language the catalogues hold it in (a default zone's English name),
    by language code; empty when no catalogue has it."""
    names = {}
    for code in current_app.config["LANGUAGES"]:
        with force_locale(code):
            names[code] = _(name)
    return names if any(text != name for text in names.values()) else {}


def _texts(translations: Mapping[str, str]) -> dict[str, str]:
    """The given translations, trimmed; the empty ones left out."""
    return {code: text.strip() for code, text in translations.items() if text.strip()}


def _apply_zones(session: Session, event: Event, data: SetupInput) -> None:
    sectors = {s.id: s for s in event.sectors}
    current = {z.code: z for z in event.zones}
    for position, item in enumerate(data.zones):
        zone = current.pop(item.code, None) or Zone(event=event, code=item.code)
        zone.name = item.name.strip()
        zone.translations = _texts(item.translations) or None
        zone.tables = item.tables
        zone.position = position
        zone.sectors = [sectors[i] for i in item.sector_ids]
        session.add(zone)
    for leftover in current.values():
        session.delete(leftover)


# As many days as the set-up form offers rows (SetupForm.days).
MAX_EVENT_DAYS = 31


def create_event(
    session: Session,
    actor: User,
    slug: str,
    name: str,
    venue: str,
    city: str,
    timezone: str,
    start: date,
    end: date,
    deadline: datetime,
) -> Event:
    """A new draft event with the default taxonomy and zones and a 09:00-17:30 grid."""
    if actor.role != Role.ADMIN:
        raise NotAllowed(_("Only administrators can create events."))
    if session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        raise DomainError(_("Another event uses this short name."), field="slug")
    if end < start:
        raise InvalidInput(_("The event must end on or after its first day."), field="end_date")
    if deadline > datetime.combine(end + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone)):
        raise InvalidInput(
            _("Registration must close before the end of the event's last day."),
            field="registration_deadline",
        )
    if (end - start).days >= MAX_EVENT_DAYS:  # the set-up page holds as many days
        raise InvalidInput(
            _("An event lasts at most %(days)d days.", days=MAX_EVENT_DAYS), field="end_date"
        )
    event = Event(
        slug=slug,
        name=name.strip(),
        venue=venue.strip(),
        city=city.strip(),
        timezone=timezone,
        start_date=start,
        end_date=end,
        registration_deadline=deadline,
        status=EventStatus.DRAFT,
    )
    install_default_taxonomy(session, event)
    # The organisers edit the default zones' names and the break's label as stored: store them
    # in the language the event is created in (the sectors stay keys, translated when shown),
    # and the zones' names in every language as their translations.
    for zone in event.zones:
        zone.translations = catalogue_names(zone.name)
        zone.name = _(zone.name)
    lunch = _("Lunch")
    days = tuple(
        DayInput(date.fromordinal(o), time(9), time(17, 30))
        for o in range(start.toordinal(), end.toordinal() + 1)
    )
    breaks = tuple(BreakInput(d.day, time(12), time(13, 30), lunch) for d in days)
    for start_at, end_at in plan_grid(timezone, days, breaks, event.slot_minutes or 20):
        session.add(Slot(event=event, starts_at=start_at, ends_at=end_at))
    event.schedule_days = [EventDay(day=d.day, start_time=d.start, end_time=d.end) for d in days]
    event.breaks = [
        EventBreak(day=b.day, start_time=b.start, end_time=b.end, label=b.label) for b in breaks
    ]
    session.flush()
    return event


@dataclass(frozen=True)
class EventDetailsInput:
    """The event's texts: the organisers' wording and, per language code, its translation."""

    name: str
    venue: str
    city: str
    description: str
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


def update_event_details(
    session: Session, event: Event, data: EventDetailsInput, actor: User
) -> None:
    """Save the event's name, venue, city and description, and their translations."""
    if not actor.has_role(Role.ORGANISER):
        raise NotAllowed(_("Only organisers can set up events."))
    if not data.name.strip():
        raise InvalidInput(_("Give the event's name."), field="name")
    event.name = data.name.strip()
    event.venue = data.venue.strip()
    event.city = data.city.strip()
    event.description = data.description.strip()
    kept: dict[str, dict[str, str]] = {}
    for language, texts in data.translations.items():
        given = {k: v.strip() for k, v in texts.items() if k in Event.TRANSLATED and v.strip()}
        if given:
            kept[language] = given
    event.translations = kept or None
    session.flush()
