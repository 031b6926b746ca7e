"""Schedule views (organisers of the event only): generate, inspect, edit, publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from matchmaking.blueprints.access import organiser_event_or_404 as _event
from matchmaking.blueprints.access import role_required
from matchmaking.blueprints.actions import Outcome, attempt
from matchmaking.blueprints.company_picker import searches_server
from matchmaking.blueprints.fragments import app_fragments
from matchmaking.blueprints.input_guard import id_arg
from matchmaking.blueprints.schedule import bp
from matchmaking.blueprints.schedule.forms import (
    ActionForm,
    AddForm,
    GenerateForm,
    LockForm,
    MoveForm,
    PublishForm,
    SwapForm,
)
from matchmaking.errors import InvalidInput
from matchmaking.extensions import db
from matchmaking.i18n import slot_label
from matchmaking.models import Event, Meeting, Participation, ScheduleVersion, Slot, Zone
from matchmaking.models.schedule import MeetingStatus, VersionStatus
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services import company_picker, refill
from matchmaking.services import schedule_edits as edits
from matchmaking.services import schedule_views as views
from matchmaking.services.agendas import meeting_reasons
from matchmaking.services.generation import generate_now
from matchmaking.services.placement import allowed_zones, free_places
from matchmaking.services.publication import publication_summary
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


def _slot_choices(event: Event, slots: list[Slot] | None = None) -> list[SelectChoice]:
    """The event's active slots (``slots`` when the view has loaded them) as choices."""
    if slots is None:
        slots = active_slots(db.session, event)
    return [SelectChoice("", "—")] + [SelectChoice(s.id, _slot_label(s, event)) for s in slots]


def _start(event: Event, base: ScheduleVersion | None, time_limit: float) -> Response:
    mark_stale_generations(db.session, utcnow(), current_app.config["SCHEDULE_STALE_SECONDS"])
    version = start_generation(db.session, event, current_user, base, time_limit)
    db.session.commit()  # queued: a `matchmaking worker` process claims and solves it
    if current_app.config.get("SCHEDULE_SYNC"):  # tests: this process plays the worker
        generate_now(db.session, version.id)
        db.session.commit()
    return redirect(url_for("schedule.version", slug=event.slug, number=version.number))


@bp.get("/")
@role_required(Role.ORGANISER)
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
        approved=views.count_approved(db.session, event),
    )


@bp.post("/generate")
@role_required(Role.ORGANISER)
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
            approved=views.count_approved(db.session, event),
        ), 422
    with attempt() as outcome:
        started = _start(event, None, float(form.time_limit.data))
    return started if outcome.ok else redirect(url_for("schedule.index", slug=slug))


@bp.get("/<int:number>")
@role_required(Role.ORGANISER)
def version(slug: str, number: int) -> str:
    """A version: its report, one zone's grid for one day, a company's meetings, the changes."""
    event = _event(slug)
    version = _version(event, number)
    slots = active_slots(db.session, event)
    days = views.grid_days(slots)
    day = request.args.get("day", type=date.fromisoformat)
    day = day if day in days else (days[0] if days else None)
    zone_id = id_arg("zone")
    zone = next((z for z in event.zones if z.id == zone_id), None) or next(iter(event.zones), None)
    day_slots = [s for s in slots if s.local_start().date() == day]
    # A page of tables at a time, so the page's size does not grow with the zone.
    tables = views.table_page(zone, request.args.get("tables", 1, type=int))
    grid = views.zone_grid(db.session, version, zone, day_slots, tables.rows) if zone else {}
    search = searches_server(db.session, event)
    company_id = id_arg("company")
    company_text = request.args.get("company_name", "").strip()[:200]
    company_error = ""
    if company_text:  # typed without JavaScript, or changed since the picker chose
        try:
            company_id = company_picker.resolve(
                db.session, event, company_text, company_id, None, "company_name"
            )
        except InvalidInput as error:
            company_id, company_error = None, error.message
    unscheduled = version.unscheduled or []
    # The report lists at most 200 pairs left out for want of an interpreter, by name.
    left_out = ((version.report or {}).get("interpreters") or {}).get("left_out", [])[:200]
    wanted = (
        {int(r["buyer"]) for r in [*unscheduled, *left_out]}
        | {int(r["supplier"]) for r in [*unscheduled, *left_out]}
        | {company_id or 0}
    )
    # A small event's pickers list every approved company: the names are among them.
    by_side = None if search else company_picker.choices_by_side(db.session, event)
    if by_side is None:
        names = company_picker.names_of(db.session, event, wanted)
    else:
        names = {pid: name for pid, name in by_side[None] if pid in wanted}
    company_day = views.company_meetings(db.session, version, company_id) if company_id else []
    add_form = AddForm()
    _fill_add_choices(add_form, event, search, slots, by_side)
    here: dict[str, object] = {
        "zone": zone.id if zone else None,
        "day": day.isoformat() if day else None,
        "tables": tables.number if tables.number > 1 else None,
    }
    return render_template(
        "schedule/version.html",
        event=event,
        version=version,
        progress_message=progress_message(version),
        days=days,
        day=day,
        zone=zone,
        here=here,
        slots=day_slots,
        tables=tables,
        grid=grid,
        names=names,
        company_id=company_id,
        company=names.get(company_id or 0),
        company_text=company_text or names.get(company_id or 0, ""),
        company_error=company_error,
        company_options=None if by_side is None else by_side[None],
        company_search_url=url_for("directory.company_search", slug=event.slug) if search else "",
        company_day=company_day,
        add_form=add_form,
        action_form=ActionForm(),
        changes=views.list_changes(db.session, version),
        left_out=views.left_out_lines(left_out, names),
        grid_rows=grid_rows(event, version, here, tables.rows, day_slots, grid),
    )


@dataclass(frozen=True)
class GridCell:
    """What a grid cell shows of its meeting."""

    id: int
    buyer_id: int
    supplier_id: int
    buyer: str
    supplier: str
    must: bool
    locked: bool
    interpreter: str | None


# Grid pages kept rendered per worker process (~100 KB each at most: TABLES_PER_PAGE).
GRID_PAGES = 64


def grid_rows(
    event: Event,
    version: ScheduleVersion,
    here: dict[str, object],
    table_rows: list[int],
    slots: list[Slot],
    grid: dict[tuple[int, int], Meeting],
) -> Markup:
    """The grid's table rows, rendered again only when anything they show (each cell's
    meeting, names and interpreter, the tables and slots, the language) differs from a grid
    already rendered in this process: the key is that data itself, so a change shows on the
    very next request, in every worker."""
    cells = {
        place: GridCell(
            m.id,
            m.buyer_id,
            m.supplier_id,
            m.buyer.company.legal_name,
            m.supplier.company.legal_name,
            bool(m.must),
            bool(m.locked),
            m.interpreter.name if m.interpreter else None,
        )
        for place, m in grid.items()
    }
    slot_ids = tuple(s.id for s in slots)
    key = (
        str(get_locale()),
        event.slug,
        version.number,
        tuple(sorted(here.items(), key=lambda item: item[0])),
        tuple(table_rows),
        slot_ids,
        tuple(sorted(cells.items())),
    )
    return app_fragments("schedule_grids", GRID_PAGES).get_or_render(
        key,
        None,
        lambda: render_template(
            "schedule/_grid_rows.html",
            slug=event.slug,
            number=version.number,
            here=here,
            table_rows=table_rows,
            slot_ids=slot_ids,
            cells=cells,
        ),
    )


def _fill_add_choices(
    form: AddForm,
    event: Event,
    search: bool,
    slots: list[Slot] | None = None,
    by_side: dict[str | None, list[tuple[int, str]]] | None = None,
) -> None:
    form.buyer.setup(db.session, event, search, by_side)
    form.supplier.setup(db.session, event, search, by_side)
    form.slot.choices = _slot_choices(event, slots)
    form.zone.choices = [SelectChoice("", "—")] + [
        SelectChoice(z.id, z.display_name) for z in event.zones
    ]


@bp.get("/<int:number>/progress.json")
@role_required(Role.ORGANISER)
def progress(slug: str, number: int) -> Response:
    version = _version(_event(slug), number)
    return jsonify(
        status=version.status,
        progress=round(version.progress, 3),
        message=progress_message(version),
    )


# A generation queued this long has found no worker: the page says what to check.
NO_WORKER_AFTER = timedelta(minutes=2)


def progress_message(version: ScheduleVersion) -> str:
    """The generation's state in words; a queued one no worker took says so."""
    waited = utcnow() - version.created_at
    if version.status == VersionStatus.QUEUED and waited > NO_WORKER_AFTER:
        return ngettext(
            "Queued for %(num)d minute and no generation worker has taken it: generation runs"
            " in the worker processes (%(command)s, started by %(starter)s); check that they"
            " are running.",
            "Queued for %(num)d minutes and no generation worker has taken it: generation runs"
            " in the worker processes (%(command)s, started by %(starter)s); check that they"
            " are running.",
            int(waited.total_seconds() // 60),
            command="matchmaking worker",
            starter="make run",
        )
    return _(version.message) if version.message else ""


@bp.get("/<int:number>/instance.json")
@role_required(Role.ORGANISER)
def instance(slug: str, number: int) -> Response:
    version = _version(_event(slug), number)
    if version.instance is None:
        abort(404)
    response = jsonify(version.instance)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{slug}-v{number}-instance.json"'
    )
    return response


@bp.get("/<int:number>/meetings.json")
@role_required(Role.ORGANISER)
def meeting_search(slug: str, number: int) -> Response:
    """The version's scheduled meetings whose companies match ``q`` (any script), 20 a page,
    for the swap picker; ``exclude`` leaves out the meeting being edited."""
    version = _version(_event(slug), number)
    found = views.search_meetings(
        db.session,
        version,
        request.args.get("q", "")[:200],
        request.args.get("exclude", type=int),
        request.args.get("page", 1, type=int),
    )
    return jsonify(
        results=[{"id": mid, "name": label} for mid, label in found.rows],
        page=found.number,
        pages=found.pages,
        total=found.total,
    )


@bp.route("/<int:number>/meetings/<int:meeting_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
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
    zones = allowed_zones(meeting)
    move_form.zone.choices = [SelectChoice("", "—")] + [
        SelectChoice(z.id, z.display_name) for z in zones
    ]
    if searches_server(db.session, event):  # a large event: search as the organiser types
        swap_form.other.configure(
            search_url=url_for(
                "schedule.meeting_search", slug=slug, number=number, exclude=meeting.id
            ),
            resolve=lambda text, chosen: views.resolve_meeting(
                db.session, version, text, chosen, meeting.id
            ),
        )
    else:
        swap_form.other.configure(options=views.meeting_choices(db.session, version, meeting.id))
    action_form = ActionForm(prefix="act")
    outcome = Outcome()
    if request.method == "POST":
        action = request.form.get("action", "")
        forms = {"move": move_form, "swap": swap_form, "lock": lock_form, "cancel": action_form}
        form = forms.get(action)
        if form is None:
            abort(400)
        if form.validate_on_submit():
            with attempt(form, field="slot" if action == "move" else None) as outcome:
                if action == "move":
                    slot = db.session.get(Slot, move_form.slot.data)
                    if slot is None:
                        raise edits.RuleBroken(_("Choose a time."), field="slot")
                    zone = next((z for z in zones if z.id == move_form.zone.data), None)
                    edits.move_meeting(
                        db.session, meeting, slot, move_form.table.data, current_user, zone
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
                    refill.offer_after_cancel(db.session, meeting, utcnow())  # on the day
                    message = _("Meeting cancelled.")
            if outcome.ok:
                flash(message, "success")
                return redirect(
                    url_for("schedule.meeting", slug=slug, number=number, meeting_id=meeting_id)
                )
    lock_form.locked.data = meeting.locked
    editable = meeting.status == MeetingStatus.SCHEDULED and version.status in (
        VersionStatus.DRAFT,
        VersionStatus.PUBLISHED,
    )
    return render_template(
        "schedule/meeting.html",
        event=event,
        version=version,
        meeting=meeting,
        reasons=meeting_reasons(event, meeting),
        places=free_places(db.session, meeting, zones=zones) if editable else None,
        zones=zones,
        move_form=move_form,
        swap_form=swap_form,
        lock_form=lock_form,
        action_form=action_form,
    ), outcome.status


@bp.post("/<int:number>/add")
@role_required(Role.ORGANISER)
def add(slug: str, number: int) -> Response | tuple[str, int]:
    event = _event(slug)
    version = _version(event, number)
    form = AddForm()
    _fill_add_choices(form, event, searches_server(db.session, event))
    outcome = Outcome()
    if form.validate_on_submit():
        with attempt(form, success=_("Meeting added.")) as outcome:
            slot = db.session.get(Slot, form.slot.data)
            zone = db.session.get(Zone, form.zone.data)
            if slot is None or zone is None:
                abort(400)
            edits.add_meeting(
                db.session,
                version,
                db.session.get_one(Participation, form.buyer.data),  # approved: a choice
                db.session.get_one(Participation, form.supplier.data),
                slot,
                zone,
                form.table.data,
                current_user,
            )
        if outcome.ok:
            return redirect(url_for("schedule.version", slug=slug, number=number))
    return render_template(
        "schedule/add.html", event=event, version=version, form=form
    ), outcome.status


@bp.route("/<int:number>/publish", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def publish(slug: str, number: int) -> Response | tuple[str, int]:
    """A summary of what publishing will do, then publication once the organiser confirms."""
    event = _event(slug)
    version = _version(event, number)
    if version.status != VersionStatus.DRAFT:
        flash(_("Only a draft can be published."), "error")
        return redirect(url_for("schedule.version", slug=slug, number=number))
    form = PublishForm()
    outcome = Outcome()
    if form.validate_on_submit():
        published = _("Schedule published. Companies now see their meetings.")
        with attempt(form, success=published) as outcome:
            edits.publish_version(db.session, version, current_user, utcnow())
        if outcome.ok:
            return redirect(url_for("schedule.version", slug=slug, number=number))
    summary = publication_summary(db.session, version)
    return render_template(
        "schedule/publish.html", event=event, version=version, form=form, summary=summary
    ), outcome.status


@bp.post("/<int:number>/regenerate")
@role_required(Role.ORGANISER)
def regenerate(slug: str, number: int) -> Response:
    event = _event(slug)
    base = _version(event, number)
    form = GenerateForm()
    if not form.validate_on_submit():
        flash(_("Give a time limit between 1 and 600 seconds."), "error")
        return redirect(url_for("schedule.version", slug=slug, number=number))
    if base.status != VersionStatus.DRAFT:
        flash(_("Only a draft can be re-generated."), "error")
        return redirect(url_for("schedule.version", slug=slug, number=number))
    with attempt() as outcome:
        started = _start(event, base, float(form.time_limit.data))
    if not outcome.ok:
        return redirect(url_for("schedule.version", slug=slug, number=number))
    return started
