"""Live refill views: thin; the rules are in ``services.refill``.

Floor staff and organisers of the event see the freed tables of a slot and their proposals,
ask for pairs, and confirm one; a company confirms a proposal naming it and joins or leaves
today's standby list from its agenda; a zone screen shows the current and next slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from matchmaking.blueprints.access import event_or_404, own_participation_or_404, role_required
from matchmaking.blueprints.actions import attempt
from matchmaking.blueprints.input_guard import id_arg
from matchmaking.blueprints.refill import bp
from matchmaking.blueprints.refill.forms import ConfirmForm, OfferForm, StandbyForm
from matchmaking.errors import DomainError
from matchmaking.extensions import db
from matchmaking.models import Event, Participation, RefillOffer, ScheduleVersion, Slot, Zone
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services import refill, refill_views
from matchmaking.services.agendas import get_published_version
from matchmaking.services.floor_staff import may_work_floor
from matchmaking.services.schedules import active_slots

FLOOR_ROLES = (Role.ORGANISER, Role.FLOOR_STAFF)


def _floor_event(slug: str) -> Event:
    """The event if the current user works its floor; 404 otherwise (as an unknown event)."""
    event = event_or_404(slug)
    if not may_work_floor(db.session, current_user, event):
        abort(404)
    return event


def _version(event: Event) -> ScheduleVersion:
    version = get_published_version(db.session, event.id)
    if version is None:
        abort(404)
    return version


def current_and_next(slots: list[Slot], now: datetime) -> tuple[Slot | None, Slot | None]:
    """The slot under way (or the next one, between slots) and the one after it."""
    coming = [s for s in slots if s.ends_at > now]
    return (coming[0] if coming else None), (coming[1] if len(coming) > 1 else None)


def _render_refills(event: Event, status: int = 200) -> tuple[str, int]:
    version = get_published_version(db.session, event.id)
    now = utcnow()
    slots = active_slots(db.session, event)
    today = now.astimezone(event.tz).date()
    day_slots = [s for s in slots if s.local_start().date() == today and s.ends_at > now]
    chosen_id = id_arg("slot")
    chosen = next((s for s in day_slots if s.id == chosen_id), None)
    if chosen is None:
        chosen = current_and_next(day_slots, now)[0]
    places = (
        refill_views.list_freed_places(db.session, version, chosen) if chosen and version else []
    )
    return render_template(
        "refill/proposals.html",
        event=event,
        published=version is not None,
        slots=day_slots,
        chosen=chosen,
        places=places,
        counts=refill_views.live_counts(db.session, event, today),
        confirm_form=ConfirmForm(),
        offer_form=OfferForm(),
    ), status


@bp.get("/floor/events/<slug>/refills")
@role_required(*FLOOR_ROLES)
def proposals(slug: str) -> tuple[str, int]:
    """The freed tables of a slot today (the one under way by default) and their proposals."""
    return _render_refills(_floor_event(slug))


@bp.post("/floor/events/<slug>/refills/offer")
@role_required(*FLOOR_ROLES)
def offer(slug: str) -> BaseResponse | tuple[str, int]:
    """Find the best pairs for a freed table (again: earlier open proposals are replaced)."""
    event = _floor_event(slug)
    version = _version(event)
    form = OfferForm()
    if not form.validate_on_submit():
        flash(_("Choose a freed table."), "error")
        return _render_refills(event, 422)
    slot = db.session.get(Slot, form.slot.data)
    zone = db.session.get(Zone, form.zone.data)
    if slot is None or zone is None or slot.event_id != event.id or zone.event_id != event.id:
        abort(404)
    with attempt() as outcome:
        made = refill.offer_table(db.session, version, slot, zone, form.table.data or 0, utcnow())
    if not outcome.ok:
        return _render_refills(event, outcome.status)
    if made:
        flash(_("%(count)d pairs proposed.", count=len(made)), "success")
    else:
        flash(_("No pair of companies checked in and free fits this table now."), "info")
    return redirect(url_for("refill.proposals", slug=slug, slot=slot.id))


def _offer_of(event: Event, offer_id: int) -> RefillOffer:
    found = db.session.get(RefillOffer, offer_id)
    if found is None or found.event_id != event.id:
        abort(404)
    return found


@bp.post("/floor/events/<slug>/refills/<int:offer_id>/confirm")
@role_required(*FLOOR_ROLES)
def confirm(slug: str, offer_id: int) -> BaseResponse | tuple[str, int]:
    """Floor staff or an organiser confirm a proposal: the meeting is placed at once."""
    event = _floor_event(slug)
    found = _offer_of(event, offer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    slot_id = found.slot_id
    with attempt(success=_("Meeting placed; both companies see it on their agendas.")) as outcome:
        refill.confirm_offer(db.session, found, current_user, utcnow())
    if not outcome.ok:
        return _render_refills(event, outcome.status)
    return redirect(url_for("refill.proposals", slug=slug, slot=slot_id))


@bp.post("/company/events/<slug>/refills/<int:offer_id>/confirm")
@role_required(Role.COMPANY)
def company_confirm(slug: str, offer_id: int) -> BaseResponse:
    """One of the two companies confirms a proposal naming it, from its agenda."""
    participation = own_participation_or_404(slug)
    found = _offer_of(participation.event, offer_id)
    if participation.id not in (found.buyer_id, found.supplier_id):
        abort(404)  # another company's proposal: as if it did not exist
    if not ConfirmForm().validate_on_submit():
        abort(400)
    success = _("Meeting confirmed; it is on both agendas.")
    with attempt(success=success, silent=(DomainError,)) as outcome:
        refill.confirm_offer(db.session, found, current_user, utcnow())
    if outcome.error is not None:
        raise outcome.error  # rolled back: the error page says why, with its status (409...)
    return redirect(url_for("agenda.company_agenda", slug=slug))


@bp.post("/company/events/<slug>/standby")
@role_required(Role.COMPANY)
def standby(slug: str) -> BaseResponse:
    """Join or leave today's standby list ("I have free slots today")."""
    participation = own_participation_or_404(slug)
    form = StandbyForm()
    if not form.validate_on_submit():
        abort(400)
    joining = form.action.data == "join"
    message = (
        _("You are on today's standby list: you may be proposed for freed tables.")
        if joining
        else _("You left today's standby list.")
    )
    with attempt(success=message):
        if joining:
            refill.join_standby(db.session, participation, utcnow())
        else:
            refill.leave_standby(db.session, participation, utcnow())
    return redirect(url_for("agenda.company_agenda", slug=slug))


@bp.get("/floor/events/<slug>/zones/<int:zone_id>/screen")
@role_required(*FLOOR_ROLES)
def zone_screen(slug: str, zone_id: int) -> str:
    """A display at a zone's entrance: the current and next slot's tables and companies,
    refilled tables marked; static/js/zone_screen.js reloads its content every 30 s."""
    event = _floor_event(slug)
    zone = db.session.scalar(select(Zone).where(Zone.id == zone_id, Zone.event_id == event.id))
    if zone is None:
        abort(404)
    version = _version(event)
    now = utcnow()
    current, following = current_and_next(active_slots(db.session, event), now)
    shown = [s for s in (current, following) if s is not None]
    return render_template(
        "refill/zone_screen.html",
        event=event,
        zone=zone,
        now=now,
        slots=[(s, refill_views.zone_tables(db.session, version, zone, s)) for s in shown],
    )


@dataclass(frozen=True)
class CompanyPanel:
    """The refill part of a company's agenda: today's standby and proposals, with their forms."""

    on_standby: bool
    offers: list[RefillOffer]
    confirm_form: ConfirmForm
    standby_form: StandbyForm


def company_panel(
    participation: Participation, now: datetime, flags: tuple[bool, bool]
) -> CompanyPanel | None:
    """The agenda's refill panel on an event day (None on other days); ``flags``: see
    ``refill_views.get_company_day``."""
    today = refill_views.get_company_day(db.session, participation, now, flags)
    if today is None:
        return None
    return CompanyPanel(today.on_standby, today.offers, ConfirmForm(), StandbyForm())
