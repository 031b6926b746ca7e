"""Organisers import registrations from CSV and Excel files: preview, errors, confirm, e-mails."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaking import jobs
from matchmaking.blueprints.organiser.imports import STASH_SECONDS
from matchmaking.models import Company, Event, Participation, User
from matchmaking.models.types import utcnow
from tests.conftest import get_csrf, link_in, mail_text, read_outbox
from tests.functional.helpers import login, make_company_user, make_staff

PASSWORD = "organiser-password"
URL = "/organiser/events/forum/registrations/import"
HEADER = ["Company name", "Country", "City", "Sells", "Buys", "Contact name", "E-mail",
          "Contact language"]  # fmt: skip
ROWS = [
    ["ТОО «Степь Агро»", "Казахстан", "Алматы", "", "agrimachinery.tractors: wheeled tractors",
     "Айгерим Садыкова", "aigerim@steppe.example", "ru"],
    ["重庆长安汽车", "CN", "重庆", "nev.passenger: electric cars", "", "王伟",
     "wang@changan.example", "zh"],
    ["Tashkent Textiles", "Uzbekistan", "Tashkent", "Fertilisers: urea", "Tractors",
     "Dilnoza Karimova", "dilnoza@tt.example", "en"],
]  # fmt: skip


@pytest.fixture
def organiser(dbs: Session, event: Event) -> User:
    return make_staff(dbs, "organiser", "org@forum.example", PASSWORD, events=[event])


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet: Any = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(",".join(f'"{c}"' for c in row) for row in rows).encode(encoding)


def _upload(client: FlaskClient, name: str, data: bytes) -> Any:
    token = get_csrf(client, URL)
    return client.post(
        URL,
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm(client: FlaskClient, html: str, status: str = "pending") -> Any:
    match = re.search(r'name="token"[^>]*value="([^"]+)"', html)
    assert match, "no import offered"
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert csrf
    return client.post(
        URL + "/confirm",
        data={"csrf_token": csrf.group(1), "token": match.group(1), "status": status},
    )


def _counts(dbs: Session) -> tuple[int, int, int]:
    dbs.expire_all()
    return (
        dbs.scalar(select(func.count(Company.id))) or 0,
        dbs.scalar(select(func.count(User.id))) or 0,
        dbs.scalar(select(func.count(Participation.id))) or 0,
    )


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_preview_then_confirm_imports_all_and_invites(
    app: Flask,
    client: FlaskClient,
    dbs: Session,
    event: Event,
    organiser: User,
    outbox: Path,
    kind: str,
) -> None:
    login(client, organiser.email, PASSWORD)
    data = _xlsx([HEADER, *ROWS]) if kind == "xlsx" else _csv([HEADER, *ROWS])
    before = _counts(dbs)
    response = _upload(client, f"companies.{kind}", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ТОО «Степь Агро»" in html and "重庆长安汽车" in html and "Tashkent Textiles" in html
    assert "Import 3 registrations" in html
    assert _counts(dbs) == before  # the preview writes nothing
    assert read_outbox(outbox) == []

    response = _confirm(client, html, status="approved")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organiser/events/forum/registrations")
    assert _counts(dbs) == (before[0] + 3, before[1] + 3, before[2] + 3)
    steppe = dbs.scalar(select(Company).where(Company.legal_name == "ТОО «Степь Агро»"))
    assert steppe is not None and steppe.country == "KZ"
    part = steppe.participations[0]
    assert part.status == "approved" and part.decided_by_id == organiser.id
    assert [o.sector.code for o in part.buys] == ["agrimachinery.tractors"]
    assert {a.day for a in part.availability} == set(event.days)
    textiles = dbs.scalar(select(Company).where(Company.legal_name == "Tashkent Textiles"))
    assert textiles is not None and textiles.participations[0].role == "both"
    assert textiles.country == "UZ"

    # The request only queued the invitations; the scheduler's job sends each once.
    assert read_outbox(outbox) == []
    with app.app_context():  # no SERVER_NAME and no request: links cannot be made, so they wait
        assert jobs.send_import_invitations(dbs, utcnow()) == 0
    assert read_outbox(outbox) == []
    with app.test_request_context():
        assert jobs.send_import_invitations(dbs, utcnow()) == 3
        assert jobs.send_import_invitations(dbs, utcnow()) == 0
    mails = read_outbox(outbox)
    assert sorted(m["To"] for m in mails) == sorted(r[6] for r in ROWS)
    russian = next(m for m in mails if m["To"] == "aigerim@steppe.example")
    assert "ТОО «Степь Агро»" in mail_text(russian)

    # The contact chooses a password through the invitation link, then logs in.
    link = link_in(russian)
    path = link.split("localhost", 1)[1]
    token = get_csrf(client, path)
    client.post("/logout", data={"csrf_token": token})
    token = get_csrf(client, path)
    response = client.post(
        path, data={"csrf_token": token, "password": "a-new-password", "confirm": "a-new-password"}
    )
    assert response.status_code == 302
    assert login(client, "aigerim@steppe.example", "a-new-password").status_code == 302

    # The same preview cannot be imported twice.
    client.post("/logout", data={"csrf_token": get_csrf(client, "/company/")})
    login(client, organiser.email, PASSWORD)
    response = _confirm(client, html)
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    assert _counts(dbs) == (before[0] + 3, before[1] + 3, before[2] + 3)


def test_import_as_pending_by_default(
    client: FlaskClient, dbs: Session, event: Event, organiser: User, outbox: Path
) -> None:
    login(client, organiser.email, PASSWORD)
    html = _upload(client, "a.xlsx", _xlsx([HEADER, ROWS[1]])).get_data(as_text=True)
    assert _confirm(client, html).status_code == 302
    company = dbs.scalar(select(Company).where(Company.legal_name == "重庆长安汽车"))
    assert company is not None
    assert company.participations[0].status == "pending"
    assert company.contacts[0].locale == "zh"


def test_errors_name_row_and_column_and_nothing_is_written(
    client: FlaskClient, dbs: Session, event: Event, organiser: User, outbox: Path
) -> None:
    login(client, organiser.email, PASSWORD)
    bad = [
        HEADER,
        ROWS[0],
        ["Bad Mail Ltd", "KZ", "Astana", "nev.parts: x", "", "Ivan", "not-an-address", "en"],
        ["", "Narnia", "X", "", "", "Olga", "olga@x.example", "fr"],
        ["Mystery LLC", "RU", "Kazan", "rockets: big", "", "Oleg", "aigerim@steppe.example", ""],
    ]
    before = _counts(dbs)
    response = _upload(client, "bad.xlsx", _xlsx(bad))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Row 3, E-mail: not a valid address" in html
    assert "Row 4, Company name: required" in html
    assert "Row 4, Country: unknown country" in html
    assert "Row 4, Contact language: use en, zh or ru" in html
    assert "Row 4, Sells: give at least one sector" in html
    assert "Row 5, Sells: unknown sector" in html
    assert "Row 5, E-mail: the same address as row 2" not in html  # row 5 failed already
    assert 'name="token"' not in html
    assert _counts(dbs) == before
    assert read_outbox(outbox) == []


def test_a_company_is_listed_in_the_directory_only_where_the_file_says_it_agreed(
    client: FlaskClient, dbs: Session, event: Event, organiser: User
) -> None:
    """Imported companies were never listed (nothing said so); the column "listed" carries
    each company's consent, empty meaning no."""
    login(client, organiser.email, PASSWORD)
    header = [*HEADER, "Listed in the directory"]
    rows = [[*ROWS[0], "да"], [*ROWS[1], "是"], [*ROWS[2], ""]]
    bad = _upload(client, "bad.csv", _csv([header, [*ROWS[0], "maybe"]]))
    assert bad.status_code == 422
    assert "Row 2, Listed in the directory: use yes or no" in bad.get_data(as_text=True)
    html = _upload(client, "listed.csv", _csv([header, *rows])).get_data(as_text=True)
    assert html.count(">Listed<") == 2 and html.count(">Not listed<") == 1
    assert _confirm(client, html, status="approved").status_code == 302
    dbs.expire_all()
    consent = {
        p.company.legal_name: p.directory_consent
        for p in dbs.scalars(select(Participation).where(Participation.event_id == event.id))
    }
    assert {name: consent[name] for name in (r[0] for r in ROWS)} == {
        "ТОО «Степь Агро»": True,
        "重庆长安汽车": True,
        "Tashkent Textiles": False,
    }


def test_duplicates_in_the_file_and_against_accounts(
    client: FlaskClient, dbs: Session, event: Event, organiser: User, outbox: Path
) -> None:
    make_company_user(dbs, event, email="taken@example.kz", name="Altai Motors LLP")
    login(client, organiser.email, PASSWORD)
    rows = [
        HEADER,
        ROWS[0],
        ["Other Name", "KZ", "Almaty", "nev.parts: x", "", "A", "AIGERIM@steppe.example", "en"],
        ["Altai Motors LLP", "KZ", "Almaty", "nev.parts: x", "", "B", "taken@example.kz", "en"],
    ]
    html = _upload(client, "dup.csv", _csv(rows)).get_data(as_text=True)
    assert "Row 3, E-mail: the same address as row 2" in html
    assert "Row 4, E-mail: an account with this address exists already" in html
    assert "Row 4, Company name: this company is already registered for the event" in html
    assert 'name="token"' not in html


def test_reimporting_the_same_file_reports_duplicates(
    client: FlaskClient, dbs: Session, event: Event, organiser: User, outbox: Path
) -> None:
    login(client, organiser.email, PASSWORD)
    data = _xlsx([HEADER, *ROWS])
    html = _upload(client, "a.xlsx", data).get_data(as_text=True)
    assert _confirm(client, html).status_code == 302
    before = _counts(dbs)
    response = _upload(client, "a.xlsx", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for number in (2, 3, 4):
        assert f"Row {number}, E-mail: an account with this address exists already" in html
    assert 'name="token"' not in html
    assert _counts(dbs) == before


@pytest.mark.parametrize(
    ("heading", "encoding"),
    [
        (["Компания", "Страна", "Город", "Покупает", "Контактное лицо", "Эл. почта"], "cp1251"),
        (["公司名称", "国家", "城市", "采购", "联系人", "邮箱"], "gb18030"),
        (["Company", "Country", "City", "Buys", "Contact", "Email"], "utf-16"),
    ],
    ids=["russian-cp1251", "chinese-gbk", "utf16"],
)
def test_headings_and_encodings_of_russian_and_chinese_excel(
    client: FlaskClient, organiser: User, heading: list[str], encoding: str
) -> None:
    login(client, organiser.email, PASSWORD)
    name = "Компания Восток" if encoding == "cp1251" else "重庆机械公司"
    row = [name, "Россия" if encoding == "cp1251" else "中国", "Город", "Tractors", "Имя",
           "east@example.ru"]  # fmt: skip
    if encoding == "utf-16":
        row = ["Восток 重庆", "RU", "Kazan", "Tractors", "Ivan", "east@example.ru"]
    data = "\r\n".join(";".join(r) for r in (heading, row)).encode(encoding)
    response = _upload(client, "list.csv", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, re.findall(r'class="error">([^<]*)', html)
    assert (row[0] if encoding != "utf-16" else "Восток 重庆") in html
    assert "Import 1 registration" in html


def test_formulas_and_huge_cells_are_errors(client: FlaskClient, organiser: User) -> None:
    login(client, organiser.email, PASSWORD)
    rows: list[list[Any]] = [
        HEADER,
        ["=1+1", "KZ", "Almaty", "nev.parts: x", "", "A", "a@x.example", "en"],
        ["Big", "KZ", "x" * 5000, "nev.parts: x", "", "B", "b@x.example", "en"],
    ]
    html = _upload(client, "f.xlsx", _xlsx(rows)).get_data(as_text=True)
    assert "Row 2, Company name: formulas are not imported" in html
    assert "Row 3, City: longer than 100 characters" in html


def test_missing_columns_and_too_many_rows(client: FlaskClient, organiser: User) -> None:
    login(client, organiser.email, PASSWORD)
    html = _upload(client, "a.csv", _csv([["Company name", "City"], ["A", "B"]])).get_data(
        as_text=True
    )
    assert "Columns missing: Country, Contact name, E-mail" in html
    many = [HEADER] + [["A", "KZ", "B", "x", "", "C", "d@e.example", "en"]] * 10_001
    response = _upload(client, "many.csv", _csv(many))
    assert response.status_code == 422
    assert "more than 10000 registrations" in response.get_data(as_text=True)


GARBAGE = [
    ("empty.csv", b""),
    ("empty.xlsx", b""),
    ("binary.csv", bytes(range(256)) * 40),
    ("binary.xlsx", bytes(range(256)) * 40),
    ("zip.xlsx", b"PK\x03\x04" + b"\x00" * 200),
    ("nul.csv", b"a\x00b,c\r\n" * 50),
    ("header-only.csv", b"Company name,Country\r\n"),
    ("blank.csv", b"\r\n\r\n ,,\r\n"),
    ("wrong.txt", b"Company name,Country\r\nA,KZ\r\n"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
    ("noext", b"x"),
    ("quote.csv", b'"unterminated,\r\n' + b"x" * 10_000),
    ("huge-cell.csv", b"Company name\r\n" + b"x" * 200_000),
    ("control.csv", b"Company name,Country,City,Sells,Buys,Contact name,E-mail\r\n"
     b"A\x1b,KZ,B,nev.parts,,C\x00,d@e.example\r\n"),
    ("too-big.csv", b"x" * (5 * 1024 * 1024 + 10)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data"), GARBAGE, ids=[g[0] for g in GARBAGE])
def test_garbage_files_get_a_client_error(
    client: FlaskClient, dbs: Session, organiser: User, name: str, data: bytes
) -> None:
    login(client, organiser.email, PASSWORD)
    before = _counts(dbs)
    response = _upload(client, name, data)
    response.request.environ["wsgi.input"].close()  # the test client's spooled body
    assert response.status_code in (400, 422)
    assert 'name="token"' not in response.get_data(as_text=True)
    assert _counts(dbs) == before


def test_confirm_needs_this_sessions_token(
    client: FlaskClient, app: Any, dbs: Session, event: Event, organiser: User
) -> None:
    login(client, organiser.email, PASSWORD)
    html = _upload(client, "a.xlsx", _xlsx([HEADER, ROWS[0]])).get_data(as_text=True)
    other = app.test_client()
    login(other, organiser.email, PASSWORD)
    token = get_csrf(other, URL)
    stolen = re.search(r'name="token"[^>]*value="([^"]+)"', html)
    assert stolen
    before = _counts(dbs)
    response = other.post(
        URL + "/confirm", data={"csrf_token": token, "token": stolen.group(1), "status": "pending"}
    )
    assert response.status_code == 302
    assert _counts(dbs) == before


def test_a_preview_kept_longer_than_an_hour_is_not_imported(
    client: FlaskClient, dbs: Session, event: Event, organiser: User
) -> None:
    login(client, organiser.email, PASSWORD)
    html = _upload(client, "a.xlsx", _xlsx([HEADER, ROWS[0]])).get_data(as_text=True)
    before = _counts(dbs)
    with time_machine.travel(utcnow() + timedelta(seconds=STASH_SECONDS + 60)):
        response = _confirm(client, html)
        assert response.status_code == 302
        page = client.get(response.location).get_data(as_text=True)
    assert "This preview has expired" in page
    assert _counts(dbs) == before
    # A preview confirmed in time imports (its age is read from the app's clock).
    client.delete_cookie("session")  # the cookie written an hour ahead is not valid yet
    login(client, organiser.email, PASSWORD)
    html = _upload(client, "a.xlsx", _xlsx([HEADER, ROWS[0]])).get_data(as_text=True)
    with time_machine.travel(utcnow() + timedelta(seconds=STASH_SECONDS - 60)):
        assert _confirm(client, html).status_code == 302
    assert _counts(dbs) != before


@pytest.mark.parametrize(
    ("kind", "locale", "words"),
    [
        ("csv", "en", ("Company name", "buyer", "yes", "no")),
        ("xlsx", "en", ("Company name", "buyer", "yes", "no")),
        ("csv", "zh", ("企业名称", "采购商", "是", "否")),
        ("xlsx", "ru", ("Название компании", "покупатель", "да", "нет")),
    ],
)
def test_template_in_the_organisers_language_imports_cleanly(
    client: FlaskClient, organiser: User, kind: str, locale: str, words: tuple[str, ...]
) -> None:
    """Headings and the example row's words (role, yes, no) in the organiser's language."""
    login(client, organiser.email, PASSWORD)
    client.get(f"/language/{locale}")
    response = client.get(URL + f"/template.{kind}")
    assert response.status_code == 200
    if kind == "xlsx":
        sheet: Any = load_workbook(io.BytesIO(response.data)).worksheets[0]
        header, example = ([str(c.value or "") for c in row] for row in (sheet[1], sheet[2]))
    else:
        header, example = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))[:2]
    assert header[0] == words[0]
    assert {*words[1:]} <= set(example)
    response = _upload(client, f"template.{kind}", response.data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, re.findall(r'class="error">([^<]*)', html)
    assert 'name="token"' in html  # the import is offered: no error in the example row


def test_registrations_page_links_to_the_import(client: FlaskClient, organiser: User) -> None:
    login(client, organiser.email, PASSWORD)
    html = client.get("/organiser/events/forum/registrations").get_data(as_text=True)
    assert URL in html
