"""What publishing a draft schedule will do, shown to the organiser before they confirm."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking.models import Meeting, Participation, ScheduleVersion, User
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.schedule import MeetingStatus, VersionStatus


@dataclass(frozen=True)
class PublicationSummary:
    """Counts for the confirmation page: meetings, companies and e-mails, and the changes
    against the schedule the companies see now (pairs kept, moved, added, dropped)."""

    meetings: int
    companies_with_meetings: int
    companies_without_meetings: int  # approved companies told they have no meeting
    contacts: int  # e-mail recipients: the active contacts of every approved company
    interpreters: int  # interpreters with meetings in the version: each is e-mailed its agenda
    current_number: int | None
    kept: int
    moved: int
    added: int
    dropped: int


def _pairs(session: Session, version_id: int) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(buyer, supplier) -> (slot, zone, table) of the scheduled meetings of a version."""
    return {
        (buyer, supplier): (slot, zone, table)
        for buyer, supplier, slot, zone, table in session.execute(
            select(
                Meeting.buyer_id,
                Meeting.supplier_id,
                Meeting.slot_id,
                Meeting.zone_id,
                Meeting.table_number,
            ).where(Meeting.version_id == version_id, Meeting.status == MeetingStatus.SCHEDULED)
        )
    }


def publication_summary(session: Session, version: ScheduleVersion) -> PublicationSummary:
    """What publishing ``version`` changes for the companies."""
    new = _pairs(session, version.id)
    current = session.scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.event_id == version.event_id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
            ScheduleVersion.id != version.id,
        )
    )
    old = _pairs(session, current.id) if current is not None else {}
    with_meetings = {p for pair in new for p in pair}
    approved = set(
        session.scalars(
            select(Participation.id).where(
                Participation.event_id == version.event_id,
                Participation.status == ParticipationStatus.APPROVED,
            )
        )
    )
    contacts = (
        session.scalar(
            select(func.count(User.id))
            .join(Participation, Participation.company_id == User.company_id)
            .where(
                Participation.event_id == version.event_id,
                Participation.status == ParticipationStatus.APPROVED,
                User.active.is_(True),
            )
        )
        or 0
    )
    interpreters = (
        session.scalar(
            select(func.count(func.distinct(Meeting.interpreter_id))).where(
                Meeting.version_id == version.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.interpreter_id.is_not(None),
            )
        )
        or 0
    )
    common = new.keys() & old.keys()
    return PublicationSummary(
        meetings=len(new),
        companies_with_meetings=len(with_meetings),
        companies_without_meetings=len(approved - with_meetings),
        contacts=contacts,
        interpreters=interpreters,
        current_number=current.number if current is not None else None,
        kept=sum(1 for pair in common if new[pair] == old[pair]),
        moved=sum(1 for pair in common if new[pair] != old[pair]),
        added=len(new.keys() - old.keys()),
        dropped=len(old.keys() - new.keys()),
    )
