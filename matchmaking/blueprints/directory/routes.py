"""Directory, requests and rescheduling views."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from matchmaking.blueprints.access import (
    event_or_404,
    organiser_event_or_404,
    own_participation_or_404,
    require_manages,
    role_required,
)
from matchmaking.blueprints.actions import Outcome, attempt
from matchmaking.blueprints.choices import sector_choices, sector_names
from matchmaking.blueprints.company_picker import searches_server
from matchmaking.blueprints.directory import bp
from matchmaking.blueprints.directory.forms import (
    AnswerForm,
    DirectoryFilterForm,
    OnBehalfForm,
    ProposeForm,
    RequestForm,
)
from matchmaking.blueprints.fragments import FragmentCache, app_fragments
from matchmaking.errors import InvalidInput
from matchmaking.extensions import db
from matchmaking.i18n import country_name, language_name, slot_label
from matchmaking.models import (
    Event,
    Meeting,
    MeetingRequest,
    Participation,
    RescheduleProposal,
)
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.schedule import MeetingStatus
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services import company_picker, reschedule
from matchmaking.services import directory as directory_service
from matchmaking.services import recommendations as recommendations_service
from matchmaking.services import requests as requests_service
from matchmaking.services.placement import free_places
from matchmaking.services.schedule_edits import RuleBroken
from matchmaking.services.schedules import published_version


def _event(slug: str) -> Event:
    """The event with ``slug``; an organiser must manage it (a company's place is checked apart)."""
    event = event_or_404(slug)
    if current_user.role != Role.COMPANY:
        require_manages(event)
    return event


def _mine(event: Event) -> Participation | None:
    """The current company's participation in ``event`` (None for organisers)."""
    if current_user.role != Role.COMPANY:
        return None
    return own_participation_or_404(event.slug)


@bp.get("/events/<slug>/directory")
@role_required(Role.COMPANY, Role.ORGANISER)
def directory(slug: str) -> tuple[str, int]:
    event = _event(slug)
    me = _mine(event)
    if me is not None and me.status != ParticipationStatus.APPROVED:
        return render_template("directory/not_yet.html", event=event), 403
    form = DirectoryFilterForm(request.args)
    form.sector.choices = sector_choices(event, _("Any sector"), value=int)
    countries, languages = directory_service.filter_choices(db.session, event, me)
    form.country.choices = [SelectChoice("", _("Any country"))] + [
        SelectChoice(c, country_name(c)) for c in countries
    ]
    form.language.choices = [SelectChoice("", _("Any language"))] + [
        SelectChoice(c, language_name(c)) for c in languages
    ]
    status = 200
    filters = directory_service.DirectoryFilter()
    if form.validate():
        filters = directory_service.DirectoryFilter(
            sector_id=form.sector.data,
            country=form.country.data or "",
            language=form.language.data or "",
            q=form.q.data or "",
        )
    else:
        status = 400
    page = directory_service.page_of_directory(
        db.session, event, me, filters, request.args.get("page", 1, type=int)
    )
    recommendations = Markup()
    # Recommendations head the plain first page only: once the company searches, filters or
    # turns the page, the results come first (on a phone they fell below the fold).
    browsing = filters == directory_service.DirectoryFilter() and page.number == 1
    if me is not None and status == 200 and browsing:  # a rejected request writes nothing
        try:
            if recommendations_service.ensure_recommendations(db.session, event, utcnow()):
                db.session.commit()  # computed once for an event with none yet (then by the job)
        except (IntegrityError, OperationalError):
            # Another request stored them first (or holds SQLite's write lock meanwhile):
            # show what is stored, as the next request will.
            db.session.rollback()
        recommendations = recommendations_section(event, me)
    return render_template(
        "directory/index.html",
        event=event,
        form=form,
        page=page,
        rows=directory_rows(event, page.rows),
        recommendations=recommendations,
        me=me,
    ), status


def _pages() -> FragmentCache:
    return app_fragments("directory_pages", DIRECTORY_PAGES)


def _company_data(p: Participation) -> tuple[object, ...]:
    """What ``directory/_company_line.html`` shows of ``p``."""
    company = p.company
    return (p.id, company.legal_name, company.city, company.country, tuple(company.languages or ()))


def recommendations_section(event: Event, me: Participation) -> Markup:
    """``me``'s "Recommended for you", explained again only when anything it shows (the
    stored recommendations, their companies, the names the reasons use: ``me``'s own, the
    event's sectors) differs from when it was last rendered in this process for ``me``."""
    rows = recommendations_service.stored_recommendations(db.session, me)
    data = (
        _company_data(me),
        tuple((s.code, s.name) for s in event.sectors),
        tuple(
            (r.rank, r.score, json.dumps(r.reason, sort_keys=True), _company_data(r.counterpart))
            for r in rows
        ),
    )
    return _pages().get_or_render(
        ("recommendations", str(get_locale()), me.id),
        data,
        lambda: render_template(
            "directory/_recommendations.html",
            event=event,
            recommendations=recommendations_service.explain_recommendations(me, rows),
        ),
    )


# Directory pages kept rendered per worker process (~15 KB each): the pages most visited
# (the first ones, the common filters) in each language.
DIRECTORY_PAGES = 256


def directory_rows(event: Event, rows: list[Participation]) -> Markup:
    """The table rows of ``rows``, rendered again only when anything they show (the
    companies' names, places, languages and offerings, the sectors' names in the visitor's
    language) differs from a page of rows already rendered in this process: the key is that
    data itself, so a change shows on the very next request, in every worker."""
    names = sector_names(event)
    data = tuple(
        (
            _company_data(p),
            tuple((o.kind, o.sector_id, o.sector.name, o.description) for o in p.offerings),
        )
        for p in rows
    )
    key = (str(get_locale()), event.slug, tuple(sorted(names.items())), data)
    return _pages().get_or_render(
        key,
        None,
        lambda: render_template("directory/_rows.html", rows=rows, event=event, sector_names=names),
    )


@bp.route("/events/<slug>/directory/<int:participation_id>", methods=["GET", "POST"])
@role_required(Role.COMPANY, Role.ORGANISER)
def profile(slug: str, participation_id: int) -> Response | tuple[str, int]:
    event = _event(slug)
    me = _mine(event)
    other = db.session.get(Participation, participation_id)
    if (
        other is None
        or other.event_id != event.id
        or other.status != ParticipationStatus.APPROVED
        or (not other.directory_consent and me is not None)
        or (me is not None and other.id == me.id)
    ):
        abort(404)
    form = RequestForm()
    outcome = Outcome()
    if request.method == "POST" and me is None:
        abort(403)  # organisers ask on a company's behalf from the requests page
    if me is not None and form.validate_on_submit():
        sent = _("Your request was sent to %(company)s.", company=other.company.legal_name)
        with attempt(form, success=sent) as outcome:
            requests_service.request_meeting(
                db.session, me, other, form.message.data or "", current_user, utcnow()
            )
        if outcome.ok:
            return redirect(url_for("directory.requests", slug=slug))
    return render_template(
        "directory/profile.html",
        event=event,
        other=other,
        form=form,
        me=me,
        back=_back_to_directory(slug),
    ), outcome.status


def _back_to_directory(slug: str) -> str:
    """The directory page the visitor came from, its search, filters and page kept (from the
    referrer: the directory's rows are kept rendered, so their links carry no query), else the
    directory's first page."""
    plain = url_for("directory.directory", slug=slug)
    came_from = urlsplit(request.referrer or "")
    if came_from.netloc == request.host and came_from.path == plain and came_from.query:
        return f"{plain}?{came_from.query}"
    return plain


@bp.get("/company/events/<slug>/requests")
@role_required(Role.COMPANY)
def requests(slug: str) -> str:
    event = _event(slug)
    me = _mine(event)
    assert me is not None
    if requests_service.expire_requests(db.session, utcnow()):
        db.session.commit()  # else nothing to write, and nothing to load again after a commit
    incoming = requests_service.page_of_requests(
        db.session, me, True, request.args.get("incoming", 1, type=int)
    )
    outgoing = requests_service.page_of_requests(
        db.session, me, False, request.args.get("outgoing", 1, type=int)
    )
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
@role_required(Role.COMPANY, Role.ORGANISER)
def answer(request_id: int) -> Response:
    row = _request_or_404(request_id)
    if current_user.role != Role.COMPANY:
        require_manages(row.requester.event)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    accept = form.decision.data == "accept"
    answered = (
        _("Request accepted: the meeting will be in the schedule.")
        if accept
        else _("Request declined.")
    )
    with attempt(success=answered):
        requests_service.answer_request(db.session, row, accept, current_user, utcnow())
    return _back(row.event_id)


@bp.post("/requests/<int:request_id>/withdraw")
@role_required(Role.COMPANY)
def withdraw(request_id: int) -> Response:
    row = _request_or_404(request_id)  # CSRFProtect checks every POST's token
    with attempt(success=_("Request withdrawn.")):
        requests_service.withdraw_request(db.session, row, current_user, utcnow())
    return _back(row.event_id)


def _back(event_id: int) -> Response:
    event = db.session.get(Event, event_id)
    assert event is not None
    if current_user.has_role(Role.ORGANISER):
        return redirect(url_for("directory.organiser_requests", slug=event.slug))
    return redirect(url_for("directory.requests", slug=event.slug))


@bp.get("/organiser/events/<slug>/companies.json")
@role_required(Role.ORGANISER)
def company_search(slug: str) -> Response:
    """The event's approved companies matching ``q`` (any script), 20 a page, for the pickers;
    ``side`` "buy" or "sell" keeps buyers or sellers."""
    event = organiser_event_or_404(slug)
    side = request.args.get("side", "")
    if side not in ("", *company_picker.SIDES):
        abort(400)
    found = company_picker.search(
        db.session,
        event,
        request.args.get("q", "")[:200],
        side or None,
        request.args.get("page", 1, type=int),
    )
    return jsonify(
        results=[{"id": pid, "name": name} for pid, name in found.rows],
        page=found.number,
        pages=found.pages,
        total=found.total,
    )


@bp.route("/organiser/events/<slug>/requests", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def organiser_requests(slug: str) -> Response | tuple[str, int]:
    event = organiser_event_or_404(slug)
    form = OnBehalfForm()
    search = searches_server(db.session, event)
    # Both pickers list the same companies: loaded once.
    by_side: dict[str | None, list[tuple[int, str]]] | None = None
    if not search:
        by_side = {None: company_picker.choices(db.session, event)}
    form.requester.setup(db.session, event, search, by_side)
    form.recipient.setup(db.session, event, search, by_side)
    outcome = Outcome()
    if form.validate_on_submit():
        requester = db.session.get(Participation, form.requester.data or 0)
        recipient = db.session.get(Participation, form.recipient.data or 0)
        assert requester is not None and recipient is not None  # approved in the event
        with attempt(form, success=_("Request recorded.")) as outcome:
            requests_service.request_meeting(
                db.session,
                requester,
                recipient,
                form.message.data or "",
                current_user,
                utcnow(),
            )
        if outcome.ok:
            return redirect(url_for("directory.organiser_requests", slug=slug))
    if requests_service.expire_requests(db.session, utcnow()):
        db.session.commit()  # kept, as the company's page and the job keep it
    page = requests_service.page_of_event_requests(
        db.session, event.id, request.args.get("page", 1, type=int)
    )
    return render_template(
        "directory/organiser_requests.html",
        event=event,
        page=page,
        form=form,
        answer_form=AnswerForm(),
    ), outcome.status


@bp.route("/company/events/<slug>/meetings", methods=["GET", "POST"])
@role_required(Role.COMPANY)
def meetings(slug: str) -> Response | tuple[str, int]:
    event = _event(slug)
    me = _mine(event)
    assert me is not None
    version = published_version(db.session, event)
    mine = sorted(
        (
            m
            for m in (version.meetings if version else [])
            if m.status == MeetingStatus.SCHEDULED and me.id in (m.buyer_id, m.supplier_id)
        ),
        key=lambda m: m.slot.starts_at,
    )
    forms: dict[int, ProposeForm] = {}
    no_slot: dict[int, str] = {}  # why no time can be proposed, per meeting
    now = utcnow()
    started = {m.id for m in mine if m.slot.starts_at <= now}  # nothing to move any more
    for m in mine:
        if m.id in started:  # the form is not shown; a post for it is refused below
            forms[m.id] = ProposeForm(prefix=f"m{m.id}")
            forms[m.id].slot.choices = [SelectChoice("", "—")]
            continue
        proposal = ProposeForm(prefix=f"m{m.id}")
        possible = reschedule.possible_slots(db.session, m)
        proposal.slot.choices = [SelectChoice("", "—")] + [
            SelectChoice(s.id, slot_label(s.starts_at, event.timezone)) for s in possible
        ]
        if not possible:
            no_slot[m.id] = free_places(db.session, m, side=me, zones=[m.zone]).reason
        forms[m.id] = proposal
    outcome = Outcome()
    if request.method == "POST":
        meeting_id = request.form.get("meeting", type=int)
        form = forms.get(meeting_id or 0)
        if form is None:
            abort(404)
        if form.validate_on_submit():
            meeting = next(m for m in mine if m.id == meeting_id)
            slot = next((s for s in meeting.version.event.slots if s.id == form.slot.data), None)
            sent = _(
                "Your proposal was sent to %(company)s.",
                company=meeting.counterpart_of(me.id).company.legal_name,
            )
            with attempt(form, field="slot", success=sent) as outcome:
                if meeting_id in started:
                    raise RuleBroken(_("This meeting has already begun or taken place."))
                if slot is None:
                    raise InvalidInput(_("Choose a time."), field="slot")
                reschedule.propose(
                    db.session, meeting, slot, form.message.data or "", current_user, utcnow()
                )
            if outcome.ok:
                return redirect(url_for("directory.meetings", slug=slug))
    return render_template(
        "directory/meetings.html",
        event=event,
        me=me,
        meetings=mine,
        forms=forms,
        no_slot=no_slot,
        started=started,
        proposals=_proposals_for(me),
        answer_form=AnswerForm(),
    ), outcome.status


@bp.post("/proposals/<int:proposal_id>/answer")
@role_required(Role.COMPANY)
def answer_proposal(proposal_id: int) -> Response:
    proposal = db.session.get(RescheduleProposal, proposal_id)
    if proposal is None:
        abort(404)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    slug = proposal.meeting.version.event.slug
    accept = form.decision.data == "accept"
    with attempt(success=_("The meeting has moved.") if accept else _("Proposal declined.")):
        reschedule.answer(db.session, proposal, accept, current_user, utcnow())
    return redirect(url_for("directory.meetings", slug=slug))
