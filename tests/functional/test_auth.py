"""Login, logout, password reset and rate limits; no answer reveals whether an address is known."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event
from tests.conftest import get_csrf, link_in, read_outbox
from tests.functional.helpers import login, make_company_user


def _message_area(html: str) -> str:
    main = re.search(r"<main.*</main>", html, re.S)
    assert main
    return re.sub(r'value="[^"]*"', "", main.group(0))


def test_wrong_password_and_unknown_email_look_the_same(
    client: FlaskClient, event: Event, dbs: Session
):
    make_company_user(dbs, event, email="known@example.kz", password="right-password-1")
    wrong = login(client, "known@example.kz", "wrong-password-1")
    unknown = login(client, "nobody@example.kz", "wrong-password-1")
    assert wrong.status_code == unknown.status_code == 422
    wrong_html = wrong.get_data(as_text=True).replace("known@example.kz", "X")
    unknown_html = unknown.get_data(as_text=True).replace("nobody@example.kz", "X")
    assert "Invalid e-mail or password." in wrong_html
    assert _message_area(wrong_html) == _message_area(unknown_html)


def test_login_form_bad_input_names_the_field(client: FlaskClient, event: Event):
    token = get_csrf(client, "/login")
    response = client.post(
        "/login", data={"email": "no-at-sign", "password": "", "csrf_token": token}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-error"' in html and "Enter a valid e-mail address." in html
    assert 'id="password-error"' in html


def test_login_then_logout_needs_post_with_csrf(client: FlaskClient, event: Event, dbs: Session):
    make_company_user(dbs, event, email="a@example.kz", password="right-password-1")
    assert login(client, "a@example.kz", "right-password-1").status_code == 302
    assert client.get("/company/").status_code == 200
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.get("/company/").status_code == 200
    token = get_csrf(client, "/company/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/company/").status_code == 302


def test_login_redirect_only_to_own_site(client: FlaskClient, event: Event, dbs: Session):
    make_company_user(dbs, event, email="a@example.kz", password="right-password-1")
    token = get_csrf(client, "/login")
    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": "a@example.kz", "password": "right-password-1", "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.location.endswith("/company/")


def test_password_reset_same_answer_and_one_use_link(
    client: FlaskClient, event: Event, dbs: Session, outbox: Any
):
    make_company_user(dbs, event, email="a@example.kz", password="old-password-1")
    answers = []
    for email in ("a@example.kz", "nobody@example.kz"):
        token = get_csrf(client, "/reset")
        response = client.post(
            "/reset", data={"email": email, "csrf_token": token}, follow_redirects=True
        )
        answers.append(_message_area(response.get_data(as_text=True)))
    assert answers[0] == answers[1]
    assert "If an account uses this address" in answers[0]
    (mail,) = read_outbox(outbox)
    assert mail["To"] == "a@example.kz"
    path = link_in(mail).split("localhost", 1)[-1]

    token = get_csrf(client, path)
    short = client.post(path, data={"password": "short", "confirm": "short", "csrf_token": token})
    assert short.status_code == 422
    assert "Use at least 10 characters." in short.get_data(as_text=True)

    done = client.post(
        path,
        data={"password": "new-password-22", "confirm": "new-password-22", "csrf_token": token},
    )
    assert done.status_code == 302
    assert login(client, "a@example.kz", "old-password-1").status_code == 422
    assert login(client, "a@example.kz", "new-password-22").status_code == 302
    assert client.get(path).status_code == 400  # the link died with the old password


def test_login_is_rate_limited(app: Flask, client: FlaskClient, event: Event):
    app.config["AUTH_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [
            login(client, "nobody@example.kz", "wrong-password-1").status_code for _ in range(4)
        ]
    finally:
        app.config["AUTH_RATE_LIMIT"] = "1000 per minute"
    assert codes == [422, 422, 422, 429]


def test_registration_and_reset_are_rate_limited(app: Flask, client: FlaskClient, event: Event):
    app.config["AUTH_RATE_LIMIT"] = "2 per minute"
    try:
        token = get_csrf(client, "/reset")
        reset = [
            client.post("/reset", data={"email": "x@example.kz", "csrf_token": token}).status_code
            for _ in range(3)
        ]
        register = [
            client.post("/events/forum/register", data={"csrf_token": token}).status_code
            for _ in range(3)
        ]
        refused = client.post(
            "/reset", data={"email": "x@example.kz", "csrf_token": token}
        ).get_data(as_text=True)
    finally:
        app.config["AUTH_RATE_LIMIT"] = "1000 per minute"
    assert reset == [302, 302, 429]
    assert register == [422, 422, 429]
    assert "Too many attempts" in refused


def test_healthz_reports_database(client: FlaskClient):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_language_switch_is_remembered(client: FlaskClient, event: Event):
    response = client.get("/language/ru?next=/events/forum/")
    assert response.status_code == 302 and response.location.endswith("/events/forum/")
    assert 'lang="ru"' in client.get("/events/forum/").get_data(as_text=True)
    assert client.get("/language/xx").status_code == 404
    external = client.get("/language/en?next=https://evil.example/")
    assert external.location.endswith("/")
    assert "evil" not in external.location
