"""Floor views: staff check companies in by code and mark meetings; organisers add staff.

The check-in forms work without JavaScript; with it (static/js/floor.js) an entry made with
no network is queued on the phone and sent when the network returns, as JSON requests
(``Accept: application/json``) answered here with ``{"ok", "message"}`` and the error's status
(409 when the meeting changed meanwhile).
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response as BaseResponse

from matchmaking.blueprints.access import event_or_404, organiser_event_or_404, role_required
from matchmaking.blueprints.account_mail import send_floor_staff_invitation
from matchmaking.blueprints.actions import Outcome, attempt
from matchmaking.blueprints.floor import bp
from matchmaking.blueprints.floor.forms import (
    CodeForm,
    FloorAttendanceForm,
    PresenceForm,
    RemoveStaffForm,
    StaffForm,
)
from matchmaking.blueprints.queued import invalid_json, json_answer, json_requested
from matchmaking.errors import DomainError, InvalidInput
from matchmaking.extensions import db, limiter
from matchmaking.models import Event, Meeting, Participation, User, event_floor_staff
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services.agendas import get_published_version
from matchmaking.services.check_ins import (
    check_in,
    check_out,
    count_present,
    event_day,
    get_check_in,
    meeting_version,
    record_floor_attendance,
)
from matchmaking.services.company_codes import companies_named, participation_for_code
from matchmaking.services.event_organisers import managed_events
from matchmaking.services.floor_staff import (
    add_floor_staff,
    list_floor_staff,
    may_work_floor,
    remove_floor_staff,
)

FLOOR_ROLES = (Role.ORGANISER, Role.FLOOR_STAFF)


def _floor_event(slug: str) -> Event:
    """The event with ``slug`` if the current user works its floor (404 otherwise, as for an
    unknown event: staff learn nothing of other events)."""
    event = event_or_404(slug)
    if not may_work_floor(db.session, current_user, event):
        abort(404)
    return event


def _company_meetings(participation: Participation) -> list[Meeting]:
    """The participation's meetings in the published schedule, by time (today's among them;
    staff may also mark an earlier day's meeting late)."""
    version = get_published_version(db.session, participation.event_id)
    if version is None:
        return []
    meetings = db.session.scalars(
        select(Meeting)
        .options(
            joinedload(Meeting.slot),
            joinedload(Meeting.zone),
            joinedload(Meeting.buyer).joinedload(Participation.company),
            joinedload(Meeting.supplier).joinedload(Participation.company),
            joinedload(Meeting.interpreter),
        )
        .where(
            Meeting.version_id == version.id,
            or_(Meeting.buyer_id == participation.id, Meeting.supplier_id == participation.id),
        )
    ).unique()
    return sorted(meetings, key=lambda m: (m.slot.starts_at, m.id))


def _refills_url(event: Event) -> str | None:
    """The live refill page of ``event`` (the refill blueprint's), where installed."""
    try:
        return url_for("refill.proposals", slug=event.slug)
    except BuildError:
        return None


def _render_check_in(
    event: Event,
    code_form: CodeForm,
    participation: Participation | None,
    status: int = 200,
    named: list[tuple[str, str]] | None = None,
) -> tuple[str, int]:
    now = utcnow()
    today = event_day(event, now)
    record = get_check_in(db.session, participation.id, today) if participation else None
    return render_template(
        "floor/check_in.html",
        event=event,
        code_form=code_form,
        participation=participation,
        code=code_form.code.data or "",
        check_in=record,
        meetings=_company_meetings(participation) if participation else [],
        today=today,
        present=count_present(db.session, event.id, today),
        presence_form=PresenceForm(),
        attendance_form=FloorAttendanceForm(),
        meeting_version=meeting_version,
        refills_url=_refills_url(event),
        named=named or [],
        now=now,
    ), status


@bp.get("/floor/")
@role_required(*FLOOR_ROLES)
def index() -> str:
    """The events whose floor the current user works."""
    if current_user.role == Role.FLOOR_STAFF:
        query = select(Event).where(
            Event.id.in_(
                select(event_floor_staff.c.event_id).where(
                    event_floor_staff.c.user_id == current_user.id
                )
            )
        )
    else:
        query = managed_events(current_user)
    events = db.session.scalars(query.order_by(Event.start_date.desc(), Event.id)).all()
    return render_template("floor/index.html", events=events)


@bp.get("/floor/events/<slug>/check-in")
@role_required(*FLOOR_ROLES)
@limiter.limit("120 per minute")
def check_in_page(slug: str) -> tuple[str, int]:
    event = _floor_event(slug)
    code_form = CodeForm(request.args, meta={"csrf": False})
    if not request.args.get("code"):
        return _render_check_in(event, CodeForm(formdata=None), None)
    if not code_form.validate():
        return _render_check_in(event, code_form, None, 422)
    try:
        participation = participation_for_code(
            db.session, current_app.config["SECRET_KEY"], event.id, code_form.code.data or ""
        )
    except InvalidInput as error:
        # Not a code: perhaps a company's name, typed by staff when its code is lost.
        named = companies_named(
            db.session, current_app.config["SECRET_KEY"], event.id, code_form.code.data or ""
        )
        if named:
            return _render_check_in(event, code_form, None, named=named)
        code_form.code.errors = [error.message]
        return _render_check_in(event, code_form, None, error.status)
    return _render_check_in(event, code_form, participation)


@bp.post("/floor/events/<slug>/check-in")
@role_required(*FLOOR_ROLES)
@limiter.limit("120 per minute")
def presence(slug: str) -> BaseResponse | tuple[str | Response, int]:
    """Check the company named by the posted code in for today, or out."""
    event = _floor_event(slug)
    form = PresenceForm()
    as_json = json_requested()
    if not form.validate_on_submit():
        if as_json:
            return invalid_json(form)
        abort(400)
    code = form.code.data or ""
    entering = form.presence.data == "in"
    silent = (DomainError,) if as_json else ()
    with attempt(field="code", silent=silent) as outcome:
        participation = participation_for_code(
            db.session, current_app.config["SECRET_KEY"], event.id, code
        )
        (check_in if entering else check_out)(db.session, participation, utcnow(), current_user)
        name = participation.company.legal_name
    if as_json:
        done = _("%(company)s checked in.") if entering else _("%(company)s checked out.")
        return json_answer(outcome, done % {"company": name} if outcome.ok else "")
    if outcome.ok:
        flash(
            _("%(company)s is checked in for today.", company=name)
            if entering
            else _(
                "%(company)s is checked out: its remaining meetings today are free.", company=name
            ),
            "success",
        )
        return redirect(url_for("floor.check_in_page", slug=slug, code=code))
    code_form = CodeForm(formdata=None, code=code)
    return _render_check_in(event, code_form, None, outcome.status)


@bp.post("/floor/events/<slug>/meetings/<int:meeting_id>/attendance")
@role_required(*FLOOR_ROLES)
@limiter.limit("240 per minute")
def attendance(slug: str, meeting_id: int) -> BaseResponse | tuple[str | Response, int]:
    """Mark a meeting held or no-show at the table; refused (409) when it changed since."""
    event = _floor_event(slug)
    as_json = json_requested()
    version = get_published_version(db.session, event.id)
    meeting = db.session.get(Meeting, meeting_id)
    if version is None or meeting is None or meeting.version_id != version.id:
        if as_json:
            message = _("This meeting is no longer in the published schedule.")
            return jsonify(ok=False, message=message), 409
        abort(404)
    form = FloorAttendanceForm()
    if not form.validate_on_submit():
        if as_json:
            return invalid_json(form)
        abort(400)
    silent = (DomainError,) if as_json else ()
    with attempt(silent=silent) as outcome:
        record_floor_attendance(db.session, meeting, form.value(), form.version.data or None)
    if as_json:
        return json_answer(outcome, _("Saved."))
    code = request.form.get("code", "")
    target = (
        url_for("floor.check_in_page", slug=slug, code=code)
        if code
        else url_for("floor.check_in_page", slug=slug)
    )
    return redirect(f"{target}#meeting-{meeting.id}")


@bp.get("/floor/token")
@login_required
def token() -> Response:
    """A fresh CSRF token, for entries queued offline and sent later."""
    response = jsonify(csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/organiser/events/<slug>/floor-staff", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def staff(slug: str) -> BaseResponse | tuple[str, int]:
    """The event's floor staff, and a form adding one (invited by e-mail to set a password)."""
    event = organiser_event_or_404(slug)
    form = StaffForm()
    outcome = Outcome()
    if form.validate_on_submit():
        with attempt(form, field="email") as outcome:
            user, created = add_floor_staff(
                db.session,
                event,
                form.email.data or "",
                form.full_name.data or "",
                current_user.locale,
                current_user,
            )
        if outcome.ok:
            if created:
                send_floor_staff_invitation(user, event)
                flash(
                    _("%(email)s was invited by e-mail to choose a password.", email=user.email),
                    "success",
                )
            else:
                flash(
                    _("%(email)s is now floor staff of this event too.", email=user.email),
                    "success",
                )
            return redirect(url_for("floor.staff", slug=slug))
    return render_template(
        "floor/staff.html",
        event=event,
        form=form,
        staff=list_floor_staff(db.session, event),
        remove_form=RemoveStaffForm(),
    ), outcome.status


@bp.post("/organiser/events/<slug>/floor-staff/<int:user_id>/remove")
@role_required(Role.ORGANISER)
def remove_staff(slug: str, user_id: int) -> BaseResponse:
    event = organiser_event_or_404(slug)
    user = db.session.get(User, user_id)
    if user is None or not RemoveStaffForm().validate_on_submit():
        abort(404 if user is None else 400)
    with attempt(success=_("%(email)s no longer works this event.", email=user.email)):
        remove_floor_staff(db.session, event, user, current_user)
    return redirect(url_for("floor.staff", slug=slug))


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the root so that it may keep any page readable."""
    script = Path(str(current_app.static_folder), "js", "sw.js").read_bytes()  # 2 kB
    return Response(
        script,
        mimetype="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest: the site installs on a phone's home screen."""
    icons = [
        {
            "src": url_for("static", filename=f"icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any maskable",
        }
        for size in (192, 512)
    ]
    data = {
        "name": _("Matchmaking"),
        "short_name": _("Matchmaking"),
        "start_url": url_for("main.index"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5c8c",
        "icons": icons,
    }
    return Response(
        json.dumps(data, ensure_ascii=False),
        mimetype="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )
