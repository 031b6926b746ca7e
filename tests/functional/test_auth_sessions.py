"""Logout and password changes end sessions on the server; login costs the same for any address."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from matchmaking.blueprints.auth import routes as auth_routes
from matchmaking.models import Event
from matchmaking.models import user as user_model
from tests.conftest import get_csrf, link_in, read_outbox
from tests.functional.helpers import make_company_user

EMAIL = "a@example.kz"
PASSWORD = "right-password-1"


def _login_remembered(client: FlaskClient) -> tuple[str, str]:
    """Log in with "keep me logged in"; the session and remember cookies' values."""
    token = get_csrf(client, "/login")
    response = client.post(
        "/login",
        data={"email": EMAIL, "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    assert response.status_code == 302
    session_cookie = client.get_cookie("session")
    remember_cookie = client.get_cookie("remember_token")
    assert session_cookie is not None and remember_cookie is not None
    return session_cookie.value, remember_cookie.value


def _replay(app: Flask, name: str, value: str) -> int:
    """Status of the company dashboard for a new browser holding only cookie ``name``."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other.get("/company/").status_code


def test_copied_cookies_stop_working_after_logout(
    app: Flask, client: FlaskClient, event: Event, dbs: Session
):
    make_company_user(dbs, event, email=EMAIL, password=PASSWORD)
    session_value, remember_value = _login_remembered(client)
    assert _replay(app, "session", session_value) == 200
    assert _replay(app, "remember_token", remember_value) == 200

    token = get_csrf(client, "/company/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302

    assert _replay(app, "session", session_value) == 302
    assert _replay(app, "remember_token", remember_value) == 302
    _login_remembered(client)  # logging in again works
    assert client.get("/company/").status_code == 200


def test_copied_cookies_stop_working_after_password_reset(
    app: Flask, client: FlaskClient, event: Event, dbs: Session, outbox: Path
):
    make_company_user(dbs, event, email=EMAIL, password=PASSWORD)
    session_value, remember_value = _login_remembered(client)

    stranger = app.test_client()  # the reset link is used from another browser
    token = get_csrf(stranger, "/reset")
    stranger.post("/reset", data={"email": EMAIL, "csrf_token": token})
    (mail,) = read_outbox(outbox)
    path = link_in(mail).split("localhost", 1)[-1]
    token = get_csrf(stranger, path)
    new = "new-password-22"
    response = stranger.post(path, data={"password": new, "confirm": new, "csrf_token": token})
    assert response.status_code == 302

    assert client.get("/company/").status_code == 302
    assert _replay(app, "session", session_value) == 302
    assert _replay(app, "remember_token", remember_value) == 302


def test_set_password_ends_the_users_sessions(
    app: Flask, client: FlaskClient, event: Event, dbs: Session
):
    user = make_company_user(dbs, event, email=EMAIL, password=PASSWORD)
    session_value, remember_value = _login_remembered(client)
    dbs.refresh(user)
    user.set_password("changed-elsewhere-1")  # e.g. by the CLI
    dbs.flush()
    assert _replay(app, "session", session_value) == 302
    assert _replay(app, "remember_token", remember_value) == 302


class _Spy:
    """Records the hashes check_password_hash is asked to verify."""

    def __init__(self) -> None:
        self.hashes: list[str] = []

    def __call__(self, pwhash: str, password: str) -> bool:
        self.hashes.append(pwhash)
        return check_password_hash(pwhash, password)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> _Spy:
    spy = _Spy()
    monkeypatch.setattr(user_model, "check_password_hash", spy)
    monkeypatch.setattr(auth_routes, "check_password_hash", spy, raising=False)
    return spy


def _post_login(client: FlaskClient, email: str, password: str) -> int:
    token = get_csrf(client, "/login")
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/login", data=data).status_code


def _method(pwhash: str) -> str:
    return pwhash.split("$", 1)[0]


@pytest.mark.parametrize(
    ("email", "password", "status"),
    [
        pytest.param(EMAIL, PASSWORD, 302, id="known-right-password"),
        pytest.param(EMAIL, "wrong-password-1", 422, id="known-wrong-password"),
        pytest.param("nobody@example.kz", "wrong-password-1", 422, id="unknown-address"),
        pytest.param("inactive@example.kz", PASSWORD, 422, id="deactivated-account"),
    ],
)
def test_login_verifies_one_hash_of_the_same_method_whatever_the_address(
    client: FlaskClient,
    event: Event,
    dbs: Session,
    spy: _Spy,
    email: str,
    password: str,
    status: int,
):
    known = make_company_user(dbs, event, email=EMAIL, password=PASSWORD)
    inactive = make_company_user(
        dbs, event, email="inactive@example.kz", password=PASSWORD, name="Dormant LLP"
    )
    inactive.active = False
    dbs.flush()
    assert _post_login(client, email, password) == status
    assert len(spy.hashes) == 1
    assert _method(spy.hashes[0]) == _method(known.password_hash)
