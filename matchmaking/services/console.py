"""Where each event stands and what its organisers should do next (the console's cards).

Every figure is counted in SQL, grouped by event, so the console costs the same few queries
whether it lists one event of 40 companies or ten events of 4,000.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from matchmaking.models import (
    Event,
    Meeting,
    MeetingRequest,
    Outcome,
    Participation,
    ScheduleVersion,
    SentMessage,
)
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.deal import DEAL_STAGES
from matchmaking.models.event import EventStatus
from matchmaking.models.request import RequestStatus
from matchmaking.models.schedule import MeetingStatus, VersionStatus
from matchmaking.services.dispatch import GIVEN_UP, RETRYING, SENDING
from matchmaking.services.refill_views import FloorFigures, floor_figures

EXPIRING_WITHIN = timedelta(hours=24)


@dataclass
class NextStep:
    """What the organisers should do next: a sentence and the page where they do it."""

    text: Any
    endpoint: str


@dataclass
class EventOverview:
    """The console's figures for one event."""

    event: Event
    registrations: dict[str, int] = field(default_factory=dict)
    requests_open: int = 0
    requests_expiring: int = 0
    draft: dict[str, Any] | None = None  # the newest draft newer than the published version
    published: dict[str, Any] | None = None
    generating: bool = False
    undelivered: int = 0
    attendance: dict[str, int] = field(default_factory=dict)  # held, no_show, unmarked
    deals: int = 0
    floor: FloorFigures = field(default_factory=FloorFigures)  # today's check-ins, refills
    steps: list[NextStep] = field(default_factory=list)

    @property
    def meetings(self) -> int:
        return sum(self.attendance.values())


def _versions(session: Session, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each event's versions, newest first, without the stored solver instance."""
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = session.execute(
        select(
            ScheduleVersion.event_id,
            ScheduleVersion.id,
            ScheduleVersion.number,
            ScheduleVersion.status,
            ScheduleVersion.report,
        )
        .where(ScheduleVersion.event_id.in_(ids))
        .order_by(ScheduleVersion.event_id, ScheduleVersion.number.desc())
    )
    for event_id, version_id, number, status, report in rows:
        figures = (report or {}).get("figures") or {}
        score = (report or {}).get("score") or {}
        result[event_id].append(
            {
                "id": version_id,
                "number": number,
                "status": status,
                "meetings": figures.get("meetings"),
                "percent_of_bound": score.get("percent_of_bound"),
            }
        )
    return result


def event_overviews(session: Session, events: list[Event], now: datetime) -> list[EventOverview]:
    """The console's figures and next steps for ``events``, in their order."""
    overviews = {e.id: EventOverview(event=e) for e in events}
    ids = list(overviews)
    if not ids:
        return []
    for event_id, status, count in session.execute(
        select(Participation.event_id, Participation.status, func.count())
        .where(Participation.event_id.in_(ids))
        .group_by(Participation.event_id, Participation.status)
    ):
        overviews[event_id].registrations[status] = count
    soon = now + EXPIRING_WITHIN
    for event_id, total, expiring in session.execute(
        select(
            MeetingRequest.event_id,
            func.count(),
            func.count().filter(MeetingRequest.expires_at <= soon),
        )
        .where(MeetingRequest.event_id.in_(ids), MeetingRequest.status == RequestStatus.OPEN)
        .group_by(MeetingRequest.event_id)
    ):
        overviews[event_id].requests_open = total
        overviews[event_id].requests_expiring = expiring
    for event_id, versions in _versions(session, ids).items():
        overview = overviews[event_id]
        overview.generating = any(
            v["status"] in (VersionStatus.QUEUED, VersionStatus.GENERATING) for v in versions
        )
        overview.published = next(
            (v for v in versions if v["status"] == VersionStatus.PUBLISHED), None
        )
        newest_draft = next((v for v in versions if v["status"] == VersionStatus.DRAFT), None)
        if newest_draft and (
            overview.published is None or newest_draft["number"] > overview.published["number"]
        ):
            overview.draft = newest_draft
    for event_id, attendance, count in session.execute(
        select(Meeting.event_id, Meeting.attendance, func.count())
        .join(ScheduleVersion, Meeting.version_id == ScheduleVersion.id)
        .where(
            Meeting.event_id.in_(ids),
            ScheduleVersion.status == VersionStatus.PUBLISHED,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .group_by(Meeting.event_id, Meeting.attendance)
    ):
        overviews[event_id].attendance[attendance or "unmarked"] = count
    for sent_for, count in session.execute(
        select(SentMessage.event_id, func.count())
        .where(
            SentMessage.event_id.in_(ids),
            SentMessage.status.in_((GIVEN_UP, RETRYING, SENDING)),
        )
        .group_by(SentMessage.event_id)
    ):
        if sent_for is not None:  # always: the nullable column is filtered on the events
            overviews[sent_for].undelivered = count
    for event_id, count in session.execute(
        select(Meeting.event_id, func.count(distinct(Meeting.id)))
        .join(Outcome, Outcome.meeting_id == Meeting.id)
        .where(Meeting.event_id.in_(ids), Outcome.stage.in_(DEAL_STAGES))
        .group_by(Meeting.event_id)
    ):
        overviews[event_id].deals = count
    for event_id, figures in floor_figures(session, events, now).items():
        overviews[event_id].floor = figures
    for overview in overviews.values():
        overview.steps = _next_steps(overview, now)
    return [overviews[e.id] for e in events]


def _next_steps(o: EventOverview, now: datetime) -> list[NextStep]:
    """The organisers' to-do list for the event, most urgent first."""
    steps: list[NextStep] = []
    event = o.event
    if event.status == EventStatus.DRAFT:
        steps.append(NextStep(_l("Check the set-up, then open registration."), "organiser.setup"))
    pending = o.registrations.get(ParticipationStatus.PENDING, 0)
    if pending:
        steps.append(
            NextStep(
                _l("Review %(count)d pending registrations.", count=pending),
                "organiser.registrations",
            )
        )
    if o.requests_expiring:
        steps.append(
            NextStep(
                _l(
                    "%(count)d meeting requests expire within 24 hours unanswered.",
                    count=o.requests_expiring,
                ),
                "directory.organiser_requests",
            )
        )
    if o.generating:
        steps.append(NextStep(_l("A schedule is being generated."), "schedule.index"))
    elif o.draft is not None:
        steps.append(
            NextStep(
                _l("Review and publish schedule version %(number)d.", number=o.draft["number"]),
                "schedule.index",
            )
        )
    elif (
        o.published is None
        and o.registrations.get(ParticipationStatus.APPROVED, 0) >= 2
        and (
            event.status in (EventStatus.CLOSED, EventStatus.OPEN)
            and not event.registration_open(now)
        )
    ):
        steps.append(NextStep(_l("Generate the schedule."), "schedule.index"))
    if o.undelivered:
        steps.append(
            NextStep(
                _l("%(count)d e-mails are not delivered.", count=o.undelivered), "agenda.messages"
            )
        )
    local_today = now.astimezone(event.tz).date()
    if o.published is not None and event.start_date <= local_today <= event.end_date:
        steps.append(NextStep(_l("Check companies in and mark meetings held."), "agenda.sheets"))
    return steps
