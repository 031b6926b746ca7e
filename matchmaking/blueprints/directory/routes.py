"""Directory, requests and rescheduling views."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from matchmaking.blueprints.access import (
    event_or_404,
    organiser_event_or_404,
    require_manages,
    role_required,
)
from matchmaking.blueprints.choices import sector_choices
from matchmaking.blueprints.directory import bp
from matchmaking.blueprints.directory.forms import (
    AnswerForm,
    DirectoryFilterForm,
    OnBehalfForm,
    ProposeForm,
    RequestForm,
)
from matchmaking.errors import DomainError, show_on_form
from matchmaking.extensions import db
from matchmaking.i18n import country_name, language_name, slot_label
from matchmaking.models import (
    Event,
    Meeting,
    MeetingRequest,
    Participation,
    RescheduleProposal,
)
from matchmaking.models.types import utcnow
from matchmaking.services import requests as requests_service
from matchmaking.services import reschedule
from matchmaking.services.matching import list_approved, recommend
from matchmaking.services.schedules import published_version


def _event(slug: str) -> Event:
    """The event with ``slug``; an organiser must manage it (a company's place is checked apart)."""
    event = event_or_404(slug)
    if current_user.role != "company":
        require_manages(event)
    return event


def _mine(event: Event) -> Participation | None:
    """The current company's participation in ``event`` (None for organisers)."""
    if current_user.role != "company":
        return None
    participation = db.session.scalar(
        select(Participation).where(
            Participation.event_id == event.id, Participation.company_id == current_user.company_id
        )
    )
    if participation is None:
        abort(404)
    return participation


def _listed(event: Event, me: Participation | None) -> list[Participation]:
    return [
        p
        for p in list_approved(db.session, event)
        if p.directory_consent and (me is None or p.id != me.id)
    ]


@bp.get("/events/<slug>/directory")
@role_required("company", "organiser")
def directory(slug: str) -> tuple[str, int]:
    event = _event(slug)
    me = _mine(event)
    if me is not None and me.status != "approved":
        return render_template("directory/not_yet.html", event=event), 403
    listed = _listed(event, me)
    form = DirectoryFilterForm(request.args)
    form.sector.choices = sector_choices(event, _("Any sector"), value=int)
    countries = sorted({p.company.country for p in listed})
    form.country.choices = [SelectChoice("", _("Any country"))] + [
        SelectChoice(c, country_name(c)) for c in countries
    ]
    languages = sorted({code for p in listed for code in p.company.languages or []})
    form.language.choices = [SelectChoice("", _("Any language"))] + [
        SelectChoice(c, language_name(c)) for c in languages
    ]
    status = 200
    rows = listed
    if form.validate():
        if form.sector.data:
            rows = [
                p
                for p in rows
                if any(
                    o.sector_id == form.sector.data or o.sector.parent_id == form.sector.data
                    for o in p.offerings
                )
            ]
        if form.country.data:
            rows = [p for p in rows if p.company.country == form.country.data]
        if form.language.data:
            rows = [p for p in rows if form.language.data in (p.company.languages or [])]
        if form.q.data:
            needle = form.q.data.casefold()
            rows = [
                p
                for p in rows
                if needle
                in (
                    p.company.legal_name
                    + " "
                    + p.company.city
                    + " "
                    + p.company.description
                    + " "
                    + " ".join(o.description for o in p.offerings)
                ).casefold()
            ]
    else:
        status = 400
    recommendations = recommend(db.session, me, limit=8) if me is not None else []
    return render_template(
        "directory/index.html",
        event=event,
        form=form,
        rows=rows,
        recommendations=recommendations,
        me=me,
    ), status


@bp.route("/events/<slug>/directory/<int:participation_id>", methods=["GET", "POST"])
@role_required("company", "organiser")
def profile(slug: str, participation_id: int) -> Response | tuple[str, int]:
    event = _event(slug)
    me = _mine(event)
    other = db.session.get(Participation, participation_id)
    if (
        other is None
        or other.event_id != event.id
        or other.status != "approved"
        or (not other.directory_consent and me is not None)
        or (me is not None and other.id == me.id)
    ):
        abort(404)
    form = RequestForm()
    status = 200
    if request.method == "POST":
        if me is None:
            abort(403)  # organisers ask on a company's behalf from the requests page
        if form.validate_on_submit():
            try:
                requests_service.request_meeting(
                    db.session, me, other, form.message.data or "", current_user, utcnow()
                )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                form.form_errors.append(error.message)
                status = error.status if error.status in (403, 422) else 409
            else:
                flash(
                    _("Your request was sent to %(company)s.", company=other.company.legal_name),
                    "success",
                )
                return redirect(url_for("directory.requests", slug=slug))
        else:
            status = 422
    return render_template(
        "directory/profile.html", event=event, other=other, form=form, me=me
    ), status


@bp.get("/company/events/<slug>/requests")
@role_required("company")
def requests(slug: str) -> str:
    event = _event(slug)
    me = _mine(event)
    assert me is not None
    requests_service.expire_requests(db.session, utcnow())
    db.session.commit()
    incoming, outgoing = requests_service.list_requests(db.session, me)
    proposals = _proposals_for(me)
    return render_template(
        "directory/requests.html",
        event=event,
        me=me,
        incoming=incoming,
        outgoing=outgoing,
        proposals=proposals,
        answer_form=AnswerForm(),
    )


def _proposals_for(me: Participation) -> list[RescheduleProposal]:
    return list(
        db.session.scalars(
            select(RescheduleProposal)
            .join(RescheduleProposal.meeting)
            .where((Meeting.buyer_id == me.id) | (Meeting.supplier_id == me.id))
            .order_by(RescheduleProposal.created_at.desc())
        )
    )


def _request_or_404(request_id: int) -> MeetingRequest:
    row = db.session.get(MeetingRequest, request_id)
    if row is None:
        abort(404)
    return row


@bp.post("/requests/<int:request_id>/answer")
@role_required("company", "organiser")
def answer(request_id: int) -> Response:
    row = _request_or_404(request_id)
    if current_user.role != "company":
        require_manages(row.requester.event)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    accept = form.decision.data == "accept"
    _commit_or_flash(
        lambda: requests_service.answer_request(db.session, row, accept, current_user, utcnow()),
        _("Request accepted: the meeting will be in the schedule.")
        if accept
        else _("Request declined."),
    )
    return _back(row.event_id)


@bp.post("/requests/<int:request_id>/withdraw")
@role_required("company")
def withdraw(request_id: int) -> Response:
    row = _request_or_404(request_id)  # CSRFProtect checks every POST's token
    _commit_or_flash(
        lambda: requests_service.withdraw_request(db.session, row, current_user, utcnow()),
        _("Request withdrawn."),
    )
    return _back(row.event_id)


def _commit_or_flash(action: Callable[[], object], success: str) -> None:
    """Run one service call and commit; a refusal is flashed (403 when it is about access)."""
    try:
        action()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.status == 403:
            abort(403)
        flash(error.message, "error")
    else:
        flash(success, "success")


def _back(event_id: int) -> Response:
    event = db.session.get(Event, event_id)
    assert event is not None
    if current_user.has_role("organiser"):
        return redirect(url_for("directory.organiser_requests", slug=event.slug))
    return redirect(url_for("directory.requests", slug=event.slug))


@bp.route("/organiser/events/<slug>/requests", methods=["GET", "POST"])
@role_required("organiser")
def organiser_requests(slug: str) -> Response | tuple[str, int]:
    event = organiser_event_or_404(slug)
    approved = sorted(list_approved(db.session, event), key=lambda p: p.company.legal_name)
    form = OnBehalfForm()
    choices = [SelectChoice("", "—")] + [SelectChoice(p.id, p.company.legal_name) for p in approved]
    form.requester.choices = choices
    form.recipient.choices = choices
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            by_id = {p.id: p for p in approved}
            try:
                requests_service.request_meeting(
                    db.session,
                    by_id[form.requester.data or 0],
                    by_id[form.recipient.data or 0],
                    form.message.data or "",
                    current_user,
                    utcnow(),
                )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                show_on_form(form, error)
                status = 422
            else:
                flash(_("Request recorded."), "success")
                return redirect(url_for("directory.organiser_requests", slug=slug))
        else:
            status = 422
    requests_service.expire_requests(db.session, utcnow())
    rows = db.session.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.event_id == event.id)
        .order_by(MeetingRequest.created_at.desc())
    ).all()
    return render_template(
        "directory/organiser_requests.html",
        event=event,
        rows=rows,
        form=form,
        answer_form=AnswerForm(),
    ), status


@bp.route("/company/events/<slug>/meetings", methods=["GET", "POST"])
@role_required("company")
def meetings(slug: str) -> Response | tuple[str, int]:
    event = _event(slug)
    me = _mine(event)
    assert me is not None
    version = published_version(db.session, event)
    mine = sorted(
        (
            m
            for m in (version.meetings if version else [])
            if m.status == "scheduled" and me.id in (m.buyer_id, m.supplier_id)
        ),
        key=lambda m: m.slot.starts_at,
    )
    forms: dict[int, ProposeForm] = {}
    for m in mine:
        form = ProposeForm(prefix=f"m{m.id}")
        form.slot.choices = [SelectChoice("", "—")] + [
            SelectChoice(s.id, slot_label(s.starts_at, event.timezone))
            for s in reschedule.possible_slots(db.session, m)
        ]
        forms[m.id] = form
    status = 200
    if request.method == "POST":
        meeting_id = request.form.get("meeting", type=int)
        form = forms.get(meeting_id or 0)
        if form is None:
            abort(404)
        if form.validate_on_submit():
            meeting = next(m for m in mine if m.id == meeting_id)
            slot = next((s for s in meeting.version.event.slots if s.id == form.slot.data), None)
            try:
                if slot is None:
                    raise DomainError(_("Choose a time."), field="slot")
                reschedule.propose(
                    db.session, meeting, slot, form.message.data or "", current_user, utcnow()
                )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                form.slot.errors.append(error.message)
                status = 422
            else:
                flash(
                    _(
                        "Your proposal was sent to %(company)s.",
                        company=meeting.counterpart_of(me.id).company.legal_name,
                    ),
                    "success",
                )
                return redirect(url_for("directory.meetings", slug=slug))
        else:
            status = 422
    return render_template(
        "directory/meetings.html",
        event=event,
        me=me,
        meetings=mine,
        forms=forms,
        proposals=_proposals_for(me),
        answer_form=AnswerForm(),
    ), status


@bp.post("/proposals/<int:proposal_id>/answer")
@role_required("company")
def answer_proposal(proposal_id: int) -> Response:
    proposal = db.session.get(RescheduleProposal, proposal_id)
    if proposal is None:
        abort(404)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    slug = proposal.meeting.version.event.slug
    accept = form.decision.data == "accept"
    _commit_or_flash(
        lambda: reschedule.answer(db.session, proposal, accept, current_user, utcnow()),
        _("The meeting has moved.") if accept else _("Proposal declined."),
    )
    return redirect(url_for("directory.meetings", slug=slug))
