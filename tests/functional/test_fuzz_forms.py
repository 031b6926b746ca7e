"""Fuzz every route of ``app.url_map`` as every role: bad input never gives a 5xx.

Every rule accepting POST gets the forms its pages show (found by reading the HTML each
role sees), with generated values put in: control characters and NUL, unicode, huge
strings, sNaN, NaN, 1e999 and other numbers, bad dates and times, missing fields, repeated
fields, JSON and undecodable bodies, with a valid CSRF token (mostly). Every rule accepting
GET gets fuzzed path arguments (``%00`` among them) and query arguments. Besides these
hypothesis runs, every field of every form gets a few bad values one at a time, the rest of
the form as valid as its page shows it, so each value reaches the services. For each request:
no 5xx, and a request answered 4xx wrote no row (every table is compared with the state
before it). ``MATCHMAKING_FUZZ_EXAMPLES`` raises the number of examples per route and role.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from matchmaking.extensions import limiter
from tests.conftest import joined_transaction
from tests.functional.fuzz_support import (
    PageForm,
    World,
    build_path,
    build_world,
    converters,
    match,
    roles,
    valid_overrides,
    valid_urls,
)

EXAMPLES = int(os.environ.get("MATCHMAKING_FUZZ_EXAMPLES", "6"))

CONTROL = ["\x00", "a\x00b", "\x01", "\x08", "\x1b[2J", "\x7f", "\x85", "\u2028", "\r\n", "\t"]
TEXTS = [
    *CONTROL,
    "",
    " ",
    "中文公司",
    "Ωmega ☃ 😀",
    "\u202eevil",
    "\ufeff",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "\\",
    "x" * 10_000,
    "é" * 70_000,
]
NUMBERS = [
    "sNaN",
    "-sNaN",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e999",
    "-1e999",
    "1e-999",
    "1E+999999999",
    "9" * 30,
    "9" * 5000,
    "-1",
    "0",
    "-0",
    "0.001",
    "1.5",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "1_000",
    "0x10",
    "١٢٣",
    " 7 ",
    "1,5",
]
DATES = [
    "2024-02-29",
    "2025-02-29",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2025-13-01",
    "1-1-1",
    "2025-01-01T25:00",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2025-06-01T12:00",
    "24:00",
    "23:60",
    "00:00",
    "23:59",
    "-1:00",
    "12:00:00",
]
fuzz_values = st.one_of(
    st.sampled_from(TEXTS + NUMBERS + DATES),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
)
PATH_VALUES = [
    "%00",
    "a%00b",
    "%01",
    "%7F",
    "%C2%85",
    "..",
    "%2E%2E",
    "%2F",
    "%25",
    "%zz",
    "x" * 3000,
    "-1",
    "0",
    "99999999999999999999",
    "9223372036854775808",
    "2147483648",
    "%E4%B8%AD",
    "%E2%80%AE",
    "%20",
]
path_values = st.one_of(
    st.sampled_from(PATH_VALUES), st.text(max_size=20).map(lambda s: quote(s, safe=""))
)
# Query arguments read by views or their filter forms, and a few that nothing reads.
QUERY_NAMES = ["q", "next", "slot", "company", "group_by", "page", "sector", "status", "x"]
SETTINGS = settings(
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=bool(os.environ.get("CI")),
)


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[World]:
    """The fuzz world, in one transaction rolled back at the end of the module."""
    with joined_transaction(app) as conn:
        yield build_world(app, conn)


def _rules(method: str) -> list[Rule]:
    """The app's rules accepting ``method`` (read from an app of its own, at collection)."""
    from matchmaking import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    return sorted(
        (r for r in app.url_map.iter_rules() if method in (r.methods or ())),
        key=lambda r: (r.rule, r.endpoint),
    )


POST_RULES = _rules("POST")
GET_RULES = _rules("GET")
ROLE_NAMES = ("anonymous", "company", "organiser", "reporter", "admin")


def _check(
    world: World, role: str, method: str, url: str, response: TestResponse, sent: Any
) -> None:
    """No 5xx; and a 4xx left every table as it was."""
    status = response.status_code
    response.close()
    assert status < 500, f"{role} {method} {url} -> {status}; sent {sent!r:.2000}"
    if 400 <= status < 500:
        after = world.snapshot()
        changed = [t for t in after if after[t] != world.baseline[t]]
        assert not changed, (
            f"{role} {method} {url} -> {status} but wrote to {changed}; sent {sent!r:.2000}"
        )


def _fuzzed_path(data: st.DataObject, rule: Rule, url: str) -> str:
    """``url``, or now and then ``rule`` with one argument replaced by a fuzzed value."""
    names = list(converters(rule))
    if names and data.draw(st.integers(0, 5), label="fuzz path?") == 0:
        name = data.draw(st.sampled_from(names), label="argument")
        values = dict(zip(names, _arguments(rule, url), strict=True))
        values[name] = data.draw(path_values, label="path value")
        return build_path(rule, values)
    return url


def _arguments(rule: Rule, url: str) -> list[str]:
    from werkzeug.routing import Map

    adapter = Map([Rule(rule.rule, endpoint="x")]).bind("localhost")
    _endpoint, args = adapter.match(url, method="GET")
    return [quote(str(args[n]), safe="") for n in converters(rule)]


def _form_data(
    data: st.DataObject, world: World, form: PageForm | None, endpoint: str
) -> MultiDict[str, str]:
    base = form.defaults() if form is not None else {}
    base.update(valid_overrides(world, endpoint))
    options = {f.name: f.options for f in form.fields.values()} if form is not None else {}
    names = sorted(set(base) | set(options))
    mode = data.draw(st.sampled_from(["one", "few", "valid", "wild"]), label="mode")
    if mode == "one" and names:
        targets = {data.draw(st.sampled_from(names), label="field")}
    elif mode == "few":
        targets = {n for n in names if data.draw(st.integers(0, 7), label=f"touch {n}?") == 0}
    elif mode == "wild":
        targets = set(names)
    else:
        targets = set()
    sent: MultiDict[str, str] = MultiDict()
    for name in names:
        values = base.get(name, [])
        if name in targets:
            action = data.draw(
                st.sampled_from(["fuzz", "omit", "option", "many", "empty"]), label=name
            )
            if action == "fuzz":
                values = [data.draw(fuzz_values, label=name)]
            elif action == "omit":
                values = []
            elif action == "option" and options.get(name):
                values = [data.draw(st.sampled_from(options[name]), label=name)]
            elif action == "many":
                values = [*values, data.draw(fuzz_values, label=name)]
            else:
                values = [""]
        for value in values:
            sent.add(name, value)
    if data.draw(st.integers(0, 9), label="extra field?") == 0:
        sent.add(data.draw(fuzz_values, label="extra name"), data.draw(fuzz_values))
    return sent


def _post(
    data: st.DataObject, world: World, role: str, url: str, sent: MultiDict[str, str]
) -> TestResponse:
    client = world.client(role)
    token = world.csrf.get(role, "")
    with_token = data.draw(st.integers(0, 9), label="csrf?") > 0
    body = data.draw(st.sampled_from(["form", "multipart", "json", "raw"]), label="body")
    headers = {"X-CSRFToken": token} if with_token and body in ("json", "raw") else {}
    for name in [n for n in sent if n == "csrf_token" or n.endswith("-csrf_token")]:
        if with_token:
            sent.setlist(name, [token])
        else:
            sent.poplist(name)
    if with_token and body in ("form", "multipart"):
        sent.setlist("csrf_token", [token])
    if body == "form":
        return client.post(url, data=sent)
    if body == "multipart":
        return client.post(url, data=sent, content_type="multipart/form-data")
    if body == "json":
        body_text = json.dumps({k: v[0] for k, v in sent.lists() if v})
        return client.post(url, data=body_text, headers=headers, content_type="application/json")
    raw = data.draw(st.binary(max_size=64), label="raw body") + b"\xff\xfe%00=%"
    return client.post(
        url, data=raw, headers=headers, content_type="application/x-www-form-urlencoded"
    )


def _examples(world: World, role: str, method: str, url: str) -> int:
    """Fewer examples where the role is refused anyway (403, or sent to log in)."""
    with world.isolated():
        client = world.client(role)
        if method == "POST":
            response = client.post(url, data={"csrf_token": world.csrf.get(role, "")})
        else:
            response = client.get(url)
        response.close()
    refused = response.status_code in (401, 403) or (
        response.status_code == 302 and "/login" in response.headers.get("Location", "")
    )
    return max(2, EXAMPLES // 4) if refused else EXAMPLES


def test_every_form_route_is_reached_from_a_page(world: World) -> None:
    """Each POST route is the action of a form some role sees, so its fields get fuzzed."""
    assert {r.endpoint for r in POST_RULES} - set(world.actions) == set()


def test_the_table_snapshot_sees_a_write(world: World) -> None:
    """The no-write check is not vacuous: an accepted edit shows in the snapshot."""
    (form,) = world.forms[("company", "company.profile")]
    data = MultiDict(form.defaults())
    data.setlist("city", ["Chongqing"])
    with world.isolated():
        response = world.client("company").post(form.action, data=data)
        assert response.status_code == 302
        assert world.snapshot() != world.baseline
    assert world.snapshot() == world.baseline  # and the savepoint undid it


# One bad value at a time in an otherwise valid form reaches the services and the database.
VALUES_BY_KIND = {
    "text": ["a\x00b", "a\x1bb", "x" * 5000],
    "number": ["sNaN", "Infinity", "1e999", "-1", "9" * 30, ""],
    "date": ["0001-01-01", "9999-12-31", "2025-02-30", ""],
    "time": ["24:00", "23:59", ""],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59", ""],
    "select": ["\x00", "9" * 30],
    "checkbox": ["\x00"],
    "button": ["\x00"],
}
VALUES_BY_KIND["hidden"] = VALUES_BY_KIND["text"] + ["9" * 30, "-1"]
for _kind in ("email", "url", "password", "textarea", "search", "tel"):
    VALUES_BY_KIND[_kind] = VALUES_BY_KIND["text"]


def _owner(world: World, endpoint: str) -> str | None:
    """The first role (company, organiser, reporter, admin, then anonymous) shown the form."""
    for role in (*ROLE_NAMES[1:], "anonymous"):
        if world.forms.get((role, endpoint)):
            return role
    return None


@pytest.mark.parametrize("rule", POST_RULES, ids=lambda r: f"{r.endpoint}")
def test_each_field_alone_never_gives_a_server_error(world: World, rule: Rule) -> None:
    """Every field of every form, one bad value at a time, the rest as the page shows it."""
    role = _owner(world, rule.endpoint)
    if role is None:
        pytest.skip("no page shows this form")  # test_every_form_route_is_reached fails then
    distinct = {(f.action, tuple(sorted(f.fields))): f for f in world.forms[(role, rule.endpoint)]}
    failures: list[str] = []
    for form in distinct.values():
        base = MultiDict(form.defaults())
        for name, values in valid_overrides(world, rule.endpoint).items():
            base.setlist(name, values)
        for field in form.fields.values():
            if field.name.endswith("csrf_token"):
                continue
            for value in VALUES_BY_KIND.get(field.kind, VALUES_BY_KIND["text"]):
                sent = base.copy()
                sent.setlist(field.name, [value])
                limiter.reset()
                with world.isolated():
                    response = world.client(role).post(form.action, data=sent)
                    try:
                        _check(world, role, "POST", form.action, response, {field.name: value})
                    except AssertionError as error:
                        failures.append(str(error).split("\n")[0][:300])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("rule", POST_RULES, ids=lambda r: f"{r.endpoint}")
def test_posting_fuzzed_forms_never_gives_a_server_error(
    world: World, role: str, rule: Rule
) -> None:
    if role not in roles(world):
        pytest.skip(f"no {role} role in this application")
    seen = sorted(u for u in world.actions.get(rule.endpoint, set()) if match(world, u, "POST"))
    urls = list(dict.fromkeys([*seen, *valid_urls(world, rule)]))  # pages' own actions first

    @settings(SETTINGS, max_examples=_examples(world, role, "POST", urls[0]))
    @given(st.data())
    def run(data: st.DataObject) -> None:
        url = _fuzzed_path(data, rule, data.draw(st.sampled_from(urls), label="url"))
        forms = world.rule_forms(role, rule.endpoint)
        form = data.draw(st.sampled_from(forms), label="form") if forms else None
        sent = _form_data(data, world, form, rule.endpoint)
        limiter.reset()
        with world.isolated():
            response = _post(data, world, role, url, sent)
            _check(world, role, "POST", url, response, sent)

    run()


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("rule", GET_RULES, ids=lambda r: f"{r.endpoint}")
def test_fuzzed_addresses_never_give_a_server_error(world: World, role: str, rule: Rule) -> None:
    if role not in roles(world):
        pytest.skip(f"no {role} role in this application")
    urls = valid_urls(world, rule)
    names = sorted(set(QUERY_NAMES) | world.query_names.get(rule.endpoint, set()))
    slow = rule.rule.endswith(".pdf")

    @settings(SETTINGS, max_examples=2 if slow else _examples(world, role, "GET", urls[0]))
    @given(st.data())
    def run(data: st.DataObject) -> None:
        url = data.draw(st.sampled_from(urls), label="url")
        if slow:  # PDFs take a second each: fuzz their addresses only
            url = build_path(rule, {n: data.draw(path_values) for n in converters(rule)})
        else:
            url = _fuzzed_path(data, rule, url)
        query = data.draw(
            st.lists(st.tuples(st.sampled_from(names), fuzz_values), max_size=3), label="query"
        )
        limiter.reset()
        with world.isolated():
            response = world.client(role).get(url, query_string=MultiDict(query))
            _check(world, role, "GET", url, response, query)

    run()
