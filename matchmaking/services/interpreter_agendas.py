"""An interpreter's agenda: its meetings in the published schedule, for the page, the PDF, the
calendar (file and subscription feed) and the e-mails (the agenda, its changes, reminders).

Like company agendas, only the published schedule is read; texts are in the current locale.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Event as CalendarEvent
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from matchmaking.models import (
    Event,
    Interpreter,
    Meeting,
    Participation,
    ScheduleVersion,
    Slot,
    User,
    Zone,
)
from matchmaking.models.schedule import MeetingStatus
from matchmaking.services import dispatch
from matchmaking.services.agenda_mail import event_running, event_time, mail_locale
from matchmaking.services.agendas import (
    calendar_sequence,
    get_published_version,
    list_published_versions,
)
from matchmaking.services.calendar import calendar_file, meeting_vevent
from matchmaking.services.dispatch import MessageKey
from matchmaking.services.mail import Attachment, Mail
from matchmaking.services.pdf import render_pdf

_FEED_SALT = "interpreter-feed"


@dataclass(frozen=True)
class InterpreterEntry:
    """One meeting the interpreter works at."""

    meeting: Meeting
    starts_at: datetime
    ends_at: datetime
    zone: str
    table: int
    buyer: Participation
    supplier: Participation
    cancelled: bool
    sequence: int

    @property
    def languages(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The buyer's and the supplier's languages."""
        return (
            tuple(self.buyer.company.languages or ()),
            tuple(self.supplier.company.languages or ()),
        )


@dataclass(frozen=True)
class InterpreterAgenda:
    """An interpreter's meetings at one event in the published schedule, by time."""

    event: Event
    interpreter: Interpreter
    version: ScheduleVersion | None
    entries: tuple[InterpreterEntry, ...]
    cancelled: tuple[InterpreterEntry, ...]

    def fingerprint(self) -> str:
        """Changes whenever a meeting of the agenda is added, moved, or cancelled."""
        text = ";".join(
            f"{e.meeting.id}:{e.starts_at.isoformat()}:{e.zone}:{e.table}:{e.cancelled}"
            for e in (*self.entries, *self.cancelled)
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _entry(meeting: Meeting) -> InterpreterEntry:
    return InterpreterEntry(
        meeting=meeting,
        starts_at=meeting.slot.starts_at,
        ends_at=meeting.slot.ends_at,
        zone=meeting.zone.display_name,
        table=meeting.table_number,
        buyer=meeting.buyer,
        supplier=meeting.supplier,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        sequence=calendar_sequence(meeting),
    )


def build_interpreter_agenda(session: Session, interpreter: Interpreter) -> InterpreterAgenda:
    """``interpreter``'s meetings in its event's published schedule (three statements)."""
    event = interpreter.event
    version = get_published_version(session, event.id)
    if version is None:
        return InterpreterAgenda(event, interpreter, None, (), ())
    meetings = session.scalars(
        select(Meeting)
        .join(Meeting.slot)
        .join(Meeting.zone)
        .where(Meeting.version_id == version.id, Meeting.interpreter_id == interpreter.id)
        .options(
            contains_eager(Meeting.slot),
            contains_eager(Meeting.zone),
            selectinload(Meeting.changes),
            joinedload(Meeting.buyer, innerjoin=True).joinedload(
                Participation.company, innerjoin=True
            ),
            joinedload(Meeting.supplier, innerjoin=True).joinedload(
                Participation.company, innerjoin=True
            ),
        )
        .order_by(Slot.starts_at, Zone.position, Meeting.table_number, Meeting.id)
    ).unique()
    entries = [_entry(m) for m in meetings]
    return InterpreterAgenda(
        event=event,
        interpreter=interpreter,
        version=version,
        entries=tuple(e for e in entries if not e.cancelled),
        cancelled=tuple(e for e in entries if e.cancelled),
    )


def own_interpreter(session: Session, user: User, slug: str) -> Interpreter | None:
    """``user``'s place as interpreter at the event ``slug``, else None."""
    return session.scalar(
        select(Interpreter)
        .join(Interpreter.event)
        .where(Event.slug == slug, Interpreter.user_id == user.id)
        .options(contains_eager(Interpreter.event))
    )


# --- calendar -----------------------------------------------------------------------------------


def _vevent(agenda: InterpreterAgenda, entry: InterpreterEntry, now: datetime) -> CalendarEvent:
    from matchmaking.i18n import language_name

    buyer, supplier = entry.buyer.company, entry.supplier.company
    ours, theirs = entry.languages
    return meeting_vevent(
        entry,
        # Not the companies' UID: the interpreter's calendar entry is its own.
        uid=f"i{agenda.interpreter.id}-{entry.meeting.uid}",
        venue=agenda.event.display_venue,
        summary=_(
            "Interpreting: %(buyer)s and %(supplier)s",
            buyer=buyer.legal_name,
            supplier=supplier.legal_name,
        ),
        description="\n".join(
            [
                f"{buyer.legal_name} ({buyer.country}): "
                + ", ".join(language_name(c) for c in ours),
                f"{supplier.legal_name} ({supplier.country}): "
                + ", ".join(language_name(c) for c in theirs),
            ]
        ),
        now=now,
    )


def interpreter_calendar(
    agendas: list[InterpreterAgenda], now: datetime, name: str, method: str | None = "PUBLISH"
) -> bytes:
    """One calendar with every meeting of ``agendas`` (feeds carry no METHOD)."""
    return calendar_file(
        name,
        (_vevent(a, entry, now) for a in agendas for entry in (*a.entries, *a.cancelled)),
        method,
    )


def _password_mark(user: User) -> str:
    """Changes with the password (not with logging out): a new password ends the feed."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def feed_token(secret: str, user: User) -> str:
    """The interpreter's calendar subscription token; it lasts until the password changes."""
    return str(URLSafeSerializer(secret, salt=_FEED_SALT).dumps([user.id, _password_mark(user)]))


def user_for_feed(session: Session, secret: str, token: str) -> User | None:
    """The interpreter whose feed token is ``token``; None for anything else."""
    if not token or len(token) > 200:
        return None
    try:
        user_id, version = URLSafeSerializer(secret, salt=_FEED_SALT).loads(token)
        user = session.get(User, int(user_id))
    except (BadSignature, ValueError, TypeError):
        return None
    if user is None or not user.active or _password_mark(user) != version:
        return None
    return user


def interpreter_pdf(agenda: InterpreterAgenda, locale: str, now: datetime) -> bytes:
    """The interpreter's agenda as a PDF in ``locale``."""
    with force_locale(locale):
        return render_pdf("interpreters/pdf_agenda.html", agenda=agenda, now=now, locale=locale)


# --- e-mails ------------------------------------------------------------------------------------


def _agenda_mail(
    session: Session, config: Any, interpreter_id: int, changed: bool, now: datetime
) -> Mail:
    interpreter = session.get(Interpreter, interpreter_id)
    assert interpreter is not None
    user = interpreter.user
    locale = mail_locale(config, user)
    with force_locale(locale):
        agenda = build_interpreter_agenda(session, interpreter)
        event = agenda.event
        if changed:
            subject = _("Your interpreting at %(event)s has changed", event=event.display_name)
        else:
            subject = _("Your interpreting agenda for %(event)s", event=event.display_name)
        text = render_template(
            "interpreters/email_agenda.txt", agenda=agenda, user=user, changed=changed
        )
        pdf = interpreter_pdf(agenda, locale, now)
        ics = interpreter_calendar([agenda], now, name=event.display_name)
    return Mail(
        to=user.email,
        subject=subject,
        text=text,
        attachments=(
            Attachment(f"interpreting-{event.slug}.pdf", pdf, "application/pdf"),
            Attachment(f"interpreting-{event.slug}.ics", ics, "text/calendar"),
        ),
    )


def _pool(session: Session, event_id: int) -> list[tuple[int, str, int]]:
    """(interpreter id, e-mail, event id) of the event's interpreters with active accounts."""
    rows = session.execute(
        select(Interpreter.id, User.email, Interpreter.event_id)
        .join(Interpreter.user)
        .where(Interpreter.event_id == event_id, User.active.is_(True))
        .order_by(Interpreter.id)
    )
    return [(int(i), str(e), int(ev)) for i, e, ev in rows]


def send_interpreter_agendas(session: Session, config: Any, now: datetime) -> int:
    """E-mail each interpreter of a published schedule its agenda once, and again (marked as
    changed) whenever its meetings change: the message key holds the agenda's fingerprint, so
    running this twice sends nothing twice."""
    from matchmaking.models import SentMessage

    sent = 0
    for version in list_published_versions(session):
        event = version.event
        if not event_running(event, now):
            continue
        version_id = version.id
        for interpreter_id, email, event_id in _pool(session, event.id):
            interpreter = session.get(Interpreter, interpreter_id)
            assert interpreter is not None
            agenda = build_interpreter_agenda(session, interpreter)
            prefix = f"version:{version_id}:i:{interpreter_id}:fp:"
            key = MessageKey("interpreter_agenda", prefix + agenda.fingerprint(), email, event_id)
            earlier = session.scalar(
                select(SentMessage.id)
                .where(
                    SentMessage.kind == key.kind,
                    SentMessage.recipient == email,
                    SentMessage.subject_key.like(prefix + "%"),
                    SentMessage.subject_key != key.subject_key,
                )
                .limit(1)
            )
            if earlier is None and not agenda.entries:
                continue  # nothing to interpret, and nothing told before: no e-mail
            build = partial(_agenda_mail, session, config, interpreter_id, earlier is not None, now)
            sent += dispatch.deliver(session, config, key, build, now) == dispatch.SENT
    return sent


def _reminder_mail(
    session: Session, config: Any, interpreter_id: int, day: date, now: datetime
) -> Mail:
    interpreter = session.get(Interpreter, interpreter_id)
    assert interpreter is not None
    user = interpreter.user
    with force_locale(mail_locale(config, user)):
        agenda = build_interpreter_agenda(session, interpreter)
        event = agenda.event
        entries = [e for e in agenda.entries if e.starts_at.astimezone(event.tz).date() == day]
        text = render_template(
            "interpreters/email_reminder.txt", agenda=agenda, entries=entries, user=user, day=day
        )
        subject = _("Your interpreting tomorrow at %(event)s", event=event.display_name)
    return Mail(to=user.email, subject=subject, text=text)


def send_interpreter_reminders(session: Session, config: Any, now: datetime) -> int:
    """Remind each interpreter the evening before each day it works, once."""
    sent = 0
    for version in list_published_versions(session):
        event = version.event
        if not event_running(event, now):
            continue
        tz, hour = event.tz, event.reminder_evening_hour
        firsts: dict[tuple[int, date], datetime] = {}
        rows = session.execute(
            select(Meeting.interpreter_id, Slot.starts_at)
            .join(Meeting.slot)
            .where(
                Meeting.version_id == version.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.interpreter_id.is_not(None),
            )
        )
        for interpreter_id, starts_at in rows:
            if interpreter_id is None:
                continue
            day = starts_at.astimezone(tz).date()
            firsts[(interpreter_id, day)] = min(
                firsts.get((interpreter_id, day), starts_at), starts_at
            )
        pool = {i: e for i, e, _ev in _pool(session, event.id)}
        event_id = event.id
        for (interpreter_id, day), first in sorted(firsts.items()):
            due = event_time(event, day - timedelta(days=1), hour)
            if interpreter_id not in pool or not due <= now < min(first, event_time(event, day, 0)):
                continue
            message = MessageKey(
                "interpreter_evening",
                f"event:{event_id}:day:{day.isoformat()}:i:{interpreter_id}",
                pool[interpreter_id],
                event_id,
            )
            sent += (
                dispatch.deliver(
                    session,
                    config,
                    message,
                    partial(_reminder_mail, session, config, interpreter_id, day, now),
                    now,
                )
                == dispatch.SENT
            )
    return sent
