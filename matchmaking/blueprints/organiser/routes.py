"""Organiser views: the organiser role, and for one event, an organiser of that event.

Administrators pass every check, create events and assign organisers to them.
"""

from __future__ import annotations

from datetime import UTC, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from matchmaking import scoring
from matchmaking.blueprints.access import organiser_event_or_404 as _event
from matchmaking.blueprints.access import require_manages, role_required
from matchmaking.blueprints.choices import sector_choices
from matchmaking.blueprints.organiser import bp
from matchmaking.blueprints.organiser.forms import (
    TEXT_LANGUAGES,
    AssignOrganiserForm,
    ConfirmForm,
    DecisionForm,
    EventDetailsForm,
    NewEventForm,
    RegistrationFilterForm,
    SetupForm,
)
from matchmaking.errors import DomainError, show_on_form
from matchmaking.extensions import db
from matchmaking.i18n import country_name
from matchmaking.models import Company, Event, Participation, User
from matchmaking.models.types import utcnow
from matchmaking.services.event_organisers import (
    assign_organiser,
    managed_events,
    unassign_organiser,
)
from matchmaking.services.event_setup import (
    BreakInput,
    DayInput,
    EventDetailsInput,
    GridWouldDropMeetings,
    SetupInput,
    ZoneInput,
    apply_setup,
    create_event,
    update_event_details,
)
from matchmaking.services.review import (
    RegistrationFilter,
    decide_registration,
    export_csv,
    likely_duplicates,
    list_registrations,
)


@bp.get("/")
@role_required("organiser")
def index() -> str:
    """The events the organiser manages (all of them for an administrator)."""
    mine = managed_events(current_user).with_only_columns(Event.id)
    rows = db.session.execute(
        select(Event, Participation.status, func.count(Participation.id))
        .where(Event.id.in_(mine))
        .outerjoin(Participation, Participation.event_id == Event.id)
        .group_by(Event.id, Participation.status)
        .order_by(Event.start_date.desc())
        .options(selectinload(Event.organisers))
    ).all()
    counts: dict[int, dict[str, int]] = {}
    events: list[Event] = []
    for event, status, count in rows:
        if event.id not in counts:
            counts[event.id] = {}
            events.append(event)
        if status:
            counts[event.id][status] = count
    return render_template("organiser/index.html", events=events, counts=counts)


def _filters(event: Event) -> tuple[RegistrationFilterForm, RegistrationFilter]:
    form = RegistrationFilterForm(request.args)
    countries = sorted(
        set(
            db.session.scalars(
                select(Company.country)
                .join(Participation)
                .where(Participation.event_id == event.id)
            )
        )
    )
    form.country.choices = [SelectChoice("", _("Any country"))] + [
        SelectChoice(c, country_name(c)) for c in countries
    ]
    form.sector.choices = sector_choices(event, _("Any sector"))
    valid = form.validate()
    sector = form.sector.data if valid else ""
    filters = RegistrationFilter(
        country=(form.country.data or "") if valid else "",
        sector_id=int(sector) if sector and sector.isdigit() else None,
        role=(form.role.data or "") if valid else "",
        status=(form.status.data or "") if valid else "",
        q=(form.q.data or "") if valid else "",
    )
    return form, filters


@bp.get("/events/<slug>/registrations")
@role_required("organiser")
def registrations(slug: str) -> tuple[str, int]:
    event = _event(slug)
    form, filters = _filters(event)
    rows = list_registrations(db.session, event, filters)
    duplicates = likely_duplicates(db.session, event)
    status = 200 if not form.errors else 400
    return render_template(
        "organiser/registrations.html", event=event, form=form, rows=rows, duplicates=duplicates
    ), status


@bp.get("/events/<slug>/registrations.csv")
@role_required("organiser")
def registrations_csv(slug: str) -> Response:
    event = _event(slug)
    _form, filters = _filters(event)
    rows = list_registrations(db.session, event, filters)
    body = export_csv(rows, likely_duplicates(db.session, event))
    return Response(
        "\ufeff" + body,  # BOM: spreadsheets then read the UTF-8 (Chinese, Cyrillic) right
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-registrations.csv"'},
    )


@bp.route("/registrations/<int:participation_id>", methods=["GET", "POST"])
@role_required("organiser")
def registration(participation_id: int) -> Response | tuple[str, int]:
    participation = db.session.get(Participation, participation_id)
    if participation is None:
        abort(404)
    require_manages(participation.event)
    form = DecisionForm()
    duplicates = likely_duplicates(db.session, participation.event).get(participation.id, [])
    if form.validate_on_submit():
        try:
            decide_registration(
                db.session,
                participation,
                current_user,
                form.decision.data == "approve",
                form.reason.data or "",
                utcnow(),
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            flash(_("Decision saved."), "success")
            return redirect(url_for("organiser.registrations", slug=participation.event.slug))
    status = 422 if request.method == "POST" else 200
    others = [db.session.get(Participation, pid) for pid in duplicates]
    return render_template(
        "organiser/registration.html", p=participation, form=form, duplicates=others
    ), status


def _zone_sector_choices(event: Event) -> list[SelectChoice]:
    return [SelectChoice(s.id, _(s.name)) for s in event.top_sectors()]


def _fill_setup(form: SetupForm, event: Event) -> None:
    tz = event.tz
    form.status.data = event.status
    form.registration_deadline.data = event.registration_deadline.astimezone(tz).replace(
        tzinfo=None
    )
    form.slot_minutes.data = event.slot_minutes
    form.default_max_meetings.data = event.default_max_meetings
    form.open_request_cap.data = event.open_request_cap
    form.request_expiry_hours.data = event.request_expiry_hours
    days = [(d.day, d.start_time, d.end_time) for d in event.schedule_days] or [
        (day, time(9), time(17, 30)) for day in event.days
    ]
    for field_list, rows in (
        (form.days, [{"day": d, "start": s, "end": e} for d, s, e in days] + [{}]),
        (
            form.breaks,
            [
                {"day": b.day, "start": b.start_time, "end": b.end_time, "label": b.label}
                for b in event.breaks
            ]
            + [{}],
        ),
        (
            form.zones,
            [
                {
                    "code": z.code,
                    "name": z.name,
                    "tables": z.tables,
                    "sectors": [s.id for s in z.sectors if s.parent_id is None],
                }
                for z in event.zones
            ]
            + [{}],
        ),
    ):
        while field_list.entries:
            field_list.pop_entry()
        for row in rows:
            field_list.append_entry(row)
    weights = scoring.Weights(**(event.scoring_weights or {}))
    for name in ("sector", "text", "request", "language", "capacity", "diversity"):
        getattr(form, f"weight_{name}").data = getattr(weights, name)


def _setup_input(form: SetupForm, event: Event) -> SetupInput:
    tz = event.tz
    top = {s.id: s for s in event.top_sectors()}
    zones = []
    for entry in form.zones:
        z = entry.form
        if not z.code.data:
            continue
        ids: list[int] = []
        for sid in z.sectors.data or []:  # a top sector brings its sub-sectors
            ids.append(sid)
            ids.extend(child.id for child in top[sid].children)
        zones.append(ZoneInput(z.code.data, z.name.data or "", z.tables.data or 1, tuple(ids)))
    return SetupInput(
        registration_deadline=form.registration_deadline.data.replace(tzinfo=tz).astimezone(UTC),
        slot_minutes=form.slot_minutes.data,
        default_max_meetings=form.default_max_meetings.data,
        open_request_cap=form.open_request_cap.data,
        request_expiry_hours=form.request_expiry_hours.data,
        days=tuple(
            DayInput(e.form.day.data, e.form.start.data, e.form.end.data)
            for e in form.days
            if e.form.day.data
        ),
        breaks=tuple(
            BreakInput(e.form.day.data, e.form.start.data, e.form.end.data, e.form.label.data or "")
            for e in form.breaks
            if e.form.day.data
        ),
        zones=tuple(zones),
        weights={
            name: float(getattr(form, f"weight_{name}").data)
            for name in ("sector", "text", "request", "language", "capacity", "diversity")
        },
    )


@bp.route("/events/<slug>/setup", methods=["GET", "POST"])
@role_required("organiser")
def setup(slug: str) -> Response | tuple[str, int]:
    event = _event(slug)
    form = SetupForm()
    if request.method == "GET":
        _fill_setup(form, event)
    for entry in form.zones:
        entry.form.sectors.choices = _zone_sector_choices(event)
    dropped: list[Any] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                data = _setup_input(form, event)
                scoring.Weights(**data.weights)
                cancelled = apply_setup(
                    db.session, event, data, current_user, confirm_drop=bool(form.confirm_drop.data)
                )
                event.status = form.status.data
                db.session.commit()
            except GridWouldDropMeetings as error:
                db.session.rollback()
                dropped = error.meetings
                form.confirm_drop.errors.append(error.message)
                status = 409
            except ValueError as error:  # scoring weights
                db.session.rollback()
                form.weight_sector.errors.append(str(error))
            except DomainError as error:
                db.session.rollback()
                show_on_form(form, error)
            else:
                if cancelled:
                    flash(
                        _("Set-up saved; %(count)d meetings were cancelled.", count=len(cancelled)),
                        "warning",
                    )
                else:
                    flash(_("Set-up saved."), "success")
                return redirect(url_for("organiser.setup", slug=slug))
    return render_template(
        "organiser/setup.html",
        event=event,
        form=form,
        dropped=dropped,
        slots=[s for s in event.slots if not s.retired],
    ), status


@bp.route("/events/new", methods=["GET", "POST"])
@role_required("admin")
def new_event() -> Response | tuple[str, int]:
    """Administrators create events, then assign their organisers."""
    form = NewEventForm()
    status = 200
    if form.validate_on_submit():
        tz = ZoneInfo(form.timezone.data)
        try:
            event = create_event(
                db.session,
                current_user,
                form.slug.data,
                form.name.data,
                form.venue.data,
                form.city.data,
                form.timezone.data,
                form.start_date.data,
                form.end_date.data,
                form.registration_deadline.data.replace(tzinfo=tz).astimezone(UTC),
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
            status = 422
        else:
            flash(
                _("Event created as a draft. Assign its organisers, then check its set-up."),
                "success",
            )
            return redirect(url_for("organiser.organisers", slug=event.slug))
    elif request.method == "POST":
        status = 422
    return render_template("organiser/new_event.html", form=form), status


def _organisers_page(event: Event, form: AssignOrganiserForm, status: int) -> tuple[str, int]:
    return render_template(
        "organiser/organisers.html",
        event=event,
        form=form,
        remove_form=ConfirmForm(),
    ), status


@bp.route("/events/<slug>/organisers", methods=["GET", "POST"])
@role_required("admin")
def organisers(slug: str) -> Response | tuple[str, int]:
    """The event's organisers; the administrator adds one by e-mail."""
    event = _event(slug)
    form = AssignOrganiserForm()
    if request.method == "GET":
        return _organisers_page(event, form, 200)
    if form.validate_on_submit():
        try:
            user = assign_organiser(db.session, event, form.email.data or "", current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            flash(
                _("%(email)s now organises %(event)s.", email=user.email, event=event.display_name),
                "success",
            )
            return redirect(url_for("organiser.organisers", slug=slug))
    return _organisers_page(event, form, 422)


@bp.post("/events/<slug>/organisers/<int:user_id>/remove")
@role_required("admin")
def remove_organiser(slug: str, user_id: int) -> Response:
    event = _event(slug)
    user = db.session.get(User, user_id)
    if user is None or not any(o.id == user_id for o in event.organisers):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    unassign_organiser(db.session, event, user, current_user)
    db.session.commit()
    flash(_("%(email)s no longer organises %(event)s.", email=user.email, event=event.display_name), "info")
    return redirect(url_for("organiser.organisers", slug=slug))


@bp.route("/events/<slug>/details", methods=["GET", "POST"])
@role_required("organiser")
def details(slug: str) -> Response | tuple[str, int]:
    """The event's name, venue and description, with their Chinese, Russian and English texts."""
    event = _event(slug)
    form = EventDetailsForm()
    if request.method == "GET":
        form.name.data, form.venue.data = event.name, event.venue
        form.city.data, form.description.data = event.city, event.description
        for code, _label in TEXT_LANGUAGES:
            texts = (event.translations or {}).get(code) or {}
            for name in Event.TRANSLATED:
                form[code].form[name].data = texts.get(name, "")
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            data = EventDetailsInput(
                name=form.name.data or "",
                venue=form.venue.data or "",
                city=form.city.data or "",
                description=form.description.data or "",
                translations={
                    code: {name: form[code].form[name].data or "" for name in Event.TRANSLATED}
                    for code, _label in TEXT_LANGUAGES
                },
            )
            try:
                update_event_details(db.session, event, data, current_user)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                show_on_form(form, error)
                status = error.status
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("organiser.details", slug=slug))
    return render_template(
        "organiser/details.html", event=event, form=form, languages=TEXT_LANGUAGES
    ), status
