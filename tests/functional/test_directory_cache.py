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
    again = _page(client)  # reused, and the same (the page's CSRF token carries the second)
    assert (_rows(again), _recommended(again)) == (_rows(first), _recommended(first))

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


def test_the_grid_shows_a_change_on_the_next_request(client: FlaskClient, dbs: Session) -> None:
    """The version page's grid is kept rendered: a move, a rename and an interpreter show at
    once, and another table page or language is rendered apart."""
    from tests.agenda_world import CHINESE_NAME, make_world, move
    from tests.conftest import make_event

    world = make_world(dbs, make_event(dbs, slug="grid-forum"))
    dbs.flush()
    assert login(client, world.organiser.email, "organiser-password").status_code == 302
    client.get("/language/en")
    url = f"/organiser/events/grid-forum/schedule/{world.version.number}"

    def grid() -> str:
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        return page.split('class="grid-table names"', 1)[1].split("</table>", 1)[0]

    first = grid()
    assert CHINESE_NAME[:22] in first and f"/meetings/{world.m1.id}" in first
    assert grid() == first

    world.supplier.company.legal_name = "重庆新名称机械有限公司"
    dbs.flush()
    renamed = grid()
    assert "重庆新名称机械有限公司" in renamed and CHINESE_NAME[:22] not in renamed

    def column(page: str) -> int:
        """The slot column of m1's cell: the cells before it in its row."""
        row = page.split(f"/meetings/{world.m1.id}", 1)[0].rsplit("<tr>", 1)[1]
        return row.count("<td>")

    before = column(renamed)
    move(dbs, world.m1, world.slots[4], world.published_at)
    assert column(grid()) == before + 4

    client.get("/language/zh")
    chinese = grid()
    assert "编辑" in chinese and ">Edit<" not in chinese


@pytest.mark.parametrize("error", ["integrity", "locked"])
def test_recommendations_computed_by_another_request_meanwhile(
    client: FlaskClient, dbs: Session, listed: Event, monkeypatch: pytest.MonkeyPatch, error: str
) -> None:
    """Two first visits at once: the one that loses the race to store the event's
    recommendations (a duplicate run on PostgreSQL, a locked SQLite) still shows the page."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    from matchmaking.models import RecommendationRun
    from matchmaking.services import recommendations

    dbs.delete(dbs.get(RecommendationRun, listed.id))
    dbs.flush()

    def raced(*args: object) -> bool:
        if error == "integrity":
            raise IntegrityError("INSERT INTO recommendation_runs", {}, Exception("duplicate"))
        raise OperationalError("DELETE FROM recommendations", {}, Exception("database is locked"))

    monkeypatch.setattr(recommendations, "compute_recommendations", raced)
    assert login(client, "kz@example.org", "company-pass-1").status_code == 302
    page = _page(client)
    assert "重庆巴南拖拉机有限公司" in _rows(page)
