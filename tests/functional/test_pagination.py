"""Long lists come a page at a time, filtered in SQL, keeping the filters across pages
(issue 16)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models import Event
from tests.functional.helpers import login, make_participant, make_staff

URL = "/organiser/events/forum/registrations"


def test_registrations_are_paginated_and_filters_survive(
    client: FlaskClient, dbs: Session, event: Event
):
    make_staff(dbs)
    for n in range(60):
        make_participant(
            dbs, event, f"Степь {n:02d}", "KZ", buys=(("nev.parts", "x"),), email=f"kz{n}@x.kz"
        )
    for n in range(5):
        make_participant(
            dbs, event, f"重庆 {n}", "CN", sells=(("nev.parts", "x"),), email=f"cn{n}@x.cn"
        )
    login(client, "org@example.org", "organiser-password")
    first = client.get(URL).get_data(as_text=True)
    assert "65 registrations" in first and "Page 1 of 2" in first
    assert first.count('href="/organiser/registrations/') == 50
    following = re.search(r'<a rel="next" href="([^"]+)"', first).group(1)
    second = client.get(following.replace("&amp;", "&")).get_data(as_text=True)
    assert "Page 2 of 2" in second and second.count('href="/organiser/registrations/') == 15

    kazakh = client.get(f"{URL}?country=KZ&role=buyer").get_data(as_text=True)
    assert "60 registrations" in kazakh
    following = re.search(r'<a rel="next" href="([^"]+)"', kazakh).group(1).replace("&amp;", "&")
    assert "country=KZ" in following and "role=buyer" in following and "page=2" in following
    assert "10 registrations" not in client.get(following).get_data(as_text=True)
    suppliers = client.get(f"{URL}?role=supplier").get_data(as_text=True)
    assert "5 registrations" in suppliers and "Page 1 of" not in suppliers
    assert client.get(f"{URL}?page=99").status_code == 200  # past the end: the last page
