"""What the browser walk of issue 15 found a new company tripping over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event
from tests.agenda_world import World, make_world, pdf_text
from tests.functional.helpers import login, make_company_user

pytestmark = pytest.mark.dates


@pytest.fixture
def world(dbs: Session, event: Event) -> World:
    return make_world(dbs, event)


def test_the_pdf_reads_in_the_language_the_reader_chose(client: FlaskClient, world: World):
    """The buyer's account says Russian; having switched the site to Chinese, the PDF beside
    the Chinese web agenda is Chinese too."""
    assert world.buyer.locale == "ru"
    login(client, "buyer@example.kz", "buyer-password-1")
    client.get("/language/zh")
    pdf = client.get(f"/company/events/{world.event.slug}/agenda.pdf").data
    text = pdf_text(pdf)
    assert "年" in text  # the date, written the Chinese way
    assert "Повестка" not in text


def test_meetings_that_began_offer_no_new_time(client: FlaskClient, dbs: Session, world: World):
    world.m1.slot.starts_at = datetime.now(UTC) - timedelta(hours=2)
    world.m1.slot.ends_at = world.m1.slot.starts_at + timedelta(minutes=20)
    dbs.flush()
    login(client, "buyer@example.kz", "buyer-password-1")
    client.get("/language/en")
    html = client.get(f"/company/events/{world.event.slug}/meetings").get_data(as_text=True)
    assert "This meeting has already begun or taken place." in html
    assert f'name="meeting" value="{world.m1.id}"' not in html
    assert f'name="meeting" value="{world.m2.id}"' in html  # the later one can still move
    from tests.conftest import csrf_from

    refused = client.post(
        f"/company/events/{world.event.slug}/meetings",
        data={
            "csrf_token": csrf_from(html),
            "meeting": str(world.m1.id),
            f"m{world.m1.id}-slot": str(world.slots[3].id),
        },
    )
    assert refused.status_code == 422
    from matchmaking.models import RescheduleProposal

    assert dbs.query(RescheduleProposal).count() == 0


def test_an_agenda_without_meetings_points_to_the_directory(
    client: FlaskClient, dbs: Session, world: World
):
    user = make_company_user(dbs, world.event, email="lonely@x.kz", status="approved")
    login(client, user.email, "buyer-password-1")
    client.get("/language/en")
    html = client.get(f"/company/events/{world.event.slug}/agenda").get_data(as_text=True)
    assert "You have no meetings in the published schedule." in html
    assert f'href="/events/{world.event.slug}/directory"' in html
    assert "agenda.pdf" not in html and "agenda.ics" not in html
