"""The fuzz test's world: a small event, logged-in clients per role, the forms every page shows.

``World`` holds one ended event (``forum``: three companies meeting in a published schedule,
a draft version, a request each way for the company, a reschedule proposal, a recorded deal,
an exchange rate, a reporter with an API token) and an open event (``other``: registration
and participation forms). Each role logs in once; every fuzzed request then starts a fresh
client from that role's cookie and runs in a savepoint rolled back after it, so requests
never see each other's writes and the table snapshot taken once is the state to compare with.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from matchmaking.extensions import db
from matchmaking.models import (
    Availability,
    ExchangeRate,
    Participation,
    RescheduleProposal,
    ScheduleVersion,
    Slot,
    User,
    event_floor_staff,
)
from matchmaking.models import user as user_model
from matchmaking.models.types import utcnow
from matchmaking.services import api_tokens, tokens
from matchmaking.services import requests as requests_service
from matchmaking.services.calendar import regenerate_feed
from matchmaking.services.company_codes import company_code
from matchmaking.services.interpreters import InterpreterInput, register_interpreter
from matchmaking.services.tally import publish_tally
from tests.conftest import csrf_from, make_event
from tests.functional.deals_helpers import PASSWORD, make_fair, report
from tests.functional.helpers import (
    login,
    make_meeting,
    make_participant,
    make_slots,
    make_staff,
    registration_data,
)
from tests.refill_world import add_day_under_way

ORGANISER_PASSWORD = "organiser-password"
REPORTER_PASSWORD = "reporter-password"
ADMIN_PASSWORD = "administrator-password"
ROLES = ("anonymous", "company", "organiser", "reporter", "admin")
# Pages with a form (the log-in form, or the log-out button every page shows a user), so a
# CSRF token bound to the session.
TOKEN_PAGES = ("/", "/login")
SKIPPED_PAGES = (".pdf", ".ics", ".csv", ".json")


# --- forms as a browser sees them -------------------------------------------------------------


@dataclass
class FormField:
    """One named control: its submitted value as shown, and the options it offers."""

    name: str
    kind: str
    value: str | None
    options: list[str] = field(default_factory=list)


@dataclass
class PageForm:
    """A <form> of a page: where it posts and the controls it holds."""

    method: str
    action: str
    fields: dict[str, FormField] = field(default_factory=dict)

    def defaults(self) -> dict[str, list[str]]:
        """What submitting the form unchanged sends (checked boxes, selected options)."""
        data: dict[str, list[str]] = {}
        for f in self.fields.values():
            if f.value is not None and f.kind not in ("submit", "button"):
                data.setdefault(f.name, []).append(f.value)
        return data


class FormScraper(HTMLParser):
    """Collects the forms of one HTML page."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: FormField | None = None
        self._option: str | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = PageForm(
                (a.get("method") or "get").upper(), a.get("action") or self.page_url
            )
            self.forms.append(self._form)
            return
        if self._form is None or (tag not in ("input", "select", "option", "textarea", "button")):
            return
        name = a.get("name", "")
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
            return
        if not name:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            value: str | None = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio"):
                existing = self._form.fields.get(name)
                options = [*(existing.options if existing else []), value or ""]
                checked = value if "checked" in a else (existing.value if existing else None)
                self._form.fields[name] = FormField(name, kind, checked, options)
                return
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            self._form.fields.setdefault(name, FormField(name, kind, value))
        elif tag == "select":
            self._select = FormField(name, "select", None)
            self._form.fields[name] = self._select
        elif tag == "textarea":
            self._textarea = FormField(name, "textarea", "")
            self._form.fields[name] = self._textarea
        elif tag == "button":
            self._form.fields.setdefault(
                name, FormField(name, "button", a.get("value", ""), [a.get("value", "")])
            )
            self._form.fields[name].options.append(a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value = (self._textarea.value or "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._select is not None and self._select.value is None and self._select.options:
                self._select.value = self._select.options[0]  # what a browser submits
            self._select = None
        elif tag == "textarea":
            self._textarea = None


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    """Everything a fuzzed request needs: clients' cookies, tokens, ids and discovered forms."""

    app: Flask
    connection: Connection
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)
    path_values: dict[str, list[str]] = field(default_factory=dict)
    # (role, endpoint) -> forms posting there, as that role saw them
    forms: dict[tuple[str, str], list[PageForm]] = field(default_factory=dict)
    # endpoint -> concrete URLs seen as form actions
    actions: dict[str, set[str]] = field(default_factory=dict)
    # endpoint -> names of its GET (filter) form's fields
    query_names: dict[str, set[str]] = field(default_factory=dict)
    baseline: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def client(self, role: str) -> FlaskClient:
        """A fresh client carrying ``role``'s session as it was right after logging in."""
        client = self.app.test_client()
        if role in self.cookies:
            client.set_cookie("session", self.cookies[role])
        return client

    def rule_forms(self, role: str, endpoint: str) -> list[PageForm]:
        """The forms posting to ``endpoint`` that ``role`` saw, else those any role saw."""
        own = self.forms.get((role, endpoint))
        if own:
            return own
        return [f for (_r, e), forms in self.forms.items() if e == endpoint for f in forms]

    @contextlib.contextmanager
    def isolated(self) -> Iterator[None]:
        """Run a request in a savepoint that is rolled back afterwards."""
        nested = self.connection.begin_nested()
        try:
            yield
        finally:
            if nested.is_active:
                nested.rollback()

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, in a stable order."""
        return {
            table.name: sorted(
                (tuple(row) for row in self.connection.execute(select(table))), key=repr
            )
            for table in db.metadata.sorted_tables
        }


def build_world(app: Flask, connection: Connection) -> World:
    """Create the data, log every role in, and record the forms each role's pages show."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    ids = _populate(session, app)
    session.commit()
    session.close()
    world = World(app, connection, path_values=ids)
    emails = {
        "company": ("bravo@forum.example", PASSWORD),
        "organiser": ("org@forum.example", ORGANISER_PASSWORD),
        "reporter": ("reporter@forum.example", REPORTER_PASSWORD),
        "admin": ("admin@forum.example", ADMIN_PASSWORD),
    }
    for role in ROLES:
        client = app.test_client()
        if role in emails:
            if role == "admin" and "admin@forum.example" not in ids.get("_accounts", []):
                continue
            response = login(client, *emails[role])
            assert response.status_code == 302, f"{role} could not log in"
        for url in TOKEN_PAGES:
            page = client.get(url)
            if page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True):
                world.csrf[role] = csrf_from(page.get_data(as_text=True))
                break
        assert role in world.csrf, f"no page shows {role} a form"
        cookie = client.get_cookie("session")
        if cookie is not None:
            world.cookies[role] = cookie.value
    world.path_values.pop("_accounts", None)
    check_in_pages = world.path_values.pop("_check_in", [])
    _discover_forms(world)
    _discover_forms_at(world, check_in_pages)
    world.baseline = world.snapshot()
    return world


def roles(world: World) -> list[str]:
    return [r for r in ROLES if r == "anonymous" or r in world.cookies]


def _populate(session: Session, app: Flask) -> dict[str, Any]:
    fair = make_fair(
        session,
        {"alpha": "KZ", "bravo": "CN", "charlie": "RU"},
        [("alpha", "bravo"), ("bravo", "charlie")],
    )
    event = fair.event
    pa, pb, pc = (fair.parts[n] for n in ("alpha", "bravo", "charlie"))
    for p in (pa, pb, pc):
        p.directory_consent = True
    delta = make_participant(
        session, event, "Delta Secretive LLC", consent=False, sells=(("nev.parts", "brakes"),)
    )
    other = make_event(session, "other")
    pb_other = Participation(
        event=other,
        company=pb.company,
        status="approved",
        directory_consent=True,
        availability=[
            Availability(day=other.start_date, start_time=time(9), end_time=time(17, 30))
        ],
    )
    session.add(pb_other)
    session.flush()
    # The fair is over: its meetings can no longer move. The other event is ahead, with one
    # published meeting of Bravo's and a free time, so the reschedule form is on a page.
    echo = make_participant(
        session, other, "Echo Import LLP", buys=(("nev.parts", "brakes"),), email="echo@x.kz"
    )
    ahead = make_slots(session, other, count=2)
    make_meeting(session, echo, pb_other, ahead[0])
    m_ab, m_bc = fair.meetings[("alpha", "bravo")], fair.meetings[("bravo", "charlie")]
    # A slot where every company is free, so the reschedule form offers a time.
    free = Slot(
        event=event, starts_at=m_bc.slot.ends_at, ends_at=m_bc.slot.ends_at + timedelta(minutes=20)
    )
    session.add(free)
    now = utcnow()
    incoming = requests_service.request_meeting(
        session, pc, pb, "Charlie asks Bravo", fair.users["charlie"], now
    )
    outgoing = requests_service.request_meeting(
        session, pb, pa, "Bravo asks Alpha", fair.users["bravo"], now
    )
    proposal = RescheduleProposal(
        meeting=m_bc, proposer_id=pc.id, to_slot=m_ab.slot, message="", created_at=now
    )
    session.add(proposal)
    report(session, fair, ("bravo", "charlie"), "bravo", stage="signed", amount="777000")
    draft = ScheduleVersion(event=event, number=2, status="draft")
    m_draft = make_meeting(session, pa, pc, m_bc.slot, version=draft, status="draft", table=3)
    reporter = make_staff(session, "reporter", "reporter@forum.example", REPORTER_PASSWORD)
    token, _secret = api_tokens.create_token(session, reporter, "wire", fair.organiser, now)
    feed = regenerate_feed(session, pb.company)
    publish_tally(session, event, None, fair.organiser, now)  # so the page offers to unpublish
    rate = ExchangeRate(
        event_id=event.id,
        currency="USD",
        valid_from=event.start_date,
        to_cny=7,
        to_usd=1,
        created_by_id=fair.organiser.id,
    )
    session.add(rate)
    accounts = []
    if "admin" in user_model.ROLES:  # an administrator, where the app has the role
        make_staff(session, "admin", "admin@forum.example", ADMIN_PASSWORD)
        accounts.append("admin@forum.example")
    for e in (event, other):  # organisers manage the events assigned to them, where scoped
        if hasattr(e, "organisers") and fair.organiser not in e.organisers:
            e.organisers.append(fair.organiser)
    floor = User(
        email="floor@forum.example",
        full_name="Floor Staff",
        role="floor_staff",
        email_confirmed_at=now,
    )
    floor.set_password(ORGANISER_PASSWORD)
    session.add(floor)
    session.flush()
    session.execute(event_floor_staff.insert().values(event_id=event.id, user_id=floor.id))
    interpreter, _new = register_interpreter(
        session, event, InterpreterInput("Fuzz Interpreter", "interp@forum.example", ("zh", "ru")),
        fair.organiser,
    )  # fmt: skip
    # An event under way, with a no-show's table proposed to Bravo: the refill forms show.
    refill_pages, refill_ids = add_day_under_way(session, pb.company, fair.organiser)
    session.flush()
    secret = app.config["SECRET_KEY"]
    bravo = fair.users["bravo"]
    return {
        "slug": [event.slug, other.slug],
        "number": ["1", "2"],
        "meeting_id": [str(m.id) for m in (m_bc, m_ab, m_draft)],
        "participation_id": [str(p.id) for p in (pb, pc, pa, delta, pb_other)],
        "request_id": [str(incoming.id), str(outgoing.id)],
        "proposal_id": [str(proposal.id)],
        "rate_id": [str(rate.id)],
        "interpreter_id": [str(interpreter.id)],
        "token_id": [str(token.id)],
        "user_id": [str(reporter.id)],
        "token": [
            feed.token,
            tokens.reset_token(secret, bravo),
            tokens.confirmation_token(secret, bravo),
        ],
        "code": ["en", "zh", "ru"],
        "filename": ["css/app.css"],
        "_accounts": accounts,
        "_check_in": [
            f"/floor/events/{event.slug}/check-in?code={company_code(secret, pb)}",
            *refill_pages,
        ],
        **refill_ids,
    }


PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def converters(rule: Rule) -> dict[str, str]:
    """Argument name -> converter name ("default", "int", "path"...) of ``rule``."""
    return {m.group(2): m.group(1) or "default" for m in PLACEHOLDER.finditer(rule.rule)}


def valid_urls(world: World, rule: Rule, limit: int = 8) -> list[str]:
    """``rule`` with known values (ids of the world) in its arguments, in up to ``limit`` ways."""
    known = [
        world.path_values.get(name) or (["1"] if converter == "int" else ["forum"])
        for name, converter in converters(rule).items()
    ]
    names = list(converters(rule))
    combinations = itertools.islice(itertools.product(*known), limit)
    return [build_path(rule, dict(zip(names, values, strict=True))) for values in combinations]


def build_path(rule: Rule, values: dict[str, str]) -> str:
    """The path of ``rule`` with raw (already quoted) ``values`` put in its placeholders."""
    return PLACEHOLDER.sub(lambda m: values[m.group(2)], rule.rule)


def match(world: World, path: str, method: str) -> str | None:
    adapter = world.app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(path).path, method=method)
    except HTTPException:
        return None
    return str(endpoint)


def _discover_forms(world: World) -> None:
    """GET every page with each known id as each role and record the forms shown."""
    rules = [r for r in world.app.url_map.iter_rules() if "GET" in (r.methods or ())]
    for role in roles(world):
        seen: set[str] = set()
        for rule in rules:
            if rule.endpoint == "static" or rule.rule.endswith(SKIPPED_PAGES):
                continue
            for url in valid_urls(world, rule):
                if url in seen:
                    continue
                seen.add(url)
                with world.isolated():
                    response = world.client(role).get(url)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                scraper = FormScraper(url)
                scraper.feed(response.get_data(as_text=True))
                for form in scraper.forms:
                    endpoint = match(world, form.action, form.method)
                    if endpoint is None:
                        continue
                    if form.method == "GET":
                        world.query_names.setdefault(endpoint, set()).update(form.fields)
                        continue
                    world.forms.setdefault((role, endpoint), []).append(form)
                    world.actions.setdefault(endpoint, set()).add(urlsplit(form.action).path)
    _discover_import_confirmation(world)


def _discover_forms_at(world: World, urls: list[str]) -> None:
    """Forms that show only on a page with a query (a company's check-in page, by its code)."""
    for role in roles(world):
        for url in urls:
            with world.isolated():
                response = world.client(role).get(url)
            if response.status_code != 200:
                continue
            scraper = FormScraper(url)
            scraper.feed(response.get_data(as_text=True))
            for form in scraper.forms:
                endpoint = match(world, form.action, form.method)
                if endpoint is not None and form.method == "POST":
                    world.forms.setdefault((role, endpoint), []).append(form)
                    world.actions.setdefault(endpoint, set()).add(urlsplit(form.action).path)


IMPORTS = (  # (upload endpoint, confirmation endpoint)
    ("organiser.import_file", "organiser.confirm_import"),
    ("interpreters.import_file", "interpreters.confirm_import"),
)


def _discover_import_confirmation(world: World) -> None:
    """An import's confirmation form shows only in answer to an uploaded clean file: upload
    the event's own template as each role and record the form of the answer."""
    for upload, confirm in IMPORTS:
        _discover_confirmation(world, upload, confirm)


def _discover_confirmation(world: World, upload: str, confirm: str) -> None:
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == upload)
    for role in roles(world):
        for url in valid_urls(world, rule):
            with world.isolated():
                client = world.client(role)
                template = client.get(url + "/template.csv")
                if template.status_code != 200:
                    continue
                response = client.post(
                    url,
                    data={
                        "csrf_token": world.csrf.get(role, ""),
                        "file": (io.BytesIO(template.data), "template.csv"),
                    },
                    content_type="multipart/form-data",
                )
            scraper = FormScraper(url)
            scraper.feed(response.get_data(as_text=True))
            for form in scraper.forms:
                endpoint = match(world, form.action, form.method)
                if endpoint == confirm:
                    world.forms.setdefault((role, endpoint), []).append(form)
                    world.actions.setdefault(endpoint, set()).add(urlsplit(form.action).path)


# --- known-good input the pages do not pre-fill --------------------------------------------------


def valid_overrides(world: World, endpoint: str) -> dict[str, list[str]]:
    """Values that make a form valid where its page shows it empty."""
    start = date.today() + timedelta(days=60)
    if endpoint == "registration.register":
        from matchmaking.models import Event

        with world.isolated():
            session = Session(bind=world.connection)
            event = session.scalar(select(Event).where(Event.slug == "other"))
            data = registration_data(event, email="new-company@example.org")
            session.close()
        return {k: v if isinstance(v, list) else [v] for k, v in data.items()}
    table: dict[str, dict[str, str]] = {
        "organiser.new_event": {
            "name": "Fuzz Forum",
            "slug": "fuzz-forum",
            "venue": "Hall",
            "city": "Chongqing",
            "timezone": "Asia/Shanghai",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=1)).isoformat(),
            "registration_deadline": f"{(start - timedelta(days=7)).isoformat()}T12:00",
        },
        "deals.rates": {
            "currency": "EUR",
            "valid_from": start.isoformat(),
            "to_cny": "7.8",
            "to_usd": "1.08",
        },
        "deals.memoranda": {"partner": "Chamber", "country": "KZ", "signed_on": "2025-01-02"},
        "deals.reporters": {"full_name": "New Reporter", "email": "new-reporter@example.org"},
        "deals.my_tokens": {"name": "desk"},
        "deals.reporter_tokens": {"name": "desk"},
        "company.contacts": {"full_name": "Second Contact", "email": "second@example.org"},
        "deals.outcome": {"stage": "signed", "amount": "1000", "currency": "CNY"},
        "deals.outcome_on_behalf": {"stage": "signed", "amount": "1000", "currency": "CNY"},
        "directory.profile": {"message": "Shall we meet?"},
        "auth.login": {"email": "bravo@forum.example", "password": PASSWORD},
        "auth.reset_request": {"email": "bravo@forum.example"},
        "auth.reset": {"password": "a new long password", "confirm": "a new long password"},
    }
    return {k: [v] for k, v in table.get(endpoint, {}).items()}
