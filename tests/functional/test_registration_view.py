"""The organiser's view of a registration speaks to the organiser and shows everything they
decide on (issue 15, item 16)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, Participation
from tests.functional.helpers import login, make_company_user, make_staff


def test_registration_view_shows_what_the_organiser_decides_on(
    client: FlaskClient, dbs: Session, event: Event
):
    user = make_company_user(dbs, event, name="ТОО «Степь Агро Импорт»", confirmed=False)
    user.company.description = "Импорт тракторов и комбайнов в Казахстан."
    user.company.size = "medium"
    participation = dbs.scalar(
        select(Participation).where(Participation.company_id == user.company_id)
    )
    participation.max_meetings = 7
    dbs.flush()
    make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    html = client.get(f"/organiser/registrations/{participation.id}").get_data(as_text=True)
    assert "What you sell" not in html and "When you can attend" not in html
    assert "Wants to buy" in html and "Available" in html
    assert "Импорт тракторов и комбайнов в Казахстан." in html
    assert "50 to 249 employees" in html
    assert "<dt>Meeting cap</dt><dd>7</dd>" in html
    assert "E-mail not confirmed" in html


def test_registration_view_says_the_company_brings_its_own_interpreter(
    client: FlaskClient, dbs: Session, event: Event
):
    user = make_company_user(dbs, event, name="ООО «Волга Агротех»")
    participation = dbs.scalar(
        select(Participation).where(Participation.company_id == user.company_id)
    )
    participation.brings_interpreter = True
    participation.interpreter_note = "Свой переводчик с китайского"
    dbs.flush()
    make_staff(dbs)
    login(client, "org@example.org", "organiser-password")
    html = client.get(f"/organiser/registrations/{participation.id}").get_data(as_text=True)
    assert "Brings its own interpreter · Свой переводчик с китайского" in html
    assert "Not needed" not in html
