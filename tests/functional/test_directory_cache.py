"""The directory reuses its rendered rows and recommendations while nothing they show has
changed (issue 16): a change shows on the very next request, in the visitor's language."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event
from matchmaking.models.types import utcnow
from matchmaking.services.recommendations import compute_recommendations
from tests.functional.helpers import login, make_participant

pytestmark = pytest.mark.dates


@pytest.fixture
def listed(dbs: Session, event: Event) -> Event:
    make_participant(
        dbs,
        event,
        "Степь Агро ТОО",
        "KZ",
        buys=(("agrimachinery.tractors", "колёсные тракторы"),),
        email="kz@example.org",
    )
    for name in ("重庆巴南拖拉机有限公司", "Yubei Tractor Co"):
        make_participant(
            dbs,
            event,
            name,
            "CN",
            languages=("zh", "ru"),
            sells=(("agrimachinery.tractors", "crawler tractors"),),
        )
    dbs.flush()
    compute_recommendations(dbs, event, utcnow())
    dbs.flush()
    return event


def _page(client: FlaskClient) -> str:
    response = client.get("/events/forum/directory")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _recommended(page: str) -> str:
    return page.split('class="recommendations"', 1)[1].split("</ul>", 1)[0]


def _rows(page: str) -> str:
    return re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)  # type: ignore[union-attr]


def test_a_change_shows_on_the_next_request(
    client: FlaskClient, dbs: Session, listed: Event
) -> None:
    assert login(client, "kz@example.org", "company-pass-1").status_code == 302
    client.get("/language/en")
    first = _page(client)
    assert "重庆巴南拖拉机有限公司" in _rows(first)
    assert "重庆巴南拖拉机有限公司" in _recommended(first)
    assert _page(client) == first  # reused, and the same

    maker = next(p for p in listed.participations if p.company.legal_name.startswith("重庆"))
    maker.company.legal_name = "重庆巴南农机集团"
    maker.company.languages = ["zh", "ru", "kk"]
    dbs.flush()
    renamed = _page(client)
    assert "重庆巴南拖拉机有限公司" not in renamed
    assert "重庆巴南农机集团" in _rows(renamed) and "重庆巴南农机集团" in _recommended(renamed)
    assert "Kazakh" in _rows(renamed)

    offering = next(o for o in maker.offerings if o.kind == "sell")
    offering.description = "гусеничные тракторы"
    dbs.flush()
    assert "гусеничные тракторы" in _rows(_page(client))

    client.get("/language/ru")
    russian = _rows(_page(client))
    assert "казахский" in russian and "Kazakh" not in russian
