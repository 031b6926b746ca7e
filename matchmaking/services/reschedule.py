"""Rescheduling asked by companies: one proposes a new time, the other accepts, it moves.

Each step takes the two companies' booking lock first (``lock_meetings``) and checks after,
so two answers to one proposal, or acceptances racing for one slot, take turns and the later
one is refused with a message.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.errors import DomainError, NotAllowed
from matchmaking.models import Meeting, MeetingSeat, Participation, RescheduleProposal, Slot, User
from matchmaking.models.schedule import MeetingStatus, ProposalStatus, VersionStatus
from matchmaking.models.user import Role
from matchmaking.services.interpreters import slots_with_interpreter
from matchmaking.services.schedule_edits import free_table, lock_meetings, relocate
from matchmaking.services.schedules import active_slots, available_slots


def _side(meeting: Meeting, actor: User) -> Participation:
    for side in (meeting.buyer, meeting.supplier):
        if actor.role == Role.COMPANY and actor.company_id == side.company_id:
            return side
    raise NotAllowed(_("Only the two companies of a meeting can reschedule it."))


def possible_slots(session: Session, meeting: Meeting) -> list[Slot]:
    """Slots where both companies are available and free, and a table of the zone is free."""
    version = meeting.version
    slots = active_slots(session, meeting.buyer.event)
    both = set(available_slots(meeting.buyer, slots)) & set(
        available_slots(meeting.supplier, slots)
    )
    busy = set(
        session.scalars(
            select(MeetingSeat.slot_id).where(
                MeetingSeat.version_id == version.id,
                MeetingSeat.participation_id.in_((meeting.buyer_id, meeting.supplier_id)),
            )
        )
    )
    interpreted = slots_with_interpreter(session, meeting, slots)
    return [
        s
        for s in slots
        if s in both
        and s.id not in busy
        and s.id in interpreted
        and free_table(session, version, s, meeting.zone) is not None
    ]


def propose(
    session: Session, meeting: Meeting, slot: Slot, message: str, actor: User, now: datetime
) -> RescheduleProposal:
    """A company proposes ``slot`` for a published meeting."""
    side = _side(meeting, actor)
    lock_meetings(session, meeting)
    if (
        meeting.version.status != VersionStatus.PUBLISHED
        or meeting.status != MeetingStatus.SCHEDULED
    ):
        raise DomainError(_("Only scheduled meetings of the published schedule can be moved."))
    if slot not in possible_slots(session, meeting):
        raise DomainError(_("That time is not free for both companies."), field="slot")
    open_one = session.scalar(
        select(RescheduleProposal).where(
            RescheduleProposal.meeting_id == meeting.id,
            RescheduleProposal.status == ProposalStatus.OPEN,
        )
    )
    if open_one is not None:
        raise DomainError(_("A new time is already proposed for this meeting."), field="slot")
    proposal = RescheduleProposal(
        meeting=meeting, proposer_id=side.id, to_slot=slot, message=message.strip(), created_at=now
    )
    session.add(proposal)
    session.flush()
    return proposal


def answer(
    session: Session, proposal: RescheduleProposal, accept: bool, actor: User, now: datetime
) -> None:
    """The counterpart accepts (the meeting moves) or declines a proposal."""
    meeting = proposal.meeting
    side = _side(meeting, actor)
    if side.id == proposal.proposer_id:
        raise NotAllowed(_("The other company answers this proposal."))
    lock_meetings(session, meeting)
    session.refresh(proposal)
    if proposal.status != ProposalStatus.OPEN:
        raise DomainError(_("This proposal is no longer open."))
    proposal.answered_at = now
    if not accept:
        proposal.status = ProposalStatus.DECLINED
        session.flush()
        return
    if proposal.to_slot not in possible_slots(session, meeting):
        raise DomainError(_("That time is no longer free; propose another one."))
    relocate(session, meeting, proposal.to_slot, None, actor)
    proposal.status = ProposalStatus.ACCEPTED
    session.flush()


def withdraw(session: Session, proposal: RescheduleProposal, actor: User, now: datetime) -> None:
    """The proposer takes back an open proposal."""
    side = _side(proposal.meeting, actor)
    lock_meetings(session, proposal.meeting)
    session.refresh(proposal)
    if side.id != proposal.proposer_id or proposal.status != ProposalStatus.OPEN:
        raise DomainError(_("This proposal is no longer open."))
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.answered_at = now
    session.flush()
