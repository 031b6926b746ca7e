"""What the pages of issue 16 keep while they do less work: the schedule grid's pickers come
from one statement and still list each side's companies, and the dates, times and slot labels
that pages reuse per process follow the reader's language and the instant on the next request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import unescape

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy.orm import Session

from matchmaking.i18n import local_datetime, local_time, slot_label
from matchmaking.models import Event
from tests.functional.helpers import login, make_meeting, make_participant, make_slots, make_staff

GRID = "/organiser/events/forum/schedule/1"


def _select(html: str, name: str) -> str:
    """The options of the page's select named ``name``."""
    for part in html.split("<select ")[1:]:
        if f'name="{name}"' in part.split(">", 1)[0]:
            return part.split("</select>")[0]
    raise AssertionError(f"no select named {name}")


def test_grid_pickers_list_each_side_from_one_statement(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    buyer = make_participant(dbs, event, "Steppe Agro LLP", buys=(("nev.parts", "x"),))
    supplier = make_participant(
        dbs, event, "Chongqing Brakes Co", "CN", sells=(("nev.parts", "x"),), email="cq@x.org"
    )
    both = make_participant(
        dbs,
        event,
        "Almaty Both Ways LLP",
        buys=(("nev.parts", "x"),),
        sells=(("agrimachinery.tractors", "y"),),
        email="both@x.org",
    )
    make_meeting(dbs, buyer, supplier, make_slots(dbs, event, 2)[0])
    make_staff(dbs)
    assert login(client, "org@example.org", "organiser-password").status_code == 302

    html = unescape(client.get(GRID).get_data(as_text=True))
    buyers, suppliers = _select(html, "buyer"), _select(html, "supplier")
    assert "Steppe Agro LLP" in buyers and "Almaty Both Ways LLP" in buyers
    assert "Chongqing Brakes Co" not in buyers
    assert "Chongqing Brakes Co" in suppliers and "Almaty Both Ways LLP" in suppliers
    assert "Steppe Agro LLP" not in suppliers
    everyone = _select(html, "company")
    assert all(name in everyone for name in ("Steppe Agro", "Chongqing Brakes", "Almaty Both"))
    assert f'<option value="{both.id}">Almaty Both Ways LLP</option>' in buyers

    # A company that stops buying leaves the buyers' picker on the next view.
    for offering in list(both.offerings):
        if offering.kind == "buy":
            dbs.delete(offering)
    dbs.flush()
    again = unescape(client.get(GRID).get_data(as_text=True))
    assert "Almaty Both Ways LLP" not in _select(again, "buyer")
    assert "Almaty Both Ways LLP" in _select(again, "supplier")


def test_reused_date_labels_follow_the_reader_and_the_instant(app: Flask) -> None:
    start = datetime(2027, 2, 3, 1, 0, tzinfo=UTC)  # 09:00 in Chongqing
    with app.test_request_context("/"):
        assert local_datetime(start, "Asia/Shanghai") == "Feb 3, 2027, 9:00\u202fAM"
        assert local_datetime(start, "Asia/Shanghai", "short") == local_datetime(
            start, "Asia/Shanghai"
        )
        assert local_time(start, "Asia/Shanghai") == "9:00\u202fAM"
        assert slot_label(start, "Asia/Shanghai") == "Feb 3, 2027 9:00\u202fAM"
        # Another instant, another zone: another label, though the first is kept.
        later = start + timedelta(minutes=20)
        assert slot_label(later, "Asia/Shanghai") == "Feb 3, 2027 9:20\u202fAM"
        assert local_time(start, "Europe/Moscow") == "4:00\u202fAM"
        with force_locale("ru"):
            russian = slot_label(start, "Asia/Shanghai")
            assert "февр" in russian and "9:00" in russian
            assert "февр" in local_datetime(start, "Asia/Shanghai")
        assert slot_label(start, "Asia/Shanghai") == "Feb 3, 2027 9:00\u202fAM"


def test_a_page_shows_slot_times_in_the_language_chosen_since(
    client: FlaskClient, dbs: Session, event: Event
) -> None:
    buyer = make_participant(dbs, event, "Steppe Agro LLP", buys=(("nev.parts", "x"),))
    supplier = make_participant(
        dbs, event, "Chongqing Brakes Co", "CN", sells=(("nev.parts", "x"),), email="cq@x.org"
    )
    slot = make_slots(dbs, event, 1)[0]
    make_meeting(dbs, buyer, supplier, slot)
    make_staff(dbs)
    assert login(client, "org@example.org", "organiser-password").status_code == 302

    english = unescape(client.get(GRID).get_data(as_text=True))
    with client.session_transaction() as session:
        session["lang"] = "ru"
    russian = unescape(client.get(GRID).get_data(as_text=True))
    with client.application.test_request_context("/"):
        label_en = slot_label(slot.starts_at, event.timezone)
        with force_locale("ru"):
            label_ru = slot_label(slot.starts_at, event.timezone)
    assert label_en != label_ru
    assert f">{label_en}</option>" in _select(english, "slot")
    assert f">{label_ru}</option>" in _select(russian, "slot")
    assert label_en not in russian
