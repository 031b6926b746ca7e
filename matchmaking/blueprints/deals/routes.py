"""Deal views: companies record their own outcomes; organisers see and publish the tally."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from matchmaking.blueprints import account_mail
from matchmaking.blueprints.access import organiser_event_or_404 as _event
from matchmaking.blueprints.access import own_participation_or_404, require_manages, role_required
from matchmaking.blueprints.actions import Outcome, attempt
from matchmaking.blueprints.csv_response import csv_response
from matchmaking.blueprints.deals import bp
from matchmaking.blueprints.deals.forms import (
    ConfirmForm,
    MemorandumForm,
    OutcomeForm,
    PublishForm,
    RateForm,
    ReporterForm,
    RuleForm,
    TokenForm,
)
from matchmaking.blueprints.queued import invalid_json, json_answer, json_requested
from matchmaking.errors import DomainError
from matchmaking.extensions import db
from matchmaking.models import ApiToken, Event, ExchangeRate, Meeting, Participation, User
from matchmaking.models.schedule import VersionStatus
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services import api_tokens
from matchmaking.services.deals import (
    OutcomeChanged,
    OutcomeInput,
    get_outcome,
    list_company_meetings,
    outcome_version,
    page_of_event_outcomes,
    record_outcome,
)
from matchmaking.services.event_organisers import managed_events
from matchmaking.services.memoranda import MemorandumInput, add_memorandum, list_memoranda
from matchmaking.services.rates import (
    RateInput,
    delete_exchange_rate,
    list_exchange_rates,
    set_exchange_rate,
)
from matchmaking.services.tally import (
    DEALS_CSV_COLUMNS,
    compute_tally,
    deals_rows,
    get_settings,
    get_snapshot,
    pending_changes,
    publish_tally,
    set_conflict_rule,
    unpublish_tally,
)

# --- companies (and organisers on their behalf) -------------------------------------------


@bp.get("/events/<slug>/meetings")
@role_required(Role.COMPANY)
def company_meetings(slug: str) -> str:
    participation = own_participation_or_404(slug)
    rows = list_company_meetings(db.session, participation)
    return render_template(
        "deals/company_meetings.html", participation=participation, rows=rows, now=utcnow()
    )


def _outcome_page(
    meeting: Meeting, participation: Participation
) -> Response | tuple[str | Response, int]:
    """The outcome form of ``participation``'s side of ``meeting`` (access already checked).

    With JavaScript (static/js/outcome.js) a form filled with no network is queued on the
    phone and sent later as a JSON request, with the version the form was opened with."""
    event = participation.event
    outcome = get_outcome(db.session, meeting, participation)
    as_json = json_requested()
    form = OutcomeForm()
    form.setup(event)
    saved = Outcome()
    if request.method == "GET":
        form.version.data = outcome_version(meeting, outcome)
    if request.method == "GET" and outcome is not None:
        form.stage.data = outcome.stage
        form.amount.data = outcome.amount
        form.currency.data = outcome.currency or ""
        form.sector.data = str(outcome.sector_id) if outcome.sector_id else ""
        form.product.data = outcome.product
        form.note.data = outcome.note
    if form.validate_on_submit():
        sector = form.sector.data or ""
        data = OutcomeInput(
            stage=form.stage.data or "",
            amount=form.amount.data,
            currency=form.currency.data or None,
            sector_id=int(sector) if sector.isdigit() else None,
            product=form.product.data or "",
            note=form.note.data or "",
        )
        success = _("The outcome is saved.")
        with attempt(form, success=success, silent=(DomainError,) if as_json else ()) as saved:
            record_outcome(
                db.session,
                meeting,
                participation,
                data,
                current_user,
                utcnow(),
                seen_version=form.version.data or None,
            )
        if current_user.has_role(Role.ORGANISER):
            done = url_for("deals.outcomes", slug=event.slug)
        else:
            done = url_for("deals.company_meetings", slug=event.slug)
        if as_json:
            return json_answer(saved, success, redirect=done)
        if saved.ok:
            return redirect(done)
        if isinstance(saved.error, OutcomeChanged):
            # Shown the change (in the history below): saving again is a choice, not a mistake.
            outcome = get_outcome(db.session, meeting, participation)
            form.version.data = outcome_version(meeting, outcome)
    elif as_json and request.method == "POST":
        return invalid_json(form)
    return render_template(
        "deals/outcome.html",
        form=form,
        meeting=meeting,
        participation=participation,
        counterpart=meeting.counterpart_of(participation.id),
        outcome=outcome,
        on_behalf=current_user.has_role(Role.ORGANISER),
    ), saved.status


@bp.route("/meetings/<int:meeting_id>/outcome", methods=["GET", "POST"])
@role_required(Role.COMPANY)
def outcome(meeting_id: int) -> Response | tuple[str | Response, int]:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.version.status != VersionStatus.PUBLISHED:
        abort(404)  # draft meetings are the organisers' business until publication
    own = [p for p in (meeting.buyer, meeting.supplier) if p.company_id == current_user.company_id]
    if not own:
        abort(404)  # another company's meeting: not even its existence is confirmed
    return _outcome_page(meeting, own[0])


@bp.route("/meetings/<int:meeting_id>/outcome/<int:participation_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def outcome_on_behalf(
    meeting_id: int, participation_id: int
) -> Response | tuple[str | Response, int]:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or participation_id not in (meeting.buyer_id, meeting.supplier_id):
        abort(404)
    require_manages(meeting.buyer.event)
    participation = meeting.buyer if participation_id == meeting.buyer_id else meeting.supplier
    return _outcome_page(meeting, participation)


# --- organisers: dashboard, outcomes, rule, publication, CSV ------------------------------


@bp.get("/")
@role_required(Role.ORGANISER)
def index() -> str:
    events = db.session.scalars(
        managed_events(current_user).order_by(Event.start_date.desc())
    ).all()
    return render_template("deals/index.html", events=events)


def _dashboard(
    event: Event, rule_form: RuleForm | None = None, publish_form: PublishForm | None = None
) -> str:
    settings = get_settings(db.session, event)
    view = compute_tally(db.session, event)
    if rule_form is None:
        rule_form = RuleForm(formdata=None, rule=settings.conflict_rule)
    if publish_form is None:
        embargo = settings.embargo_until
        publish_form = PublishForm(
            formdata=None,
            embargo_until=embargo.astimezone(event.tz).replace(tzinfo=None) if embargo else None,
        )
    largest = max([v for _d, v in view.cumulative] or [Decimal(0)])
    return render_template(
        "deals/dashboard.html",
        event=event,
        view=view,
        settings=settings,
        snapshot=get_snapshot(db.session, event),
        pending=pending_changes(db.session, event, view),
        rule_form=rule_form,
        publish_form=publish_form,
        unpublish_form=ConfirmForm(),
        largest_cumulative=largest,
        memoranda=list_memoranda(db.session, event),
        now=utcnow(),
    )


@bp.get("/events/<slug>/")
@role_required(Role.ORGANISER)
def dashboard(slug: str) -> str:
    return _dashboard(_event(slug))


@bp.post("/events/<slug>/rule")
@role_required(Role.ORGANISER)
def rule(slug: str) -> Response | tuple[str, int]:
    event = _event(slug)
    form = RuleForm()
    outcome = Outcome()
    if form.validate_on_submit():
        saved = _("The rule is saved; the tally uses it from now on.")
        with attempt(form, success=saved) as outcome:
            set_conflict_rule(db.session, event, form.rule.data or "", current_user)
        if outcome.ok:
            return redirect(url_for("deals.dashboard", slug=slug))
    return _dashboard(event, rule_form=form), outcome.status


@bp.post("/events/<slug>/publish")
@role_required(Role.ORGANISER)
def publish(slug: str) -> Response | tuple[str, int]:
    event = _event(slug)
    form = PublishForm()
    if form.validate_on_submit():
        embargo: datetime | None = None
        if form.embargo_until.data is not None:
            embargo = form.embargo_until.data.replace(tzinfo=event.tz)
        written = publish_tally(db.session, event, embargo, current_user, utcnow())
        db.session.commit()
        if written:
            flash(_("The tally is published."), "success")
        else:
            flash(
                _(
                    "The tally is published with its earlier figures: the deals changed since "
                    "involve fewer than three buyers or three suppliers, so publishing them "
                    "could reveal a company's deal."
                ),
                "info",
            )
        return redirect(url_for("deals.dashboard", slug=slug))
    return _dashboard(event, publish_form=form), 422


@bp.post("/events/<slug>/unpublish")
@role_required(Role.ORGANISER)
def unpublish(slug: str) -> Response:
    event = _event(slug)
    if ConfirmForm().validate_on_submit():
        unpublish_tally(db.session, event, current_user)
        db.session.commit()
        flash(_("The tally is no longer published."), "info")
    return redirect(url_for("deals.dashboard", slug=slug))


@bp.get("/events/<slug>/deals.csv")
@role_required(Role.ORGANISER)
def deals_export(slug: str) -> Response:
    event = _event(slug)
    rows = deals_rows(compute_tally(db.session, event))
    return csv_response(f"{event.slug}-deals.csv", DEALS_CSV_COLUMNS, rows)


@bp.get("/events/<slug>/outcomes")
@role_required(Role.ORGANISER)
def outcomes(slug: str) -> str:
    event = _event(slug)
    page = page_of_event_outcomes(db.session, event, request.args.get("page", 1, type=int))
    return render_template("deals/outcomes.html", event=event, page=page, now=utcnow())


# --- organisers: exchange rates and memoranda ---------------------------------------------


@bp.route("/events/<slug>/rates", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def rates(slug: str) -> Response | tuple[str, int]:
    event = _event(slug)
    form = RateForm()
    form.setup()
    outcome = Outcome()
    if form.validate_on_submit():
        assert form.valid_from.data is not None
        data = RateInput(
            currency=form.currency.data or "",
            valid_from=form.valid_from.data,
            to_cny=form.to_cny.data,
            to_usd=form.to_usd.data,
        )
        with attempt(form, success=_("The exchange rate is saved.")) as outcome:
            set_exchange_rate(db.session, event, data, current_user)
        if outcome.ok:
            return redirect(url_for("deals.rates", slug=slug))
    return render_template(
        "deals/rates.html",
        event=event,
        form=form,
        rates=list_exchange_rates(db.session, event),
        delete_form=ConfirmForm(),
    ), outcome.status


@bp.post("/events/<slug>/rates/<int:rate_id>/delete")
@role_required(Role.ORGANISER)
def delete_rate(slug: str, rate_id: int) -> Response:
    event = _event(slug)
    if db.session.get(ExchangeRate, rate_id) is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        delete_exchange_rate(db.session, event, rate_id)
        db.session.commit()
        flash(_("The exchange rate is deleted."), "info")
    return redirect(url_for("deals.rates", slug=slug))


@bp.route("/events/<slug>/memoranda", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def memoranda(slug: str) -> Response | tuple[str, int]:
    event = _event(slug)
    form = MemorandumForm()
    form.setup()
    outcome = Outcome()
    if form.validate_on_submit():
        assert form.signed_on.data is not None
        data = MemorandumInput(
            partner=form.partner.data or "",
            country=form.country.data or "",
            signed_on=form.signed_on.data,
            title=form.title.data or "",
        )
        with attempt(form, success=_("The memorandum is recorded.")) as outcome:
            add_memorandum(db.session, event, data, current_user)
        if outcome.ok:
            return redirect(url_for("deals.memoranda", slug=slug))
    return render_template(
        "deals/memoranda.html", event=event, form=form, memoranda=list_memoranda(db.session, event)
    ), outcome.status


# --- reporters and their API tokens -------------------------------------------------------


@bp.route("/reporters", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def reporters() -> Response | tuple[str, int]:
    form = ReporterForm()
    outcome = Outcome()
    if form.validate_on_submit():
        created = _("The reporter account is created; we sent a link to choose a password.")
        with attempt(form, success=created) as outcome:
            user = api_tokens.create_reporter(
                db.session, form.email.data or "", form.full_name.data or "", current_user, utcnow()
            )
        if outcome.ok:
            account_mail.send_password_reset(user)
            return redirect(url_for("deals.reporter_tokens", user_id=user.id))
    return render_template(
        "deals/reporters.html", form=form, reporters=api_tokens.list_reporters(db.session)
    ), outcome.status


def _tokens_page(owner: User) -> Response | tuple[str, int]:
    form = TokenForm()
    new_token: str | None = None
    outcome = Outcome()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            _row, new_token = api_tokens.create_token(
                db.session, owner, form.name.data or "", current_user, utcnow()
            )
    return render_template(
        "deals/tokens.html",
        owner=owner,
        form=TokenForm(formdata=None) if new_token else form,
        tokens=api_tokens.list_tokens(db.session, owner),
        new_token=new_token,
        revoke_form=ConfirmForm(),
    ), outcome.status


@bp.route("/reporters/<int:user_id>/tokens", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def reporter_tokens(user_id: int) -> Response | tuple[str, int]:
    owner = db.session.get(User, user_id)
    if owner is None or owner.role != Role.REPORTER:
        abort(404)
    return _tokens_page(owner)


@bp.route("/tokens", methods=["GET", "POST"])
@role_required(Role.REPORTER)
def my_tokens() -> Response | tuple[str, int]:
    return _tokens_page(current_user)


@bp.post("/tokens/<int:token_id>/revoke")
@role_required(Role.ORGANISER, Role.REPORTER)
def revoke(token_id: int) -> Response:
    token = db.session.get(ApiToken, token_id)
    if token is None or (current_user.role == Role.REPORTER and token.user_id != current_user.id):
        abort(404)
    if ConfirmForm().validate_on_submit():
        api_tokens.revoke_token(db.session, token, current_user, utcnow())
        db.session.commit()
        flash(_("The token is revoked."), "info")
    if current_user.has_role(Role.ORGANISER):
        return redirect(url_for("deals.reporter_tokens", user_id=token.user_id))
    return redirect(url_for("deals.my_tokens"))
