"""Agenda views: a company sees only its own; organisers print sheets and check meetings in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from matchmaking.blueprints.access import (
    is_safe_redirect,
    own_participation_or_404,
    role_required,
)
from matchmaking.blueprints.access import organiser_event_or_404 as _event
from matchmaking.blueprints.actions import attempt
from matchmaking.blueprints.agenda import bp
from matchmaking.blueprints.agenda.forms import AttendanceForm, FeedForm
from matchmaking.blueprints.downloads import calendar_feed, download
from matchmaking.blueprints.floor.offline import check_in_context
from matchmaking.blueprints.fragments import FragmentCache, app_fragments, reuse_page
from matchmaking.blueprints.input_guard import id_arg
from matchmaking.blueprints.refill.routes import company_panel
from matchmaking.extensions import db, limiter
from matchmaking.models import Company, Event, Meeting, Participation, Slot
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.schedule import MeetingStatus
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services.agendas import (
    agenda_state,
    build_agenda,
    get_published_version,
    list_meetings,
)
from matchmaking.services.agendas import record_attendance as record_attendance_service
from matchmaking.services.calendar import (
    agenda_calendar,
    company_for_token,
    regenerate_feed,
)
from matchmaking.services.dispatch import list_undelivered
from matchmaking.services.event_organisers import managed_event_ids
from matchmaking.services.pdf import agenda_pdf, table_sheets_pdf, zone_overview_pdf

# Meeting lists kept per worker process: one per participation and language (~10 KB each).
MEETING_LISTS = 1024
# Whole agenda pages kept per worker process: one per participation, user and language
# (~15 KB each).
AGENDA_PAGES = 1024


def _meeting_lists() -> FragmentCache:
    """The app's meeting lists (they hold the check-in code made with its secret)."""
    return app_fragments("agenda_meeting_lists", MEETING_LISTS)


def _agenda_pages() -> FragmentCache:
    """The app's whole agenda pages (``reuse_page``)."""
    return app_fragments("agenda_pages", AGENDA_PAGES)


@dataclass(frozen=True)
class AgendaFrame:
    """What the agenda page reads around its meeting list (the refill panel, the feed form)."""

    event: Event
    participation: Participation


def _list_stamp(
    participation: Participation, stamp: tuple[object, ...], today: date
) -> tuple[object, ...]:
    """Everything the meeting list shows: ``stamp`` (from ``agenda_state``), the company's own
    participation, the event and the day."""
    event = participation.event
    return (
        stamp,
        participation.updated_at,
        participation.interpreter_needed,
        participation.interpreter_note,
        participation.brings_interpreter,
        (event.slug, event.timezone, event.start_date, event.end_date, event.status),
        today,
    )


def _meeting_list(participation: Participation, stamp: tuple[object, ...], today: date) -> Markup:
    """The meeting list of the agenda page: rendered again only when ``stamp`` (from
    ``agenda_state``) or anything else it shows (the company's own participation, the event,
    the day, the language) differs from when it was last rendered in this process."""

    def render() -> str:
        agenda = build_agenda(db.session, participation)
        return render_template(
            "agenda/_company_meetings.html",
            agenda=agenda,
            today=today,
            **check_in_context(agenda),
        )

    locale = str(get_locale() or "")
    return _meeting_lists().get_or_render(
        (participation.id, locale), _list_stamp(participation, stamp, today), render
    )


@bp.get("/company/events/<slug>/agenda")
@role_required(Role.COMPANY)
def company_agenda(slug: str) -> str:
    participation = own_participation_or_404(slug)
    event = participation.event
    now = utcnow()
    state = agenda_state(db.session, participation, now)
    today = now.astimezone(event.tz).date()

    def render() -> str:
        feed_url = None
        if state.feed_token:
            feed_url = url_for("agenda.feed", token=state.feed_token, _external=True)
        return render_template(
            "agenda/agenda.html",
            agenda=AgendaFrame(event, participation),
            meeting_list=_meeting_list(participation, state.stamp, today),
            feed_url=feed_url,
            feed_form=FeedForm(),
            refill_panel=company_panel(participation, now, state.refill),
        )

    on_standby, any_offers = state.refill
    if any_offers or session.get("_flashes"):
        # Flashed messages show once; refill offers carry their own figures: made afresh.
        return render()
    # The whole page when nothing on it changed (what a company reloads on the day): the
    # meeting list's stamp, the rest of the page (who reads it, the feed link, the standby
    # panel, the event's names) and the "Last updated" minute.
    page_stamp = (
        _list_stamp(participation, state.stamp, today),
        participation.status,
        on_standby,
        state.feed_token,
        (current_user.email, current_user.role),
        request.full_path,
        (event.name, event.venue, event.city, event.translations),
        now.replace(second=0, microsecond=0),
    )
    key = (participation.id, current_user.id, str(get_locale() or ""))
    return reuse_page(_agenda_pages(), key, page_stamp, render)


@bp.get("/company/events/<slug>/agenda.pdf")
@role_required(Role.COMPANY)
def company_pdf(slug: str) -> Response:
    participation = own_participation_or_404(slug)
    # The language the reader is using now (chosen on the site, else the account's): the PDF
    # beside the web agenda reads as the page does. E-mailed PDFs use the account's language.
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    with force_locale(locale):
        agenda = build_agenda(db.session, participation)
        pdf = agenda_pdf(agenda, locale, utcnow(), **check_in_context(agenda))
    return download(pdf, "application/pdf", f"agenda-{slug}.pdf", inline=True)


@bp.get("/company/events/<slug>/agenda.ics")
@role_required(Role.COMPANY)
def company_ics(slug: str) -> Response:
    participation = own_participation_or_404(slug)
    agenda = build_agenda(db.session, participation)
    ics = agenda_calendar([agenda], utcnow(), name=agenda.event.display_name)
    return download(ics, "text/calendar", f"agenda-{slug}.ics")


@bp.post("/company/calendar-feed")
@role_required(Role.COMPANY)
def regenerate_feed_link() -> BaseResponse:
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    company = db.session.get(Company, current_user.company_id)
    if company is None:
        abort(404)
    regenerate_feed(db.session, company)
    db.session.commit()
    flash(_("A new calendar link was created; the previous one no longer works."), "success")
    target = request.form.get("next", "")
    if not target.startswith("/company/") or not is_safe_redirect(target):
        target = url_for("company.dashboard")
    return redirect(target)


@bp.get("/calendar/<token>.ics")
@limiter.limit("120 per minute")
def feed(token: str) -> Response:
    """A company's calendar subscription: every published meeting, no login, token in the URL."""
    company = company_for_token(db.session, token)
    if company is None:
        abort(404)
    locale = next((u.locale for u in company.contacts if u.active), None)
    if locale not in current_app.config["LANGUAGES"]:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        agendas = [
            build_agenda(db.session, participation)
            for participation in company.participations
            if participation.status == ParticipationStatus.APPROVED
        ]
        ics = agenda_calendar(
            [a for a in agendas if a.version is not None],
            utcnow(),
            name=company.legal_name,
            method=None,
        )
    return calendar_feed(ics, "meetings.ics")


@bp.get("/organiser/events/<slug>/sheets")
@role_required(Role.ORGANISER)
def sheets(slug: str) -> str:
    event = _event(slug)
    version = get_published_version(db.session, event.id)
    undelivered = list_undelivered(db.session, event.id)
    return render_template(
        "agenda/sheets.html", event=event, version=version, undelivered=undelivered
    )


def _published_meetings(event: Event) -> list[Meeting]:
    version = get_published_version(db.session, event.id)
    if version is None:
        abort(404)
    return list_meetings(db.session, version)


@bp.get("/organiser/events/<slug>/sheets/tables.pdf")
@role_required(Role.ORGANISER)
def table_sheets(slug: str) -> Response:
    event = _event(slug)
    pdf = table_sheets_pdf(event, _published_meetings(event), utcnow())
    return download(pdf, "application/pdf", f"tables-{slug}.pdf", inline=True)


@bp.get("/organiser/events/<slug>/sheets/overview.pdf")
@role_required(Role.ORGANISER)
def zone_overview(slug: str) -> Response:
    event = _event(slug)
    pdf = zone_overview_pdf(event, _published_meetings(event), utcnow())
    return download(pdf, "application/pdf", f"zones-{slug}.pdf", inline=True)


def _render_check_in(event: Event, status: int = 200) -> tuple[str, int]:
    meetings = [m for m in _published_meetings(event) if m.status == MeetingStatus.SCHEDULED]
    slot_ids = list(dict.fromkeys(m.slot_id for m in meetings))
    slots = {s.id: s for s in db.session.scalars(select(Slot).where(Slot.id.in_(slot_ids or [0])))}
    chosen = id_arg("slot")
    if chosen not in slots:
        now = utcnow()
        chosen = next((i for i in slot_ids if slots[i].ends_at > now), None)
        chosen = chosen if chosen is not None else (slot_ids[-1] if slot_ids else None)
    rows = [m for m in meetings if m.slot_id == chosen]
    return render_template(
        "agenda/check_in.html",
        event=event,
        slots=[slots[i] for i in slot_ids],
        chosen=chosen,
        meetings=rows,
        form=AttendanceForm(),
    ), status


@bp.get("/organiser/events/<slug>/check-in")
@role_required(Role.ORGANISER)
def check_in(slug: str) -> tuple[str, int]:
    return _render_check_in(_event(slug))


@bp.post("/organiser/events/<slug>/check-in/<int:meeting_id>")
@role_required(Role.ORGANISER)
def record_attendance(slug: str, meeting_id: int) -> BaseResponse | tuple[str, int]:
    event = _event(slug)
    version = get_published_version(db.session, event.id)
    meeting = db.session.get(Meeting, meeting_id)
    if version is None or meeting is None or meeting.version_id != version.id:
        abort(404)
    form = AttendanceForm()
    if not form.validate_on_submit():
        flash(_("Choose held, no-show or not marked."), "error")
        return _render_check_in(event, 422)
    with attempt() as outcome:
        record_attendance_service(db.session, meeting, form.value())
    if not outcome.ok:
        return _render_check_in(event, outcome.status)
    return redirect(url_for("agenda.check_in", slug=slug, slot=meeting.slot_id))


@bp.get("/organiser/messages")
@role_required(Role.ORGANISER)
def messages() -> str:
    messages = list_undelivered(
        db.session, event_ids=managed_event_ids(db.session, current_user)
    )  # an organiser's own events only; an administrator's: all, with account e-mails
    return render_template("agenda/messages.html", messages=messages)
