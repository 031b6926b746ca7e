"""The directory's search finds a company by its city's name in Chinese or in Latin letters,
whichever script the company registered in (pinyin read by phrase: 重庆 is Chongqing)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event
from tests.functional.helpers import login, make_participant

pytestmark = pytest.mark.dates


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("重庆", {"Chongqing Tractor Works", "重庆长安汽车配件有限公司"}),
        ("chongqing", {"Chongqing Tractor Works", "重庆长安汽车配件有限公司"}),
        ("长安", {"重庆长安汽车配件有限公司"}),
        ("changan", {"重庆长安汽车配件有限公司"}),  # pinyin from inside the name
    ],
)
def test_chinese_and_latin_names_find_each_other(
    client: FlaskClient, dbs: Session, event: Event, query: str, found: set[str]
) -> None:
    make_participant(dbs, event, "Степь Агро ТОО", "KZ", email="kz@example.org")
    for name in ("Chongqing Tractor Works", "重庆长安汽车配件有限公司", "Zhongshan Foods"):
        make_participant(dbs, event, name, "CN", languages=("zh",))
    dbs.flush()
    assert login(client, "kz@example.org", "company-pass-1").status_code == 302
    page = client.get("/events/forum/directory", query_string={"q": query})
    assert page.status_code == 200
    rows = page.get_data(as_text=True).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    names = {"Chongqing Tractor Works", "重庆长安汽车配件有限公司", "Zhongshan Foods"}
    assert {name for name in names if name in rows} == found


@pytest.mark.parametrize(
    ("query", "found"),
    [
        # The tractor maker described its goods in English; the buyer searches in Russian
        # or Chinese and finds it by the sector it sells in (Тракторы, 拖拉机).
        ("трактор", {"Chongqing Tractor Works"}),
        ("拖拉机", {"Chongqing Tractor Works"}),
        # Fertilisers, not the industrial chemicals beside them in the top-level sector.
        ("Удобрения", {"Zhongshan Agrochem"}),
        # A name still finds only its company: "ural" is inside "agricultural".
        ("ural", {"Ural Soda"}),
        # A top-level sector's name finds its sub-sectors' companies.
        ("сельскохозяйственная", {"Chongqing Tractor Works"}),
    ],
)
def test_sector_names_in_any_language_find_companies(
    client: FlaskClient, dbs: Session, event: Event, query: str, found: set[str]
) -> None:
    make_participant(dbs, event, "Степь Агро ТОО", "KZ", email="kz@example.org")
    make_participant(
        dbs, event, "Chongqing Tractor Works", "CN", languages=("zh",),
        sells=(("agrimachinery.tractors", "wheeled 80-120 hp, crawler"),),
    )  # fmt: skip
    make_participant(
        dbs, event, "Zhongshan Agrochem", "CN", languages=("zh",),
        sells=(("chemicals.fertilisers", "urea, NPK"),),
    )  # fmt: skip
    make_participant(
        dbs, event, "Volga Motors", "RU", email="volga@example.org",
        sells=(("nev.parts", "brake pads"),),
    )  # fmt: skip
    make_participant(
        dbs, event, "Ural Soda", "RU", email="ural@example.org",
        sells=(("chemicals.industrial", "caustic soda"),),
    )  # fmt: skip
    dbs.flush()
    assert login(client, "kz@example.org", "company-pass-1").status_code == 302
    page = client.get("/events/forum/directory", query_string={"q": query})
    assert page.status_code == 200
    rows = page.get_data(as_text=True).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    names = {"Chongqing Tractor Works", "Zhongshan Agrochem", "Volga Motors", "Ural Soda"}
    assert {name for name in names if name in rows} == found


def test_a_russian_word_is_not_found_inside_an_english_one(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    """ "Урал" is "ural" in Latin letters, which is inside "Agricultural": the search matched
    every agricultural-machinery company; words now match at their start."""
    make_participant(dbs, event, "Степь Агро ТОО", "KZ", email="kz@example.org")
    names = ("Ural Motors", "ООО «Уралмаш»", "Agricultural Machinery Works", "Сельхозтехника")
    for name in names:
        make_participant(dbs, event, name, "RU", sells=(("agrimachinery.tractors", "tractors"),))
    dbs.flush()
    assert login(client, "kz@example.org", "company-pass-1").status_code == 302
    for query in ("Урал", "ural"):
        page = client.get("/events/forum/directory", query_string={"q": query})
        rows = page.get_data(as_text=True).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        assert {name for name in names if name in rows.replace("&#34;", '"')} == {
            "Ural Motors",
            "ООО «Уралмаш»",
        }, query
