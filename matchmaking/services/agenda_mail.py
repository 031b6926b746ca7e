"""What the scheduler sends: agendas, changed agendas, reminders and organisers' summaries.

Each function discovers its work from the database at ``now`` and hands every message to
``dispatch.deliver`` under a key that names it for good, so running a function twice (or
after a restart) sends nothing twice. Messages are rendered in the recipient's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matchmaking.models import (
    Event,
    Meeting,
    MeetingChange,
    Participation,
    ScheduleVersion,
    User,
)
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.event import EventStatus
from matchmaking.models.schedule import MeetingStatus
from matchmaking.services import dispatch
from matchmaking.services.agendas import (
    build_agenda,
    get_previous_version,
    list_meetings,
    list_published_versions,
)
from matchmaking.services.calendar import agenda_calendar
from matchmaking.services.company_codes import check_in_block
from matchmaking.services.dispatch import MessageKey
from matchmaking.services.mail import Attachment, Mail
from matchmaking.services.pdf import agenda_pdf
from matchmaking.services.reporting import day_summary
from matchmaking.services.transactions import write_transaction

# The absolute address of an event's company directory, or None where none can be built.
DirectoryLink = Callable[[Event], str | None]


def mail_locale(config: Any, user: User) -> str:
    """The language of ``user``'s e-mails: its own when the site has it, else the default."""
    return user.locale if user.locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]


def _contacts(participation: Participation) -> list[User]:
    return [user for user in participation.company.contacts if user.active]


def _send_to_contacts(
    session: Session,
    config: Any,
    participation: Participation,
    kind: str,
    subject_key: str,
    build: Callable[[User], Mail],
    now: datetime,
) -> int:
    """Deliver one message (``build(user)``) to each active contact of ``participation``, once
    for good under (kind, subject_key, address); returns how many were sent now."""
    sent = 0
    for user in _contacts(participation):
        key = MessageKey(
            kind, subject_key, user.email, participation.event_id, participation.company_id
        )
        sent += dispatch.deliver(session, config, key, partial(build, user), now) == dispatch.SENT
    return sent


def event_running(event: Event, now: datetime) -> bool:
    """The event has not ended yet (in its own timezone)."""
    return now.astimezone(event.tz).date() <= event.end_date


def event_time(event: Event, day: date, hour: int) -> datetime:
    """``hour`` o'clock on ``day`` in the event's timezone."""
    return datetime.combine(day, time(hour), tzinfo=event.tz)


def _agenda_mail(
    session: Session,
    config: Any,
    participation: Participation,
    user: User,
    kind: str,
    now: datetime,
) -> Mail:
    """The agenda e-mail with its PDF and .ics, in ``user``'s language."""
    locale = mail_locale(config, user)
    with force_locale(locale):
        agenda = build_agenda(session, participation)
        event = agenda.event
        if kind == "changes":
            subject = _("Your meetings at %(event)s have changed", event=event.display_name)
        else:
            subject = _("Your meeting agenda for %(event)s", event=event.display_name)
        text = render_template(
            "agenda/email_agenda.txt", agenda=agenda, user=user, changed=kind == "changes"
        )
        pdf = agenda_pdf(agenda, locale, now, **check_in_block(config["SECRET_KEY"], participation))
        ics = agenda_calendar([agenda], now, name=event.display_name)
    return Mail(
        to=user.email,
        subject=subject,
        text=text,
        attachments=(
            Attachment(f"agenda-{event.slug}.pdf", pdf, "application/pdf"),
            Attachment(f"agenda-{event.slug}.ics", ics, "text/calendar"),
        ),
    )


def _participants(session: Session, version: ScheduleVersion) -> list[Participation]:
    """Companies with meetings in ``version``, or in the one it replaced (to cancel those)."""
    previous = get_previous_version(session, version)
    versions = [version.id] + ([previous.id] if previous else [])
    ids: set[int] = set()
    for buyer_id, supplier_id in session.execute(
        select(Meeting.buyer_id, Meeting.supplier_id).where(Meeting.version_id.in_(versions))
    ):
        ids.update((buyer_id, supplier_id))
    if not ids:
        return []
    return list(
        session.scalars(
            select(Participation).where(Participation.id.in_(ids)).order_by(Participation.id)
        )
    )


def _without_meetings(
    session: Session, version: ScheduleVersion, told: set[int]
) -> list[Participation]:
    """Approved companies of the event with no meeting in ``version`` nor the one it replaced."""
    return [
        p
        for p in session.scalars(
            select(Participation)
            .where(
                Participation.event_id == version.event_id,
                Participation.status == ParticipationStatus.APPROVED,
            )
            .order_by(Participation.id)
        )
        if p.id not in told
    ]


def _no_meetings_mail(
    config: Any,
    participation: Participation,
    user: User,
    now: datetime,
    directory_link: DirectoryLink,
) -> Mail:
    """Tells a company the schedule is out and it has no meeting in it, and what it can do."""
    event = participation.event
    with force_locale(mail_locale(config, user)):
        requests_open = event_running(event, now) and event.status != EventStatus.ARCHIVED
        text = render_template(
            "agenda/email_no_meetings.txt",
            event=event,
            user=user,
            requests_open=requests_open,
            directory=directory_link(event) if requests_open else None,
        )
        subject = _("The schedule of %(event)s is published", event=event.display_name)
    return Mail(to=user.email, subject=subject, text=text)


def issue_agendas(
    session: Session, config: Any, now: datetime, directory_link: DirectoryLink
) -> int:
    """Send each company of a newly published schedule its agenda (PDF and .ics attached), and
    tell each approved company without a meeting so (once per event), with the way to ask for
    meetings while requests are open (``directory_link``: the event's directory, or None)."""
    sent = 0
    for version in list_published_versions(session):
        if not event_running(version.event, now):
            continue
        participants = _participants(session, version)
        for participation in _without_meetings(session, version, {p.id for p in participants}):
            sent += _send_to_contacts(
                session,
                config,
                participation,
                "no_meetings",
                f"event:{version.event_id}:p:{participation.id}",
                partial(
                    _no_meetings_mail,
                    config,
                    participation,
                    now=now,
                    directory_link=directory_link,
                ),
                now,
            )
        for participation in participants:
            sent += _send_to_contacts(
                session,
                config,
                participation,
                "agenda",
                f"version:{version.id}:p:{participation.id}",
                partial(_agenda_mail, session, config, participation, kind="agenda", now=now),
                now,
            )
    return sent


def send_changed_agendas(session: Session, config: Any, now: datetime) -> int:
    """Tell each company that published changes affect, once, with its updated agenda.

    Changes recorded before the schedule's publication are already in the first agenda and
    are only marked notified. A change is marked notified once the messages of both of its
    companies are settled (delivered, or failed for good and reported).
    """
    sent = 0
    for version in list_published_versions(session):
        if not event_running(version.event, now):
            continue
        version_id, event_id, published_at = version.id, version.event_id, version.published_at
        assert published_at is not None
        pending = session.scalars(
            select(MeetingChange)
            .join(MeetingChange.meeting)
            .where(
                Meeting.version_id == version_id,
                MeetingChange.published.is_(True),
                MeetingChange.notified_at.is_(None),
            )
            .order_by(MeetingChange.id)
        ).all()
        # Plain ids: every message commits, which expires the loaded objects.
        by_participation: dict[int, list[int]] = defaultdict(list)
        in_first_agenda: list[int] = []
        later: list[tuple[int, int, int]] = []  # change, buyer, supplier
        for change in pending:
            if change.created_at <= published_at:
                in_first_agenda.append(change.id)
                continue
            buyer_id, supplier_id = change.meeting.buyer_id, change.meeting.supplier_id
            later.append((change.id, buyer_id, supplier_id))
            by_participation[buyer_id].append(change.id)
            by_participation[supplier_id].append(change.id)
        _mark_notified(session, in_first_agenda, now)
        settled: dict[int, bool] = {}
        for participation_id, change_ids in sorted(by_participation.items()):
            participation = session.get(Participation, participation_id)
            assert participation is not None
            company_id = participation.company_id
            subject_key = f"version:{version_id}:p:{participation_id}:upto:{max(change_ids)}"
            done = True
            for user in _contacts(participation):
                email = user.email
                key = MessageKey("changes", subject_key, email, event_id, company_id)
                dispatch.supersede(session, "changes", company_id, subject_key, email)
                outcome = dispatch.deliver(
                    session,
                    config,
                    key,
                    partial(_agenda_mail, session, config, participation, user, "changes", now),
                    now,
                )
                sent += outcome == dispatch.SENT
                done = done and dispatch.is_settled(session, key)
            settled[participation_id] = done
        _mark_notified(
            session,
            [
                change
                for change, buyer, supplier in later
                if settled.get(buyer) and settled.get(supplier)
            ],
            now,
        )
    return sent


def _mark_notified(session: Session, change_ids: list[int], now: datetime) -> None:
    """Record that the companies have been told about these changes (committed)."""
    if not change_ids:
        return
    with write_transaction(session):
        session.execute(
            update(MeetingChange)
            .where(MeetingChange.id.in_(change_ids), MeetingChange.notified_at.is_(None))
            .values(notified_at=now)
            .execution_options(synchronize_session=False)
        )


def _reminder_mail(
    session: Session,
    config: Any,
    participation: Participation,
    user: User,
    day: date,
    meeting_id: int | None,
) -> Mail:
    locale = mail_locale(config, user)
    with force_locale(locale):
        agenda = build_agenda(session, participation)
        event = agenda.event
        entries = [
            e
            for e in agenda.entries
            if e.starts_at.astimezone(event.tz).date() == day
            and (meeting_id is None or e.meeting.id == meeting_id)
        ]
        if meeting_id is None:
            subject = _("Your meetings tomorrow at %(event)s", event=event.display_name)
        else:
            subject = _("Your next meeting at %(event)s", event=event.display_name)
        text = render_template(
            "agenda/email_reminder.txt",
            agenda=agenda,
            entries=entries,
            user=user,
            day=day,
            single=meeting_id is not None,
        )
    return Mail(to=user.email, subject=subject, text=text)


def send_reminders(session: Session, config: Any, now: datetime) -> int:
    """Remind companies the evening before each day and shortly before each meeting."""
    sent = 0
    for version in list_published_versions(session):
        event = version.event
        if not event_running(event, now):
            continue
        first_of_day: dict[tuple[int, date], datetime] = {}
        soon: list[tuple[Meeting, Participation]] = []
        lead = timedelta(minutes=event.reminder_minutes_before)
        for meeting in list_meetings(session, version):
            if meeting.status != MeetingStatus.SCHEDULED:
                continue
            start = meeting.slot.starts_at
            day = start.astimezone(event.tz).date()
            for side in (meeting.buyer, meeting.supplier):
                side_day = (side.id, day)
                first_of_day[side_day] = min(first_of_day.get(side_day, start), start)
                if lead and start - lead <= now < start:
                    soon.append((meeting, side))
        for (participation_id, day), first in sorted(first_of_day.items()):
            # "Tomorrow" is only true until midnight; a scheduler that was down all evening
            # sends nothing rather than a stale note.
            due = event_time(event, day - timedelta(days=1), event.reminder_evening_hour)
            if not due <= now < min(first, event_time(event, day, 0)):
                continue
            participation = session.get(Participation, participation_id)
            assert participation is not None
            sent += _send_to_contacts(
                session,
                config,
                participation,
                "evening",
                f"event:{event.id}:day:{day.isoformat()}:p:{participation_id}",
                partial(_reminder_mail, session, config, participation, day=day, meeting_id=None),
                now,
            )
        for meeting, participation in soon:
            start = meeting.slot.starts_at
            day = start.astimezone(event.tz).date()
            sent += _send_to_contacts(
                session,
                config,
                participation,
                "meeting",
                f"{meeting.uid}:{start.isoformat()}:p:{participation.id}",
                partial(
                    _reminder_mail, session, config, participation, day=day, meeting_id=meeting.id
                ),
                now,
            )
    return sent


def _summary_mail(
    session: Session, config: Any, version: ScheduleVersion, user: User, day: date
) -> Mail:
    with force_locale(mail_locale(config, user)):
        event = version.event
        subject = _("Daily summary of %(event)s", event=event.display_name)
        text = render_template(
            "agenda/email_summary.txt",
            event=event,
            day=day,
            summary=day_summary(session, version, day),
        )
    return Mail(to=user.email, subject=subject, text=text)


def send_daily_summaries(session: Session, config: Any, now: datetime) -> int:
    """After each event day's summary hour, send the event's organisers that day's figures once."""
    sent = 0
    for version in list_published_versions(session):
        event = version.event
        organisers = [user for user in event.organisers if user.active]
        for day in event.days:
            due = event_time(event, day, event.summary_hour)
            if not due <= now < due + timedelta(days=1):
                continue
            for user in organisers:
                key = MessageKey("summary", f"event:{event.id}:day:{day.isoformat()}", user.email)
                outcome = dispatch.deliver(
                    session,
                    config,
                    key,
                    partial(_summary_mail, session, config, version, user, day),
                    now,
                )
                sent += outcome == dispatch.SENT
    return sent


def sweep_messages(session: Session, now: datetime) -> int:
    """Retries no job picks up any more become reported failures."""
    return dispatch.give_up_abandoned(session, now)
