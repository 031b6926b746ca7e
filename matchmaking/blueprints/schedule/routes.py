"""Schedule views (organisers of the event only): generate, inspect, edit, publish."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from matchmaking.blueprints.access import organiser_event_or_404 as _event
from matchmaking.blueprints.access import role_required
from matchmaking.blueprints.schedule import bp
from matchmaking.blueprints.schedule.forms import (
    ActionForm,
    AddForm,
    GenerateForm,
    LockForm,
    MoveForm,
    SwapForm,
)
from matchmaking.errors import DomainError, show_on_form
from matchmaking.extensions import db
from matchmaking.i18n import slot_label
from matchmaking.models import Event, Meeting, Participation, ScheduleVersion, Slot, Zone
from matchmaking.models.types import utcnow
from matchmaking.services import schedule_edits as edits
from matchmaking.services.generation import generate_in_background, generate_now
from matchmaking.services.matching import list_approved
from matchmaking.services.schedules import (
    active_slots,
    mark_stale_generations,
    start_generation,
)


def _version(event: Event, number: int) -> ScheduleVersion:
    version = db.session.scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.event_id == event.id, ScheduleVersion.number == number
        )
    )
    if version is None:
        abort(404)
    return version


def _meeting(version: ScheduleVersion, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.version_id != version.id:
        abort(404)
    return meeting


def _slot_label(slot: Slot, event: Event) -> str:
    return slot_label(slot.starts_at, event.timezone)


def _slot_choices(event: Event) -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [
        SelectChoice(s.id, _slot_label(s, event)) for s in active_slots(db.session, event)
    ]


def _start(event: Event, base: ScheduleVersion | None, time_limit: float) -> Response:
    mark_stale_generations(db.session, utcnow(), current_app.config["SCHEDULE_STALE_SECONDS"])
    version = start_generation(db.session, event, current_user, base)
    db.session.commit()
    if current_app.config.get("SCHEDULE_SYNC"):
        generate_now(version, time_limit)
        db.session.commit()
    else:
        generate_in_background(current_app._get_current_object(), version.id, time_limit)  # type: ignore[attr-defined]
    return redirect(url_for("schedule.version", slug=event.slug, number=version.number))


@bp.get("/")
@role_required("organiser")
def index(slug: str) -> str:
    event = _event(slug)
    versions = db.session.scalars(
        select(ScheduleVersion)
        .where(ScheduleVersion.event_id == event.id)
        .order_by(ScheduleVersion.number.desc())
    ).all()
    return render_template(
        "schedule/index.html",
        event=event,
        versions=versions,
        form=GenerateForm(),
        approved=len(list_approved(db.session, event)),
    )


@bp.post("/generate")
@role_required("organiser")
def generate(slug: str) -> Response | tuple[str, int]:
    event = _event(slug)
    form = GenerateForm()
    if not form.validate_on_submit():
        versions = db.session.scalars(
            select(ScheduleVersion).where(ScheduleVersion.event_id == event.id)
        ).all()
        return render_template(
            "schedule/index.html",
            event=event,
            versions=versions,
            form=form,
            approved=len(list_approved(db.session, event)),
        ), 422
    try:
        return _start(event, None, float(form.time_limit.data))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("schedule.index", slug=slug))


@bp.get("/<int:number>")
@role_required("organiser")
def version(slug: str, number: int) -> str:
    event = _event(slug)
    version = _version(event, number)
    meetings = [m for m in version.meetings if m.status == "scheduled"]
    slots = active_slots(db.session, event)
    grid: dict[int, dict[tuple[int, int], Meeting]] = defaultdict(dict)
    for m in meetings:
        grid[m.zone_id][(m.table_number, m.slot_id)] = m
    approved = {p.id: p for p in list_approved(db.session, event)}
    company_id = request.args.get("company", type=int)
    company_day = (
        sorted(
            (m for m in meetings if company_id in (m.buyer_id, m.supplier_id)),
            key=lambda m: m.slot.starts_at,
        )
        if company_id
        else []
    )
    add_form = AddForm()
    _fill_add_choices(add_form, event, approved)
    return render_template(
        "schedule/version.html",
        event=event,
        version=version,
        meetings=meetings,
        slots=slots,
        grid=grid,
        approved=approved,
        company_id=company_id,
        company_day=company_day,
        add_form=add_form,
        action_form=ActionForm(),
        changes=_changes(version),
    )


def _changes(version: ScheduleVersion) -> list[Any]:
    rows = [c for m in version.meetings for c in m.changes]
    return sorted(rows, key=lambda c: c.id, reverse=True)[:50]


def _fill_add_choices(form: AddForm, event: Event, approved: dict[int, Participation]) -> None:
    companies = sorted(approved.values(), key=lambda p: p.company.legal_name)
    form.buyer.choices = [SelectChoice("", "—")] + [
        SelectChoice(p.id, p.company.legal_name) for p in companies if p.buys
    ]
    form.supplier.choices = [SelectChoice("", "—")] + [
        SelectChoice(p.id, p.company.legal_name) for p in companies if p.sells
    ]
    form.slot.choices = _slot_choices(event)
    form.zone.choices = [SelectChoice("", "—")] + [
        SelectChoice(z.id, _(z.name)) for z in event.zones
    ]


@bp.get("/<int:number>/progress.json")
@role_required("organiser")
def progress(slug: str, number: int) -> Response:
    version = _version(_event(slug), number)
    return jsonify(
        status=version.status, progress=round(version.progress, 3), message=version.message
    )


@bp.get("/<int:number>/instance.json")
@role_required("organiser")
def instance(slug: str, number: int) -> Response:
    version = _version(_event(slug), number)
    if version.instance is None:
        abort(404)
    response = jsonify(version.instance)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{slug}-v{number}-instance.json"'
    )
    return response


@bp.route("/<int:number>/meetings/<int:meeting_id>", methods=["GET", "POST"])
@role_required("organiser")
def meeting(slug: str, number: int, meeting_id: int) -> Response | tuple[str, int]:
    event = _event(slug)
    version = _version(event, number)
    meeting = _meeting(version, meeting_id)
    move_form, swap_form, lock_form = (
        MoveForm(prefix="move"),
        SwapForm(prefix="swap"),
        LockForm(prefix="lock"),
    )
    move_form.slot.choices = _slot_choices(event)
    swap_form.other.choices = [SelectChoice("", "—")] + [
        SelectChoice(
            m.id,
            f"#{m.id} {_slot_label(m.slot, event)} · {m.buyer.company.legal_name}"
            f" – {m.supplier.company.legal_name}",
        )
        for m in sorted(version.meetings, key=lambda m: (m.slot.starts_at, m.id))
        if m.status == "scheduled" and m.id != meeting.id
    ]
    action_form = ActionForm(prefix="act")
    status = 200
    if request.method == "POST":
        action = request.form.get("action", "")
        forms = {"move": move_form, "swap": swap_form, "lock": lock_form, "cancel": action_form}
        form = forms.get(action)
        if form is None:
            abort(400)
        if form.validate_on_submit():
            try:
                if action == "move":
                    slot = db.session.get(Slot, move_form.slot.data)
                    if slot is None:
                        raise edits.RuleBroken(_("Choose a time."), field="slot")
                    edits.move_meeting(
                        db.session, meeting, slot, move_form.table.data, current_user
                    )
                    message = _("Meeting moved.")
                elif action == "swap":
                    other = _meeting(version, swap_form.other.data or 0)
                    edits.swap_meetings(db.session, meeting, other, current_user)
                    message = _("Meetings swapped.")
                elif action == "lock":
                    edits.set_locked(db.session, meeting, bool(lock_form.locked.data), current_user)
                    message = _("Saved.")
                else:
                    edits.cancel_meeting(db.session, meeting, current_user)
                    message = _("Meeting cancelled.")
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                show_on_form(form, error, default="slot" if action == "move" else None)
                status = 409 if isinstance(error, edits.SlotTaken) else 422
            else:
                flash(message, "success")
                return redirect(
                    url_for("schedule.meeting", slug=slug, number=number, meeting_id=meeting_id)
                )
        else:
            status = 422
    lock_form.locked.data = meeting.locked
    return render_template(
        "schedule/meeting.html",
        event=event,
        version=version,
        meeting=meeting,
        move_form=move_form,
        swap_form=swap_form,
        lock_form=lock_form,
        action_form=action_form,
    ), status


@bp.post("/<int:number>/add")
@role_required("organiser")
def add(slug: str, number: int) -> Response | tuple[str, int]:
    event = _event(slug)
    version = _version(event, number)
    approved = {p.id: p for p in list_approved(db.session, event)}
    form = AddForm()
    _fill_add_choices(form, event, approved)
    if form.validate_on_submit():
        try:
            slot = db.session.get(Slot, form.slot.data)
            zone = db.session.get(Zone, form.zone.data)
            if slot is None or zone is None:
                abort(400)
            edits.add_meeting(
                db.session,
                version,
                approved[form.buyer.data or 0],
                approved[form.supplier.data or 0],
                slot,
                zone,
                form.table.data,
                current_user,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            flash(_("Meeting added."), "success")
            return redirect(url_for("schedule.version", slug=slug, number=number))
    return render_template("schedule/add.html", event=event, version=version, form=form), 422


@bp.post("/<int:number>/publish")
@role_required("organiser")
def publish(slug: str, number: int) -> Response:
    event = _event(slug)
    version = _version(event, number)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        edits.publish_version(db.session, version, current_user, utcnow())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Schedule published. Companies now see their meetings."), "success")
    return redirect(url_for("schedule.version", slug=slug, number=number))


@bp.post("/<int:number>/regenerate")
@role_required("organiser")
def regenerate(slug: str, number: int) -> Response:
    event = _event(slug)
    base = _version(event, number)
    form = GenerateForm()
    if not form.validate_on_submit():
        flash(_("Give a time limit between 1 and 600 seconds."), "error")
        return redirect(url_for("schedule.version", slug=slug, number=number))
    if base.status != "draft":
        flash(_("Only a draft can be re-generated."), "error")
        return redirect(url_for("schedule.version", slug=slug, number=number))
    try:
        return _start(event, base, float(form.time_limit.data))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("schedule.version", slug=slug, number=number))
