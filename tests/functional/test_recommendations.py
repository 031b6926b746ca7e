"""The directory's recommendations cover the buyer's main need (issue 15, item 19)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event, Participation
from tests.functional.helpers import login, make_participant

pytestmark = pytest.mark.dates


def _volume(participation: Participation, *volumes: int) -> Participation:
    """Give the participation's offerings (in their declared order) these USD volumes."""
    for offering, volume in zip(participation.offerings, volumes, strict=True):
        offering.volume_usd = Decimal(volume)
    return participation


def test_a_tractor_buyer_is_recommended_a_tractor_maker_among_fertiliser_suppliers(
    client: FlaskClient, dbs: Session, event: Event
):
    _volume(
        make_participant(
            dbs,
            event,
            "Steppe Agro LLP",
            "KZ",
            buys=(
                ("agrimachinery.tractors", "wheeled tractors"),
                ("chemicals.fertilisers", "urea, potash fertiliser"),
            ),
            email="kz@example.org",
        ),
        3_000_000,
        500_000,
    )
    for n in range(8):
        _volume(
            make_participant(
                dbs,
                event,
                f"Fuling Fertiliser {n} Co",
                "CN",
                languages=("zh", "ru"),
                sells=(("chemicals.fertilisers", "urea, potash fertiliser"),),
                email=f"fertiliser{n}@example.org",
            ),
            5_000_000,
        )
    for name, languages in (("Banan Tractor Co", ("zh", "ru")), ("Yubei Tractor Co", ("zh",))):
        _volume(
            make_participant(
                dbs,
                event,
                name,
                "CN",
                languages=languages,
                sells=(("agrimachinery.tractors", "crawler tractors"),),
            ),
            1_000_000,
        )
    dbs.flush()
    assert login(client, "kz@example.org", "company-pass-1").status_code == 302
    html = client.get("/events/forum/directory").get_data(as_text=True)
    recommended = html.split("Recommended for you", 1)[1].split("</section>", 1)[0]
    assert recommended.count("<li>") == 8
    # The largest need (tractors) comes first, from the maker that speaks the buyer's language.
    assert recommended.index("Banan Tractor Co") < recommended.index("Fertiliser")
    assert "Fuling Fertiliser" in recommended

    # Once the buyer searches, the results come first: the recommendations are left out.
    searched = client.get("/events/forum/directory?q=Banan").get_data(as_text=True)
    assert "Recommended for you" not in searched
    assert "Banan Tractor Co" in searched and "Fuling Fertiliser" not in searched
    # Back on the plain directory, they head it again.
    assert "Recommended for you" in client.get("/events/forum/directory").get_data(as_text=True)
