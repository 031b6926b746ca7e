"""Generating schedules: the database turned into a scheduling instance, solved, stored.

The instance is the exchange format of ``shared/formats/scheduling.md``; it is stored with the
version, so ``matchmaking solve`` on the downloaded instance reproduces the quality report.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from matchmaking import scheduling
from matchmaking.errors import DomainError
from matchmaking.models import (
    Event,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    Participation,
    ScheduleVersion,
    Slot,
    User,
)
from matchmaking.models.request import RequestStatus
from matchmaking.models.schedule import MeetingStatus, VersionStatus
from matchmaking.models.types import utcnow
from matchmaking.scheduling.budget import solve_with_report
from matchmaking.services.interpreters import add_interpreters, interpreter_id_of
from matchmaking.services.matching import build_event_candidates
from matchmaking.services.taxonomy import N_

Progress = Callable[[float, str], None]

# The solver's reasons for unscheduled pairs (pure code, English codes) in the organisers'
# words; the page shows them translated.
SOLVER_REASONS = {
    "no room left (companies, caps or tables)": N_(
        "No time was left where both companies and a table were free, or a company's "
        "meeting cap was reached."
    ),
    "no common free slot": N_("The two companies are never free at the same time."),
    "max_meetings reached by fixed meetings": N_(
        "A company's meeting cap is already filled by locked or published meetings."
    ),
    "no interpreter free": N_(
        "No common language, and no interpreter for these languages was free when both "
        "companies and a table were."
    ),
    "no interpreter speaks both languages in this zone": N_(
        "No common language, and no registered interpreter speaks one language of each "
        "company in this zone."
    ),
}


def solver_reason(code: str) -> str:
    """The solver's reason for leaving a pair out, in the reader's words and language."""
    from flask_babel import gettext

    return gettext(SOLVER_REASONS.get(code, code))


def slot_key(slot: Slot) -> str:
    return f"s{slot.id}"


def active_slots(session: Session, event: Event) -> list[Slot]:
    return list(
        session.scalars(
            select(Slot)
            .where(Slot.event_id == event.id, Slot.retired.is_(False))
            .order_by(Slot.starts_at)
        )
    )


LocalSlot = tuple[Slot, datetime, datetime]  # a slot with its start and end in event time


def local_slots(slots: list[Slot]) -> list[LocalSlot]:
    """``slots`` with their local times, computed once for many ``available_slots`` calls."""
    return [(slot, slot.local_start(), slot.local_end()) for slot in slots]


def available_slots(
    participation: Participation, slots: list[Slot], local: list[LocalSlot] | None = None
) -> list[Slot]:
    """Slots inside the participation's availability windows (event timezone).

    ``local``: ``local_slots(slots)``, when the caller checks many participations.
    """
    windows = {a.day: (a.start_time, a.end_time) for a in participation.availability}
    result = []
    for slot, start, end in local_slots(slots) if local is None else local:
        window = windows.get(start.date())
        if (
            window
            and window[0] <= start.time()
            and end.time() <= window[1]
            and (end.date() == start.date())
        ):
            result.append(slot)
    return result


def published_version(session: Session, event: Event) -> ScheduleVersion | None:
    return session.scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.event_id == event.id, ScheduleVersion.status == VersionStatus.PUBLISHED
        )
    )


def _fixed_meetings(session: Session, event: Event, base: ScheduleVersion | None) -> list[Meeting]:
    """Meetings a new version must keep: every published one, plus the base draft's locked ones.

    A locked draft meeting of a pair that is also published yields to the published one:
    changing a published meeting is done on the published schedule, where it is recorded.
    """
    published = published_version(session, event)
    fixed = [
        m for m in (published.meetings if published else []) if m.status == MeetingStatus.SCHEDULED
    ]
    pairs = {frozenset((m.buyer_id, m.supplier_id)) for m in fixed}
    if base is not None:
        fixed += [
            m
            for m in base.meetings
            if m.status == MeetingStatus.SCHEDULED
            and m.locked
            and frozenset((m.buyer_id, m.supplier_id)) not in pairs
        ]
    return fixed


def build_instance(
    session: Session,
    event: Event,
    base: ScheduleVersion | None = None,
    now: datetime | None = None,
) -> tuple[dict[str, Any], dict[tuple[str, str], Any]]:
    """The event as an instance dict, and the scored pairs behind its candidates.

    ``now``: slots that have begun by then are offered to no new meeting (a schedule
    generated during the event only fills what is still to come); the fixed meetings
    already in them stay.
    """
    slots = active_slots(session, event)
    if not slots:
        raise DomainError(_("The event has no meeting slots yet. Set up its days first."))
    if not event.zones:
        raise DomainError(_("The event has no negotiation zones yet."))
    fixed = [m for m in _fixed_meetings(session, event, base) if not m.slot.retired]
    candidates = build_event_candidates(
        session, event, keep={frozenset((str(m.buyer_id), str(m.supplier_id))) for m in fixed}
    )
    participations = candidates.participations
    fixed = [
        m
        for m in fixed
        if str(m.buyer_id) in participations and str(m.supplier_id) in participations
    ]
    extra_slots: dict[str, set[str]] = {}
    for m in fixed:
        for participation_id in (m.buyer_id, m.supplier_id):
            extra_slots.setdefault(str(participation_id), set()).add(slot_key(m.slot))

    pairs: dict[tuple[str, str], Any] = {}
    rows: dict[frozenset[str], dict[str, Any]] = {}
    for pair in candidates.pairs:
        rows[frozenset((pair.buyer, pair.supplier))] = {
            "buyer": pair.buyer,
            "supplier": pair.supplier,
            "zone": pair.zone,
            "score": max(round(pair.score, 4), 0.0001),
            "must": pair.must,
        }
        pairs[(pair.buyer, pair.supplier)] = pair
    for m in fixed:
        couple = frozenset((str(m.buyer_id), str(m.supplier_id)))
        row = rows.get(couple)
        rows[couple] = {
            "buyer": str(m.buyer_id),
            "supplier": str(m.supplier_id),
            "zone": m.zone.code,
            "score": row["score"] if row else max(round(m.score, 4), 0.0001),
            "must": bool(row and row["must"]) or m.must,
        }
    companies = []
    local = local_slots(slots)
    to_come = local if now is None else [entry for entry in local if entry[0].starts_at > now]
    for pid, participation in participations.items():
        available = {slot_key(s) for s in available_slots(participation, slots, to_come)}
        available |= extra_slots.get(pid, set())
        companies.append(
            {
                "id": pid,
                "role": participation.role,
                "country": participation.company.country,
                "languages": list(participation.company.languages or []),
                "available": sorted(available, key=lambda k: int(k[1:])),
                "max_meetings": participation.max_meetings or event.default_max_meetings,
            }
        )
    instance = {
        "format": "matchmaking-instance/1",
        "event": {"name": event.name, "timezone": event.timezone},
        "slots": [
            {
                "id": slot_key(s),
                "start": s.local_start().isoformat(),
                "end": s.local_end().isoformat(),
            }
            for s in slots
        ],
        "zones": [{"id": z.code, "name": z.name, "tables": z.tables} for z in event.zones],
        "companies": companies,
        "candidates": sorted(rows.values(), key=lambda r: (int(r["buyer"]), int(r["supplier"]))),
        "fixed": [
            {
                "buyer": str(m.buyer_id),
                "supplier": str(m.supplier_id),
                "slot": slot_key(m.slot),
                "zone": m.zone.code,
                "table": m.table_number,
            }
            for m in fixed
        ],
    }
    add_interpreters(session, event, slots, instance, participations, fixed, slot_key)
    return instance, pairs


def solve_instance(
    instance_data: dict[str, Any], time_limit: float, every_figure: bool = False
) -> tuple[scheduling.Schedule, dict[str, Any]]:
    """Parse, solve and measure an instance the way ``matchmaking solve`` does: the time
    limit covers the search and the quality figures (``scheduling.budget``), or, with
    ``every_figure``, the search alone."""
    end = clock.monotonic() + time_limit
    instance = scheduling.parse_instance(instance_data)
    return solve_with_report(instance, end, every_figure=every_figure)


def start_generation(
    session: Session,
    event: Event,
    actor: User,
    base: ScheduleVersion | None = None,
    time_limit: float | None = None,
) -> ScheduleVersion:
    """A new version 'queued' for a generation worker (``services.generation``); the caller
    commits."""
    running = session.scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.event_id == event.id,
            ScheduleVersion.status.in_((VersionStatus.QUEUED, VersionStatus.GENERATING)),
        )
    )
    if running is not None:
        raise DomainError(_("A schedule is already being generated for this event."))
    number = (
        session.scalar(
            select(func.max(ScheduleVersion.number)).where(ScheduleVersion.event_id == event.id)
        )
        or 0
    ) + 1
    version = ScheduleVersion(
        event=event,
        number=number,
        status=VersionStatus.QUEUED,
        created_by_id=actor.id,
        base=base,
        time_limit=time_limit,
        message=N_("Waiting for a generation worker"),
    )
    session.add(version)
    session.flush()
    return version


def run_generation(
    session: Session,
    version: ScheduleVersion,
    time_limit: float,
    progress: Progress,
    now: datetime | None = None,
    every_figure: bool = False,
) -> ScheduleVersion:
    """Build, solve and store ``version``; failures end in state 'failed' with the reason.

    ``now`` (default: the current time): no new meeting goes into a slot begun by then.
    ``every_figure``: the time limit is the search's alone, and the quality report is
    complete however long its figures take (``scheduling.budget.solve_with_report``).
    """
    event = version.event
    base = version.base
    try:
        progress(0.05, N_("Collecting registrations and scoring candidate pairs"))
        instance_data, pairs = build_instance(session, event, base, now or utcnow())
        progress(0.2, N_("Optimising the schedule"))
        started = clock.monotonic()
        schedule, report = solve_instance(instance_data, time_limit, every_figure)
        report["solve_seconds"] = round(clock.monotonic() - started, 3)
        report["status"] = schedule.statistics.get("status", "")
        progress(0.9, N_("Storing the meetings"))
        _store(session, version, instance_data, schedule, pairs)
    except (DomainError, scheduling.InstanceError) as error:
        version.status = VersionStatus.FAILED
        version.message = getattr(error, "message", str(error))
        version.progress = 1.0
        session.flush()
        return version
    version.instance = instance_data
    version.report = report
    version.unscheduled = _requested_unscheduled(session, event, schedule)
    version.status = VersionStatus.DRAFT
    version.progress = 1.0
    version.message = ""
    session.flush()
    return version


def _requested_unscheduled(
    session: Session, event: Event, schedule: scheduling.Schedule
) -> list[dict[str, Any]]:
    """Accepted or open requests the schedule does not hold, with the solver's reason."""
    scheduled = {frozenset((m.buyer, m.supplier)) for m in schedule.meetings}
    reasons = {
        frozenset((str(r["buyer"]), str(r["supplier"]))): str(r.get("reason", ""))
        for r in schedule.unscheduled
    }
    rows = []
    for request in session.scalars(
        select(MeetingRequest).where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status.in_((RequestStatus.ACCEPTED, RequestStatus.OPEN)),
        )
    ):
        couple = frozenset((str(request.buyer_id), str(request.supplier_id)))
        if couple in scheduled:
            continue
        rows.append(
            {
                "request": request.id,
                "buyer": request.buyer_id,
                "supplier": request.supplier_id,
                "status": request.status,
                "reason": reasons.get(couple)
                or N_("not a candidate: a company is not approved or has no common slot"),
            }
        )
    return rows


def _store(
    session: Session,
    version: ScheduleVersion,
    instance: dict[str, Any],
    schedule: scheduling.Schedule,
    pairs: dict[tuple[str, str], Any],
) -> None:
    """Insert the solved meetings and their seats in two bulk statements (no ORM objects).

    Each meeting is one dict from :class:`MeetingRows`; a column added to meetings is a key
    added there. The version's ``meetings`` collection is expired, so it reloads if read.
    """
    rows = MeetingRows(session, version, instance, pairs)
    meetings = [rows.meeting(item) for item in schedule.meetings]
    if not meetings:
        return
    ids = session.scalars(
        insert(Meeting).returning(Meeting.id, sort_by_parameter_order=True), meetings
    ).all()
    seats = [
        {
            "meeting_id": meeting_id,
            "version_id": version.id,
            "slot_id": row["slot_id"],
            "participation_id": participation_id,
        }
        for meeting_id, row in zip(ids, meetings, strict=True)
        for participation_id in (row["buyer_id"], row["supplier_id"])
    ]
    session.execute(insert(MeetingSeat), seats)
    session.expire(version, ["meetings"])


class MeetingRows:
    """The meetings table rows of a solved schedule: ids, score, reasons, calendar sequence."""

    def __init__(
        self,
        session: Session,
        version: ScheduleVersion,
        instance: dict[str, Any],
        pairs: dict[tuple[str, str], Any],
    ) -> None:
        event = version.event
        self.version, self.event, self.pairs = version, event, pairs
        self.now = utcnow()
        self.slots = {slot_key(s): s.id for s in event.slots}
        self.zones = {z.code: z.id for z in event.zones}
        self.fixed = {(f["buyer"], f["supplier"]) for f in instance.get("fixed", [])}
        self.candidates = {(c["buyer"], c["supplier"]): c for c in instance["candidates"]}
        # (slot, zone, table, status, sequence) of each pair in the published schedule.
        self.previous: dict[tuple[int, int], tuple[int, int, int, str, int]] = {}
        published = published_version(session, event)
        if published is not None:
            for row in session.execute(
                select(
                    Meeting.buyer_id,
                    Meeting.supplier_id,
                    Meeting.slot_id,
                    Meeting.zone_id,
                    Meeting.table_number,
                    Meeting.status,
                    Meeting.sequence,
                ).where(Meeting.version_id == published.id)
            ):
                self.previous[row[0], row[1]] = tuple(row[2:])  # type: ignore[assignment]
        self.base_locked: set[tuple[int, int]] = set()
        if version.base_id is not None:
            self.base_locked = {
                (row[0], row[1])
                for row in session.execute(
                    select(Meeting.buyer_id, Meeting.supplier_id).where(
                        Meeting.version_id == version.base_id,
                        Meeting.locked.is_(True),
                        Meeting.status == MeetingStatus.SCHEDULED,
                    )
                )
            }

    def meeting(self, item: scheduling.Meeting) -> dict[str, Any]:
        """The row of one solved meeting."""
        buyer, supplier = int(item.buyer), int(item.supplier)
        slot_id, zone_id = self.slots[item.slot], self.zones[item.zone]
        candidate = self.candidates[(item.buyer, item.supplier)]
        pair = self.pairs.get((item.buyer, item.supplier))
        sequence = 0
        before = self.previous.get((buyer, supplier))
        if before is not None:
            moved = before[:3] != (slot_id, zone_id, item.table)
            sequence = before[4] + (1 if moved or before[3] != MeetingStatus.SCHEDULED else 0)
        return {
            "version_id": self.version.id,
            "event_id": self.event.id,
            "buyer_id": buyer,
            "supplier_id": supplier,
            "slot_id": slot_id,
            "zone_id": zone_id,
            "table_number": item.table,
            "status": MeetingStatus.SCHEDULED,
            "must": bool(candidate["must"]),
            "score": float(candidate["score"]),
            "origin": "fixed" if (item.buyer, item.supplier) in self.fixed else "solver",
            "locked": (buyer, supplier) in self.base_locked,
            "reasons": [{"code": r.code, "params": dict(r.params)} for r in pair.reasons]
            if pair is not None
            else [],
            "uid": meeting_uid(self.event, buyer, supplier),
            "interpreter_id": interpreter_id_of(item.interpreter) if item.interpreter else None,
            "sequence": sequence,
            "created_at": self.now,
            "updated_at": self.now,
        }


def meeting_uid(event: Event, buyer_id: int, supplier_id: int) -> str:
    """A pair's calendar identity at an event, the same in every version."""
    low, high = sorted((buyer_id, supplier_id))
    return f"{event.slug}-{low}-{high}@matchmaking"


def mark_stale_generations(session: Session, now: datetime, max_seconds: float) -> int:
    """Generations whose worker gave no sign of life for ``max_seconds`` (it died) become
    'failed'; returns how many.

    They are not re-queued: a job that killed its worker (out of memory) would kill the next.
    """
    count = 0
    for version in session.scalars(
        select(ScheduleVersion).where(ScheduleVersion.status == VersionStatus.GENERATING)
    ):
        alive_at = version.heartbeat_at or version.created_at
        if (now - alive_at).total_seconds() > max_seconds:
            version.status = VersionStatus.FAILED
            version.progress = 1.0
            version.message = N_(
                "The worker generating this schedule stopped (its process ended)."
                " Please start it again."
            )
            count += 1
    session.flush()
    return count
