"""Company views: a contact person only ever reaches their own company's data."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from matchmaking.blueprints import account_mail
from matchmaking.blueprints.access import own_participation_or_404, role_required
from matchmaking.blueprints.actions import Outcome, attempt
from matchmaking.blueprints.company import bp
from matchmaking.blueprints.registration.forms import (
    CompanyProfileForm,
    ContactForm,
    ParticipationForm,
)
from matchmaking.errors import EmailTaken
from matchmaking.extensions import db
from matchmaking.models import Company
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services.availability import meetings_outside
from matchmaking.services.registration import (
    ContactInput,
    add_contact,
    update_company,
    update_participation,
)


def _own_company() -> Company:
    company = db.session.get(Company, current_user.company_id)
    if company is None:
        abort(404)
    return company


@bp.get("/")
@role_required(Role.COMPANY)
def dashboard() -> str:
    company = _own_company()
    return render_template("company/dashboard.html", company=company, now=utcnow())


@bp.route("/profile", methods=["GET", "POST"])
@role_required(Role.COMPANY)
def profile() -> Response | tuple[str, int]:
    company = _own_company()
    form = CompanyProfileForm()
    form.setup_company_choices()
    if request.method == "GET":
        form.fill_company(company)
    elif form.validate_on_submit():
        update_company(db.session, company, form.company_input(), current_user)
        db.session.commit()
        flash(_("The company profile is saved."), "success")
        return redirect(url_for("company.dashboard"))
    status = 422 if request.method == "POST" else 200
    return render_template("company/profile.html", form=form, company=company), status


@bp.route("/events/<slug>", methods=["GET", "POST"])
@role_required(Role.COMPANY)
def participation(slug: str) -> Response | tuple[str, int]:
    participation = own_participation_or_404(slug)
    event = participation.event
    editable = event.registration_open(utcnow())
    form = ParticipationForm()
    if request.method == "GET":
        form.fill_participation(participation)
    form.setup_participation_choices(event, _)
    outside = meetings_outside(db.session, participation)
    if request.method == "POST" and not editable:
        flash(_("Registration is closed; ask the organisers to change your details."), "warning")
        return render_template(
            "company/participation.html",
            form=form,
            participation=participation,
            editable=False,
            outside=outside,
        ), 403
    outcome = Outcome()
    if form.validate_on_submit():
        saved = _("Your details for this event are saved.")
        with attempt(form, success=saved) as outcome:
            update_participation(
                db.session, participation, form.participation_input(), current_user, utcnow()
            )
        if outcome.ok:
            return redirect(url_for("company.participation", slug=slug))
    return render_template(
        "company/participation.html",
        form=form,
        participation=participation,
        editable=editable,
        outside=outside,
    ), outcome.status


@bp.route("/contacts", methods=["GET", "POST"])
@role_required(Role.COMPANY)
def contacts() -> Response | tuple[str, int]:
    company = _own_company()
    form = ContactForm()
    if form.validate_on_submit():
        data = ContactInput(
            full_name=form.full_name.data or "",
            email=form.email.data or "",
            password=None,
            position=form.position.data or "",
            phone=form.phone.data or "",
            locale=current_user.locale,
        )
        with attempt(form, silent=(EmailTaken,)) as outcome:
            user = add_contact(db.session, company, data, current_user)
        if outcome.ok:
            account_mail.send_invitation(user, current_user)
        else:  # the same answer as an invitation: never reveal that the address is known
            account_mail.send_already_registered(data.email, current_user.locale)
        flash(_("We have sent an invitation to %(email)s.", email=data.email), "success")
        return redirect(url_for("company.contacts"))
    status = 422 if request.method == "POST" else 200
    return render_template("company/contacts.html", form=form, company=company), status
