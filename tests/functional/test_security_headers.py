"""Every response carries the security headers: pages, JSON, static files and errors alike."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import Headers

from matchmaking import PROJECT_ROOT, create_app
from matchmaking.extensions import limiter
from tests.conftest import get_csrf

TEMPLATES = PROJECT_ROOT / "templates"
REQUESTS = [
    pytest.param("GET", "/", 200, id="html-page"),
    pytest.param("GET", "/login", 200, id="login-form"),
    pytest.param("GET", "/healthz", 200, id="json"),
    pytest.param("GET", "/api/v1/openapi.json", 200, id="api-json"),
    pytest.param("GET", "/static/css/app.css", 200, id="static"),
    pytest.param("GET", "/no-such-page", 404, id="html-404"),
    pytest.param("GET", "/api/v1/no-such-thing", 404, id="api-404"),
    pytest.param("GET", "/logout", 405, id="405"),
    pytest.param("POST", "/login", 400, id="csrf-400"),
]


def _directives(headers: Headers) -> dict[str, str]:
    policy = headers.get("Content-Security-Policy", "")
    parts = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_security_headers(headers: Headers) -> None:
    csp = _directives(headers)
    assert csp.get("default-src") == "'self'"
    assert csp.get("script-src") == "'self'"
    assert csp.get("frame-ancestors") == "'none'"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(("method", "path", "status"), REQUESTS)
def test_every_kind_of_response_has_the_headers(
    client: FlaskClient, method: str, path: str, status: int
):
    response = client.open(path, method=method)
    response.close()  # static files are streamed from an open file
    assert response.status_code == status
    assert_security_headers(response.headers)
    assert "Strict-Transport-Security" not in response.headers  # production only


def test_server_error_has_the_headers(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
):
    def broken() -> str:
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "main.healthz", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/healthz")
    assert response.status_code == 500
    assert_security_headers(response.headers)


def test_rate_limited_answer_has_the_headers(app: Flask, client: FlaskClient):
    app.config["AUTH_RATE_LIMIT"] = "1 per minute"
    try:
        token = get_csrf(client, "/reset")
        statuses = []
        for _ in range(2):
            response = client.post("/reset", data={"email": "x@example.kz", "csrf_token": token})
            statuses.append(response.status_code)
    finally:
        app.config["AUTH_RATE_LIMIT"] = "1000 per minute"
    assert statuses == [302, 429]
    assert_security_headers(response.headers)


def test_templates_have_no_inline_script_or_style():
    """The policy blocks inline code, so no served template may rely on it.

    The PDF templates are exempt: WeasyPrint renders them on the server; no browser sees them.
    """
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", re.I)
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        if not path.name.startswith(("pdf_", "_pdf_"))
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_hsts_in_production_only(app: Flask):
    try:
        production = create_app(
            "production",
            SQLALCHEMY_DATABASE_URI="sqlite://",
            SECRET_KEY="s" * 32,
            RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        )
        response = production.test_client().get("/static/css/app.css")
        response.close()
    finally:
        limiter.init_app(app)  # the limiter is shared: give it back to the session app
    assert response.status_code == 200
    hsts = response.headers.get("Strict-Transport-Security", "")
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert_security_headers(response.headers)
