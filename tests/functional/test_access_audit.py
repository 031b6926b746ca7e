"""Access-control audit: every route, every role, another company's ids, CSRF, redirects.

One world (``site``) holds three companies meeting in a published schedule of an ended
event, a company that refused the directory, a second event that company Alpha is not in,
an open request and an open reschedule proposal between Bravo and Charlie, Bravo's
recorded deal, a reporter with an API token, and a draft schedule version. The event's
organiser organises only it; an "outsider" organises only the second event; an administrator
manages every event. Every route of the application is listed once below
(``test_every_route_is_audited`` fails when a new one is added without being classified).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking.models import (
    ApiToken,
    CheckIn,
    Event,
    ExchangeRate,
    Interpreter,
    Meeting,
    MeetingRequest,
    Memorandum,
    Outcome,
    Participation,
    RefillOffer,
    RescheduleProposal,
    ScheduleVersion,
    SentMessage,
    TallySettings,
    event_floor_staff,
    event_organisers,
)
from matchmaking.models.types import utcnow
from matchmaking.services import api_tokens
from matchmaking.services import requests as requests_service
from matchmaking.services.calendar import regenerate_feed
from matchmaking.services.interpreters import InterpreterInput, register_interpreter
from matchmaking.services.rates import RateInput, set_exchange_rate
from matchmaking.services.tally import publish_tally
from tests.conftest import get_csrf, make_event
from tests.functional.deals_helpers import PASSWORD, make_fair, report
from tests.functional.helpers import login, make_meeting, make_participant, make_staff

ORGANISER_PASSWORD = "organiser-password"
REPORTER_PASSWORD = "reporter-password"
OUTSIDER_EMAIL = "outsider@other.example"
ADMIN_EMAIL = "admin@forum.example"
UNDELIVERED_TO = "undelivered@forum.example"
BRAVO_EMAIL = "bravo@forum.example"
BRAVO_PHONE = "+7 701 555 0199"
DELTA_EMAIL = "delta-private@forum.example"
DRAFT_NAME = "Unannounced Summit"


@dataclass
class Site:
    ids: dict[str, Any] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def site(dbs: Session) -> Site:
    fair = make_fair(
        dbs,
        {"alpha": "KZ", "bravo": "CN", "charlie": "RU"},
        [("alpha", "bravo"), ("bravo", "charlie")],
    )
    event = fair.event
    pa, pb, pc = (fair.parts[n] for n in ("alpha", "bravo", "charlie"))
    for p in (pa, pb, pc):
        p.directory_consent = True
    fair.users["bravo"].phone = BRAVO_PHONE
    delta = make_participant(
        dbs,
        event,
        "Delta Secretive LLC",
        consent=False,
        email=DELTA_EMAIL,
        sells=(("nev.parts", "brake systems"),),  # what Alpha buys: a tempting recommendation
    )

    other = make_event(dbs, "other")
    make_event(dbs, "secret-draft", name=DRAFT_NAME, city="Undisclosed City", status="draft")
    outsider = make_staff(dbs, "organiser", OUTSIDER_EMAIL, ORGANISER_PASSWORD, events=[other])
    make_staff(dbs, "admin", ADMIN_EMAIL, ORGANISER_PASSWORD)
    pb_other = Participation(
        event=other, company=pb.company, status="approved", directory_consent=True
    )
    dbs.add(pb_other)
    dbs.flush()

    m_ab, m_bc = fair.meetings[("alpha", "bravo")], fair.meetings[("bravo", "charlie")]
    request = requests_service.request_meeting(
        dbs, pb, pc, "Bravo asks Charlie", fair.users["bravo"], utcnow()
    )
    proposal = RescheduleProposal(
        meeting=m_bc, proposer_id=pb.id, to_slot=m_ab.slot, message="", created_at=utcnow()
    )
    dbs.add(proposal)
    report(dbs, fair, ("bravo", "charlie"), "bravo", stage="signed", amount="777000")

    draft = ScheduleVersion(event=event, number=2, status="draft")
    m_draft = make_meeting(dbs, pa, pc, m_bc.slot, version=draft, status="draft", table=3)

    reporter = make_staff(dbs, "reporter", "reporter@forum.example", REPORTER_PASSWORD)
    other_reporter = make_staff(dbs, "reporter", "reporter2@forum.example", REPORTER_PASSWORD)
    token, _secret = api_tokens.create_token(dbs, reporter, "wire", fair.organiser, utcnow())
    other_token, _secret2 = api_tokens.create_token(
        dbs, other_reporter, "other wire", fair.organiser, utcnow()
    )
    feed = regenerate_feed(dbs, pb.company)
    m_ab.version.instance = {"note": "the instance the solver was given"}
    rate = set_exchange_rate(
        dbs,
        event,
        RateInput("RUB", date(2025, 1, 1), Decimal("0.08"), Decimal("0.011")),
        fair.organiser,
    )
    dbs.add(
        SentMessage(
            kind="agenda",
            subject_key="audit",
            recipient=UNDELIVERED_TO,
            event_id=event.id,
            subject="Your agenda",
            status="failed",
        )
    )
    # Published, but only Bravo reported a deal: the figures must stay suppressed.
    publish_tally(dbs, event, None, fair.organiser, utcnow())
    interpreter, _new = register_interpreter(
        dbs, event, InterpreterInput("Audit Interpreter", "interp@forum.example", ("zh", "ru")),
        fair.organiser,
    )  # fmt: skip
    refill_offer = RefillOffer(  # Bravo and Charlie proposed for Alpha-Bravo's table
        event_id=event.id,
        version_id=m_ab.version_id,
        slot_id=m_ab.slot_id,
        zone_id=m_ab.zone_id,
        table_number=m_ab.table_number,
        buyer_id=pb.id,
        supplier_id=pc.id,
        rank=1,
        created_at=utcnow(),
    )
    dbs.add(refill_offer)
    dbs.flush()
    return Site(
        ids={
            "slug": event.slug,
            "other": other.slug,
            "v": 1,
            "m_ab": m_ab.id,
            "m_bc": m_bc.id,
            "m_draft": m_draft.id,
            "pa": pa.id,
            "pb": pb.id,
            "pc": pc.id,
            "pd": delta.id,
            "pb_other": pb_other.id,
            "req": request.id,
            "prop": proposal.id,
            "reporter": reporter.id,
            "token": token.id,
            "other_token": other_token.id,
            "rate": rate.id,
            "organiser": fair.organiser.id,
            "outsider": outsider.id,
            "feed": feed.token,
            "slot": m_ab.slot_id,
            "interp": interpreter.id,
            "refill": refill_offer.id,
            "zone": m_bc.zone_id,
        },
        emails={
            "alpha": fair.users["alpha"].email,
            "bravo": fair.users["bravo"].email,
            "charlie": fair.users["charlie"].email,
            "organiser": fair.organiser.email,
        },
    )


def _login_as(client: FlaskClient, site: Site, who: str) -> None:
    if who == "anonymous":
        return
    if who in ("alpha", "bravo", "charlie"):
        response = login(client, site.emails[who], PASSWORD)
    elif who == "organiser":
        response = login(client, site.emails["organiser"], ORGANISER_PASSWORD)
    elif who == "outsider":
        response = login(client, OUTSIDER_EMAIL, ORGANISER_PASSWORD)
    elif who == "admin":
        response = login(client, ADMIN_EMAIL, ORGANISER_PASSWORD)
    else:
        response = login(client, "reporter@forum.example", REPORTER_PASSWORD)
    assert response.status_code == 302, f"{who} could not log in"


HOME = {
    "anonymous": "/login",
    "alpha": "/company/profile",
    "bravo": "/company/profile",
    "charlie": "/company/profile",
    "organiser": "/organiser/",
    "outsider": "/organiser/",
    "admin": "/organiser/events/new",
    "reporter": "/deals/tokens",
}


def _token(client: FlaskClient, who: str) -> str:
    """A valid CSRF token of the client's session (one token serves every form)."""
    return get_csrf(client, HOME[who])


def _call(
    client: FlaskClient,
    method: str,
    url: str,
    token: str | None,
    data: dict[str, Any] | None = None,
) -> Any:
    if method == "GET":
        return client.get(url)
    payload = dict(data or {})
    if token is not None:
        payload["csrf_token"] = token
    return client.post(url, data=payload)


# --- the route inventory --------------------------------------------------------------------
# (endpoint, method, url template)

# Routes for organisers that concern no one event; each lists only the organiser's events.
ORGANISER_GLOBAL_ROUTES = [
    ("organiser.index", "GET", "/organiser/"),
    ("agenda.messages", "GET", "/organiser/messages"),
    ("deals.index", "GET", "/deals/"),
    ("deals.reporters", "GET", "/deals/reporters"),
    ("deals.reporters", "POST", "/deals/reporters"),
    ("deals.reporter_tokens", "GET", "/deals/reporters/{reporter}/tokens"),
    ("deals.reporter_tokens", "POST", "/deals/reporters/{reporter}/tokens"),
    ("floor.index", "GET", "/floor/"),
]

# Routes for the organisers of one event (reached by its slug or by an id within it).
ORGANISER_EVENT_ROUTES = [
    ("organiser.setup", "GET", "/organiser/events/{slug}/setup"),
    ("organiser.setup", "POST", "/organiser/events/{slug}/setup"),
    ("organiser.details", "GET", "/organiser/events/{slug}/details"),
    ("organiser.details", "POST", "/organiser/events/{slug}/details"),
    ("organiser.registrations", "GET", "/organiser/events/{slug}/registrations"),
    ("organiser.registrations_csv", "GET", "/organiser/events/{slug}/registrations.csv"),
    ("organiser.approve_registrations", "POST", "/organiser/events/{slug}/registrations/approve"),
    ("organiser.import_file", "GET", "/organiser/events/{slug}/registrations/import"),
    ("organiser.import_file", "POST", "/organiser/events/{slug}/registrations/import"),
    ("organiser.confirm_import", "POST", "/organiser/events/{slug}/registrations/import/confirm"),
    (
        "organiser.import_template_csv",
        "GET",
        "/organiser/events/{slug}/registrations/import/template.csv",
    ),
    (
        "organiser.import_template_xlsx",
        "GET",
        "/organiser/events/{slug}/registrations/import/template.xlsx",
    ),
    ("organiser.registration", "GET", "/organiser/registrations/{pb}"),
    ("organiser.registration", "POST", "/organiser/registrations/{pb}"),
    ("directory.organiser_requests", "GET", "/organiser/events/{slug}/requests"),
    ("directory.company_search", "GET", "/organiser/events/{slug}/companies.json"),
    ("directory.organiser_requests", "POST", "/organiser/events/{slug}/requests"),
    ("schedule.index", "GET", "/organiser/events/{slug}/schedule/"),
    ("schedule.generate", "POST", "/organiser/events/{slug}/schedule/generate"),
    ("schedule.version", "GET", "/organiser/events/{slug}/schedule/{v}"),
    ("schedule.progress", "GET", "/organiser/events/{slug}/schedule/{v}/progress.json"),
    ("schedule.meeting_search", "GET", "/organiser/events/{slug}/schedule/{v}/meetings.json"),
    ("schedule.instance", "GET", "/organiser/events/{slug}/schedule/{v}/instance.json"),
    ("schedule.add", "POST", "/organiser/events/{slug}/schedule/{v}/add"),
    ("schedule.publish", "GET", "/organiser/events/{slug}/schedule/{v}/publish"),
    ("schedule.publish", "POST", "/organiser/events/{slug}/schedule/{v}/publish"),
    ("schedule.regenerate", "POST", "/organiser/events/{slug}/schedule/{v}/regenerate"),
    ("schedule.meeting", "GET", "/organiser/events/{slug}/schedule/{v}/meetings/{m_bc}"),
    ("schedule.meeting", "POST", "/organiser/events/{slug}/schedule/{v}/meetings/{m_bc}"),
    ("agenda.sheets", "GET", "/organiser/events/{slug}/sheets"),
    ("agenda.table_sheets", "GET", "/organiser/events/{slug}/sheets/tables.pdf"),
    ("agenda.zone_overview", "GET", "/organiser/events/{slug}/sheets/overview.pdf"),
    ("agenda.check_in", "GET", "/organiser/events/{slug}/check-in"),
    ("agenda.record_attendance", "POST", "/organiser/events/{slug}/check-in/{m_bc}"),
    ("floor.check_in_page", "GET", "/floor/events/{slug}/check-in"),
    ("floor.presence", "POST", "/floor/events/{slug}/check-in"),
    ("floor.attendance", "POST", "/floor/events/{slug}/meetings/{m_bc}/attendance"),
    ("floor.staff", "GET", "/organiser/events/{slug}/floor-staff"),
    ("floor.staff", "POST", "/organiser/events/{slug}/floor-staff"),
    ("floor.remove_staff", "POST", "/organiser/events/{slug}/floor-staff/{organiser}/remove"),
    ("refill.proposals", "GET", "/floor/events/{slug}/refills"),
    ("refill.offer", "POST", "/floor/events/{slug}/refills/offer"),
    ("refill.confirm", "POST", "/floor/events/{slug}/refills/{refill}/confirm"),
    ("refill.zone_screen", "GET", "/floor/events/{slug}/zones/{zone}/screen"),
    ("interpreters.index", "GET", "/organiser/events/{slug}/interpreters"),
    ("interpreters.index", "POST", "/organiser/events/{slug}/interpreters"),
    ("interpreters.remove", "POST", "/organiser/events/{slug}/interpreters/{interp}/remove"),
    ("interpreters.edit", "GET", "/organiser/events/{slug}/interpreters/{interp}"),
    ("interpreters.edit", "POST", "/organiser/events/{slug}/interpreters/{interp}"),
    ("interpreters.import_file", "GET", "/organiser/events/{slug}/interpreters/import"),
    ("interpreters.import_file", "POST", "/organiser/events/{slug}/interpreters/import"),
    ("interpreters.confirm_import", "POST", "/organiser/events/{slug}/interpreters/import/confirm"),
    (
        "interpreters.import_template",
        "GET",
        "/organiser/events/{slug}/interpreters/import/template.csv",
    ),
    ("deals.dashboard", "GET", "/deals/events/{slug}/"),
    ("deals.rule", "POST", "/deals/events/{slug}/rule"),
    ("deals.publish", "POST", "/deals/events/{slug}/publish"),
    ("deals.unpublish", "POST", "/deals/events/{slug}/unpublish"),
    ("deals.deals_export", "GET", "/deals/events/{slug}/deals.csv"),
    ("deals.outcomes", "GET", "/deals/events/{slug}/outcomes"),
    ("deals.rates", "GET", "/deals/events/{slug}/rates"),
    ("deals.rates", "POST", "/deals/events/{slug}/rates"),
    ("deals.delete_rate", "POST", "/deals/events/{slug}/rates/{rate}/delete"),
    ("deals.memoranda", "GET", "/deals/events/{slug}/memoranda"),
    ("deals.memoranda", "POST", "/deals/events/{slug}/memoranda"),
    ("deals.outcome_on_behalf", "GET", "/deals/meetings/{m_bc}/outcome/{pb}"),
    ("deals.outcome_on_behalf", "POST", "/deals/meetings/{m_bc}/outcome/{pb}"),
]

ORGANISER_ROUTES = ORGANISER_GLOBAL_ROUTES + ORGANISER_EVENT_ROUTES

# Routes for administrators only: create events, assign their organisers.
ADMIN_ROUTES = [
    ("organiser.new_event", "GET", "/organiser/events/new"),
    ("organiser.new_event", "POST", "/organiser/events/new"),
    ("organiser.organisers", "GET", "/organiser/events/{slug}/organisers"),
    ("organiser.organisers", "POST", "/organiser/events/{slug}/organisers"),
    (
        "organiser.remove_organiser",
        "POST",
        "/organiser/events/{slug}/organisers/{organiser}/remove",
    ),
]

# Routes for company contacts only (role_required("company")).
COMPANY_ONLY_ROUTES = [
    ("company.dashboard", "GET", "/company/"),
    ("company.profile", "GET", "/company/profile"),
    ("company.profile", "POST", "/company/profile"),
    ("company.contacts", "GET", "/company/contacts"),
    ("company.contacts", "POST", "/company/contacts"),
    ("company.participation", "GET", "/company/events/{slug}"),
    ("company.participation", "POST", "/company/events/{slug}"),
    ("agenda.company_agenda", "GET", "/company/events/{slug}/agenda"),
    ("agenda.company_pdf", "GET", "/company/events/{slug}/agenda.pdf"),
    ("agenda.company_ics", "GET", "/company/events/{slug}/agenda.ics"),
    ("agenda.regenerate_feed_link", "POST", "/company/calendar-feed"),
    ("directory.requests", "GET", "/company/events/{slug}/requests"),
    ("directory.meetings", "GET", "/company/events/{slug}/meetings"),
    ("directory.meetings", "POST", "/company/events/{slug}/meetings"),
    ("directory.withdraw", "POST", "/requests/{req}/withdraw"),
    ("directory.answer_proposal", "POST", "/proposals/{prop}/answer"),
    ("deals.company_meetings", "GET", "/deals/events/{slug}/meetings"),
    ("deals.outcome", "GET", "/deals/meetings/{m_bc}/outcome"),
    ("deals.outcome", "POST", "/deals/meetings/{m_bc}/outcome"),
    ("refill.company_confirm", "POST", "/company/events/{slug}/refills/{refill}/confirm"),
    ("refill.standby", "POST", "/company/events/{slug}/standby"),
]

# Routes for companies and organisers (organisers act on a company's behalf).
COMPANY_OR_ORGANISER_ROUTES = [
    ("directory.directory", "GET", "/events/{slug}/directory"),
    ("directory.profile", "GET", "/events/{slug}/directory/{pb}"),
    ("directory.profile", "POST", "/events/{slug}/directory/{pb}"),
    ("directory.answer", "POST", "/requests/{req}/answer"),
]

# Routes for interpreters only: their events and their own agendas.
INTERPRETER_ROUTES = [
    ("interpreters.home", "GET", "/interpreter/"),
    ("interpreters.agenda", "GET", "/interpreter/events/{slug}/agenda"),
    ("interpreters.agenda_pdf", "GET", "/interpreter/events/{slug}/agenda.pdf"),
    ("interpreters.agenda_ics", "GET", "/interpreter/events/{slug}/agenda.ics"),
]

REPORTER_ROUTES = [
    ("deals.my_tokens", "GET", "/deals/tokens"),
    ("deals.my_tokens", "POST", "/deals/tokens"),
]

# Organisers and reporters (a reporter only its own tokens).
ORGANISER_OR_REPORTER_ROUTES = [
    ("deals.revoke", "POST", "/deals/tokens/{token}/revoke"),
]

LOGGED_IN_ROUTES = [
    ("auth.logout", "POST", "/logout"),
    ("floor.token", "GET", "/floor/token"),
]

# Public routes, reached anonymously: (endpoint, method, url, expected status).
PUBLIC_ROUTES = [
    ("main.index", "GET", "/", 200),
    ("main.event", "GET", "/events/{slug}/", 200),
    ("main.healthz", "GET", "/healthz", 200),
    ("main.favicon", "GET", "/favicon.ico", 301),
    ("main.set_language", "GET", "/language/en", 302),
    ("auth.login", "GET", "/login", 200),
    ("auth.login", "POST", "/login", 422),
    ("auth.reset_request", "GET", "/reset", 200),
    ("auth.reset_request", "POST", "/reset", 422),
    ("auth.reset", "GET", "/reset/not-a-token", 400),
    ("auth.reset", "POST", "/reset/not-a-token", 400),
    ("auth.confirm", "GET", "/confirm/not-a-token", 400),
    ("registration.register", "GET", "/events/{other}/register", 200),
    ("registration.register", "POST", "/events/{other}/register", 422),
    ("registration.done", "GET", "/events/{other}/register/done", 200),
    ("press.index", "GET", "/press/", 200),
    ("press.event", "GET", "/press/events/{slug}", 200),
    ("press.totals_csv", "GET", "/press/events/{slug}/totals.csv", 200),
    ("api.openapi", "GET", "/api/v1/openapi.json", 200),
    ("api.totals", "GET", "/api/v1/events/{slug}/deals/totals", 200),
    ("agenda.feed", "GET", "/calendar/{feed}.ics", 200),  # the token is the credential
    ("interpreters.feed", "GET", "/interpreter/calendar/not-a-token.ics", 404),
    ("static", "GET", "/static/css/app.css", 200),
    ("floor.service_worker", "GET", "/sw.js", 200),
    ("floor.manifest", "GET", "/manifest.webmanifest", 200),
]

PROTECTED_ROUTES = (
    ORGANISER_ROUTES
    + ADMIN_ROUTES
    + COMPANY_ONLY_ROUTES
    + COMPANY_OR_ORGANISER_ROUTES
    + REPORTER_ROUTES
    + ORGANISER_OR_REPORTER_ROUTES
    + LOGGED_IN_ROUTES
    + INTERPRETER_ROUTES
)


def _id(route: tuple[Any, ...]) -> str:
    return f"{route[1]} {route[0]}"


def test_every_route_is_audited(app: Flask) -> None:
    listed = {(e, m) for e, m, *_rest in PROTECTED_ROUTES + PUBLIC_ROUTES}
    actual = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert actual - listed == set(), "routes missing from the access audit"
    assert listed - actual == set(), "audited routes that no longer exist"


# --- anonymous visitors -----------------------------------------------------------------------


@pytest.mark.parametrize("route", PROTECTED_ROUTES, ids=_id)
def test_anonymous_is_sent_to_login(client: FlaskClient, site: Site, route: Any) -> None:
    _endpoint, method, url = route
    token = _token(client, "anonymous") if method == "POST" else None
    response = _call(client, method, url.format(**site.ids), token)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


@pytest.mark.parametrize("route", PUBLIC_ROUTES, ids=_id)
def test_public_routes_answer_anonymous_visitors(
    client: FlaskClient, site: Site, route: Any
) -> None:
    _endpoint, method, url, expected = route
    token = _token(client, "anonymous") if method == "POST" else None
    response = _call(client, method, url.format(**site.ids), token)
    response.close()  # the static file's handle
    assert response.status_code == expected
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path != "/login"


# --- roles ------------------------------------------------------------------------------------

ROLE_REFUSALS = (
    [
        ("alpha", r)
        for r in ORGANISER_ROUTES + ADMIN_ROUTES + REPORTER_ROUTES + ORGANISER_OR_REPORTER_ROUTES
    ]
    + [("reporter", r) for r in ORGANISER_ROUTES + ADMIN_ROUTES + COMPANY_ONLY_ROUTES]
    + [("reporter", r) for r in COMPANY_OR_ORGANISER_ROUTES]
    + [("organiser", r) for r in COMPANY_ONLY_ROUTES + REPORTER_ROUTES + ADMIN_ROUTES]
    + [("outsider", r) for r in ADMIN_ROUTES]
    + [("admin", r) for r in COMPANY_ONLY_ROUTES + REPORTER_ROUTES]
    + [(who, r) for who in ("alpha", "reporter", "organiser", "admin") for r in INTERPRETER_ROUTES]
)


@pytest.mark.parametrize(
    ("who", "route"), ROLE_REFUSALS, ids=[f"{w}-{_id(r)}" for w, r in ROLE_REFUSALS]
)
def test_role_is_refused(client: FlaskClient, site: Site, who: str, route: Any) -> None:
    _endpoint, method, url = route
    _login_as(client, site, who)
    token = _token(client, who) if method == "POST" else None
    response = _call(client, method, url.format(**site.ids), token)
    assert response.status_code == 403


# --- organisers are scoped to their events ----------------------------------------------------

# Every route that reaches the event, by its slug or by an id within it.
SCOPED_ROUTES = ORGANISER_EVENT_ROUTES + COMPANY_OR_ORGANISER_ROUTES

# Forms that the event's own organiser could submit with effect: refused, they must change nothing.
SCOPED_FORMS: dict[tuple[str, str], dict[str, str]] = {
    ("organiser.setup", "POST"): {"status": "archived"},
    ("organiser.registration", "POST"): {"decision": "reject", "reason": "outsider"},
    ("directory.organiser_requests", "POST"): {"requester": "{pa}", "recipient": "{pb}"},
    ("directory.answer", "POST"): {"decision": "accept"},
    ("schedule.meeting", "POST"): {"action": "lock", "lock-locked": "y"},
    ("agenda.record_attendance", "POST"): {"attendance": "no_show"},
    ("floor.attendance", "POST"): {"attendance": "no_show"},
    ("floor.staff", "POST"): {"full_name": "Outsider Staff", "email": "staff@other.example"},
    ("deals.rule", "POST"): {"rule": "higher"},
    ("interpreters.edit", "POST"): {"name": "Renamed", "languages": "zh ru", "locale": "en"},
    ("interpreters.index", "POST"): {
        "name": "Outsider Interpreter",
        "email": "interp@other.example",
        "languages": "zh ru",
        "locale": "en",
    },
    ("deals.outcome_on_behalf", "POST"): {"stage": "signed", "amount": "1", "currency": "CNY"},
    ("deals.memoranda", "POST"): {
        "partner": "Outsider Chamber",
        "country": "KZ",
        "signed_on": "2025-01-01",
        "title": "MoU",
    },
    ("deals.rates", "POST"): {
        "currency": "KZT",
        "valid_from": "2025-01-01",
        "to_cny": "0.014",
        "to_usd": "0.002",
    },
}


def _fingerprint(dbs: Session) -> tuple[Any, ...]:
    """What a request of an organiser could change in an event, to compare before and after."""
    dbs.expire_all()

    def rows(*columns: Any) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in dbs.execute(select(*columns).order_by(*columns)).all()]

    return (
        rows(Event.id, Event.status, Event.slot_minutes),
        rows(Participation.id, Participation.status, Participation.status_reason),
        rows(MeetingRequest.id, MeetingRequest.status),
        rows(ScheduleVersion.id, ScheduleVersion.status),
        rows(Meeting.id, Meeting.status, Meeting.slot_id, Meeting.locked, Meeting.attendance),
        rows(Outcome.id, Outcome.stage, Outcome.amount),
        rows(ExchangeRate.id, ExchangeRate.currency),
        rows(Memorandum.id),
        rows(TallySettings.id, TallySettings.conflict_rule, TallySettings.published),
        rows(event_organisers.c.event_id, event_organisers.c.user_id),
        rows(event_floor_staff.c.event_id, event_floor_staff.c.user_id),
        rows(CheckIn.participation_id, CheckIn.day),
        rows(Interpreter.id, Interpreter.event_id, Interpreter.name),
        rows(RefillOffer.id, RefillOffer.status, RefillOffer.meeting_id),
    )


def _scoped_form(route: tuple[str, str, str], site: Site) -> dict[str, str]:
    data = SCOPED_FORMS.get((route[0], route[1]), {})
    return {k: v.format(**site.ids) for k, v in data.items()}


@pytest.mark.parametrize("route", SCOPED_ROUTES, ids=_id)
def test_organiser_of_another_event_gets_404(
    client: FlaskClient, dbs: Session, site: Site, route: Any
) -> None:
    """The outsider organises the second event only: the first one answers as if unknown."""
    _endpoint, method, url = route
    _login_as(client, site, "outsider")
    token = _token(client, "outsider") if method == "POST" else None
    before = _fingerprint(dbs)
    response = _call(client, method, url.format(**site.ids), token, _scoped_form(route, site))
    assert response.status_code == 404
    assert "777000" not in response.get_data(as_text=True)
    assert _fingerprint(dbs) == before


@pytest.mark.parametrize("who", ["organiser", "admin"])
@pytest.mark.parametrize("route", SCOPED_ROUTES + ORGANISER_GLOBAL_ROUTES, ids=_id)
def test_event_organiser_and_admin_get_through(
    client: FlaskClient, site: Site, who: str, route: Any
) -> None:
    """The same requests pass the checks for the event's organiser and any administrator."""
    _endpoint, method, url = route
    _login_as(client, site, who)
    token = _token(client, who) if method == "POST" else None
    response = _call(client, method, url.format(**site.ids), token, _scoped_form(route, site))
    if (route[0], method) == ("directory.profile", "POST"):
        assert response.status_code == 403  # organisers ask from the requests page, by design
        return
    assert response.status_code not in (401, 403, 404) and response.status_code < 500
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path != "/login"


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=_id)
def test_admin_reaches_admin_pages(client: FlaskClient, site: Site, route: Any) -> None:
    _endpoint, method, url = route
    _login_as(client, site, "admin")
    token = _token(client, "admin") if method == "POST" else None
    response = _call(client, method, url.format(**site.ids), token)
    assert response.status_code in ((200,) if method == "GET" else (302, 422))


# (who, page, whether the first event shows on it)
EVENT_LISTS = [
    ("organiser", "/organiser/", True),
    ("organiser", "/deals/", True),
    ("organiser", "/organiser/messages", True),
    ("admin", "/organiser/", True),
    ("admin", "/deals/", True),
    ("admin", "/organiser/messages", True),
    ("outsider", "/organiser/", False),
    ("outsider", "/deals/", False),
    ("outsider", "/organiser/messages", False),
]


@pytest.mark.parametrize(
    ("who", "url", "shown"), EVENT_LISTS, ids=[f"{w}-{u}" for w, u, _s in EVENT_LISTS]
)
def test_lists_show_only_the_organisers_events(
    client: FlaskClient, site: Site, who: str, url: str, shown: bool
) -> None:
    _login_as(client, site, who)
    response = client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    mentions = ("/events/forum/" in body) or (UNDELIVERED_TO in body)
    assert mentions == shown


@pytest.mark.parametrize(("who", "status"), [("organiser", 404), ("outsider", 404), ("admin", 200)])
def test_draft_event_page_only_for_those_who_manage_it(
    client: FlaskClient, site: Site, who: str, status: int
) -> None:
    _login_as(client, site, who)
    response = client.get("/events/secret-draft/")
    assert response.status_code == status
    assert (DRAFT_NAME in response.get_data(as_text=True)) == (status == 200)


# --- one company and another company's ids ----------------------------------------------------


def _request_open(dbs: Session, site: Site) -> bool:
    row = dbs.get(MeetingRequest, site.ids["req"])
    return row is not None and row.status == "open" and row.answered_by_id is None


def _proposal_open(dbs: Session, site: Site) -> bool:
    row = dbs.get(RescheduleProposal, site.ids["prop"])
    return row is not None and row.status == "open" and row.answered_at is None


def _outcomes_untouched(dbs: Session, site: Site) -> bool:
    rows = dbs.scalars(select(Outcome).where(Outcome.meeting_id == site.ids["m_bc"])).all()
    return [(r.participation_id, r.amount) for r in rows] == [
        (site.ids["pb"], Decimal("777000.00"))
    ]


def _no_new_request(dbs: Session, site: Site) -> bool:
    return dbs.scalar(select(func.count(MeetingRequest.id))) == 1


def _no_new_proposal(dbs: Session, site: Site) -> bool:
    return dbs.scalar(select(func.count(RescheduleProposal.id))) == 1


def _nothing(dbs: Session, site: Site) -> bool:
    return True


OUTCOME_FORM = {"stage": "signed", "amount": "1", "currency": "CNY"}

# (label, method, url, form data, allowed statuses, state that must be kept)
IDOR_CASES: list[tuple[str, str, str, dict[str, str], tuple[int, ...], Any]] = [
    ("answer-bravo-request", "POST", "/requests/{req}/answer", {"decision": "accept"},
     (403, 404), _request_open),
    ("decline-bravo-request", "POST", "/requests/{req}/answer", {"decision": "decline"},
     (403, 404), _request_open),
    ("withdraw-bravo-request", "POST", "/requests/{req}/withdraw", {}, (403, 404), _request_open),
    ("answer-bravo-proposal", "POST", "/proposals/{prop}/answer", {"decision": "accept"},
     (403, 404), _proposal_open),
    ("propose-for-bravo-meeting", "POST", "/company/events/{slug}/meetings",
     {"meeting": "{m_bc}", "m{m_bc}-slot": "{slot}"}, (403, 404), _no_new_proposal),
    ("outcome-page-of-bravo-meeting", "GET", "/deals/meetings/{m_bc}/outcome", {}, (403, 404),
     _nothing),
    ("record-outcome-of-bravo-meeting", "POST", "/deals/meetings/{m_bc}/outcome", OUTCOME_FORM,
     (403, 404), _outcomes_untouched),
    ("on-behalf-outcome-of-bravo", "POST", "/deals/meetings/{m_bc}/outcome/{pb}", OUTCOME_FORM,
     (403,), _outcomes_untouched),
    ("on-behalf-request-form", "POST", "/organiser/events/{slug}/requests",
     {"requester": "{pa}", "recipient": "{pd}"}, (403,), _no_new_request),
    ("profile-of-non-consenting", "GET", "/events/{slug}/directory/{pd}", {}, (404,), _nothing),
    ("request-to-non-consenting", "POST", "/events/{slug}/directory/{pd}", {"message": "hi"},
     (404,), _no_new_request),
    ("profile-from-other-event", "GET", "/events/{slug}/directory/{pb_other}", {}, (404,),
     _nothing),
    ("directory-of-other-event", "GET", "/events/{other}/directory", {}, (403, 404), _nothing),
    ("profile-in-other-event", "GET", "/events/{other}/directory/{pb_other}", {}, (403, 404),
     _nothing),
    ("agenda-of-other-event", "GET", "/company/events/{other}/agenda", {}, (403, 404), _nothing),
    ("agenda-pdf-of-other-event", "GET", "/company/events/{other}/agenda.pdf", {}, (403, 404),
     _nothing),
    ("agenda-ics-of-other-event", "GET", "/company/events/{other}/agenda.ics", {}, (403, 404),
     _nothing),
    ("participation-in-other-event", "GET", "/company/events/{other}", {}, (403, 404), _nothing),
    ("requests-of-other-event", "GET", "/company/events/{other}/requests", {}, (403, 404),
     _nothing),
    ("meetings-of-other-event", "GET", "/company/events/{other}/meetings", {}, (403, 404),
     _nothing),
    ("outcomes-of-other-event", "GET", "/deals/events/{other}/meetings", {}, (403, 404),
     _nothing),
    ("bravo-registration-review", "GET", "/organiser/registrations/{pb}", {}, (403,), _nothing),
    ("company-view-of-schedule", "GET", "/organiser/events/{slug}/schedule/{v}?company={pb}", {},
     (403,), _nothing),
    ("revoke-reporter-token", "POST", "/deals/tokens/{token}/revoke", {}, (403, 404), _nothing),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "url", "data", "allowed", "kept"),
    [case[1:] for case in IDOR_CASES],
    ids=[case[0] for case in IDOR_CASES],
)
def test_company_cannot_use_another_company_ids(
    client: FlaskClient,
    dbs: Session,
    site: Site,
    method: str,
    url: str,
    data: dict[str, str],
    allowed: tuple[int, ...],
    kept: Any,
) -> None:
    _login_as(client, site, "alpha")
    token = _token(client, "alpha") if method == "POST" else None
    form = {k.format(**site.ids): v.format(**site.ids) for k, v in data.items()}
    response = _call(client, method, url.format(**site.ids), token, form)
    assert response.status_code in allowed
    body = response.get_data(as_text=True)
    assert "777000" not in body and "777,000" not in body
    dbs.expire_all()
    assert kept(dbs, site)
    assert dbs.scalar(select(ApiToken.revoked_at).where(ApiToken.id == site.ids["token"])) is None


def test_reporter_cannot_revoke_another_reporters_token(
    client: FlaskClient, dbs: Session, site: Site
) -> None:
    _login_as(client, site, "reporter")
    token = _token(client, "reporter")
    response = client.post(
        f"/deals/tokens/{site.ids['other_token']}/revoke", data={"csrf_token": token}
    )
    assert response.status_code in (403, 404)
    dbs.expire_all()
    revoked = dbs.scalar(select(ApiToken.revoked_at).where(ApiToken.id == site.ids["other_token"]))
    assert revoked is None


def test_company_cannot_see_a_draft_meeting(client: FlaskClient, site: Site) -> None:
    _login_as(client, site, "alpha")
    response = client.get(f"/deals/meetings/{site.ids['m_draft']}/outcome")
    assert response.status_code == 404


# --- private data in pages -------------------------------------------------------------------

CONTACT_PAGES = [
    ("alpha", "/events/{slug}/directory"),
    ("alpha", "/events/{slug}/directory?q=bravo"),
    ("alpha", "/events/{slug}/directory/{pb}"),
    ("alpha", "/events/{slug}/directory/{pc}"),
    ("alpha", "/company/events/{slug}/requests"),
    ("alpha", "/company/events/{slug}/meetings"),
    ("alpha", "/company/events/{slug}/agenda"),
    ("alpha", "/company/events/{slug}/agenda.ics"),
    ("alpha", "/deals/events/{slug}/meetings"),
    ("alpha", "/deals/meetings/{m_ab}/outcome"),
    ("alpha", "/company/"),
    ("alpha", "/company/contacts"),
    ("charlie", "/company/events/{slug}/requests"),
    ("charlie", "/company/events/{slug}/meetings"),
    ("charlie", "/deals/events/{slug}/meetings"),
    ("charlie", "/deals/meetings/{m_bc}/outcome"),
    ("reporter", "/deals/tokens"),
    ("anonymous", "/press/"),
    ("anonymous", "/press/events/{slug}"),
    ("anonymous", "/press/events/{slug}/totals.csv"),
    ("reporter", "/press/events/{slug}"),
    ("anonymous", "/api/v1/events/{slug}/deals/totals?group_by=country"),
    ("anonymous", "/events/{slug}/"),
]


@pytest.mark.parametrize(("who", "url"), CONTACT_PAGES, ids=[f"{w}-{u}" for w, u in CONTACT_PAGES])
def test_pages_never_show_another_company_contact(
    client: FlaskClient, site: Site, who: str, url: str
) -> None:
    _login_as(client, site, who)
    response = client.get(url.format(**site.ids))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for private in (BRAVO_EMAIL, BRAVO_PHONE, DELTA_EMAIL, "777000", "777,000"):
        assert private not in body
    if who == "alpha":
        assert "Delta Secretive" not in body  # refused the directory


# --- CSRF -------------------------------------------------------------------------------------

CSRF_ROLE = {
    **dict.fromkeys(ORGANISER_ROUTES, "organiser"),
    **dict.fromkeys(ADMIN_ROUTES, "admin"),
    **dict.fromkeys(COMPANY_ONLY_ROUTES + COMPANY_OR_ORGANISER_ROUTES, "alpha"),
    **dict.fromkeys(REPORTER_ROUTES + ORGANISER_OR_REPORTER_ROUTES, "reporter"),
    **dict.fromkeys(LOGGED_IN_ROUTES, "alpha"),
}
CSRF_CASES = [(who, r) for r, who in CSRF_ROLE.items() if r[1] == "POST"] + [
    ("anonymous", r[:3]) for r in PUBLIC_ROUTES if r[1] == "POST"
]
# Owners posting their own ids without a token: the state must be kept.
CSRF_OWNER_CASES = [
    ("bravo", "/requests/{req}/withdraw", {}, _request_open),
    ("charlie", "/requests/{req}/answer", {"decision": "accept"}, _request_open),
    ("charlie", "/proposals/{prop}/answer", {"decision": "accept"}, _proposal_open),
    ("organiser", "/requests/{req}/answer", {"decision": "decline"}, _request_open),
    ("bravo", "/deals/meetings/{m_bc}/outcome", OUTCOME_FORM, _outcomes_untouched),
    ("charlie", "/events/{slug}/directory/{pa}", {"message": "hi"}, _no_new_request),
]


@pytest.mark.parametrize(("who", "route"), CSRF_CASES, ids=[f"{w}-{_id(r)}" for w, r in CSRF_CASES])
def test_post_without_csrf_token_is_refused(
    client: FlaskClient, site: Site, who: str, route: Any
) -> None:
    _endpoint, _method, url = route
    _login_as(client, site, who)
    response = client.post(url.format(**site.ids), data={"decision": "accept"})
    assert response.status_code == 400
    assert "csrf_token" not in response.headers.get("Location", "")


@pytest.mark.parametrize(
    ("who", "url", "data", "kept"),
    CSRF_OWNER_CASES,
    ids=[f"{w}-{u}" for w, u, _d, _k in CSRF_OWNER_CASES],
)
def test_owner_post_without_csrf_token_changes_nothing(
    client: FlaskClient, dbs: Session, site: Site, who: str, url: str, data: Any, kept: Any
) -> None:
    _login_as(client, site, who)
    response = client.post(url.format(**site.ids), data=data)
    assert response.status_code == 400
    dbs.expire_all()
    assert kept(dbs, site)


def test_json_api_is_csrf_exempt_but_checks_its_token(client: FlaskClient, site: Site) -> None:
    url = "/api/v1/events/{slug}/deals/totals".format(**site.ids)
    assert client.get(url).status_code == 200
    response = client.get(url, headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.get_json()["parameter"] == "Authorization"
    assert client.post(url).status_code == 405  # read-only: no state-changing JSON endpoint


# --- redirects --------------------------------------------------------------------------------


def _lands_on_this_site(location: str) -> bool:
    """Where a browser goes: it drops tabs and newlines and reads backslashes as slashes."""
    cleaned = "".join(c for c in location if c not in "\t\n\r").replace("\\", "/")
    return urlsplit(urljoin("http://localhost/here", cleaned)).netloc == "localhost"


SAFE_TARGETS = [
    ("scheme-relative", "//evil.example/x"),
    ("absolute", "https://evil.example/x"),
    ("backslash", "/\\evil.example"),
    ("javascript", "javascript:alert(1)"),
    ("encoded-slashes", "/%2F%2Fevil.example"),
]
CONTROL_CHARACTER_TARGETS = [
    pytest.param(
        "/\t/evil.example",
        id="tab",
    ),
    pytest.param(
        "/\n/evil.example",
        id="newline",
    ),
]


@pytest.mark.parametrize(
    "target", [pytest.param(t, id=i) for i, t in SAFE_TARGETS] + CONTROL_CHARACTER_TARGETS
)
def test_language_switch_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    response = client.get("/language/en", query_string={"next": target})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert _lands_on_this_site(response.headers["Location"])


@pytest.mark.parametrize(
    "target", [pytest.param(t, id=i) for i, t in SAFE_TARGETS] + CONTROL_CHARACTER_TARGETS
)
def test_login_never_redirects_off_site(client: FlaskClient, site: Site, target: str) -> None:
    token = get_csrf(client, "/login")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": site.emails["alpha"], "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert _lands_on_this_site(response.headers["Location"])


@pytest.mark.parametrize(
    "target",
    [pytest.param(t, id=i) for i, t in SAFE_TARGETS]
    + [
        pytest.param("/company/../../\\evil.example", id="dot-segments"),
        pytest.param(
            "/company/\n",
            id="newline",
        ),
    ],
)
def test_feed_link_regeneration_stays_on_site(client: FlaskClient, site: Site, target: str) -> None:
    _login_as(client, site, "alpha")
    token = _token(client, "alpha")
    response = client.post("/company/calendar-feed", data={"csrf_token": token, "next": target})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert _lands_on_this_site(response.headers["Location"])


# --- draft events and bad input ---------------------------------------------------------------

DRAFT_PAGES = [
    pytest.param("/events/secret-draft/", id="event-page"),
    pytest.param("/events/secret-draft/register", id="register"),
    pytest.param("/events/secret-draft/register/done", id="register-done"),
    pytest.param("/api/v1/events/secret-draft/deals/totals", id="api-totals"),
    pytest.param("/press/events/secret-draft/totals.csv", id="press-csv"),
    pytest.param(
        "/press/events/secret-draft",
        id="press-page",
    ),
]


@pytest.mark.parametrize("url", DRAFT_PAGES)
def test_draft_events_stay_hidden(client: FlaskClient, site: Site, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert DRAFT_NAME not in body and "Undisclosed City" not in body


# (who, method, url, form data, allowed statuses)
BAD_INPUT = [
    ("anonymous", "GET", "/api/v1/events/{slug}/deals/totals?group_by=nope", {}, (400,)),
    ("anonymous", "GET", "/api/v1/events/no-such-event/deals/totals", {}, (404,)),
    ("anonymous", "GET", "/language/xx", {}, (404,)),
    ("alpha", "GET", "/events/{slug}/directory?sector=abc&country=ZZ", {}, (400,)),
    ("alpha", "POST", "/company/events/{slug}/meetings", {"meeting": "abc"}, (404,)),
    ("alpha", "POST", "/company/events/{slug}/meetings", {"meeting": "{m_ab}"}, (422,)),
    ("alpha", "POST", "/deals/meetings/{m_ab}/outcome", {"stage": "signed", "amount": "x"},
     (422,)),
    ("alpha", "POST", "/events/{slug}/directory/{pb}", {"message": "x" * 5000}, (422,)),
    ("charlie", "POST", "/requests/{req}/answer", {"decision": "maybe"}, (400,)),
    ("charlie", "POST", "/proposals/{prop}/answer", {}, (400,)),
    ("organiser", "GET", "/organiser/events/{slug}/schedule/{v}?company=abc", {}, (200,)),
    ("organiser", "GET", "/organiser/events/{slug}/check-in?slot=abc", {}, (200,)),
    ("organiser", "GET", "/organiser/events/{slug}/registrations?sector=abc", {}, (400,)),
    ("organiser", "POST", "/organiser/events/{slug}/schedule/{v}/meetings/{m_bc}",
     {"action": "bogus"}, (400,)),
    ("organiser", "POST", "/organiser/events/{slug}/schedule/{v}/meetings/{m_bc}",
     {"action": "swap", "swap-other": "999999"}, (422,)),
    ("organiser", "POST", "/organiser/events/{slug}/requests",
     {"requester": "abc", "recipient": "{pb}"}, (422,)),
    ("organiser", "POST", "/deals/events/{slug}/rates/999999/delete", {}, (404,)),
    ("organiser", "GET", "/deals/meetings/{m_bc}/outcome/{pa}", {}, (404,)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "method", "url", "data", "allowed"),
    BAD_INPUT,
    ids=[f"{w}-{m}-{u}-{sorted(d)}" for w, m, u, d, _a in BAD_INPUT],
)
def test_bad_input_gets_a_client_error(
    client: FlaskClient,
    site: Site,
    who: str,
    method: str,
    url: str,
    data: dict[str, str],
    allowed: tuple[int, ...],
) -> None:
    _login_as(client, site, who)
    token = _token(client, who) if method == "POST" else None
    form = {k: v.format(**site.ids) for k, v in data.items()}
    response = _call(client, method, url.format(**site.ids), token, form)
    assert response.status_code in allowed
