"""Organisers import registrations from a CSV or Excel file: upload, preview, confirm.

The checked rows wait between the preview and the confirmation in a file of the instance
folder, named by a random token that the organiser's session holds and that is bound to the
event and the organiser; nothing is written to the database before the confirmation.
"""

from __future__ import annotations

import io
import json
import secrets
import time
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
from babel import Locale
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from matchmaking.blueprints.access import organiser_event_or_404 as _event
from matchmaking.blueprints.access import role_required
from matchmaking.blueprints.actions import attempt
from matchmaking.blueprints.csv_response import csv_response
from matchmaking.blueprints.organiser import bp
from matchmaking.blueprints.organiser.forms import ImportConfirmForm, ImportUploadForm
from matchmaking.extensions import db
from matchmaking.i18n import LANGUAGE_CODES
from matchmaking.models import Event
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services.invitations import queue_import_invitations
from matchmaking.services.registration import find_import_conflicts, import_registrations
from matchmaking.services.registration_import import (
    COLUMNS,
    MAX_FILE_BYTES,
    Catalogue,
    ImportRow,
    normalise,
    parse_registrations,
    template_example,
)

PREVIEW_ROWS = 20
SHOWN_ERRORS = 1000
STASH_SECONDS = 3600
SESSION_KEY = "registration_import"


@cache
def _country_codes() -> dict[str, str]:
    """ISO codes by normalised code, English, Chinese and Russian name."""
    names: dict[str, str] = {}
    locales = [Locale.parse(code) for code in ("en", "zh", "ru")]
    for country in pycountry.countries:
        code = country.alpha_2
        spellings = [code, country.alpha_3, country.name]
        spellings += [getattr(country, a, "") for a in ("official_name", "common_name")]
        spellings += [str(locale.territories.get(code, "")) for locale in locales]
        for spelling in spellings:
            if spelling:
                names.setdefault(normalise(spelling), code)
    return names


def _catalogue(event: Event) -> tuple[Catalogue, dict[str, str]]:
    """What a row may name (the event's sectors by code and by name in every language) and
    the template's headings in every language."""
    sectors: dict[str, int] = {}
    headings: dict[str, str] = {}
    for sector in event.sectors:
        sectors.setdefault(normalise(sector.code), sector.id)
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            for sector in event.sectors:
                sectors.setdefault(normalise(_(sector.name)), sector.id)
            for column in COLUMNS:
                headings.setdefault(normalise(str(column.label)), column.key)
    return Catalogue(sectors, _country_codes(), frozenset(LANGUAGE_CODES)), headings


# --- rows kept between the preview and the confirmation --------------------------------------


def _stash_dir() -> Path:
    return Path(current_app.instance_path) / "imports"


def _stash_path(token: str) -> Path | None:
    if not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
        return None
    return _stash_dir() / f"{token}.json"


def _stash(event: Event, rows: list[ImportRow], columns: dict[str, str]) -> str:
    """Keep the checked rows for the confirmation; returns their token (also in the session)."""
    folder = _stash_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.json"):  # forgotten previews
        if now - old.stat().st_mtime > STASH_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    payload = {
        "kept_at": now,  # the app's clock, not the file's (they differ when a test moves it)
        "event": event.id,
        "user": current_user.id,
        "columns": columns,
        "rows": [row.to_json() for row in rows],
    }
    path = _stash_path(token)
    assert path is not None
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    session[SESSION_KEY] = token
    return token


def _unstash(token: str, event: Event) -> tuple[list[ImportRow], dict[str, str]] | None:
    """The rows kept under ``token`` for this session, event and organiser, else None."""
    path = _stash_path(token)
    if path is None or session.get(SESSION_KEY) != token or not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        if time.time() - float(payload["kept_at"]) > STASH_SECONDS:
            return None
        if payload["event"] != event.id or payload["user"] != current_user.id:
            return None
        rows = [ImportRow.from_json(row) for row in payload["rows"]]
        return rows, dict(payload["columns"])
    except (ValueError, KeyError, TypeError):
        return None


def _drop_stash(token: str) -> None:
    path = _stash_path(token)
    if path is not None:
        path.unlink(missing_ok=True)
    session.pop(SESSION_KEY, None)


# --- views ------------------------------------------------------------------------------------


@bp.route("/events/<slug>/registrations/import", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def import_file(slug: str) -> tuple[str, int]:
    """Upload a file; the answer previews its rows and lists every error, or offers the import."""
    event = _event(slug)
    form = ImportUploadForm()
    parsed, confirm, status = None, None, 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            upload = form.file.data
            catalogue, headings = _catalogue(event)
            data = upload.stream.read(MAX_FILE_BYTES + 1)
            parsed = parse_registrations(upload.filename or "", data, catalogue, headings)
            if parsed.rows:
                parsed.errors += find_import_conflicts(
                    db.session, event, parsed.rows, parsed.columns
                )
            if parsed.ok:
                token = _stash(event, parsed.rows, parsed.columns)
                confirm = ImportConfirmForm(formdata=None, token=token)
                status = 200
    return render_template(
        "organiser/import.html",
        event=event,
        form=form,
        parsed=parsed,
        confirm=confirm,
        preview_rows=PREVIEW_ROWS,
        shown_errors=SHOWN_ERRORS,
        columns=COLUMNS,
    ), status


@bp.post("/events/<slug>/registrations/import/confirm")
@role_required(Role.ORGANISER)
def confirm_import(slug: str) -> Response:
    """Import the previewed file in one transaction, then e-mail each contact an invitation."""
    event = _event(slug)
    form = ImportConfirmForm()
    if not form.validate_on_submit() or form.status.data not in tuple(ParticipationStatus):
        abort(400)
    again = redirect(url_for("organiser.import_file", slug=slug))
    kept = _unstash(form.token.data or "", event)
    if kept is None:
        flash(
            _("This preview has expired or was already imported. Upload the file again."), "error"
        )
        return again
    rows, columns = kept
    approve = form.status.data == ParticipationStatus.APPROVED
    with attempt(silent=(IntegrityError,)) as outcome:
        now = utcnow()
        users = import_registrations(db.session, event, rows, columns, current_user, approve, now)
        # Sent by the scheduler's job: a file of thousands of rows returns at once.
        queue_import_invitations(db.session, event, users, now)
    if isinstance(outcome.error, IntegrityError):
        flash(_("Some of these companies registered meanwhile. Upload the file again."), "error")
    if not outcome.ok:
        return again
    _drop_stash(form.token.data or "")
    flash(
        ngettext("%(num)d registration imported.", "%(num)d registrations imported.", len(users)),
        "success",
    )
    flash(
        _(
            "The invitations are being e-mailed; any that fail are listed under"
            " E-mails not delivered."
        ),
        "info",
    )
    return redirect(url_for("organiser.registrations", slug=slug))


def _template_rows(event: Event) -> tuple[list[str], list[str]]:
    """The template's headings in the reader's language and one example row."""
    example = template_example(str(get_locale()))
    sector = next((s for s in event.sectors if s.parent_id is not None), None)
    if sector is not None:
        example["buys"] = f"{sector.code}: {example['buys'].partition(':')[2].strip()}"
    return [str(c.label) for c in COLUMNS], [example[c.key] for c in COLUMNS]


@bp.get("/events/<slug>/registrations/import/template.csv")
@role_required(Role.ORGANISER)
def import_template_csv(slug: str) -> Response:
    event = _event(slug)
    header, example = _template_rows(event)
    return csv_response(f"{event.slug}-registrations-template.csv", header, [example])


@bp.get("/events/<slug>/registrations/import/template.xlsx")
@role_required(Role.ORGANISER)
def import_template_xlsx(slug: str) -> Response:
    """The template as a workbook, with a second sheet listing the sectors' codes and names."""
    from openpyxl import Workbook

    event = _event(slug)
    header, example = _template_rows(event)
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = _("Registrations")[:31]
    sheet.append(header)
    sheet.append(example)
    sectors: Any = workbook.create_sheet(_("Sectors")[:31])
    sectors.append([_("Code"), _("Sector")])
    for sector in event.sectors:
        sectors.append([sector.code, _(sector.name)])
    out = io.BytesIO()
    workbook.save(out)
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{event.slug}-registrations-template.xlsx"'
            )
        },
    )
