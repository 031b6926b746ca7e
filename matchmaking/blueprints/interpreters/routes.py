"""Organisers register an event's interpreters, by form or from a file, and remove them.

Each new interpreter account gets an e-mail with a link to choose its password.
"""

from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from matchmaking.blueprints.access import organiser_event_or_404 as _event
from matchmaking.blueprints.access import role_required
from matchmaking.blueprints.actions import Outcome, attempt
from matchmaking.blueprints.csv_response import csv_response
from matchmaking.blueprints.interpreters import bp
from matchmaking.blueprints.interpreters.forms import (
    InterpreterConfirmForm,
    InterpreterEditForm,
    InterpreterForm,
    InterpreterImportForm,
    RemoveForm,
)
from matchmaking.errors import InvalidInput
from matchmaking.extensions import db
from matchmaking.models import Event, Interpreter, User
from matchmaking.models.user import Role
from matchmaking.services import tokens
from matchmaking.services.agendas import get_published_version
from matchmaking.services.interpreter_import import (
    COLUMNS,
    TEMPLATE_EXAMPLE,
    EventFacts,
    parse_interpreters,
)
from matchmaking.services.interpreters import (
    HoursInput,
    InterpreterInput,
    hours_example,
    list_interpreters,
    meeting_counts,
    register_interpreter,
    register_interpreters,
    remove_interpreter,
    update_interpreter,
)
from matchmaking.services.mail import Mail, MailError, send_mail
from matchmaking.services.registration_import import MAX_FILE_BYTES, normalise

PREVIEW_ROWS = 20


def send_invitation(user: User, event: Event) -> bool:
    """Tell a new interpreter account it was registered, with a link to choose a password."""
    token = tokens.reset_token(current_app.config["SECRET_KEY"], user)
    link = url_for("auth.reset", token=token, _external=True)
    with force_locale(user.locale):
        mail = Mail(
            to=user.email,
            subject=_("You interpret at %(event)s: choose your password", event=event.display_name),
            text=render_template(
                "interpreters/email_invitation.txt",
                user=user,
                event=event,
                link=link,
                reset=url_for("auth.reset_request", _external=True),
            ),
        )
    try:
        send_mail(current_app.config, mail)
    except MailError:
        current_app.logger.exception("invitation to %s failed", user.email)
        return False
    return True


def _invite(registered: list[tuple[Interpreter, bool]], event: Event) -> None:
    new = [interpreter.user for interpreter, is_new in registered if is_new]
    sent = sum(send_invitation(user, event) for user in new)
    if sent < len(new):
        flash(
            ngettext(
                "%(num)d invitation could not be sent.",
                "%(num)d invitations could not be sent.",
                len(new) - sent,
            ),
            "warning",
        )


def _render_index(event: Event, form: InterpreterForm, status: int = 200) -> tuple[str, int]:
    version = get_published_version(db.session, event.id)
    return render_template(
        "interpreters/index.html",
        event=event,
        form=form,
        interpreters=list_interpreters(db.session, event),
        counts=meeting_counts(db.session, version.id if version else None),
        remove_form=RemoveForm(),
    ), status


@bp.route("/organiser/events/<slug>/interpreters", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def index(slug: str) -> Response | tuple[str, int]:
    """The event's interpreters, their meetings in the published schedule, and a form to add one."""
    event = _event(slug)
    form = InterpreterForm().for_event(event)
    outcome = Outcome()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            registered = [register_interpreter(db.session, event, form.to_input(), current_user)]
        if outcome.ok:
            flash(_("%(name)s is registered as an interpreter.", name=registered[0][0].name))
            _invite(registered, event)
            return redirect(url_for("interpreters.index", slug=slug))
    return _render_index(event, form, outcome.status)


def _event_interpreter(event: Event, interpreter_id: int) -> Interpreter:
    interpreter = db.session.get(Interpreter, interpreter_id)
    if interpreter is None or interpreter.event_id != event.id:
        abort(404)
    return interpreter


@bp.route("/organiser/events/<slug>/interpreters/<int:interpreter_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit(slug: str, interpreter_id: int) -> Response | tuple[str, int]:
    """Change an interpreter's languages, hours, zones, cap or cost."""
    event = _event(slug)
    interpreter = _event_interpreter(event, interpreter_id)
    form = InterpreterEditForm().for_event(event)
    if request.method == "GET":
        form.fill(interpreter)
    outcome = Outcome()
    if form.validate_on_submit():
        with attempt(form, success=_("Saved.")) as outcome:
            update_interpreter(db.session, interpreter, form.to_input(), current_user)
        if outcome.ok:
            return redirect(url_for("interpreters.index", slug=slug))
    return render_template(
        "interpreters/edit.html", event=event, interpreter=interpreter, form=form
    ), outcome.status


@bp.post("/organiser/events/<slug>/interpreters/<int:interpreter_id>/remove")
@role_required(Role.ORGANISER)
def remove(slug: str, interpreter_id: int) -> Response:
    event = _event(slug)
    interpreter = _event_interpreter(event, interpreter_id)
    if not RemoveForm().validate_on_submit():
        abort(400)
    name = interpreter.name
    with attempt(success=_("%(name)s no longer interprets at this event.", name=name)):
        remove_interpreter(db.session, interpreter, current_user)
    return redirect(url_for("interpreters.index", slug=slug))


# --- import from a file --------------------------------------------------------------------------


def _facts(event: Event) -> EventFacts:
    zones: dict[str, str] = {}
    for zone in event.zones:
        zones.setdefault(normalise(zone.code), zone.code)
        for name in (zone.name, *(zone.translations or {}).values()):
            zones.setdefault(normalise(name), zone.code)
    return EventFacts(frozenset(event.days), zones)


def _row_json(number: int, row: InterpreterInput) -> dict[str, object]:
    return {
        "row": number,
        "name": row.name,
        "email": row.email,
        "languages": list(row.languages),
        "hours": [[h.day.isoformat(), h.start.isoformat(), h.end.isoformat()] for h in row.hours],
        "zones": list(row.zones),
        "max_meetings": row.max_meetings,
        "cost": None if row.cost_per_slot_usd is None else str(row.cost_per_slot_usd),
        "locale": row.locale,
    }


def _rows_from_json(text: str) -> list[InterpreterInput]:
    """The rows the preview carried; raises ``InvalidInput`` on anything else."""
    try:
        items = json.loads(text)
        return [
            InterpreterInput(
                name=str(item["name"]),
                email=str(item["email"]),
                languages=tuple(str(c) for c in item["languages"]),
                hours=tuple(
                    HoursInput(date.fromisoformat(d), time.fromisoformat(s), time.fromisoformat(e))
                    for d, s, e in item["hours"]
                ),
                zones=tuple(str(z) for z in item["zones"]),
                max_meetings=None if item["max_meetings"] is None else int(item["max_meetings"]),
                cost_per_slot_usd=None if item["cost"] is None else Decimal(str(item["cost"])),
                locale=str(item["locale"]) if item["locale"] in ("en", "zh", "ru") else "en",
            )
            for item in items
        ]
    except (ValueError, KeyError, TypeError, ArithmeticError):
        raise InvalidInput(_("This preview cannot be read. Upload the file again.")) from None


@bp.route("/organiser/events/<slug>/interpreters/import", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def import_file(slug: str) -> tuple[str, int]:
    """Upload a file; the answer previews its rows and lists every error, or offers the import."""
    event = _event(slug)
    form = InterpreterImportForm()
    parsed, confirm, status = None, None, 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            upload = form.file.data
            data = upload.stream.read(MAX_FILE_BYTES + 1)
            parsed = parse_interpreters(upload.filename or "", data, _facts(event))
            if parsed.ok:
                payload = [_row_json(number, row) for number, row in parsed.rows]
                confirm = InterpreterConfirmForm(
                    formdata=None,
                    rows=json.dumps(payload, ensure_ascii=True, separators=(",", ":")),
                )
                status = 200
    return render_template(
        "interpreters/import.html",
        event=event,
        form=form,
        parsed=parsed,
        confirm=confirm,
        preview_rows=PREVIEW_ROWS,
        columns=COLUMNS,
        hours_example=hours_example(event.start_date),
    ), status


@bp.post("/organiser/events/<slug>/interpreters/import/confirm")
@role_required(Role.ORGANISER)
def confirm_import(slug: str) -> Response:
    """Register the previewed interpreters in one transaction, then invite the new accounts."""
    event = _event(slug)
    form = InterpreterConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    again = redirect(url_for("interpreters.import_file", slug=slug))
    registered: list[tuple[Interpreter, bool]] = []
    with attempt(silent=(IntegrityError,)) as outcome:
        rows = _rows_from_json(form.rows.data or "")
        registered = register_interpreters(db.session, event, rows, current_user)
    if isinstance(outcome.error, IntegrityError):
        flash(_("Some of these interpreters were registered meanwhile. Upload the file again."))
    if not outcome.ok:
        return again
    flash(
        ngettext(
            "%(num)d interpreter registered.", "%(num)d interpreters registered.", len(registered)
        ),
        "success",
    )
    _invite(registered, event)
    return redirect(url_for("interpreters.index", slug=slug))


@bp.get("/organiser/events/<slug>/interpreters/import/template.csv")
@role_required(Role.ORGANISER)
def import_template(slug: str) -> Response:
    event = _event(slug)
    example = dict(TEMPLATE_EXAMPLE, hours=hours_example(event.start_date))
    return csv_response(
        f"{event.slug}-interpreters-template.csv",
        [str(c.label) for c in COLUMNS],
        [[example[c.key] for c in COLUMNS]],
    )
