"""Numbers, money and dates are written the reader's way on pages, PDFs, e-mails and calendars."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from matchmaking import PROJECT_ROOT, jobs
from matchmaking.models import Event
from tests.agenda_world import CHINESE_NAME, Inbox, World, attachment, make_world, pdf_text, smtp
from tests.conftest import mail_text
from tests.functional.helpers import login

__all__ = ["smtp"]

pytestmark = pytest.mark.dates

# The buyer orders up to 1,506,000 US dollars; the supplier's capacity is 250,000 (as the
# scoring stores them: ``str(SizeRange)``).
ORDER, CAPACITY = "0–1506000.00 USD", "250000.00 USD"
# Written for each reader (Babel/CLDR: "US$" in Chinese, a no-break space groups Russian digits).
ORDER_TEXT = {"en": "$0 – $1,506,000", "zh": "US$0 – US$1,506,000", "ru": "0–1\xa0506\xa0000\xa0$"}
CAPACITY_TEXT = {"en": "$250,000", "zh": "US$250,000", "ru": "250\xa0000\xa0$"}
PASSWORD = "buyer-password-1"
TRANSLATIONS = PROJECT_ROOT / "matchmaking" / "translations"


def squeeze(text: str) -> str:
    """``text`` without whitespace: PDF lines wrap anywhere, CJK text has no spaces."""
    return "".join(text.split())


@pytest.fixture
def world(dbs: Session, event: Event) -> World:
    world = make_world(dbs, event)
    for meeting in (world.m1, world.m2):
        meeting.reasons = [
            *(meeting.reasons or []),
            {"code": "capacity_short", "params": {"order": ORDER, "capacity": CAPACITY}},
        ]
    dbs.flush()
    return world


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def medium_date(instant: datetime, world: World, locale: str) -> str:
    return format_date(instant.astimezone(ZoneInfo(world.event.timezone)), "medium", locale=locale)


def short_date(instant: datetime, world: World, locale: str) -> str:
    return format_date(instant.astimezone(ZoneInfo(world.event.timezone)), "short", locale=locale)


@pytest.mark.parametrize("locale", ["en", "zh", "ru"])
def test_agenda_page_writes_order_sizes_for_the_reader(
    client: FlaskClient, world: World, locale: str
) -> None:
    login(client, world.buyer.email, PASSWORD)
    client.get(f"/language/{locale}")
    page = client.get(f"/company/events/{world.event.slug}/agenda").get_data(as_text=True)
    assert ORDER_TEXT[locale] in page and CAPACITY_TEXT[locale] in page
    assert "1506000.00" not in page


@pytest.mark.parametrize(
    ("email", "locale"),
    [("sales@cq-machinery.cn", "zh"), ("buyer@example.kz", "ru"), ("export@volga.ru", "en")],
    ids=["zh", "ru", "en"],
)
def test_agenda_pdf_dates_and_figures(
    client: FlaskClient, world: World, email: str, locale: str
) -> None:
    login(client, email, PASSWORD)
    before = datetime.now(UTC)
    text = pdf_text(client.get(f"/company/events/{world.event.slug}/agenda.pdf").data)
    issued = {medium_date(before, world, locale), medium_date(datetime.now(UTC), world, locale)}
    assert any(squeeze(day) in squeeze(text) for day in issued), text
    assert short_date(before, world, locale) not in text  # never "2/3/27"
    assert squeeze(ORDER_TEXT[locale]) in squeeze(text)


def test_agenda_emails_and_calendars_are_written_for_each_recipient(
    dbs: Session, world: World, smtp: Inbox, ctx: None
) -> None:
    assert jobs.issue_agendas(dbs, world.published_at + timedelta(minutes=1)) == 3
    first = world.slots[0].starts_at  # both the buyer's and the supplier's first meeting
    for user, locale in ((world.buyer, "ru"), (world.supplier, "zh"), (world.other, "en")):
        (message,) = smtp.to(user.email)
        body = mail_text(message)
        meeting = first if user is not world.other else world.slots[2].starts_at
        assert medium_date(meeting, world, locale) in body, body
        assert short_date(meeting, world, locale) not in body  # never "2/3/27"
        (vevent,) = Calendar.from_ical(attachment(message, ".ics")).walk("VEVENT")[:1]
        assert ORDER_TEXT[locale] in str(vevent["DESCRIPTION"])
        assert "1506000.00" not in str(vevent["DESCRIPTION"])
    (to_buyer,) = smtp.to(world.buyer.email)
    calendar = attachment(to_buyer, ".ics").decode()  # a UTF-8 attachment, not taken as ASCII
    assert CHINESE_NAME in Calendar.from_ical(calendar).walk("VEVENT")[0]["SUMMARY"]


@pytest.fixture
def chinese_catalogue(app: Flask, tmp_path: Path) -> Iterator[None]:
    """The zh catalogue compiled for this test (a checkout has only the .po files), so the PDF
    has its Chinese headings, as companies see it."""
    folder = tmp_path / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="zh")
    with (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog)
    config = app.extensions["babel"]
    with app.app_context():
        domain = config.instance.domain_instance
    saved, cached = config.translation_directories, dict(domain.cache)
    config.translation_directories = [str(tmp_path)]
    domain.cache.clear()
    try:
        yield
    finally:
        config.translation_directories = saved
        domain.cache.clear()
        domain.cache.update(cached)


def test_zh_pdf_language_column_is_readable(
    client: FlaskClient, world: World, chinese_catalogue: None
) -> None:
    # Chinese text may break between any two characters: in automatic table layout the
    # language column shrank to one character ("俄" and "语" on two lines).
    login(client, world.supplier.email, PASSWORD)
    text = pdf_text(client.get(f"/company/events/{world.event.slug}/agenda.pdf").data)
    assert "洽谈对象" in text  # "Counterpart": the headings are in Chinese
    lines = text.splitlines()
    assert "俄语" in lines  # Russian, the common language, on one line of its own column
    # The column heading "Language" above it, not "语" / "言" on two lines.
    assert "语言" in " ".join(lines[: lines.index("俄语")])
