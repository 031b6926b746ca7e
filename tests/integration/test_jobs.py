"""Scheduler jobs, called directly with their own "now", against a real local SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from flask import Flask, current_app
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from matchmaking import jobs
from matchmaking.models import Event, MeetingChange, Outcome, ScheduleVersion, SentMessage
from matchmaking.services import dispatch
from matchmaking.services.mail import Mail
from tests.agenda_world import (
    CHINESE_NAME,
    RUSSIAN_NAME,
    Inbox,
    World,
    attachment,
    cancel,
    make_world,
    move,
    pdf_fonts,
    pdf_text,
    smtp,
)
from tests.conftest import TEST_DB_URL, mail_text
from tests.functional.helpers import make_meeting

__all__ = ["smtp"]


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def world(dbs: Session, event: Event, ctx: None) -> World:
    return make_world(dbs, event)


def events_of(ics: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(ics)
    return {str(c["UID"]): c for c in calendar.walk("VEVENT")}


# -- close registration -----------------------------------------------------------------


@pytest.mark.dates
def test_registration_closes_at_the_deadline(dbs: Session, event: Event, ctx: None) -> None:
    deadline = event.registration_deadline
    assert jobs.close_registration(dbs, deadline - timedelta(seconds=1)) == 0
    assert event.status == "open"
    assert jobs.close_registration(dbs, deadline) == 1
    assert event.status == "closed"
    assert jobs.close_registration(dbs, deadline + timedelta(days=1)) == 0


@pytest.mark.dates
def test_draft_events_are_not_closed(dbs: Session, event: Event, ctx: None) -> None:
    event.status = "draft"
    jobs.close_registration(dbs, event.registration_deadline + timedelta(hours=1))
    assert event.status == "draft"


# -- issuing agendas --------------------------------------------------------------------


@pytest.mark.dates
def test_agendas_go_to_each_company_in_its_language_with_pdf_and_ics(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    now = world.published_at + timedelta(minutes=1)
    assert jobs.issue_agendas(dbs, now) == 3
    assert smtp.recipients() == sorted([world.buyer.email, world.supplier.email, world.other.email])

    (to_buyer,) = smtp.to(world.buyer.email)
    (to_supplier,) = smtp.to(world.supplier.email)
    (to_other,) = smtp.to(world.other.email)
    assert to_other["Subject"] == f"Your meeting agenda for {world.event.name}"
    # Each contact's locale picks the language of the text (country names here) and the PDF.
    assert "Россия" in mail_text(to_buyer)
    assert "哈萨克斯坦" in mail_text(to_supplier)
    assert CHINESE_NAME in mail_text(to_buyer)
    assert RUSSIAN_NAME in mail_text(to_buyer)

    buyer_ics = events_of(attachment(to_buyer, ".ics"))
    assert set(buyer_ics) == {world.m1.uid, world.m2.uid}
    supplier_ics = events_of(attachment(to_supplier, ".ics"))
    assert set(supplier_ics) == {world.m1.uid}
    vevent = supplier_ics[world.m1.uid]
    assert vevent["DTSTART"].dt == world.slots[0].starts_at
    assert vevent["STATUS"] == "CONFIRMED"

    supplier_pdf = attachment(to_supplier, ".pdf")
    text = pdf_text(supplier_pdf)
    assert "Altai Motors LLP" in text
    assert "年" in text  # the date, formatted for the Chinese-speaking contact
    assert any("NotoSansCJK" in f.replace("-", "") for f in pdf_fonts(supplier_pdf))
    assert RUSSIAN_NAME in pdf_text(attachment(to_buyer, ".pdf"))


def test_two_runs_send_one_email(dbs: Session, world: World, smtp: Inbox) -> None:
    now = world.published_at + timedelta(minutes=1)
    assert jobs.issue_agendas(dbs, now) == 3
    assert jobs.issue_agendas(dbs, now + timedelta(minutes=1)) == 0
    assert len(smtp.messages) == 3
    rows = dbs.scalars(select(SentMessage).where(SentMessage.kind == "agenda")).all()
    assert {r.status for r in rows} == {"delivered"}


def test_a_message_claimed_by_another_run_is_not_sent_again(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    now = world.published_at + timedelta(minutes=1)
    dbs.add(
        SentMessage(
            kind="agenda",
            subject_key=f"version:{world.version.id}:p:{world.bp.id}",
            recipient=world.buyer.email,
            status="sending",
            created_at=now,
            updated_at=now,
        )
    )
    dbs.flush()
    jobs.issue_agendas(dbs, now)
    assert world.buyer.email not in smtp.recipients()
    assert len(smtp.messages) == 2


@pytest.mark.dates
@pytest.mark.parametrize(
    ("locale", "phrase"), [("en", "no meeting in it"), ("ru", "Каталог участников")]
)
def test_approved_companies_without_meetings_are_told_once(
    dbs: Session,
    world: World,
    smtp: Inbox,
    app: Flask,
    locale: str,
    phrase: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 15 item 15: the page promised an e-mail when the schedule is published."""
    from tests.functional.helpers import make_company_user

    lonely = make_company_user(
        dbs, world.event, email="lonely@steppe.kz", name="ТОО «Степь»", status="approved"
    )
    lonely.locale = locale
    make_company_user(dbs, world.event, email="waiting@example.kz", name="Pending LLP")
    dbs.flush()
    now = world.published_at + timedelta(minutes=1)
    monkeypatch.setitem(app.config, "SERVER_NAME", "matchmaking.example")  # this test only
    with app.app_context():  # links in e-mails sent by the scheduler need SERVER_NAME
        assert jobs.issue_agendas(dbs, now) == 4
    (mail,) = smtp.to("lonely@steppe.kz")
    text = mail_text(mail)
    assert "http://matchmaking.example/events/forum/directory" in text
    assert phrase in text
    if locale == "en":
        assert mail["Subject"] == f"The schedule of {world.event.name} is published"
        assert "You can still ask companies" in text
    assert "waiting@example.kz" not in smtp.recipients()  # pending: nothing to tell yet
    assert jobs.issue_agendas(dbs, now + timedelta(hours=1)) == 0  # once per event


@pytest.mark.dates
def test_no_agenda_before_publication(dbs: Session, world: World, smtp: Inbox) -> None:
    world.version.status = "draft"
    world.version.published_at = None
    dbs.flush()
    assert jobs.issue_agendas(dbs, datetime.now(UTC)) == 0
    assert smtp.messages == []


# -- retries ----------------------------------------------------------------------------


def test_a_failed_send_is_retried_with_backoff(dbs: Session, world: World, smtp: Inbox) -> None:
    now = world.published_at + timedelta(minutes=1)
    smtp.fail = True
    assert jobs.issue_agendas(dbs, now) == 0
    row = dbs.scalar(select(SentMessage).where(SentMessage.recipient == world.buyer.email))
    assert row is not None
    assert (row.status, row.attempts) == ("retry", 1)
    assert "451" in row.last_error
    assert row.next_attempt_at == now + dispatch.backoff(1)

    smtp.fail = False
    jobs.issue_agendas(dbs, now + timedelta(minutes=1))  # too early: still waiting
    assert smtp.messages == []
    assert jobs.issue_agendas(dbs, now + dispatch.backoff(1)) == 3
    dbs.refresh(row)
    assert (row.status, row.attempts) == ("delivered", 2)
    assert len(smtp.to(world.buyer.email)) == 1


def test_a_send_that_keeps_failing_is_reported(
    dbs: Session, world: World, smtp: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    smtp.fail = True
    now = world.published_at + timedelta(minutes=1)
    for _ in range(dispatch.MAX_ATTEMPTS + 2):
        jobs.issue_agendas(dbs, now)
        now += timedelta(days=1)
    row = dbs.scalar(select(SentMessage).where(SentMessage.recipient == world.buyer.email))
    assert row is not None
    assert (row.status, row.attempts) == ("failed", dispatch.MAX_ATTEMPTS)
    assert row in dispatch.list_undelivered(dbs, world.event.id)
    assert any("giving up" in r.getMessage() for r in caplog.records)
    assert smtp.messages == []


def test_a_send_interrupted_midway_is_reported_not_repeated(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    now = world.published_at + timedelta(minutes=1)
    stale = SentMessage(
        kind="agenda",
        subject_key=f"version:{world.version.id}:p:{world.bp.id}",
        recipient=world.buyer.email,
        status="sending",
        attempts=1,
        created_at=now,
        updated_at=now,
        claimed_at=datetime.now(UTC) - dispatch.STALE_SENDING - timedelta(minutes=1),
    )
    dbs.add(stale)
    dbs.flush()
    jobs.issue_agendas(dbs, now)
    assert stale.status == "failed"
    assert "outcome is unknown" in stale.last_error
    assert world.buyer.email not in smtp.recipients()


def test_a_long_run_still_sending_is_not_given_up_by_a_later_run(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    """How long a message has been sending is wall-clock time, not its run's "now"."""
    started = datetime.now(UTC) - dispatch.STALE_SENDING * 2  # a run busy for an hour
    key = dispatch.MessageKey("agenda", "long-run", world.buyer.email, world.event.id)
    seen: list[str] = []

    def build() -> Mail:
        # Meanwhile a run started just now comes to the same message.
        later = dispatch.deliver(dbs, current_app.config, key, build, datetime.now(UTC))
        row = dbs.scalar(select(SentMessage).where(SentMessage.subject_key == "long-run"))
        assert row is not None
        seen.extend([later, row.status])
        return Mail(to=world.buyer.email, subject="Your agenda", text="Your meetings")

    assert dispatch.deliver(dbs, current_app.config, key, build, started) == dispatch.SENT
    assert seen == [dispatch.SKIPPED, "sending"]
    row = dbs.scalar(select(SentMessage).where(SentMessage.subject_key == "long-run"))
    assert row is not None
    assert (row.status, row.attempts) == ("delivered", 1)
    assert len(smtp.to(world.buyer.email)) == 1


def test_a_delivery_is_recorded_when_the_database_refuses_the_first_try(
    dbs: Session, world: World, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server accepted the mail: a passing database error must not leave it "sending"."""
    accepted: list[bool] = []
    send_mail, write_transaction = dispatch.send_mail, dispatch.write_transaction

    def send(config: object, mail: Mail) -> object:
        accepted.append(True)
        return send_mail(config, mail)

    @contextmanager
    def flaky(session: Session) -> Iterator[Session]:
        if accepted == [True]:  # the first try to record the delivery
            accepted.append(False)
            raise OperationalError("UPDATE sent_messages", {}, Exception("database is locked"))
        with write_transaction(session) as inner:
            yield inner

    monkeypatch.setattr(dispatch, "send_mail", send)
    monkeypatch.setattr(dispatch, "write_transaction", flaky)
    monkeypatch.setattr(dispatch.time, "sleep", lambda seconds: None)
    key = dispatch.MessageKey("agenda", "flaky", world.buyer.email, world.event.id)
    mail = Mail(to=world.buyer.email, subject="Your agenda", text="Your meetings")
    now = datetime.now(UTC)
    assert dispatch.deliver(dbs, current_app.config, key, lambda: mail, now) == dispatch.SENT
    row = dbs.scalar(select(SentMessage).where(SentMessage.subject_key == "flaky"))
    assert row is not None
    assert (row.status, row.subject, accepted) == ("delivered", "Your agenda", [True, False])
    assert len(smtp.to(world.buyer.email)) == 1


def test_the_sweep_reports_sends_whose_process_died_and_only_those(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    now = datetime.now(UTC)
    dead, alive = (
        SentMessage(
            kind="meeting",
            subject_key=key,
            recipient=world.buyer.email,
            event_id=world.event.id,
            status="sending",
            attempts=1,
            created_at=now,
            updated_at=now,
            claimed_at=claimed,
        )
        for key, claimed in (
            ("dead", now - dispatch.STALE_SENDING - timedelta(minutes=1)),
            ("alive", now - timedelta(minutes=1)),
        )
    )
    dbs.add_all([dead, alive])
    dbs.flush()
    assert jobs.sweep_messages(dbs, now) == 1
    assert (dead.status, alive.status) == ("failed", "sending")
    assert "outcome is unknown" in dead.last_error
    assert dead in dispatch.list_undelivered(dbs, world.event.id)


# -- changes ----------------------------------------------------------------------------


def test_a_move_sends_the_updated_agenda_to_both_companies_only(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    now = world.published_at + timedelta(minutes=1)
    jobs.issue_agendas(dbs, now)
    first = events_of(attachment(smtp.to(world.supplier.email)[0], ".ics"))[world.m1.uid]
    smtp.messages.clear()

    change = move(dbs, world.m1, world.slots[4], now + timedelta(minutes=5))
    assert jobs.send_changed_agendas(dbs, now + timedelta(minutes=6)) == 2
    assert smtp.recipients() == sorted([world.buyer.email, world.supplier.email])
    (message,) = smtp.to(world.supplier.email)
    assert "have changed" in message["Subject"] or world.event.name in message["Subject"]
    moved = events_of(attachment(message, ".ics"))[world.m1.uid]
    assert moved["UID"] == first["UID"]
    assert moved["SEQUENCE"] > first["SEQUENCE"]
    assert moved["DTSTART"].dt == world.slots[4].starts_at
    assert change.notified_at is not None

    assert jobs.send_changed_agendas(dbs, now + timedelta(minutes=7)) == 0
    assert len(smtp.messages) == 2


def test_a_cancellation_cancels_the_calendar_entry(dbs: Session, world: World, smtp: Inbox) -> None:
    now = world.published_at + timedelta(minutes=1)
    cancel(dbs, world.m2, now)
    jobs.send_changed_agendas(dbs, now + timedelta(minutes=1))
    assert smtp.recipients() == sorted([world.buyer.email, world.other.email])
    calendar = Calendar.from_ical(attachment(smtp.to(world.other.email)[0], ".ics"))
    assert calendar["METHOD"] == "PUBLISH"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"] == world.m2.uid
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["SEQUENCE"] >= 1


def test_a_republished_schedule_cancels_meetings_it_dropped(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    now = world.published_at + timedelta(minutes=1)
    jobs.issue_agendas(dbs, now)
    smtp.messages.clear()
    world.version.status = "superseded"
    dbs.flush()
    second = ScheduleVersion(
        event=world.event, number=2, status="published", published_at=now + timedelta(hours=1)
    )
    dbs.add(second)
    dbs.flush()
    kept = make_meeting(dbs, world.bp, world.sp, world.slots[5], table=3, version=second)
    kept.uid, kept.sequence = world.m1.uid, world.m1.sequence + 1
    dbs.flush()

    assert jobs.issue_agendas(dbs, now + timedelta(hours=2)) == 3
    buyer = events_of(attachment(smtp.to(world.buyer.email)[0], ".ics"))
    assert buyer[world.m1.uid]["STATUS"] == "CONFIRMED"
    assert buyer[world.m1.uid]["DTSTART"].dt == world.slots[5].starts_at
    assert buyer[world.m2.uid]["STATUS"] == "CANCELLED"
    assert buyer[world.m2.uid]["SEQUENCE"] > world.m2.sequence


def test_changes_made_before_publication_are_in_the_first_agenda(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    change = move(dbs, world.m1, world.slots[4], world.published_at - timedelta(minutes=5))
    jobs.send_changed_agendas(dbs, world.published_at + timedelta(minutes=1))
    assert smtp.messages == []
    assert change.notified_at is not None


def test_a_failed_change_mail_keeps_the_change_pending(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    now = world.published_at + timedelta(minutes=1)
    change = move(dbs, world.m1, world.slots[4], now)
    smtp.fail = True
    jobs.send_changed_agendas(dbs, now + timedelta(minutes=1))
    assert change.notified_at is None
    smtp.fail = False
    later = now + timedelta(hours=1)
    assert jobs.send_changed_agendas(dbs, later) == 2
    assert change.notified_at == later
    pending = dbs.scalars(select(MeetingChange).where(MeetingChange.notified_at.is_(None))).all()
    assert pending == []


# -- reminders and summaries ------------------------------------------------------------


@pytest.mark.dates
def test_evening_reminder_goes_once_at_the_configured_hour(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    tz = world.event.tz
    day = world.event.start_date
    evening = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=tz).replace(
        hour=world.event.reminder_evening_hour
    )
    assert jobs.send_reminders(dbs, evening - timedelta(minutes=1)) == 0
    with time_machine.travel(evening, tick=False):
        assert jobs.send_reminders(dbs, evening) == 3
        assert jobs.send_reminders(dbs, evening + timedelta(minutes=1)) == 0
    (to_other,) = smtp.to(world.other.email)
    assert "tomorrow" in to_other["Subject"]
    text = mail_text(to_other)
    assert "Altai Motors LLP" in text
    assert "interpreter" in text
    assert CHINESE_NAME not in text


@pytest.mark.dates
def test_evening_hour_is_configurable_and_late_reminders_are_not_sent(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    world.event.reminder_evening_hour = 20
    dbs.flush()
    tz = world.event.tz
    at_six = datetime.combine(
        world.event.start_date - timedelta(days=1), datetime.min.time(), tzinfo=tz
    ).replace(hour=18)
    assert jobs.send_reminders(dbs, at_six) == 0
    # The scheduler was down all evening and comes back after midnight.
    midnight = datetime.combine(world.event.start_date, datetime.min.time(), tzinfo=tz)
    assert jobs.send_reminders(dbs, midnight) == 0
    assert smtp.messages == []


@pytest.mark.dates
def test_reminder_before_each_meeting(dbs: Session, world: World, smtp: Inbox) -> None:
    start = world.m1.slot.starts_at
    lead = timedelta(minutes=world.event.reminder_minutes_before)
    assert jobs.send_reminders(dbs, start - lead - timedelta(minutes=1)) == 0
    assert jobs.send_reminders(dbs, start - lead) == 2
    assert smtp.recipients() == sorted([world.buyer.email, world.supplier.email])
    assert jobs.send_reminders(dbs, start - timedelta(minutes=1)) == 0
    assert "Altai Motors LLP" in mail_text(smtp.to(world.supplier.email)[0])


@pytest.mark.dates
def test_no_meeting_reminders_when_minutes_before_is_zero(
    dbs: Session, world: World, smtp: Inbox
) -> None:
    world.event.reminder_minutes_before = 0
    dbs.flush()
    assert jobs.send_reminders(dbs, world.m1.slot.starts_at - timedelta(minutes=5)) == 0


@pytest.mark.dates
def test_daily_summary_to_organisers(dbs: Session, world: World, smtp: Inbox) -> None:
    world.m1.attendance = "held"
    world.m2.attendance = "no_show"
    for participation in (world.bp, world.sp):  # both report the same deal: one meeting
        dbs.add(
            Outcome(
                meeting_id=world.m1.id,
                participation_id=participation.id,
                stage="tentative",
                amount=Decimal("120000"),
                currency="USD",
            )
        )
    dbs.flush()
    tz = world.event.tz
    due = datetime.combine(world.event.start_date, datetime.min.time(), tzinfo=tz).replace(
        hour=world.event.summary_hour
    )
    assert jobs.send_daily_summary(dbs, due - timedelta(minutes=1)) == 0
    assert jobs.send_daily_summary(dbs, due) == 1
    assert jobs.send_daily_summary(dbs, due + timedelta(hours=1)) == 0
    (message,) = smtp.to(world.organiser.email)
    text = mail_text(message)
    assert "Meetings scheduled: 2" in text
    assert "Meetings held: 1" in text
    assert "No-shows: 1" in text
    assert "Meetings with a deal reported: 1 today, 1 since the event began" in text


def test_abandoned_retries_become_failures(dbs: Session, world: World, smtp: Inbox) -> None:
    start = world.m1.slot.starts_at
    lead = timedelta(minutes=world.event.reminder_minutes_before)
    smtp.fail = True
    jobs.send_reminders(dbs, start - lead)
    rows = dbs.scalars(select(SentMessage).where(SentMessage.kind == "meeting")).all()
    assert {r.status for r in rows} == {"retry"}
    assert jobs.sweep_messages(dbs, start + timedelta(days=2)) == len(rows)
    assert {r.status for r in rows} == {"failed"}


# -- the registry and the scheduler -----------------------------------------------------


def test_registry_has_stable_unique_ids_and_safe_defaults(app: Flask) -> None:
    ids = [spec.id for spec in jobs.JOBS]
    assert len(ids) == len(set(ids))
    assert {
        "close-registration",
        "issue-agendas",
        "send-changed-agendas",
        "send-reminders",
        "send-daily-summary",
    } <= set(ids)
    scheduler = jobs.build_scheduler(app, blocking=False)
    scheduled = {job.id: job for job in scheduler.get_jobs()}
    assert set(scheduled) == set(ids)
    for job in scheduled.values():
        assert job.max_instances == 1
        assert job.coalesce is True
        assert job.args == (job.id,)


def test_register_replaces_a_job_with_the_same_id() -> None:
    saved = list(jobs.JOBS)
    try:

        def refresh_tally_snapshots(session: Session, now: datetime) -> None:
            return None

        jobs.register(jobs.JobSpec("refresh-tallies", refresh_tally_snapshots))
        jobs.register(jobs.JobSpec("refresh-tallies", refresh_tally_snapshots, "cron", {}))
        assert [s.id for s in jobs.JOBS].count("refresh-tallies") == 1
        assert jobs.get_job("refresh-tallies").trigger == "cron"
    finally:
        jobs.JOBS[:] = saved


def test_two_scheduler_runs_send_one_email(app: Flask, world: World, smtp: Inbox) -> None:
    """The way APScheduler calls the jobs: by id, each run in its own app context."""
    jobs.use_app(app)
    try:
        assert jobs.run_job("issue-agendas") == 3
        assert jobs.run_job("issue-agendas") == 0
    finally:
        jobs.use_app(None)
    assert len(smtp.messages) == 3


def test_scheduler_command_once(app: Flask, world: World, smtp: Inbox) -> None:
    from matchmaking.cli import cli

    try:
        result = app.test_cli_runner().invoke(cli, ["scheduler", "--once"])
    finally:
        jobs.use_app(None)
    assert result.exit_code == 0, result.output
    assert "issue-agendas: 3" in result.output
    assert len(smtp.messages) == 3


@pytest.mark.skipif(
    not (TEST_DB_URL or "").startswith("postgresql"), reason="advisory locks need PostgreSQL"
)
def test_a_second_scheduler_process_refuses_to_start(app: Flask) -> None:
    from matchmaking.extensions import db

    with app.app_context():
        first = jobs.acquire_scheduler_lock(db.engine)
        try:
            with pytest.raises(jobs.SchedulerAlreadyRunning):
                jobs.acquire_scheduler_lock(db.engine)
        finally:
            jobs.release_scheduler_lock(first)
        again = jobs.acquire_scheduler_lock(db.engine)
        assert again is not None
        jobs.release_scheduler_lock(again)
