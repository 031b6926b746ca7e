"""Schemathesis, every check enabled, against the API's OpenAPI document with a reporter's token.

Each operation runs schemathesis' phases (the document's examples, the coverage scenarios:
undeclared methods, missing and malformed parameters, and generated cases); every response is
validated by all of schemathesis' checks: status codes, content types, headers and bodies as
declared, no server error, negative data rejected, positive data accepted, ``Allow`` on 405.
"""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import CheckContext, Response
from schemathesis.checks import CHECKS, is_check_class, load_all_checks
from sqlalchemy.orm import Session

from matchmaking.blueprints.api.openapi import DOCUMENT
from matchmaking.models.types import utcnow
from matchmaking.services.api_tokens import create_token
from tests.functional.helpers import make_staff
from tests.functional.test_deals_api_contract import published  # noqa: F401

load_all_checks()
ALL_CHECKS = [check for check in CHECKS.get_all() if not is_check_class(check)]
schema = schemathesis.openapi.from_dict(DOCUMENT)


@pytest.fixture
def reporter_token(dbs: Session) -> str:
    reporter = make_staff(dbs, role="reporter", email="newsroom@example.org")
    _row, token = create_token(dbs, reporter, "contract test", reporter, utcnow())
    return token


@pytest.fixture
def generous_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "API_TOKEN_RATE_LIMIT", "100000 per minute")
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "100000 per minute")


def test_every_check_is_run() -> None:
    names = {check.__name__ for check in ALL_CHECKS}
    assert {"not_a_server_error", "status_code_conformance", "response_schema_conformance",
            "response_headers_conformance", "content_type_conformance", "unsupported_method",
            "negative_data_rejection", "positive_data_acceptance", "ignored_auth",
            "missing_required_header", "use_after_free"} <= names  # fmt: skip


@pytest.mark.usefixtures("published", "generous_limits", "client")
@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    # The fixtures (one published event, one token) serve every example: GETs write nothing.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_honours_its_openapi_document(
    case: schemathesis.Case, app: Flask, reporter_token: str
) -> None:
    case.call_and_validate(
        app=app,
        headers={"Authorization": f"Bearer {reporter_token}"},
        checks=ALL_CHECKS,
        additional_checks=[token_is_accepted],
    )


def token_is_accepted(ctx: CheckContext, response: Response, case: schemathesis.Case) -> None:
    """The run exercises the API as the reporter: the token is never refused."""
    assert response.status_code not in (401, 403), "the reporter's token was refused"
