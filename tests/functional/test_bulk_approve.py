"""Organisers approve many registrations in one step (issue 15, item 13)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, Participation
from tests.conftest import csrf_from, make_event
from tests.functional.helpers import login, make_participant, make_staff

URL = "/organiser/events/forum/registrations"


@pytest.fixture
def pending(dbs: Session, event: Event) -> list[Participation]:
    make_staff(dbs)
    rows = [
        make_participant(dbs, event, "ТОО «Степь Агро»", "KZ", status="pending", email="a@x.kz"),
        make_participant(dbs, event, "重庆长安汽车", "CN", status="pending", email="b@x.cn"),
        make_participant(dbs, event, "Volga Export", "RU", status="pending", email="c@x.ru"),
        make_participant(dbs, event, "Rejected Co", "UZ", status="rejected", email="d@x.uz"),
    ]
    return rows


def test_approve_ticked(client: FlaskClient, dbs: Session, event: Event, pending: list):
    login(client, "org@example.org", "organiser-password")
    html = client.get(URL).get_data(as_text=True)
    assert html.count('name="ids"') == 3  # only pending rows can be ticked
    assert "Approve all 3 pending registrations found" in html
    response = client.post(
        f"{URL}/approve",
        data={
            "csrf_token": csrf_from(html),
            "scope": "ticked",
            "ids": [pending[0].id, pending[3].id],
        },
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "1 registration approved. 1 was already decided and keeps its decision." in text
    dbs.expire_all()
    assert [p.status for p in pending] == ["approved", "pending", "pending", "rejected"]


def test_approve_all_shown_respects_the_filters(
    client: FlaskClient, dbs: Session, event: Event, pending: list
):
    login(client, "org@example.org", "organiser-password")
    token = csrf_from(client.get(URL).get_data(as_text=True))
    response = client.post(
        f"{URL}/approve?country=CN", data={"csrf_token": token, "scope": "shown"}
    )
    assert response.status_code == 302 and "country=CN" in response.location
    dbs.expire_all()
    assert [p.status for p in pending] == ["pending", "approved", "pending", "rejected"]


def test_nothing_ticked_and_other_events_ids(
    client: FlaskClient, dbs: Session, event: Event, pending: list
):
    other = make_event(dbs, "other")
    dbs.add(other)
    dbs.flush()
    stranger = make_participant(dbs, other, "Stranger", status="pending", email="s@x.kz")
    login(client, "org@example.org", "organiser-password")
    token = csrf_from(client.get(URL).get_data(as_text=True))
    refused = client.post(
        f"{URL}/approve", data={"csrf_token": token, "scope": "ticked"}, follow_redirects=True
    )
    assert "Tick the registrations to approve." in refused.get_data(as_text=True)
    client.post(
        f"{URL}/approve", data={"csrf_token": token, "scope": "ticked", "ids": [stranger.id]}
    )
    dbs.expire_all()
    assert stranger.status == "pending"  # another event's registration is never touched
    assert dbs.scalar(select(Participation).where(Participation.status == "approved")) is None
