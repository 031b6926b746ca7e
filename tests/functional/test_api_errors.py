"""Every error of the JSON API is JSON of the documented shape, with its declared headers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from werkzeug.test import TestResponse

from matchmaking.blueprints.api import routes
from matchmaking.blueprints.api.openapi import DOCUMENT
from matchmaking.extensions import db
from matchmaking.models import ApiToken, User
from matchmaking.models.types import utcnow
from matchmaking.services.api_tokens import create_token, record_token_use, revoke_token
from tests.functional.deals_helpers import past_event
from tests.functional.helpers import make_staff
from tests.functional.test_deals_api_contract import SLUG, published  # noqa: F401

TOTALS = f"/api/v1/events/{SLUG}/deals/totals"
OPENAPI = "/api/v1/openapi.json"
TOTALS_OPERATION = ("/api/v1/events/{slug}/deals/totals", "GET")
ERROR_STATUSES = {"400", "401", "403", "404", "405", "429", "500", "503"}
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)


def assert_documented_error(
    response: TestResponse, status: int, operation: tuple[str, str] = TOTALS_OPERATION
) -> dict[str, Any]:
    """``response`` is a JSON error with ``status``, its body and headers as the document says."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    path, method = operation
    declared = DOCUMENT["paths"][path][method.lower()]["responses"][str(status)]
    name = declared["$ref"].rsplit("/", 1)[-1]
    for header in DOCUMENT["components"]["responses"][name].get("headers", {}):
        assert response.headers.get(header), f"{status} without its {header} header"
    SCHEMA[path][method].validate_response(response)  # the body against the Error schema
    body = response.get_json()
    assert isinstance(body["message"], str) and body["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body  # type: ignore[no-any-return]


@pytest.fixture
def reporter(dbs: Session) -> User:
    return make_staff(dbs, role="reporter", email="press@example.org")


@pytest.fixture
def token(dbs: Session, reporter: User) -> tuple[ApiToken, str]:
    return create_token(dbs, reporter, "newsroom", reporter, utcnow())


def bearer(token: tuple[ApiToken, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token[1]}"}


def test_every_operation_declares_every_error_with_the_error_body() -> None:
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            assert set(operation["responses"]) >= ERROR_STATUSES, (method, path)
    for name, response in DOCUMENT["components"]["responses"].items():
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}, name
    responses = DOCUMENT["components"]["responses"]
    assert responses["MethodNotAllowed"]["headers"]["Allow"]["required"] is True
    assert responses["TooManyRequests"]["headers"]["Retry-After"]["required"] is True
    assert responses["ServiceUnavailable"]["headers"]["Retry-After"]["required"] is True


@pytest.mark.usefixtures("published")
def test_bad_parameter_is_a_400_naming_it(client: FlaskClient) -> None:
    body = assert_documented_error(client.get(TOTALS, query_string={"group_by": "company"}), 400)
    assert body["parameter"] == "group_by"


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/api/v1/events/no-such-event/deals/totals", id="unknown-slug"),
        pytest.param("/api/v1/no/such/endpoint", id="unknown-path"),
        pytest.param("/api/v1/events/x/deals", id="partial-path"),
        pytest.param("/api/v1", id="prefix"),
    ],
)
def test_not_found_under_the_api_is_a_json_404(client: FlaskClient, url: str) -> None:
    assert_documented_error(client.get(url), 404)


def test_not_found_elsewhere_keeps_the_html_page(client: FlaskClient) -> None:
    response = client.get("/api/v10/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert client.post("/").mimetype == "text/html"


def test_unpublished_tally_is_a_json_404(client: FlaskClient, dbs: Session) -> None:
    past_event(dbs, "quiet")
    dbs.flush()
    assert_documented_error(client.get("/api/v1/events/quiet/deals/totals"), 404)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    ("url", "operation"),
    [
        pytest.param(TOTALS, TOTALS_OPERATION, id="totals"),
        pytest.param(OPENAPI, (OPENAPI, "GET"), id="openapi"),
    ],
)
def test_wrong_method_is_a_json_405_with_allow(
    client: FlaskClient, method: str, url: str, operation: tuple[str, str]
) -> None:
    response = client.open(url, method=method, json={"group_by": "zone"})
    assert_documented_error(response, 405, operation)
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.usefixtures("published")
@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Bearer mmr_guess", id="unknown"),
        pytest.param("Bearer ", id="empty-token"),
        pytest.param("Basic dXNlcjpwYXNz", id="not-bearer"),
        pytest.param("", id="empty-header"),
    ],
)
def test_invalid_token_is_a_401(client: FlaskClient, header: str) -> None:
    for url, operation in ((TOTALS, TOTALS_OPERATION), (OPENAPI, (OPENAPI, "GET"))):
        response = client.get(url, headers={"Authorization": header})
        body = assert_documented_error(response, 401, operation)
        assert body["parameter"] == "Authorization"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.usefixtures("published")
def test_revoked_token_is_a_401(
    client: FlaskClient, dbs: Session, reporter: User, token: tuple[ApiToken, str]
) -> None:
    assert client.get(TOTALS, headers=bearer(token)).status_code == 200
    revoke_token(dbs, token[0], reporter, utcnow())
    dbs.flush()
    assert_documented_error(client.get(TOTALS, headers=bearer(token)), 401)


@pytest.mark.usefixtures("published")
@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"active": False}, id="deactivated"),
        pytest.param({"role": "organiser"}, id="no-longer-reporter"),
    ],
)
def test_token_of_an_account_that_may_no_longer_read_is_a_403(
    client: FlaskClient,
    dbs: Session,
    reporter: User,
    token: tuple[ApiToken, str],
    change: dict[str, object],
) -> None:
    for name, value in change.items():
        setattr(reporter, name, value)
    dbs.flush()
    body = assert_documented_error(client.get(TOTALS, headers=bearer(token)), 403)
    assert body["parameter"] == "Authorization"


@pytest.mark.usefixtures("published")
def test_rate_limited_is_a_429_with_retry_after(
    app: Flask, client: FlaskClient, token: tuple[ApiToken, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    monkeypatch.setitem(app.config, "API_TOKEN_RATE_LIMIT", "1 per minute")
    assert [client.get(TOTALS).status_code for _ in range(2)] == [200, 200]
    response = client.get(TOTALS)
    assert_documented_error(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    # A reporter's token has its own budget, counted apart from the address.
    assert client.get(TOTALS, headers=bearer(token)).status_code == 200
    assert_documented_error(client.get(TOTALS, headers=bearer(token)), 429)


@pytest.mark.usefixtures("published")
def test_unexpected_error_is_a_generic_500(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("secret detail: SELECT password_hash FROM users")

    monkeypatch.setattr(routes, "published_snapshot", explode)
    response = client.get(TOTALS)
    body = assert_documented_error(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert "password_hash" not in body["message"]


UNREACHABLE = [
    pytest.param("postgresql+psycopg://postgres@127.0.0.1:1/gone", id="postgresql-refused"),
    pytest.param("sqlite:////nonexistent-folder/gone.sqlite", id="sqlite-unopenable"),
]


@pytest.fixture(params=UNREACHABLE)
def database_down(request: pytest.FixtureRequest, connection: Connection) -> Iterator[None]:
    """Requests use a real engine whose database cannot be reached (the connection fails)."""
    engine = create_engine(request.param)
    before = db.session
    db.session = scoped_session(sessionmaker(bind=engine), scopefunc=_app_ctx_id)  # type: ignore[assignment]
    try:
        yield
    finally:
        db.session = before
        engine.dispose()


@pytest.mark.usefixtures("database_down")
def test_database_down_is_a_503_with_retry_after(client: FlaskClient) -> None:
    response = client.get(TOTALS)
    assert_documented_error(response, 503)
    assert int(response.headers["Retry-After"]) > 0
    token = {"Authorization": "Bearer mmr_anything"}  # checking a token needs the database
    assert_documented_error(client.get(TOTALS, headers=token), 503)
    assert_documented_error(client.get(OPENAPI, headers=token), 503, (OPENAPI, "GET"))
    assert client.get(OPENAPI).status_code == 200  # the document needs no database


@contextmanager
def writes_on(connection: Connection) -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements run on ``connection`` inside the block."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            statements.append(statement)

    sa_event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa_event.remove(connection, "before_cursor_execute", record)


@pytest.mark.usefixtures("published")
def test_reading_with_a_token_writes_nothing_within_the_hour(
    client: FlaskClient, dbs: Session, connection: Connection, token: tuple[ApiToken, str]
) -> None:
    row = token[0]
    assert client.get(TOTALS, headers=bearer(token)).status_code == 200
    dbs.refresh(row)
    first_use = row.last_used_at
    assert first_use is not None  # the first use is recorded (the reporter's token page shows it)
    with writes_on(connection) as writes:
        for url in (TOTALS, OPENAPI, f"{TOTALS}?group_by=zone"):
            assert client.get(url, headers=bearer(token)).status_code == 200
        assert writes == []
    dbs.refresh(row)
    assert row.last_used_at == first_use


def test_last_use_is_recorded_at_most_once_an_hour(
    dbs: Session, token: tuple[ApiToken, str]
) -> None:
    row, start = token[0], utcnow()
    assert record_token_use(dbs, row, start) is True
    assert record_token_use(dbs, row, start + timedelta(minutes=59)) is False
    assert row.last_used_at == start
    assert record_token_use(dbs, row, start + timedelta(minutes=61)) is True
    assert row.last_used_at == start + timedelta(minutes=61)


def test_html_405_names_the_allowed_methods(client: FlaskClient) -> None:
    response = client.put("/login")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}
