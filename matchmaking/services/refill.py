"""Live refill: offer a table left empty on the day to companies present and free, and place
the pair one person confirms.

A table-slot is *freed* when its meeting is marked no-show, cancelled on the day, or when a
company checks out early (its meetings still to come are cancelled). The pairs offered come
from :func:`matchmaking.scoring.refill.rank_refills` over stored candidates (recommendations
and accepted requests) of the companies checked in and free in that slot, so an offer costs a
handful of queries whatever the event's size. Confirming one places the meeting through
``schedule_edits.place_meeting``: the same hard rules, cap and database constraints as any
other meeting; the change is recorded, so both agendas, their calendars (SEQUENCE) and the
change e-mails (``send-changed-agendas``, every minute) follow.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from matchmaking.errors import DomainError, NotAllowed
from matchmaking.models import (
    Availability,
    CheckIn,
    Company,
    Event,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    Offering,
    Participation,
    Recommendation,
    RefillOffer,
    RefillStatus,
    ScheduleInstance,
    ScheduleVersion,
    Sector,
    Slot,
    Standby,
    User,
    Zone,
)
from matchmaking.models.company import OfferingKind, ParticipationStatus
from matchmaking.models.request import RequestStatus
from matchmaking.models.schedule import Attendance, MeetingStatus, VersionStatus
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.scoring.refill import (
    CandidatePair,
    FreeCompany,
    FreedTable,
    RefillProposal,
    rank_refills,
)
from matchmaking.services.floor_staff import may_work_floor
from matchmaking.services.interpreters import (
    list_interpreters,
    meeting_counts,
    serves_zone,
    works_in,
)
from matchmaking.services.schedule_edits import (
    RuleBroken,
    SlotTaken,
    lock_companies,
    place_meeting,
    release_meeting,
)

OFFERED = 3  # pairs offered per freed table
# Stored candidate pairs read per freed table, best score first: enough for OFFERED after the
# zone, language, availability and cap filters, however large the event.
READ_BEST = 150


class OfferClosed(DomainError):
    """The offer was confirmed already, or another one took its table or companies."""


def slot_day(slot: Slot) -> date:
    """The event day of a slot, in the event's timezone (check-ins are per such day)."""
    return slot.local_start().date()


def _published(session: Session, event_id: int) -> ScheduleVersion | None:
    return session.scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.event_id == event_id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
        )
    )


def present_ids(event: Event, day: date) -> Select[int]:
    """SELECT of the event's approved companies checked in on ``day`` and not checked out."""
    return (
        select(CheckIn.participation_id)
        .join(Participation, Participation.id == CheckIn.participation_id)
        .where(
            Participation.event_id == event.id,
            Participation.status == ParticipationStatus.APPROVED,
            CheckIn.day == day,
            CheckIn.checked_out_at.is_(None),
        )
    )


def _busy_ids(version_id: int, slot_id: int) -> Select[int]:
    """SELECT of the companies seated in the slot at a meeting that is not a no-show."""
    return (
        select(MeetingSeat.participation_id)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .where(
            MeetingSeat.version_id == version_id,
            MeetingSeat.slot_id == slot_id,
            or_(Meeting.attendance.is_(None), Meeting.attendance != Attendance.NO_SHOW),
        )
    )


def _free_ids(event: Event, version_id: int, slot: Slot) -> Select[int]:
    return present_ids(event, slot_day(slot)).where(
        CheckIn.participation_id.not_in(_busy_ids(version_id, slot.id))
    )


def _eligible(session: Session, event: Event, version_id: int, slot: Slot) -> set[int]:
    """Companies that could take a meeting in the slot: checked in, not seated (but at a
    no-show), available then, and under their meeting cap. Three plain-row statements."""
    start, end = slot.local_start(), slot.local_end()
    rows = session.execute(
        select(
            Availability.participation_id,
            Availability.start_time,
            Availability.end_time,
            Participation.max_meetings,
        )
        .join(Participation, Participation.id == Availability.participation_id)
        .where(
            Availability.day == start.date(),
            Availability.participation_id.in_(_free_ids(event, version_id, slot)),
        )
    ).all()
    caps = {
        pid: cap or event.default_max_meetings
        for pid, begins, ends, cap in rows
        if begins <= start.time() and end.time() <= ends and end.date() == start.date()
    }
    if not caps:
        return set()
    # Meetings counted against the cap; a no-show's seat in this slot is given back when a
    # refill is placed there.
    counts = dict(
        session.execute(  # type: ignore[arg-type]
            select(MeetingSeat.participation_id, func.count(MeetingSeat.id))
            .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
            .where(
                MeetingSeat.version_id == version_id,
                or_(
                    Meeting.attendance.is_(None),
                    Meeting.attendance != Attendance.NO_SHOW,
                    MeetingSeat.slot_id != slot.id,
                ),
            )
            .group_by(MeetingSeat.participation_id)
        ).all()
    )
    return {pid for pid, cap in caps.items() if counts.get(pid, 0) < cap}


@dataclass(frozen=True)
class _ZonePairs:
    """A schedule version's candidate pairs placed in one zone, best score first, in flat
    arrays: hundreds of thousands of pairs at 4,000 companies, kept out of the garbage
    collector's way (no tuple per pair)."""

    scores: array[float]
    buyers: array[int]
    suppliers: array[int]

    def __iter__(self) -> Iterator[tuple[float, int, int]]:
        return zip(self.scores, self.buyers, self.suppliers, strict=True)


# The candidate pairs of the versions in use, read once per process from the stored solver
# instance (scored and pruned when the schedule was generated); a few versions are kept.
_INSTANCE_PAIRS: OrderedDict[tuple[int, datetime], dict[str, _ZonePairs]] = OrderedDict()
_KEPT_VERSIONS = 4
_INSTANCE_LOCK = threading.Lock()  # web workers may serve requests in threads


def _instance_pairs(session: Session, version: ScheduleVersion) -> dict[str, _ZonePairs]:
    """The version's candidate pairs by zone code (empty without a stored instance)."""
    key = (version.id, version.created_at)
    with _INSTANCE_LOCK:
        cached = _INSTANCE_PAIRS.get(key)
        if cached is not None:
            _INSTANCE_PAIRS.move_to_end(key)
            return cached
    stored = session.get(ScheduleInstance, version.id)
    rows: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
    if stored is not None:
        for row in stored.load().get("candidates", ()):
            pair = (float(row["score"]), int(row["buyer"]), int(row["supplier"]))
            rows[str(row["zone"])].append(pair)
    zones = {}
    for code, pairs in rows.items():
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        zones[code] = _ZonePairs(
            array("d", (p[0] for p in pairs)),
            array("q", (p[1] for p in pairs)),
            array("q", (p[2] for p in pairs)),
        )
    del rows
    with _INSTANCE_LOCK:
        _INSTANCE_PAIRS[key] = zones
        while len(_INSTANCE_PAIRS) > _KEPT_VERSIONS:
            _INSTANCE_PAIRS.popitem(last=False)
    return zones


def _candidate_pairs(
    session: Session,
    event: Event,
    version: ScheduleVersion,
    slot: Slot,
    zone: Zone,
    eligible: set[int],
) -> tuple[list[CandidatePair], set[int]]:
    """Stored pairs of eligible companies, and which of them are on the standby list.

    Accepted requests, then the best candidate pairs the schedule was generated from (its
    stored instance: scored and pruned per company, placed in this zone) and all of those
    naming a company on the standby list. A schedule without a stored instance (made by hand)
    uses the stored recommendations instead.
    """
    pairs = [
        CandidatePair(b, s, 0.0, requested=True)
        for b, s in session.execute(
            select(MeetingRequest.buyer_id, MeetingRequest.supplier_id).where(
                MeetingRequest.event_id == event.id,
                MeetingRequest.status == RequestStatus.ACCEPTED,
            )
        )
        if b in eligible and s in eligible
    ]
    standby = eligible & set(
        session.scalars(
            select(Standby.participation_id)
            .join(Participation, Participation.id == Standby.participation_id)
            .where(Standby.day == slot_day(slot), Participation.event_id == event.id)
        )
    )
    in_zone = _instance_pairs(session, version).get(zone.code)
    if in_zone is None:  # no stored instance (a schedule made by hand): the recommendations
        recommended = sorted(
            (
                (score, a, b)
                for a, b, score in session.execute(
                    select(
                        Recommendation.participation_id,
                        Recommendation.counterpart_id,
                        Recommendation.score,
                    ).where(Recommendation.participation_id.in_(eligible))
                )
                if b in eligible
            ),
            reverse=True,
        )[:READ_BEST]
        pairs.extend(CandidatePair(a, b, score) for score, a, b in recommended)
        return pairs, standby
    best = 0
    for score, buyer, supplier in in_zone:
        if buyer in eligible and supplier in eligible:
            pairs.append(CandidatePair(buyer, supplier, score))
            best += 1
            if best == READ_BEST:
                break
    if standby:  # every pair of a company on the standby list (a scan of the zone's pairs)
        pairs.extend(
            CandidatePair(buyer, supplier, score)
            for score, buyer, supplier in in_zone
            if (buyer in standby or supplier in standby)
            and buyer in eligible
            and supplier in eligible
        )
    return pairs, standby


def _profiles(session: Session, ids: set[int], standby: set[int]) -> dict[int, FreeCompany]:
    """What companies ``ids`` buy and sell (sector codes, parents included) and speak."""
    if not ids:
        return {}
    rows = session.execute(
        select(Participation.id, Company.languages, Participation.brings_interpreter)
        .join(Company, Company.id == Participation.company_id)
        .where(Participation.id.in_(ids))
    ).all()
    languages = {pid: spoken for pid, spoken, _own in rows}
    own_interpreter = {pid for pid, _spoken, own in rows if own}
    codes: dict[int, dict[str, set[str]]] = {
        pid: {OfferingKind.BUY: set(), OfferingKind.SELL: set()} for pid in languages
    }
    parent = aliased(Sector)
    for pid, kind, code, parent_code in session.execute(
        select(Offering.participation_id, Offering.kind, Sector.code, parent.code)
        .join(Sector, Sector.id == Offering.sector_id)
        .outerjoin(parent, parent.id == Sector.parent_id)
        .where(Offering.participation_id.in_(ids))
    ):
        codes[pid][kind].add(code)
        if parent_code is not None:
            codes[pid][kind].add(parent_code)
    return {
        pid: FreeCompany(
            id=pid,
            buys=frozenset(codes[pid][OfferingKind.BUY]),
            sells=frozenset(codes[pid][OfferingKind.SELL]),
            languages=frozenset(code.casefold() for code in spoken or ()),
            standby=pid in standby,
            own_interpreter=pid in own_interpreter,
        )
        for pid, spoken in languages.items()
    }


def _meeting_pairs(session: Session, version_id: int, ids: set[int]) -> frozenset[tuple[int, int]]:
    rows = session.execute(
        select(Meeting.buyer_id, Meeting.supplier_id).where(
            Meeting.version_id == version_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.buyer_id.in_(ids),
            Meeting.supplier_id.in_(ids),
        )
    )
    return frozenset((b, s) for b, s in rows)


def rank_for_table(
    session: Session, version: ScheduleVersion, slot: Slot, zone: Zone, table: int, limit: int
) -> list[RefillProposal]:
    """The best pairs for a freed table, present and free in its slot (no writes)."""
    event = version.event
    eligible = _eligible(session, event, version.id, slot)
    if not eligible:
        return []
    pairs, standby = _candidate_pairs(session, event, version, slot, zone, eligible)
    ids = {i for p in pairs for i in (p.first, p.second)}
    free = _profiles(session, ids, standby)
    freed = FreedTable(slot.id, zone.id, table, frozenset(sector.code for sector in zone.sectors))
    return rank_refills(
        freed,
        pairs,
        free,
        _meeting_pairs(session, version.id, set(free)),
        interpreters=_free_interpreters(session, version, slot, zone),
        limit=limit,
    )


def _free_interpreters(
    session: Session, version: ScheduleVersion, slot: Slot, zone: Zone
) -> list[frozenset[str]]:
    """The languages of each event interpreter who could take a meeting in the slot and
    zone (``choose_interpreter``'s rules; one at a no-show is free: it is released first)."""
    everyone = list_interpreters(session, version.event)
    if not everyone:
        return []
    busy = set(
        session.scalars(
            select(Meeting.interpreter_id).where(
                Meeting.version_id == version.id,
                Meeting.slot_id == slot.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.interpreter_id.is_not(None),
                or_(Meeting.attendance.is_(None), Meeting.attendance != Attendance.NO_SHOW),
            )
        )
    )
    load = meeting_counts(session, version.id)
    return [
        frozenset(code.casefold() for code in interpreter.languages or ())
        for interpreter in everyone
        if interpreter.id not in busy
        and works_in(interpreter, slot)
        and serves_zone(interpreter, zone)
        and (
            interpreter.max_meetings is None
            or load.get(interpreter.id, 0) < interpreter.max_meetings
        )
    ]


def _releasable(session: Session, meeting: Meeting, day: date) -> bool:
    """A meeting whose table can be given to others: a no-show, or a company left early."""
    if meeting.attendance == Attendance.NO_SHOW:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    CheckIn.participation_id.in_((meeting.buyer_id, meeting.supplier_id)),
                    CheckIn.day == day,
                    CheckIn.checked_out_at.is_not(None),
                )
            )
        )
    )


def _table_meeting(
    session: Session, version: ScheduleVersion, slot: Slot, zone: Zone, table: int
) -> Meeting | None:
    return session.scalar(
        select(Meeting).where(
            Meeting.version_id == version.id,
            Meeting.slot_id == slot.id,
            Meeting.zone_id == zone.id,
            Meeting.table_number == table,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
    )


def _check_live(
    version: ScheduleVersion, slot: Slot, zone: Zone, table: int, now: datetime
) -> None:
    if version.status != VersionStatus.PUBLISHED:
        raise RuleBroken(_("Only tables of the published schedule can be refilled."))
    if slot.event_id != version.event_id or zone.event_id != version.event_id:
        raise RuleBroken(_("That slot or zone is not part of the event."))
    if not 1 <= table <= zone.tables:
        raise RuleBroken(_("Table must be between 1 and %(tables)d.", tables=zone.tables))
    if slot.ends_at <= now:
        raise RuleBroken(_("This slot is over; its tables can no longer be refilled."))


def offer_table(
    session: Session,
    version: ScheduleVersion,
    slot: Slot,
    zone: Zone,
    table: int,
    now: datetime,
    freed_meeting: Meeting | None = None,
) -> list[RefillOffer]:
    """Offer a freed table to the best pairs present and free then (replacing earlier offers
    of that table still open); the offers made, best first (none when nobody fits)."""
    _check_live(version, slot, zone, table, now)
    held = _table_meeting(session, version, slot, zone, table)
    if held is not None and not _releasable(session, held, slot_day(slot)):
        raise SlotTaken(_("Table %(table)d is taken in that slot.", table=table), field="table")
    freed_meeting = freed_meeting or held
    session.execute(
        update(RefillOffer)
        .where(
            RefillOffer.version_id == version.id,
            RefillOffer.slot_id == slot.id,
            RefillOffer.zone_id == zone.id,
            RefillOffer.table_number == table,
            RefillOffer.status == RefillStatus.OPEN,
        )
        .values(status=RefillStatus.SUPERSEDED, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    offers = [
        RefillOffer(
            event_id=version.event_id,
            version_id=version.id,
            slot_id=slot.id,
            zone_id=zone.id,
            table_number=table,
            buyer_id=proposal.buyer,
            supplier_id=proposal.supplier,
            rank=rank,
            score=proposal.score,
            requested=proposal.requested,
            language=proposal.language,
            status=RefillStatus.OPEN,
            freed_meeting_id=freed_meeting.id if freed_meeting is not None else None,
            created_at=now,
        )
        for rank, proposal in enumerate(
            rank_for_table(session, version, slot, zone, table, OFFERED), start=1
        )
    ]
    session.add_all(offers)
    session.flush()
    return offers


def offer_after_no_show(session: Session, meeting: Meeting, now: datetime) -> list[RefillOffer]:
    """A meeting of the published schedule marked no-show before its slot ended: offer its
    table (nothing otherwise)."""
    if (
        meeting.attendance != Attendance.NO_SHOW
        or meeting.status != MeetingStatus.SCHEDULED
        or meeting.version.status != VersionStatus.PUBLISHED
        or meeting.slot.ends_at <= now
    ):
        return []
    return offer_table(
        session, meeting.version, meeting.slot, meeting.zone, meeting.table_number, now, meeting
    )


def offer_after_cancel(session: Session, meeting: Meeting, now: datetime) -> list[RefillOffer]:
    """A published meeting cancelled on its day, before its slot ended: offer its table."""
    slot = meeting.slot
    if (
        meeting.status != MeetingStatus.CANCELLED
        or meeting.version.status != VersionStatus.PUBLISHED
        or slot.ends_at <= now
        or slot_day(slot) != now.astimezone(slot.event.tz).date()
        or _table_meeting(session, meeting.version, slot, meeting.zone, meeting.table_number)
    ):
        return []
    return offer_table(
        session, meeting.version, slot, meeting.zone, meeting.table_number, now, meeting
    )


def offer_after_check_out(
    session: Session, participation: Participation, actor: User, now: datetime
) -> list[RefillOffer]:
    """A company left early: its meetings still to come that day are cancelled (both sides are
    told) and each table is offered."""
    version = _published(session, participation.event_id)
    if version is None:
        return []
    today = now.astimezone(participation.event.tz).date()
    leaving = [
        m
        for m in session.scalars(
            select(Meeting)
            .join(Slot, Slot.id == Meeting.slot_id)
            .where(
                Meeting.version_id == version.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                or_(
                    Meeting.buyer_id == participation.id,
                    Meeting.supplier_id == participation.id,
                ),
                Slot.starts_at > now,
            )
            .order_by(Slot.starts_at)
        )
        if slot_day(m.slot) == today
    ]
    offers: list[RefillOffer] = []
    for meeting in leaving:
        release_meeting(session, meeting, actor)
        offers.extend(offer_after_cancel(session, meeting, now))
    return offers


def _check_confirmer(session: Session, offer: RefillOffer, event: Event, actor: User) -> None:
    if actor.role == Role.COMPANY:
        if actor.company_id in (offer.buyer.company_id, offer.supplier.company_id):
            return
        raise NotAllowed(_("Only the two companies of this proposal can confirm it."))
    if not may_work_floor(session, actor, event):
        raise NotAllowed(_("Only this event's organisers and floor staff can confirm refills."))


def _present(session: Session, participation_ids: Iterable[int], day: date) -> set[int]:
    return set(
        session.scalars(
            select(CheckIn.participation_id).where(
                CheckIn.participation_id.in_(list(participation_ids)),
                CheckIn.day == day,
                CheckIn.checked_out_at.is_(None),
            )
        )
    )


def confirm_offer(session: Session, offer: RefillOffer, actor: User, now: datetime) -> Meeting:
    """Place the offered pair at the freed table: one step, all rules checked again.

    Floor staff and organisers of the event, or a contact of either company, may confirm.
    A no-show meeting still holding the table or one of the two companies in that slot is
    cancelled first. A second confirmation, or one of a table or company taken meanwhile,
    is refused (409) and changes nothing.
    """
    version = session.get(ScheduleVersion, offer.version_id)
    assert version is not None
    event = version.event
    _check_confirmer(session, offer, event, actor)
    slot, zone, table = offer.slot, offer.zone, offer.table_number
    held = _table_meeting(session, version, slot, zone, table)
    lock_companies(
        session,
        [offer.buyer_id, offer.supplier_id]
        + ([held.buyer_id, held.supplier_id] if held is not None else []),
    )
    session.refresh(offer)
    if offer.status == RefillStatus.ACCEPTED:
        raise OfferClosed(_("This proposal was already confirmed."))
    if offer.status != RefillStatus.OPEN:
        raise OfferClosed(_("This proposal is no longer open: the table or a company was taken."))
    _check_live(version, slot, zone, table, now)
    day = slot_day(slot)
    absent = {offer.buyer_id, offer.supplier_id} - _present(
        session, (offer.buyer_id, offer.supplier_id), day
    )
    if absent:
        name = (offer.buyer if offer.buyer_id in absent else offer.supplier).company.legal_name
        raise RuleBroken(_("%(company)s is not checked in.", company=name))
    held = _table_meeting(session, version, slot, zone, table)
    if held is not None:
        if not _releasable(session, held, day):
            raise SlotTaken(_("Table %(table)d is taken in that slot.", table=table))
        release_meeting(session, held, actor)
    for no_show in session.scalars(
        select(Meeting)
        .join(MeetingSeat, MeetingSeat.meeting_id == Meeting.id)
        .where(
            MeetingSeat.version_id == version.id,
            MeetingSeat.slot_id == slot.id,
            MeetingSeat.participation_id.in_((offer.buyer_id, offer.supplier_id)),
            Meeting.attendance == Attendance.NO_SHOW,
        )
    ).all():
        release_meeting(session, no_show, actor)
    meeting = place_meeting(
        session,
        version,
        offer.buyer,
        offer.supplier,
        slot,
        zone,
        table,
        actor,
        origin="refill",
        score=offer.score,
    )
    try:
        with session.begin_nested():
            offer.status = RefillStatus.ACCEPTED
            offer.meeting_id = meeting.id
            offer.decided_at = now
            offer.decided_by_id = actor.id
            session.flush()
    except IntegrityError:
        raise OfferClosed(
            _("Another proposal for this table was confirmed a moment ago.")
        ) from None
    _close_others(session, offer, now)
    session.flush()
    return meeting


def _close_others(session: Session, offer: RefillOffer, now: datetime) -> None:
    """Open offers of the same table, or of either company in the same slot, are superseded."""
    session.execute(
        update(RefillOffer)
        .where(
            RefillOffer.version_id == offer.version_id,
            RefillOffer.slot_id == offer.slot_id,
            RefillOffer.status == RefillStatus.OPEN,
            or_(
                and_(
                    RefillOffer.zone_id == offer.zone_id,
                    RefillOffer.table_number == offer.table_number,
                ),
                RefillOffer.buyer_id.in_((offer.buyer_id, offer.supplier_id)),
                RefillOffer.supplier_id.in_((offer.buyer_id, offer.supplier_id)),
            ),
        )
        .values(status=RefillStatus.SUPERSEDED, decided_at=now)
        .execution_options(synchronize_session=False)
    )


# --- the standby list ---------------------------------------------------------------------


def event_today(event: Event, now: datetime) -> date | None:
    """Today in the event's timezone, if it is one of the event's days."""
    today = now.astimezone(event.tz).date()
    return today if today in event.days else None


def is_on_standby(session: Session, participation: Participation, day: date) -> bool:
    return bool(
        session.scalar(
            select(exists().where(Standby.participation_id == participation.id, Standby.day == day))
        )
    )


def join_standby(session: Session, participation: Participation, now: datetime) -> None:
    """The company says it has free slots today: it is offered first for freed tables."""
    if participation.status != ParticipationStatus.APPROVED:
        raise NotAllowed(_("Only approved participants can join the standby list."))
    day = event_today(participation.event, now)
    if day is None:
        raise RuleBroken(_("There are no negotiations today."))
    if not is_on_standby(session, participation, day):
        try:
            with session.begin_nested():
                session.add(Standby(participation_id=participation.id, day=day, joined_at=now))
                session.flush()
        except IntegrityError:
            pass  # joined twice at once: once is what was asked


def leave_standby(session: Session, participation: Participation, now: datetime) -> None:
    """The company no longer wants to be offered freed tables today."""
    day = now.astimezone(participation.event.tz).date()
    for row in session.scalars(
        select(Standby).where(Standby.participation_id == participation.id, Standby.day == day)
    ):
        session.delete(row)
    session.flush()


def after_attendance(session: Session, meeting: Meeting) -> None:
    """A meeting's attendance was recorded: a no-show's table is offered; a mark taken back
    (held, or cleared) withdraws the offers its no-show made."""
    now = utcnow()
    if meeting.attendance == Attendance.NO_SHOW:
        offer_after_no_show(session, meeting, now)
        return
    session.execute(
        update(RefillOffer)
        .where(RefillOffer.freed_meeting_id == meeting.id, RefillOffer.status == RefillStatus.OPEN)
        .values(status=RefillStatus.SUPERSEDED, decided_at=now)
        .execution_options(synchronize_session=False)
    )
