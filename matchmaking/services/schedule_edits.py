"""Organisers' edits of a schedule version, checked against the engine's hard rules.

Python checks give the friendly message; the seat and table unique constraints make a double
booking impossible even when two organisers edit at once (the loser gets ``SlotTaken``).
A company's meeting cap is a count, which no unique key can guard: every edit of a company's
meetings first takes the company's lock (``lock_companies``) and then checks, so edits of one
company take turns and each sees what the previous one committed.
After publication every change is recorded for the companies' notifications.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from matchmaking.errors import DomainError, NotAllowed
from matchmaking.models import (
    Meeting,
    MeetingChange,
    MeetingSeat,
    Participation,
    ScheduleVersion,
    Slot,
    User,
    Zone,
)
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.schedule import MeetingStatus, VersionStatus
from matchmaking.models.user import Role
from matchmaking.services.interpreters import choose_interpreter
from matchmaking.services.placement import allowed_zones
from matchmaking.services.schedules import available_slots, meeting_uid


class SlotTaken(DomainError):
    """A company or a table is already busy in that slot."""


class EditConflict(SlotTaken):
    """Another edit of the same schedule committed first (SQLite); trying again sees it."""


class RuleBroken(DomainError):
    """A hard rule of the schedule would break."""

    status = 422


SQLITE_BUSY = 5  # the primary result code; SQLITE_BUSY_SNAPSHOT (517) shares it


@contextmanager
def _first_writer() -> Iterator[None]:
    """SQLite refusing this transaction's first write (another one wrote) -> ``EditConflict``."""
    try:
        yield
    except OperationalError as error:
        if getattr(error.orig, "sqlite_errorcode", 0) & 0xFF != SQLITE_BUSY:
            raise
        raise EditConflict(
            _("Someone else changed this schedule a moment ago. Please try again.")
        ) from None


def lock_companies(session: Session, participation_ids: Iterable[int]) -> None:
    """Take the companies' booking locks, held until the transaction ends, and reload them.

    Every edit that gives a company a meeting, or moves or cancels one, calls this before it
    checks the rules, so edits of one company take turns and the later one counts (cap, busy
    slots) what the earlier one committed. The lock is an UPDATE of the participation rows,
    in ascending id order so that two edits never wait for each other in a circle:

    - PostgreSQL: the row lock makes a second UPDATE wait until the first transaction ends;
      under READ COMMITTED the checks that follow then read its result.
      (``SELECT ... FOR UPDATE`` would lock the same on PostgreSQL, but SQLite ignores it.)
    - SQLite (WAL) has one writer at a time, and the app's transactions begin (deferred) at
      their first read. A transaction cannot write while another one writes, nor once
      another one has committed since its first read: then its UPDATE fails at once, before
      any check, and the edit is refused with ``EditConflict`` (trying again sees the other).
      Without the lock the same clash came later, at the INSERT, as "database is locked".

    A counter with a CHECK against the cap cannot do this: the cap counts the meetings of one
    schedule version, and a draft and the published version are edited side by side.
    """
    ids = sorted(set(participation_ids))
    with _first_writer():
        for pid in ids:
            session.execute(
                update(Participation)
                .where(Participation.id == pid)
                # updated_at says when the registration changed; a schedule edit leaves it.
                .values(
                    meetings_version=Participation.meetings_version + 1,
                    updated_at=Participation.updated_at,
                )
                .execution_options(synchronize_session=False)
            )
    session.scalars(  # their status and cap as they are now
        select(Participation)
        .where(Participation.id.in_(ids))
        .execution_options(populate_existing=True)
    ).all()


def lock_meetings(session: Session, *meetings: Meeting) -> None:
    """Lock the companies of ``meetings`` (``lock_companies``), then reload the meetings."""
    lock_companies(session, (p for m in meetings for p in (m.buyer_id, m.supplier_id)))
    for meeting in meetings:
        session.refresh(meeting)


def _require_organiser(actor: User) -> None:
    if not actor.has_role(Role.ORGANISER):
        raise NotAllowed(_("Only organisers can change the schedule."))


def _require_editable(version: ScheduleVersion) -> None:
    if version.status not in (VersionStatus.DRAFT, VersionStatus.PUBLISHED):
        raise RuleBroken(_("This schedule version can no longer be changed."))


def snapshot(meeting: Meeting) -> dict[str, Any]:
    """The fields of a meeting that a change record keeps."""
    return {
        "slot": meeting.slot_id,
        "zone": meeting.zone_id,
        "table": meeting.table_number,
        "status": meeting.status,
        "starts_at": meeting.slot.starts_at.isoformat(),
        "interpreter": meeting.interpreter_id,
    }


def _busy(
    session: Session, version: ScheduleVersion, slot: Slot, participation_id: int, ignore: set[int]
) -> bool:
    stmt = select(MeetingSeat.meeting_id).where(
        MeetingSeat.version_id == version.id,
        MeetingSeat.slot_id == slot.id,
        MeetingSeat.participation_id == participation_id,
    )
    return any(mid not in ignore for mid in session.scalars(stmt))


def _table_busy(
    session: Session, version: ScheduleVersion, slot: Slot, zone: Zone, table: int, ignore: set[int]
) -> bool:
    stmt = select(Meeting.id).where(
        Meeting.version_id == version.id,
        Meeting.slot_id == slot.id,
        Meeting.zone_id == zone.id,
        Meeting.table_number == table,
        Meeting.status == MeetingStatus.SCHEDULED,
    )
    return any(mid not in ignore for mid in session.scalars(stmt))


def free_table(
    session: Session,
    version: ScheduleVersion,
    slot: Slot,
    zone: Zone,
    ignore: set[int] | None = None,
) -> int | None:
    """The lowest free table of ``zone`` in ``slot``, or None when all are taken."""
    ignore = ignore or set()
    taken = {
        table
        for mid, table in session.execute(
            select(Meeting.id, Meeting.table_number).where(
                Meeting.version_id == version.id,
                Meeting.slot_id == slot.id,
                Meeting.zone_id == zone.id,
                Meeting.status == MeetingStatus.SCHEDULED,
            )
        )
        if mid not in ignore
    }
    return next((t for t in range(1, zone.tables + 1) if t not in taken), None)


def check_placement(
    session: Session,
    version: ScheduleVersion,
    buyer: Participation,
    supplier: Participation,
    slot: Slot,
    zone: Zone,
    table: int,
    ignore: set[int],
    new_meeting: bool = False,
) -> None:
    """Raise ``RuleBroken``/``SlotTaken`` naming the first hard rule the placement breaks."""
    event = version.event
    if slot.event_id != event.id or slot.retired:
        raise RuleBroken(_("That slot is not part of the event's grid."), field="slot")
    if zone.event_id != event.id:
        raise RuleBroken(_("That zone is not part of the event."), field="zone")
    if not 1 <= table <= zone.tables:
        raise RuleBroken(
            _("Table must be between 1 and %(tables)d.", tables=zone.tables), field="table"
        )
    for company in (buyer, supplier):
        if company.event_id != event.id or company.status != ParticipationStatus.APPROVED:
            raise RuleBroken(
                _(
                    "%(company)s is not an approved participant.",
                    company=company.company.legal_name,
                ),
                field="buyer",
            )
        if slot not in available_slots(company, [slot]):
            raise RuleBroken(
                _("%(company)s is not available at that time.", company=company.company.legal_name),
                field="slot",
            )
        if _busy(session, version, slot, company.id, ignore):
            raise SlotTaken(
                _(
                    "%(company)s already has a meeting in that slot.",
                    company=company.company.legal_name,
                ),
                field="slot",
            )
        if new_meeting:
            cap = company.max_meetings or event.default_max_meetings
            count = session.scalar(
                select(func.count(MeetingSeat.id)).where(
                    MeetingSeat.version_id == version.id,
                    MeetingSeat.participation_id == company.id,
                )
            )
            if (count or 0) >= cap:
                raise RuleBroken(
                    _(
                        "%(company)s already has its maximum of %(cap)d meetings.",
                        company=company.company.legal_name,
                        cap=cap,
                    ),
                    field="buyer",
                )
    if _table_busy(session, version, slot, zone, table, ignore):
        raise SlotTaken(_("Table %(table)d is taken in that slot.", table=table), field="table")


def _record(
    session: Session, meeting: Meeting, kind: str, before: dict[str, Any] | None, actor: User
) -> None:
    published = meeting.version.status == VersionStatus.PUBLISHED
    if published:
        meeting.sequence += 1
    session.add(
        MeetingChange(
            meeting=meeting,
            kind=kind,
            before=before,
            after=snapshot(meeting),
            actor_id=actor.id,
            published=published,
        )
    )


def _reseat(session: Session, meeting: Meeting) -> None:
    """Replace the meeting's seats (flushing the removal first so unique keys can be reused)."""
    meeting.seats.clear()
    session.flush()
    if meeting.status == MeetingStatus.SCHEDULED:
        meeting.seats.extend(
            MeetingSeat(
                version_id=meeting.version_id, slot_id=meeting.slot_id, participation_id=pid
            )
            for pid in (meeting.buyer_id, meeting.supplier_id)
        )


@contextmanager
def _seating(session: Session) -> Iterator[None]:
    """Change seats and tables in a savepoint; a clash with another edit becomes ``SlotTaken``.

    ``begin_nested`` flushes what is pending before the savepoint, so the changes are made
    inside the block.
    """
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError:
        raise SlotTaken(
            _("Someone else booked that company or table in this slot a moment ago.")
        ) from None


def move_meeting(
    session: Session,
    meeting: Meeting,
    slot: Slot,
    table: int | None,
    actor: User,
    zone: Zone | None = None,
) -> Meeting:
    """Move a meeting to another slot (and table), in its zone or another zone of its sectors."""
    _require_organiser(actor)
    if zone is not None and zone.id != meeting.zone_id and zone not in allowed_zones(meeting):
        raise RuleBroken(
            _("%(zone)s does not host the sectors of these two companies.", zone=zone.display_name),
            field="zone",
        )
    return relocate(session, meeting, slot, table, actor, zone)


def relocate(
    session: Session,
    meeting: Meeting,
    slot: Slot,
    table: int | None,
    actor: User,
    zone: Zone | None = None,
) -> Meeting:
    """Move a meeting after the caller checked who may; the hard rules are checked here."""
    lock_meetings(session, meeting)
    _require_editable(meeting.version)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RuleBroken(_("A cancelled meeting cannot be moved; restore it first."))
    zone = zone or meeting.zone
    if table is None:
        table = free_table(session, meeting.version, slot, zone, {meeting.id})
        if table is None:
            raise SlotTaken(_("No table is free in that slot."), field="slot")
    check_placement(
        session,
        meeting.version,
        meeting.buyer,
        meeting.supplier,
        slot,
        zone,
        table,
        {meeting.id},
    )
    interpreter = choose_interpreter(
        session,
        meeting.version_id,
        meeting.buyer,
        meeting.supplier,
        slot,
        zone,
        meeting.interpreter,
        {meeting.id},
        required=meeting.interpreter_id is not None,
    )
    before = snapshot(meeting)
    with _seating(session):
        meeting.slot = slot
        meeting.zone = zone
        meeting.table_number = table
        meeting.interpreter = interpreter
        _reseat(session, meeting)
    _record(session, meeting, "moved", before, actor)
    session.flush()
    return meeting


def swap_meetings(session: Session, first: Meeting, second: Meeting, actor: User) -> None:
    """Exchange the slots and tables of two meetings of the same version."""
    _require_organiser(actor)
    _require_editable(first.version)
    if first.version_id != second.version_id or first.id == second.id:
        raise RuleBroken(_("Choose two different meetings of the same schedule."), field="other")
    lock_meetings(session, first, second)
    if MeetingStatus.CANCELLED in (first.status, second.status):
        raise RuleBroken(_("Cancelled meetings cannot be swapped."), field="other")
    ignore = {first.id, second.id}
    check_placement(
        session,
        first.version,
        first.buyer,
        first.supplier,
        second.slot,
        first.zone,
        second.table_number if first.zone_id == second.zone_id else first.table_number,
        ignore,
    )
    check_placement(
        session,
        second.version,
        second.buyer,
        second.supplier,
        first.slot,
        second.zone,
        first.table_number if first.zone_id == second.zone_id else second.table_number,
        ignore,
    )
    # Each keeps its interpreter where it may, else gets one free in its new slot.
    interpreters = [
        choose_interpreter(
            session,
            m.version_id,
            m.buyer,
            m.supplier,
            to,
            m.zone,
            m.interpreter,
            ignore,
            required=m.interpreter_id is not None,
        )
        for m, to in ((first, second.slot), (second, first.slot))
    ]
    before_first, before_second = snapshot(first), snapshot(second)
    with _seating(session):
        # Park both outside the partial unique indexes, then place each where the other was.
        for meeting in (first, second):
            meeting.status = MeetingStatus.CANCELLED
            meeting.seats.clear()
        session.flush()
        slot_first, table_first = first.slot, first.table_number
        first.slot = second.slot
        second.slot = slot_first
        if first.zone_id == second.zone_id:
            first.table_number, second.table_number = second.table_number, table_first
        for meeting, interpreter in zip((first, second), interpreters, strict=True):
            meeting.status = MeetingStatus.SCHEDULED
            meeting.interpreter = interpreter
            _reseat(session, meeting)
    _record(session, first, "moved", before_first, actor)
    _record(session, second, "moved", before_second, actor)
    session.flush()


def cancel_meeting(session: Session, meeting: Meeting, actor: User) -> None:
    """Cancel a meeting; its seats and table are freed, the record stays."""
    _require_organiser(actor)
    release_meeting(session, meeting, actor)


def release_meeting(session: Session, meeting: Meeting, actor: User) -> None:
    """Cancel a meeting after the caller checked who may (a refill frees a no-show's table)."""
    _require_editable(meeting.version)
    lock_meetings(session, meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        return
    before = snapshot(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.locked = False
    _reseat(session, meeting)
    session.flush()
    _record(session, meeting, "cancelled", before, actor)
    session.flush()


def add_meeting(
    session: Session,
    version: ScheduleVersion,
    buyer: Participation,
    supplier: Participation,
    slot: Slot,
    zone: Zone,
    table: int | None,
    actor: User,
) -> Meeting:
    """Add a meeting by hand (the organiser makes the pair a candidate)."""
    _require_organiser(actor)
    return place_meeting(session, version, buyer, supplier, slot, zone, table, actor)


def place_meeting(
    session: Session,
    version: ScheduleVersion,
    buyer: Participation,
    supplier: Participation,
    slot: Slot,
    zone: Zone,
    table: int | None,
    actor: User,
    origin: str = "manual",
    score: float = 0.0,
) -> Meeting:
    """Add a meeting after the caller checked who may (floor staff or a company confirming a
    refill); every hard rule and the meeting cap are checked here."""
    _require_editable(version)
    if buyer.id == supplier.id:
        raise RuleBroken(_("A company cannot meet itself."), field="supplier")
    lock_companies(session, (buyer.id, supplier.id))  # the cap is counted under the lock
    existing = session.scalar(
        select(Meeting)
        .where(
            Meeting.version_id == version.id,
            ((Meeting.buyer_id == buyer.id) & (Meeting.supplier_id == supplier.id))
            | ((Meeting.buyer_id == supplier.id) & (Meeting.supplier_id == buyer.id)),
        )
        .execution_options(populate_existing=True)
    )
    if existing is not None and existing.status == MeetingStatus.SCHEDULED:
        raise RuleBroken(_("These two companies already meet in this schedule."), field="supplier")
    if table is None:
        table = free_table(session, version, slot, zone)
        if table is None:
            raise SlotTaken(_("No table is free in that slot."), field="slot")
    check_placement(session, version, buyer, supplier, slot, zone, table, set(), new_meeting=True)
    interpreter = choose_interpreter(
        session,
        version.id,
        buyer,
        supplier,
        slot,
        zone,
        existing.interpreter if existing is not None else None,
        {existing.id} if existing is not None else (),
    )
    if existing is not None:  # a cancelled meeting of the pair comes back
        before = snapshot(existing)
        with _seating(session):
            existing.status = MeetingStatus.SCHEDULED
            existing.slot, existing.zone, existing.table_number = slot, zone, table
            existing.interpreter = interpreter
            _reseat(session, existing)
        _record(session, existing, "restored", before, actor)
        session.flush()
        return existing
    uid = meeting_uid(version.event, buyer.id, supplier.id)
    with _seating(session):
        meeting = Meeting(
            version=version,
            event_id=version.event_id,
            buyer=buyer,
            supplier=supplier,
            slot=slot,
            zone=zone,
            table_number=table,
            origin=origin,
            score=score,
            uid=uid,
            reasons=[],
            interpreter=interpreter,
        )
        session.add(meeting)
        meeting.seats = [
            MeetingSeat(version_id=version.id, slot_id=slot.id, participation_id=pid)
            for pid in (buyer.id, supplier.id)
        ]
    _record(session, meeting, "added", None, actor)
    session.flush()
    return meeting


def set_locked(session: Session, meeting: Meeting, locked: bool, actor: User) -> None:
    """Lock a meeting so re-generating keeps it where it is."""
    _require_organiser(actor)
    if meeting.version.status != VersionStatus.DRAFT:
        raise RuleBroken(_("Only meetings of a draft can be locked."))
    meeting.locked = locked and meeting.status == MeetingStatus.SCHEDULED
    session.flush()


def publish_version(session: Session, version: ScheduleVersion, actor: User, now: datetime) -> None:
    """Publish a draft: it becomes the schedule companies see; the previous one is superseded."""
    _require_organiser(actor)
    if version.status != VersionStatus.DRAFT:
        raise RuleBroken(_("Only a draft can be published."))
    with _first_writer():
        for other in session.scalars(
            select(ScheduleVersion).where(
                ScheduleVersion.event_id == version.event_id,
                ScheduleVersion.status == VersionStatus.PUBLISHED,
            )
        ):
            other.status = VersionStatus.SUPERSEDED
        session.flush()
        try:  # two drafts published at once: the unique index keeps one
            with session.begin_nested():
                version.status = VersionStatus.PUBLISHED
                version.published_at = now
                version.published_by_id = actor.id
                session.flush()
        except IntegrityError:
            raise RuleBroken(
                _("Another version was published a moment ago. Reload to see it.")
            ) from None
