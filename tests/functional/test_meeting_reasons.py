"""The organiser's meeting page shows why the pair meets, in whole product phrases (issue 15)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event
from matchmaking.services.matching import build_event_candidates
from tests.functional.helpers import login, make_meeting, make_participant, make_slots, make_staff

pytestmark = pytest.mark.dates


def test_the_meeting_page_shows_the_pairs_score_and_reasons(
    client: FlaskClient, dbs: Session, event: Event
):
    buyer = make_participant(
        dbs, event, "Steppe Motors LLP", "KZ", buys=(("nev.parts", "brake systems, headlamps"),)
    )
    supplier = make_participant(
        dbs,
        event,
        "Yubei Parts Co",
        "CN",
        languages=("zh", "ru"),
        sells=(("nev.parts", "brake systems and gearboxes"),),
    )
    make_staff(dbs)
    (pair,) = build_event_candidates(dbs, event).pairs
    meeting = make_meeting(dbs, buyer, supplier, make_slots(dbs, event, 1)[0], status="draft")
    meeting.score = pair.score
    meeting.reasons = [{"code": r.code, "params": dict(r.params)} for r in pair.reasons]
    dbs.flush()

    assert login(client, "org@example.org", "organiser-password").status_code == 302
    url = f"/organiser/events/{event.slug}/schedule/{meeting.version.number}/meetings/{meeting.id}"
    html = client.get(url).get_data(as_text=True)
    assert f'id="meeting-score">{pair.score:.2f}<' in html
    reasons = html.split('id="meeting-reasons">', 1)[1].split("</dd>", 1)[0]
    assert "the buyer wants brake systems, the supplier offers them" in reasons
    assert "both speak Russian" in reasons
