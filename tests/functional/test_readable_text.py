"""No code-like text reaches readers: country codes in reasons, solver codes in the schedule
(issue 15, item 7)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event
from matchmaking.services.schedules import SOLVER_REASONS, solver_reason
from tests.agenda_world import World, make_world
from tests.functional.helpers import login

pytestmark = pytest.mark.dates


@pytest.mark.parametrize(("lang", "country"), [("en", "Kazakhstan"), ("ru", "Казахстан")])
def test_reasons_name_countries(
    client: FlaskClient, dbs: Session, event: Event, lang: str, country: str
):
    world: World = make_world(dbs, event)
    world.m1.reasons = [
        {"code": "diversity_discount", "params": {"rank": 3, "country": "KZ"}},
    ]
    dbs.flush()
    login(client, "buyer@example.kz", "buyer-password-1")
    client.get(f"/language/{lang}")
    page = client.get(f"/company/events/{event.slug}/agenda").get_data(as_text=True)
    assert country in page
    assert "from KZ" not in page and "из KZ" not in page


def test_solver_reasons_read_as_sentences(app):
    with app.test_request_context():
        for code in SOLVER_REASONS:
            text = solver_reason(code)
            assert "_" not in text and text[0].isupper() and text.endswith(".")
        assert solver_reason("something new") == "something new"
