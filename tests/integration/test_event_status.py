"""An event's status moves only as organisers expect; scoring weights are checked by the service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from matchmaking.errors import InvalidInput, NotAllowed
from matchmaking.models import Event
from matchmaking.services.event_setup import validate_weights
from matchmaking.services.event_status import allowed_statuses, change_status
from tests.functional.helpers import make_company_user, make_staff


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.mark.parametrize(
    ("start", "target"),
    [
        pytest.param("draft", "open", id="draft-open"),
        pytest.param("draft", "archived", id="draft-archived"),
        pytest.param("open", "closed", id="open-closed"),
        pytest.param("open", "draft", id="open-draft-nobody-registered"),
        pytest.param("closed", "open", id="reopen"),
        pytest.param("closed", "archived", id="closed-archived"),
        pytest.param("archived", "archived", id="stay"),
    ],
)
def test_allowed_moves(dbs: Session, event: Event, ctx: None, start: str, target: str) -> None:
    event.status = start
    organiser = make_staff(dbs)
    assert target in allowed_statuses(dbs, event)
    change_status(dbs, event, target, organiser, datetime.now(UTC))
    assert event.status == target


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        pytest.param("draft", "closed", "Open registration before closing it.", id="skip-open"),
        pytest.param("open", "archived", "Close registration before", id="skip-closing"),
        pytest.param("archived", "open", "An archived event stays archived.", id="unarchive"),
        pytest.param("archived", "draft", "An archived event stays archived.", id="unarchive2"),
        pytest.param("open", "cancelled", "Unknown status.", id="unknown"),
    ],
)
def test_refused_moves(
    dbs: Session, event: Event, ctx: None, start: str, target: str, message: str
) -> None:
    event.status = start
    organiser = make_staff(dbs)
    assert target not in allowed_statuses(dbs, event)
    with pytest.raises(InvalidInput, match=message) as refused:
        change_status(dbs, event, target, organiser, datetime.now(UTC))
    assert refused.value.field == "status"
    assert event.status == start


@pytest.mark.parametrize("start", ["open", "closed"])
def test_no_way_back_to_draft_once_a_company_registered(
    dbs: Session, event: Event, ctx: None, start: str
) -> None:
    event.status = start
    organiser = make_staff(dbs)
    make_company_user(dbs, event)
    assert "draft" not in allowed_statuses(dbs, event)
    with pytest.raises(InvalidInput, match="cannot go back to draft"):
        change_status(dbs, event, "draft", organiser, datetime.now(UTC))
    assert event.status == start


def test_reopening_needs_a_deadline_ahead(dbs: Session, event: Event, ctx: None) -> None:
    now = datetime.now(UTC)
    event.status = "closed"
    event.registration_deadline = now - timedelta(hours=1)
    organiser = make_staff(dbs)
    with pytest.raises(InvalidInput) as refused:
        change_status(dbs, event, "open", organiser, now)
    assert refused.value.field == "registration_deadline"
    assert event.status == "closed"
    event.registration_deadline = now + timedelta(days=2)
    change_status(dbs, event, "open", organiser, now)
    assert event.registration_open(now)


def test_only_the_events_organisers_change_its_status(
    dbs: Session, event: Event, ctx: None
) -> None:
    stranger = make_staff(dbs, email="other@example.org", events=())
    with pytest.raises(NotAllowed):
        change_status(dbs, event, "closed", stranger, datetime.now(UTC))
    assert event.status == "open"


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        pytest.param({"sector": -0.1}, "weight_sector", id="negative"),
        pytest.param({"text": float("nan")}, "weight_text", id="nan"),
        pytest.param({"request": float("inf")}, "weight_request", id="infinite"),
        pytest.param({"language": "0.2"}, "weight_language", id="not-a-number"),
        pytest.param({"diversity": 1.0}, "weight_diversity", id="diversity-1"),
        pytest.param(
            {"sector": 0, "text": 0, "request": 0, "language": 0, "capacity": 0},
            "weight_sector",
            id="all-zero",
        ),
        pytest.param({"sector": 1e308, "text": 1e308}, "weight_sector", id="overflowing"),
        pytest.param({"charm": 0.5}, "weight_sector", id="unknown"),
    ],
)
def test_bad_weights_are_refused_on_their_field(
    ctx: None, weights: dict[str, float], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_weights(weights)
    assert refused.value.field == field


def test_good_weights_fill_in_the_defaults(ctx: None) -> None:
    weights = validate_weights({"sector": 0, "text": 1, "diversity": 0})
    assert (weights.sector, weights.text, weights.diversity) == (0, 1, 0)
    assert weights.request == validate_weights({}).request > 0
