"""The JSON API honours its OpenAPI document (schemathesis, a bounded number of examples)."""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy.orm import Session

from matchmaking.models.types import utcnow
from matchmaking.services.tally import publish_tally
from tests.functional.deals_helpers import make_fair, report
from tests.functional.test_deals_tally import rate

SLUG = "chongqing-sco-2025-demo"  # the example slug of the document
# Four buyers and four suppliers in deals, so the totals and some groups are published.
COMPANIES = {"kz1": "KZ", "kz2": "KZ", "ru1": "RU", "ru2": "RU",
             "cq1": "CN", "cq2": "CN", "cq3": "CN", "cq4": "CN"}  # fmt: skip
PAIRS = [("kz1", "cq1"), ("kz2", "cq2"), ("ru1", "cq3"), ("ru2", "cq4"), ("kz1", "cq2"),
         ("ru1", "cq4")]  # fmt: skip


@pytest.fixture
def published(dbs: Session) -> None:
    """The event of the document's example slug, with published deal totals."""
    fair = make_fair(dbs, COMPANIES, PAIRS, slug=SLUG)
    rate(dbs, fair, "CNY", "1", "0.14")
    for pair in PAIRS:
        report(dbs, fair, pair, pair[0], amount="1234.56")
    publish_tally(dbs, fair.event, None, fair.organiser, utcnow())
    dbs.flush()


def test_api_matches_its_openapi_document(
    app: Flask, client: object, published: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # schemathesis' pytest plugin (from_fixture) does not run on pytest 9, so the test drives
    # its Python API: one hypothesis run per operation, checked with every default check.
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "100000 per minute")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    statuses: set[int] = set()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/v1/events/{slug}/deals/totals",
    }
    for operation in operations:
        modes = [GenerationMode.POSITIVE]
        if operation.path_parameters or operation.query:
            modes.append(GenerationMode.NEGATIVE)
        strategies = [operation.as_strategy(mode) for mode in modes]
        if "{slug}" in operation.path:  # random slugs only meet 404s: pin the published one too
            strategies += [
                operation.as_strategy(mode, path_parameters={"slug": SLUG}) for mode in modes
            ]

        @given(case=st.one_of(strategies))
        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            derandomize=True,  # the same cases every run: the status coverage below is stable
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def check(case: schemathesis.Case) -> None:
            statuses.add(case.call_and_validate().status_code)

        check()
    assert {200, 400, 404} <= statuses
