"""Organisers review registrations: filters, search, duplicates, decisions, CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.models import Event, Offering, Participation
from tests.conftest import get_csrf, sector
from tests.functional.helpers import login, make_company_user, make_staff

LIST = "/organiser/events/forum/registrations"


@pytest.fixture
def organiser_client(client: FlaskClient, dbs: Session, event: Event) -> FlaskClient:
    make_staff(dbs)
    assert login(client, "org@example.org", "organiser-password").status_code == 302
    return client


@pytest.fixture
def registrations(dbs: Session, event: Event) -> dict[str, Participation]:
    users = {
        "kz": make_company_user(
            dbs, event, email="buyer@steppe.kz", name="Steppe Agro LLP", country="KZ"
        ),
        "kz_dup": make_company_user(
            dbs, event, email="ops@steppe.kz", name="STEPPE AGRO, TOO", country="KZ"
        ),
        "uz": make_company_user(
            dbs, event, email="a.b+cq@gmail.com", name="Tashkent Motors", country="UZ"
        ),
        "uz_dup": make_company_user(
            dbs, event, email="ab@gmail.com", name="TM Trading", country="UZ"
        ),
        "cn": make_company_user(
            dbs,
            event,
            email="sales@cq-tractor.cn",
            name="Chongqing Tractor Co., Ltd.",
            country="CN",
            status="approved",
        ),
    }
    result = {key: u.company.participations[0] for key, u in users.items()}
    cn = result["cn"]
    cn.offerings[0].kind = "sell"
    cn.offerings[0].sector = sector(event, "agrimachinery.tractors")
    cn.offerings[0].description = '=HYPERLINK("http://evil")'
    dbs.flush()
    return result


def _names(html: str, parts: dict[str, Participation]) -> set[str]:
    return {k for k, p in parts.items() if p.company.legal_name in html}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("", {"kz", "kz_dup", "uz", "uz_dup", "cn"}, id="all"),
        pytest.param("?country=UZ", {"uz", "uz_dup"}, id="country"),
        pytest.param("?role=supplier", {"cn"}, id="role-supplier"),
        pytest.param("?role=buyer", {"kz", "kz_dup", "uz", "uz_dup"}, id="role-buyer"),
        pytest.param("?status=approved", {"cn"}, id="status"),
        pytest.param("?q=tractor", {"cn"}, id="search-name"),
        pytest.param("?q=ops%40steppe", {"kz_dup"}, id="search-contact-email"),
    ],
)
def test_filters_and_search(
    organiser_client: FlaskClient, registrations: dict, query: str, expected: set[str]
):
    response = organiser_client.get(LIST + query)
    assert response.status_code == 200
    assert _names(response.get_data(as_text=True), registrations) == expected


def test_sector_filter_includes_sub_sectors(
    organiser_client: FlaskClient, event: Event, registrations: dict
):
    top = sector(event, "agrimachinery")
    html = organiser_client.get(f"{LIST}?sector={top.id}").get_data(as_text=True)
    assert _names(html, registrations) == {"cn"}


def test_bad_filter_value_is_reported(organiser_client: FlaskClient, registrations: dict):
    response = organiser_client.get(LIST + "?status=bogus")
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_likely_duplicates_are_flagged(organiser_client: FlaskClient, registrations: dict):
    html = organiser_client.get(LIST).get_data(as_text=True)
    assert html.count("Likely duplicate</span>") == 4  # both KZ names, both gmail mailboxes
    detail = organiser_client.get(f"/organiser/registrations/{registrations['kz'].id}").get_data(
        as_text=True
    )
    assert "Likely duplicate of:" in detail and "STEPPE AGRO, TOO" in detail


def test_reject_needs_reason_then_company_sees_it(
    organiser_client: FlaskClient, registrations: dict, dbs: Session
):
    target = registrations["kz_dup"]
    url = f"/organiser/registrations/{target.id}"
    token = get_csrf(organiser_client, url)
    missing = organiser_client.post(
        url, data={"decision": "reject", "reason": "", "csrf_token": token}
    )
    assert missing.status_code == 422
    assert "Give a reason for the rejection." in missing.get_data(as_text=True)
    dbs.refresh(target)
    assert target.status == "pending"

    done = organiser_client.post(
        url,
        data={"decision": "reject", "reason": "Duplicate of Steppe Agro LLP", "csrf_token": token},
    )
    assert done.status_code == 302
    dbs.refresh(target)
    assert (target.status, target.status_reason) == ("rejected", "Duplicate of Steppe Agro LLP")

    organiser_client.post("/logout", data={"csrf_token": token})
    login(organiser_client, "ops@steppe.kz", "buyer-password-1")
    dashboard = organiser_client.get("/company/").get_data(as_text=True)
    assert "Rejected" in dashboard and "Duplicate of Steppe Agro LLP" in dashboard


def test_approve(organiser_client: FlaskClient, registrations: dict, dbs: Session):
    target = registrations["uz"]
    url = f"/organiser/registrations/{target.id}"
    token = get_csrf(organiser_client, url)
    assert (
        organiser_client.post(url, data={"decision": "approve", "csrf_token": token}).status_code
        == 302
    )
    dbs.refresh(target)
    assert target.status == "approved" and target.decided_at is not None


def test_decision_with_invalid_choice_is_reshown(
    organiser_client: FlaskClient, registrations: dict
):
    url = f"/organiser/registrations/{registrations['uz'].id}"
    token = get_csrf(organiser_client, url)
    response = organiser_client.post(url, data={"decision": "delete", "csrf_token": token})
    assert response.status_code == 422
    assert 'id="decision-error"' in response.get_data(as_text=True)


def test_csv_export_follows_filters_and_is_spreadsheet_safe(
    organiser_client: FlaskClient, registrations: dict, dbs: Session
):
    registrations["cn"].brings_interpreter = True
    dbs.flush()
    response = organiser_client.get(
        LIST.replace("registrations", "registrations.csv") + "?country=CN"
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["company"] for r in rows] == ["Chongqing Tractor Co., Ltd."]
    assert rows[0]["role"] == "supplier"
    assert rows[0]["sells"].startswith("agrimachinery.tractors: =HYPERLINK")
    everything = organiser_client.get(LIST.replace("registrations", "registrations.csv"))
    all_rows = list(csv.DictReader(io.StringIO(everything.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(all_rows) == 5
    by_name = {r["company"]: r for r in all_rows}
    assert by_name["Steppe Agro LLP"]["likely_duplicate_of"] == str(registrations["kz_dup"].id)
    # Interpreter planning reads both: who needs one, and who brings their own.
    assert by_name["Chongqing Tractor Co., Ltd."]["brings_interpreter"] == "yes"
    assert by_name["Steppe Agro LLP"]["brings_interpreter"] == "no"


def test_formula_cells_are_neutralised(
    organiser_client: FlaskClient, registrations: dict, dbs: Session
):
    registrations["cn"].company.legal_name = "=cmd|'/c calc'!A1"
    dbs.flush()
    body = organiser_client.get(LIST.replace("registrations", "registrations.csv")).get_data(
        as_text=True
    )
    assert "'=cmd|" in body


def test_organiser_console_lists_events_with_counts(
    organiser_client: FlaskClient, registrations: dict
):
    html = organiser_client.get("/organiser/").get_data(as_text=True)
    assert "Test Chongqing-SCO Forum" in html
    assert "4 pending" in html and "1 approved" in html


def test_anonymous_is_sent_to_login(client: FlaskClient, event: Event):
    response = client.get(LIST)
    assert response.status_code == 302 and "/login" in response.location


def test_offering_rows_are_event_scoped(dbs: Session, registrations: dict):
    ids = {o.sector.event_id for o in dbs.scalars(select(Offering))}
    assert len(ids) == 1


def test_the_company_is_told_the_decision_by_e_mail_in_its_language(
    app, organiser_client: FlaskClient, registrations: dict, dbs: Session, outbox
):
    """Approving or rejecting sent nothing: the company learnt it only by logging in."""
    from matchmaking import jobs
    from matchmaking.models import User
    from matchmaking.models.types import utcnow
    from tests.conftest import mail_text, read_outbox

    contact = dbs.scalar(select(User).where(User.email == "ops@steppe.kz"))
    assert contact is not None
    contact.locale = "ru"
    dbs.flush()
    for key, data in (
        ("uz", {"decision": "approve"}),
        ("kz_dup", {"decision": "reject", "reason": "Дубликат Steppe Agro LLP"}),
    ):
        url = f"/organiser/registrations/{registrations[key].id}"
        token = get_csrf(organiser_client, url)
        assert organiser_client.post(url, data={**data, "csrf_token": token}).status_code == 302
    assert read_outbox(outbox) == []  # the request only queued them
    with app.test_request_context():
        assert jobs.send_registration_decisions(dbs, utcnow()) == 2
        assert jobs.send_registration_decisions(dbs, utcnow()) == 0  # once each
    mails = {m["To"]: m for m in read_outbox(outbox)}
    assert set(mails) == {"a.b+cq@gmail.com", "ops@steppe.kz"}
    approved = mail_text(mails["a.b+cq@gmail.com"])
    assert "approved the registration of Tashkent Motors" in approved
    assert "/events/forum/directory" in approved
    rejected = mail_text(mails["ops@steppe.kz"])
    assert "не одобрили" in rejected and "Дубликат Steppe Agro LLP" in rejected
    assert "/company/" in rejected


def test_a_bulk_approval_queues_one_decision_per_contact(
    dbs: Session, event: Event, registrations: dict
):
    from matchmaking.models import SentMessage, User
    from matchmaking.models.types import utcnow
    from matchmaking.services.review import approve_registrations

    organiser = make_staff(dbs)
    chosen = [registrations[k] for k in ("kz", "uz", "cn")]
    pending = [p for p in chosen if p.status == "pending"]
    result = approve_registrations(dbs, event, chosen, organiser, utcnow())
    assert result.approved == len(pending) >= 2
    queued = dbs.scalars(select(SentMessage).where(SentMessage.kind == "registration_decision"))
    contacts = dbs.scalars(
        select(User.email).where(User.company_id.in_([p.company_id for p in pending]))
    )
    assert sorted(m.recipient for m in queued) == sorted(contacts)
