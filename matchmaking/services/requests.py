"""Meeting requests: ask, accept, decline, withdraw, expire; accepted ones are must-meet pairs."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from matchmaking.errors import DomainError, NotAllowed
from matchmaking.models import MeetingRequest, Participation, User
from matchmaking.models.company import OfferingKind, ParticipationStatus
from matchmaking.models.request import RequestStatus
from matchmaking.models.user import Role
from matchmaking.services.pagination import Page, page_of


class RequestRefused(DomainError):
    """The request cannot be made or answered."""

    status = 422


def pair_key(a: int, b: int) -> str:
    low, high = sorted((a, b))
    return f"{low}-{high}"


def orient(
    requester: Participation, recipient: Participation
) -> tuple[Participation, Participation]:
    """(buyer, supplier): who buys what the other sells; else the one with interests buys."""

    def sectors(p: Participation, kind: str) -> set[str]:
        codes = set()
        for line in p.offerings:
            if line.kind == kind:
                codes.add(line.sector.code)
                if line.sector.parent is not None:
                    codes.add(line.sector.parent.code)
        return codes

    if sectors(requester, OfferingKind.BUY) & sectors(recipient, OfferingKind.SELL):
        return requester, recipient
    if sectors(recipient, OfferingKind.BUY) & sectors(requester, OfferingKind.SELL):
        return recipient, requester
    return (
        (requester, recipient) if requester.buys or not recipient.buys else (recipient, requester)
    )


def _acting_for(actor: User, participation: Participation) -> bool:
    return actor.has_role(Role.ORGANISER) or (
        actor.role == Role.COMPANY and actor.company_id == participation.company_id
    )


def request_meeting(
    session: Session,
    requester: Participation,
    recipient: Participation,
    message: str,
    actor: User,
    now: datetime,
) -> MeetingRequest:
    """Ask ``recipient`` for a meeting (a company for itself, or an organiser for it)."""
    if not _acting_for(actor, requester):
        raise NotAllowed(_("You can only ask for meetings for your own company."))
    event = requester.event
    if requester.id == recipient.id:
        raise RequestRefused(_("A company cannot meet itself."), field="recipient")
    if recipient.event_id != event.id:
        raise RequestRefused(_("That company does not take part in this event."), field="recipient")
    if requester.status != ParticipationStatus.APPROVED:
        raise RequestRefused(_("Your registration must be approved before you ask for meetings."))
    if recipient.status != ParticipationStatus.APPROVED or (
        not recipient.directory_consent and not actor.has_role(Role.ORGANISER)
    ):
        raise RequestRefused(_("That company is not in the directory."), field="recipient")
    open_count = (
        session.scalar(
            select(func.count(MeetingRequest.id)).where(
                MeetingRequest.requester_id == requester.id,
                MeetingRequest.status == RequestStatus.OPEN,
            )
        )
        or 0
    )
    if open_count >= event.open_request_cap and not actor.has_role(Role.ORGANISER):
        raise RequestRefused(
            _(
                "You already have %(count)d unanswered requests, the most this event allows.",
                count=open_count,
            )
        )
    key = pair_key(requester.id, recipient.id)
    live = session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.pair_key == key,
            MeetingRequest.status.in_((RequestStatus.OPEN, RequestStatus.ACCEPTED)),
        )
    )
    if live is not None:
        raise RequestRefused(
            _("There is already a request between these two companies."), field="recipient"
        )
    buyer, supplier = orient(requester, recipient)
    request = MeetingRequest(
        event_id=event.id,
        requester=requester,
        recipient=recipient,
        buyer=buyer,
        supplier=supplier,
        pair_key=key,
        message=message.strip(),
        status=RequestStatus.OPEN,
        created_at=now,
        expires_at=now + timedelta(hours=event.request_expiry_hours),
        created_by_id=actor.id,
    )
    session.add(request)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise RequestRefused(
            _("There is already a request between these two companies."), field="recipient"
        ) from None
    return request


def answer_request(
    session: Session, request: MeetingRequest, accept: bool, actor: User, now: datetime
) -> None:
    """The recipient (or an organiser) accepts or declines an open request."""
    if not _acting_for(actor, request.recipient):
        raise NotAllowed(_("Only the company asked can answer this request."))
    expire_requests(session, now)
    if request.status != RequestStatus.OPEN:
        raise RequestRefused(_("This request is no longer open."))
    request.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    request.answered_at = now
    request.answered_by_id = actor.id
    session.flush()


def withdraw_request(session: Session, request: MeetingRequest, actor: User, now: datetime) -> None:
    """The requester withdraws an open request."""
    if not _acting_for(actor, request.requester):
        raise NotAllowed(_("Only the company that asked can withdraw this request."))
    if request.status != RequestStatus.OPEN:
        raise RequestRefused(_("This request is no longer open."))
    request.status = RequestStatus.WITHDRAWN
    request.answered_at = now
    session.flush()


def expire_requests(session: Session, now: datetime) -> int:
    """Open requests past their time lapse become 'expired'; returns how many."""
    rows = session.scalars(
        select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.OPEN, MeetingRequest.expires_at <= now
        )
    ).all()
    for row in rows:
        row.status = RequestStatus.EXPIRED
    session.flush()
    return len(rows)


def page_of_requests(
    session: Session, participation: Participation, incoming: bool, number: int, per_page: int = 50
) -> Page:
    """One page of the requests made of (``incoming``) or by a participation, newest first."""
    column = MeetingRequest.recipient_id if incoming else MeetingRequest.requester_id
    other = MeetingRequest.requester if incoming else MeetingRequest.recipient
    stmt = (
        select(MeetingRequest)
        .where(column == participation.id)
        .options(
            joinedload(other, innerjoin=True).joinedload(Participation.company, innerjoin=True)
        )
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
    )
    return page_of(session, stmt, number, per_page)


def page_of_event_requests(
    session: Session, event_id: int, number: int, per_page: int = 50
) -> Page:
    """One page of an event's requests, newest first, with both companies loaded (joined: one
    statement)."""
    stmt = (
        select(MeetingRequest)
        .where(MeetingRequest.event_id == event_id)
        .options(
            joinedload(MeetingRequest.requester, innerjoin=True).joinedload(
                Participation.company, innerjoin=True
            ),
            joinedload(MeetingRequest.recipient, innerjoin=True).joinedload(
                Participation.company, innerjoin=True
            ),
        )
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
    )
    return page_of(session, stmt, number, per_page)
