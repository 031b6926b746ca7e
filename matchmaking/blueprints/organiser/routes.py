"""Organiser views: the organiser role, and for one event, an organiser of that event.

Administrators pass every check, create events and assign organisers to them.
"""

from __future__ import annotations

from datetime import UTC, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from matchmaking import scoring
from matchmaking.blueprints.access import organiser_event_or_404 as _event
from matchmaking.blueprints.access import require_manages, role_required
from matchmaking.blueprints.actions import Outcome, attempt
from matchmaking.blueprints.choices import sector_choices, sector_names
from matchmaking.blueprints.csv_response import csv_response
from matchmaking.blueprints.organiser import bp
from matchmaking.blueprints.organiser.forms import (
    TEXT_LANGUAGES,
    AssignOrganiserForm,
    BulkApproveForm,
    ConfirmForm,
    DecisionForm,
    EventDetailsForm,
    NewEventForm,
    RegistrationFilterForm,
    SetupForm,
)
from matchmaking.extensions import db
from matchmaking.i18n import country_name
from matchmaking.models import Company, Event, Participation, User
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services.availability import meetings_outside
from matchmaking.services.console import event_overviews
from matchmaking.services.duplicates import likely_duplicates
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
    catalogue_names,
    create_event,
    update_event_details,
)
from matchmaking.services.event_status import allowed_statuses, change_status
from matchmaking.services.review import (
    CSV_COLUMNS,
    RegistrationFilter,
    count_pending,
    decide_registration,
    export_rows,
    list_registrations,
    page_of_registrations,
)
from matchmaking.services.review import approve_registrations as review_approve


@bp.get("/")
@role_required(Role.ORGANISER)
def index() -> str:
    """The events the organiser manages (all of them for an administrator): where each stands
    and what to do next."""
    mine = managed_events(current_user).with_only_columns(Event.id)
    events = list(
        db.session.scalars(
            select(Event)
            .where(Event.id.in_(mine))
            .order_by(Event.start_date.desc())
            .options(selectinload(Event.organisers))
        )
    )
    return render_template(
        "organiser/index.html",
        overviews=event_overviews(db.session, events, utcnow()),
        today=utcnow().date(),
    )


def _filters(event: Event) -> tuple[RegistrationFilterForm, RegistrationFilter]:
    form = RegistrationFilterForm(request.args)
    countries = sorted(
        set(
            db.session.scalars(
                select(Company.country)
                .join(Participation)
                .where(Participation.event_id == event.id)
                .distinct()
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
@role_required(Role.ORGANISER)
def registrations(slug: str) -> tuple[str, int]:
    event = _event(slug)
    form, filters = _filters(event)
    page = page_of_registrations(
        db.session, event, filters, request.args.get("page", 1, type=int) or 1
    )
    duplicates = likely_duplicates(db.session, event)
    status = 200 if not form.errors else 400
    return render_template(
        "organiser/registrations.html",
        event=event,
        form=form,
        page=page,
        rows=page.rows,
        pending_total=count_pending(db.session, event, filters),
        duplicates=duplicates,
        sector_names=sector_names(event),
        bulk=BulkApproveForm(formdata=None),
    ), status


@bp.get("/events/<slug>/registrations.csv")
@role_required(Role.ORGANISER)
def registrations_csv(slug: str) -> Response:
    event = _event(slug)
    _form, filters = _filters(event)
    rows = list_registrations(db.session, event, filters)
    return csv_response(
        f"{event.slug}-registrations.csv",
        CSV_COLUMNS,
        export_rows(rows, likely_duplicates(db.session, event)),
    )


@bp.route("/registrations/<int:participation_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def registration(participation_id: int) -> Response | tuple[str, int]:
    participation = db.session.get(Participation, participation_id)
    if participation is None:
        abort(404)
    require_manages(participation.event)
    form = DecisionForm()
    duplicates = likely_duplicates(db.session, participation.event).get(participation.id, [])
    outcome = Outcome()
    if form.validate_on_submit():
        with attempt(form, success=_("Decision saved.")) as outcome:
            decide_registration(
                db.session,
                participation,
                current_user,
                form.decision.data == "approve",
                form.reason.data or "",
                utcnow(),
            )
        if outcome.ok:
            return redirect(url_for("organiser.registrations", slug=participation.event.slug))
    others = [(db.session.get(Participation, m.participation_id), m.reasons) for m in duplicates]
    return render_template(
        "organiser/registration.html",
        p=participation,
        form=form,
        duplicates=others,
        outside=meetings_outside(db.session, participation),
    ), outcome.status


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
                    # What readers see: the names given, else the catalogues' (default zones).
                    **{
                        f"name_{code}": text
                        for code, text in {
                            **catalogue_names(z.name),
                            **(z.translations or {}),
                        }.items()
                    },
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
        zones.append(
            ZoneInput(
                z.code.data, z.name.data or "", z.tables.data or 1, tuple(ids), z.translations()
            )
        )
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


def _offer_allowed_statuses(form: SetupForm, event: Event) -> None:
    """Offer only the statuses the event may move to (all are accepted for the service to
    refuse with its reason); a refused choice is shown as the event's own status."""
    allowed = allowed_statuses(db.session, event)
    form.status.choices = [c for c in form.status.choices if c.value in allowed]
    if form.status.data not in allowed:
        form.status.data = event.status


@bp.route("/events/<slug>/setup", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def setup(slug: str) -> Response | tuple[str, int]:
    event = _event(slug)
    form = SetupForm()
    if request.method == "GET":
        _fill_setup(form, event)
    for entry in form.zones:
        entry.form.sectors.choices = _zone_sector_choices(event)
    outcome = Outcome()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            data = _setup_input(form, event)
            cancelled = apply_setup(
                db.session, event, data, current_user, confirm_drop=bool(form.confirm_drop.data)
            )
            change_status(db.session, event, form.status.data, current_user, utcnow())
        if outcome.ok:
            if cancelled:
                flash(
                    _("Set-up saved; %(count)d meetings were cancelled.", count=len(cancelled)),
                    "warning",
                )
            else:
                flash(_("Set-up saved."), "success")
            return redirect(url_for("organiser.setup", slug=slug))
    dropped = outcome.error.meetings if isinstance(outcome.error, GridWouldDropMeetings) else []
    _offer_allowed_statuses(form, event)
    return render_template(
        "organiser/setup.html",
        event=event,
        form=form,
        dropped=dropped,
        slots=[s for s in event.slots if not s.retired],
    ), outcome.status


@bp.route("/events/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_event() -> Response | tuple[str, int]:
    """Administrators create events, then assign their organisers."""
    form = NewEventForm()
    outcome = Outcome()
    if form.validate_on_submit():
        tz = ZoneInfo(form.timezone.data)
        created = _("Event created as a draft. Assign its organisers, then check its set-up.")
        with attempt(form, success=created) as outcome:
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
        if outcome.ok:
            return redirect(url_for("organiser.organisers", slug=event.slug))
    return render_template("organiser/new_event.html", form=form), outcome.status


@bp.route("/events/<slug>/organisers", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def organisers(slug: str) -> Response | tuple[str, int]:
    """The event's organisers; the administrator adds one by e-mail."""
    event = _event(slug)
    form = AssignOrganiserForm()
    outcome = Outcome()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            user = assign_organiser(db.session, event, form.email.data or "", current_user)
        if outcome.ok:
            flash(
                _("%(email)s now organises %(event)s.", email=user.email, event=event.display_name),
                "success",
            )
            return redirect(url_for("organiser.organisers", slug=slug))
    return render_template(
        "organiser/organisers.html", event=event, form=form, remove_form=ConfirmForm()
    ), outcome.status


@bp.post("/events/<slug>/organisers/<int:user_id>/remove")
@role_required(Role.ADMIN)
def remove_organiser(slug: str, user_id: int) -> Response:
    event = _event(slug)
    user = db.session.get(User, user_id)
    if user is None or not any(o.id == user_id for o in event.organisers):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    unassign_organiser(db.session, event, user, current_user)
    db.session.commit()
    flash(
        _("%(email)s no longer organises %(event)s.", email=user.email, event=event.display_name),
        "info",
    )
    return redirect(url_for("organiser.organisers", slug=slug))


@bp.route("/events/<slug>/details", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
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
    outcome = Outcome()
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
        with attempt(form, success=_("Saved.")) as outcome:
            update_event_details(db.session, event, data, current_user)
        if outcome.ok:
            return redirect(url_for("organiser.details", slug=slug))
    return render_template(
        "organiser/details.html", event=event, form=form, languages=TEXT_LANGUAGES
    ), outcome.status


@bp.post("/events/<slug>/registrations/approve")
@role_required(Role.ORGANISER)
def approve_registrations(slug: str) -> Response:
    """Approve the ticked pending registrations, or every pending one the filters show."""
    event = _event(slug)
    form = BulkApproveForm()
    query_args: dict[str, Any] = request.args.to_dict()
    back = url_for("organiser.registrations", slug=slug, **query_args)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(back)
    if form.scope.data == "shown":
        _form, filters = _filters(event)
        chosen = list_registrations(db.session, event, filters)
    else:
        chosen = list(
            db.session.scalars(
                select(Participation).where(
                    Participation.id.in_(form.ids.data or []), Participation.event_id == event.id
                )
            )
        )
    with attempt() as outcome:
        result = review_approve(db.session, event, chosen, current_user, utcnow())
    if not outcome.ok:
        return redirect(back)
    message = ngettext(
        "%(num)d registration approved.", "%(num)d registrations approved.", result.approved
    )
    if result.already_decided:
        message += " " + ngettext(
            "%(num)d was already decided and keeps its decision.",
            "%(num)d were already decided and keep their decision.",
            result.already_decided,
        )
    flash(message, "success")
    return redirect(back)
