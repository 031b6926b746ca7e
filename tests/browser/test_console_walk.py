"""In a real browser, a new organiser working in Chinese sets up an event from nothing and
publishes its schedule; a Russian-speaking company then reads its agenda in Russian.

An administrator (in English) creates the bare event and assigns a new organiser account to
it, as the roles have it; the organiser does everything else. Each page visited is saved as a
full-page PNG in ``$MATCHMAKING_ARTIFACTS/console-walk`` (default: the test's tmp folder).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import select
from werkzeug.serving import make_server

from matchmaking import PROJECT_ROOT, create_app
from matchmaking.extensions import babel, db
from matchmaking.models import (
    Availability,
    Company,
    Event,
    Meeting,
    Offering,
    Participation,
    ScheduleVersion,
    Slot,
    User,
)
from matchmaking.models.types import utcnow
from tests.browser.conftest import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from sqlalchemy.orm import Session

pytestmark = pytest.mark.browser

TRANSLATIONS = PROJECT_ROOT / "matchmaking" / "translations"
SLUG = "sco-walk"
ADMIN = ("admin@walk.example", "walk-admin-secret")
ORGANISER = ("xin.zuzhi@walk.example", "walk-organiser-secret")
RU_COMPANY = ("volga@walk.example", "walk-company-secret")
CJK = re.compile(r"[\u4e00-\u9fff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# Name, country, contact's locale, (kind, sector code) offered, only on the first day.
COMPANIES = (
    ("ТОО «Степь Авто»", "KZ", "ru", (("buy", "nev.parts"), ("buy", "nev.batteries")), False),
    ("ООО «Волга Техника»", "RU", "ru", (("buy", "nev.parts"), ("buy", "machinery.construction")), False),  # noqa: E501
    ("ООО «Урал Агро»", "RU", "ru", (("buy", "agrimachinery.tractors"),), True),
    ("АО «Самарканд Мева»", "UZ", "ru", (("buy", "machinery.construction"), ("sell", "imported.food")), False),  # noqa: E501
    ("重庆长安零部件有限公司", "CN", "zh", (("sell", "nev.parts"), ("sell", "nev.batteries")), False),  # noqa: E501
    ("重庆建设工程机械有限公司", "CN", "zh", (("sell", "machinery.construction"),), False),
    ("重庆农机制造有限公司", "CN", "zh", (("sell", "agrimachinery.tractors"),), False),
    ("重庆果品进口贸易有限公司", "CN", "zh", (("buy", "imported.food"),), False),
)  # fmt: skip
# Zone code, name, tables, top-level sectors (codes) ticked on the set-up page.
ZONES = (
    ("nev-parts", "NEV & auto parts", 2, ("nev",)),
    ("machinery", "Machinery", 2, ("machinery", "agrimachinery")),
    ("imports", "Imported goods", 1, ("imported", "food")),
)
HOURS, LUNCH = (time(9), time(15)), (time(12), time(13))


def compiled_catalogues(folder: Path) -> dict[str, Catalog]:
    """Compile the zh and ru catalogues into ``folder`` (a checkout has only the .po files)."""
    catalogues = {}
    for locale in ("zh", "ru"):
        with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalogues[locale] = read_po(po, locale=locale)
        target = folder / locale / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.mo").open("wb") as mo:
            write_mo(mo, catalogues[locale])
    return catalogues


@dataclass
class Walk:
    """The live server, the catalogues it speaks, and the screenshots taken so far."""

    server: LiveServer
    catalogues: dict[str, Catalog]
    artefacts: Path
    shots: list[Path] = field(default_factory=list)

    def text(self, locale: str, msgid: str) -> str:
        """``msgid`` as the page shows it in ``locale`` (itself while it is untranslated)."""
        message = self.catalogues[locale].get(msgid)
        if message is None or message.fuzzy or not message.string:
            return msgid
        return message.string if isinstance(message.string, str) else message.string[-1]

    def zh(self, msgid: str) -> str:
        """``msgid`` in Chinese: the catalogue must have it in Chinese characters."""
        text = self.text("zh", msgid)
        assert CJK.search(text), f"{msgid!r} has no Chinese translation"
        return text

    def ru(self, msgid: str) -> str:
        """``msgid`` in Russian: the catalogue must have it in Cyrillic."""
        text = self.text("ru", msgid)
        assert CYRILLIC.search(text), f"{msgid!r} has no Russian translation"
        return text

    def shot(self, page: Page, name: str) -> None:
        """Save the whole page as ``NN-name.png``."""
        path = self.artefacts / f"{len(self.shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walk]:
    """An empty application (two accounts, no event) speaking the compiled zh and ru texts."""
    base = tmp_path_factory.mktemp("console-walk")
    catalogues = compiled_catalogues(base / "translations")
    artefacts = Path(os.environ.get("MATCHMAKING_ARTIFACTS") or base) / "console-walk"
    artefacts.mkdir(parents=True, exist_ok=True)
    print(f"console walk screenshots: {artefacts}")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{base / 'app.sqlite'}",
        MAIL_OUTBOX_DIR=str(base / "outbox"),
        AUTH_RATE_LIMIT="1000 per minute",
        BABEL_TRANSLATION_DIRECTORIES=str(base / "translations"),
        SCHEDULE_SYNC=True,
    )
    with app.app_context():
        db.create_all()
        for (email, password), role, name in (
            (ADMIN, "admin", "Walk Admin"),
            (ORGANISER, "organiser", "辛组织"),
        ):
            user = User(email=email, full_name=name, role=role, email_confirmed_at=utcnow())
            user.set_password(password)
            db.session.add(user)
        db.session.commit()
        domain = babel.domain_instance
    # The translations cache is the extension's, shared by every app of the test session.
    cached = dict(domain.cache)
    domain.cache.clear()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    start = utcnow().date() + timedelta(days=10)
    try:
        yield Walk(
            server=LiveServer(
                app=app,
                url=f"http://127.0.0.1:{server.server_port}",
                outbox=base / "outbox",
                event_slug=SLUG,
                event_name="Chongqing-SCO Walk Forum",
                event_days=(start, start + timedelta(days=1)),
            ),
            catalogues=catalogues,
            artefacts=artefacts,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        domain.cache.clear()
        domain.cache.update(cached)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def live_server(walk: Walk) -> LiveServer:
    """The conftest's browser context opens the walk's server."""
    return walk.server


def seed_registrations(session: Session, days: tuple[date, ...]) -> None:
    """Eight companies registered, pending: buyers from Central Asia and Russia, suppliers
    from Chongqing; the Volga contact is the walk's Russian-speaking login."""
    event = session.scalar(select(Event).where(Event.slug == SLUG))
    sectors = {s.code: s for s in event.sectors}
    for number, (name, country, locale, offers, first_day_only) in enumerate(COMPANIES):
        company = Company(
            legal_name=name,
            country=country,
            city="Chongqing" if country == "CN" else "Almaty",
            languages=["zh", "en"] if country == "CN" else ["ru", "en"],
        )
        email = RU_COMPANY[0] if country == "RU" and number == 1 else f"c{number}@walk.example"
        contact = User(
            email=email,
            full_name=f"Contact {number}",
            role="company",
            company=company,
            locale=locale,
            email_confirmed_at=utcnow(),
        )
        contact.set_password(RU_COMPANY[1])
        participation = Participation(
            event=event,
            company=company,
            status="pending",
            directory_consent=True,
            offerings=[Offering(kind=kind, sector=sectors[code]) for kind, code in offers],
            availability=[
                Availability(day=day, start_time=HOURS[0], end_time=HOURS[1])
                for day in (days[:1] if first_day_only else days)
            ],
        )
        session.add_all([company, contact, participation])
    session.commit()


def log_in(page: Page, account: tuple[str, str]) -> None:
    page.goto("/login")
    page.locator("#email").fill(account[0])
    page.locator("#password").fill(account[1])
    page.locator("form button[type=submit]").click()


def set_up_from_nothing(page: Page, walk: Walk, sector_ids: dict[str, int]) -> None:
    """Clear every row the new event came with, then enter the walk's grid and zones."""
    first, second = walk.server.event_days
    # Every field shown (a zone's names in each language are shown when it has some).
    shown = "table.grid input:visible, .zone-row input:not([type=checkbox]):visible"
    for row in page.locator(shown).all():
        row.fill("")
    for box in page.locator(".zone-row input[type=checkbox]").all():
        box.uncheck()
    page.locator("#status").select_option("open")
    page.locator("#slot_minutes").fill("20")
    for n, day in enumerate((first, second)):
        page.locator(f"#days-{n}-day").fill(day.isoformat())
        page.locator(f"#days-{n}-start").fill(HOURS[0].strftime("%H:%M"))
        page.locator(f"#days-{n}-end").fill(HOURS[1].strftime("%H:%M"))
        page.locator(f"#breaks-{n}-day").fill(day.isoformat())
        page.locator(f"#breaks-{n}-start").fill(LUNCH[0].strftime("%H:%M"))
        page.locator(f"#breaks-{n}-end").fill(LUNCH[1].strftime("%H:%M"))
        page.locator(f"#breaks-{n}-label").fill("午餐")
    for n, (code, name, tables, sectors) in enumerate(ZONES):
        page.locator(f"#zones-{n}-code").fill(code)
        page.locator(f"#zones-{n}-name").fill(name)
        page.locator(f"#zones-{n}-tables").fill(str(tables))
        for sector in sectors:
            page.locator(f"input[name='zones-{n}-sectors'][value='{sector_ids[sector]}']").check()


def local_time(session: Session, slot_id: int) -> str:
    """The slot's start as the agenda shows it: "HH:MM" in the event's time zone."""
    slot = session.get(Slot, slot_id)
    return slot.starts_at.astimezone(slot.event.tz).strftime("%H:%M")


def move_to_suggested_place(page: Page, walk: Walk) -> tuple[int, int]:
    """Move the meeting shown to the latest free place the page suggests for both companies:
    its slot's id and table."""
    from playwright.sync_api import expect

    rows = page.locator("#free-places tbody tr:has(form)")
    expect(rows.first).to_be_visible()
    walk.shot(page, "meeting")
    chosen = rows.last.locator("form").first  # the latest time, in the first zone offered
    slot = int(chosen.locator("input[name='move-slot']").get_attribute("value") or 0)
    table = int(chosen.locator("input[name='move-table']").get_attribute("value") or 0)
    chosen.locator("button").click()
    return slot, table


def test_new_organiser_in_chinese_sets_up_publishes_and_a_russian_company_reads_it(
    page: Page, walk: Walk
) -> None:
    from playwright.sync_api import expect

    server = walk.server
    first, second = server.event_days
    base = f"/organiser/events/{SLUG}"

    # The administrator creates the bare event and hands it to a new organiser.
    log_in(page, ADMIN)
    page.goto("/organiser/events/new")
    page.locator("#name").fill(server.event_name)
    page.locator("#slug").fill(SLUG)
    page.locator("#venue").fill("Chongqing International Expo Center")
    page.locator("#city").fill("Chongqing")
    page.locator("#start_date").fill(first.isoformat())
    page.locator("#end_date").fill(second.isoformat())
    page.locator("#registration_deadline").fill(f"{first - timedelta(days=3)}T18:00")
    walk.shot(page, "admin-new-event")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(f"{base}/organisers$"))
    page.locator("#email").fill(ORGANISER[0])
    page.locator("main form:has(#email) button[type=submit]").click()
    expect(page.locator("#organisers")).to_contain_text(ORGANISER[0])
    walk.shot(page, "admin-organisers")
    page.context.clear_cookies()

    # The new organiser logs in and switches the site to Chinese with the language switch.
    log_in(page, ORGANISER)
    page.locator("nav.langs a[lang=zh]").click()
    expect(page.get_by_role("heading", name=walk.zh("Organiser console"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(server.event_name)
    walk.shot(page, "console")

    # Event details: the name in English, Chinese and Russian.
    page.goto(f"{base}/details")
    page.locator("#en-name").fill("Chongqing-SCO Trade Forum")
    page.locator("#zh-name").fill("中国—上海合作组织经贸洽谈会")
    page.locator("#ru-name").fill("Торговый форум Чунцин—ШОС")
    walk.shot(page, "details")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_have_text(walk.zh("Saved."))
    expect(page.locator("#zh-name")).to_have_value("中国—上海合作组织经贸洽谈会")

    # Set-up from nothing: days and hours, a lunch break, three zones with their sectors.
    page.goto(f"{base}/setup")
    for legend in ("Days and slots", "Negotiation zones", "Registration"):
        expect(page.locator("legend", has_text=walk.zh(legend)).first).to_be_visible()
    expect(page.locator("h3")).to_have_text(walk.zh("Breaks (lunch, plenary sessions)"))
    sector_ids = server.query(
        lambda s: {x.code: x.id for x in s.scalar(select(Event).where(Event.slug == SLUG)).sectors}
    )
    set_up_from_nothing(page, walk, sector_ids)
    walk.shot(page, "setup-filled")
    page.get_by_role("button", name=walk.zh("Save the set-up")).click()
    expect(page.locator(".flash-success")).to_have_text(walk.zh("Set-up saved."))
    walk.shot(page, "setup-saved")

    def grid(session: Session) -> tuple[object, ...]:
        event = session.scalar(select(Event).where(Event.slug == SLUG))
        tz = event.tz
        return (
            event.status,
            event.translations["zh"]["name"],
            [(z.code, z.name, z.tables, sorted(s.code for s in z.sectors)) for z in event.zones],
            [(b.day, b.start_time, b.end_time) for b in event.breaks],
            sorted(
                s.starts_at.astimezone(tz).replace(tzinfo=None)
                for s in event.slots
                if not s.retired
            ),
        )

    status, zh_name, zones, breaks, slots = server.query(grid)
    assert (status, zh_name) == ("open", "中国—上海合作组织经贸洽谈会")
    assert [z[:3] for z in zones] == [z[:3] for z in ZONES]
    assert [s for s in zones[2][3] if "." not in s] == ["food", "imported"]  # with sub-sectors
    assert "food.fruit" in zones[2][3]
    assert breaks == [(d, *LUNCH) for d in (first, second)]
    assert len(slots) == 30  # 09:00-15:00 in 20 minutes, less the lunch hour, on two days
    assert all(not (LUNCH[0] <= s.time() < LUNCH[1]) for s in slots)

    # Eight companies register; the organiser approves them all at once.
    server.query(lambda s: seed_registrations(s, server.event_days))
    page.goto(f"{base}/registrations")
    expect(page.locator("main")).to_contain_text("ООО «Волга Техника»")
    expect(page.locator("main")).to_contain_text("重庆长安零部件有限公司")
    walk.shot(page, "registrations-pending")
    page.locator("#bulk-approve button[name=scope][value=shown]").click()
    expect(page.locator(".flash-success")).to_contain_text("8")
    walk.shot(page, "registrations-approved")
    statuses = server.query(lambda s: set(s.scalars(select(Participation.status))))
    assert statuses == {"approved"}

    # Generate: the organiser's test server generates in the request.
    page.goto(f"{base}/schedule/")
    expect(page.get_by_role("heading", name=walk.zh("Schedule"), exact=True)).to_be_visible()
    page.locator("#time_limit").fill("3")
    walk.shot(page, "schedule")
    page.get_by_role("button", name=walk.zh("Generate schedule")).click()
    expect(page.get_by_role("heading", name=walk.zh("Quality report"))).to_be_visible()
    walk.shot(page, "version-draft")

    def volga_meeting(session: Session) -> tuple[int, int]:
        meeting = session.scalars(
            select(Meeting)
            .join(Participation, Meeting.buyer_id == Participation.id)
            .join(Company)
            .where(Company.legal_name == "ООО «Волга Техника»", Meeting.status == "scheduled")
            .order_by(Meeting.id)
        ).first()
        assert meeting is not None, "the generated schedule gives Volga no meeting"
        return meeting.id, meeting.slot_id

    meeting_id, old_slot = server.query(volga_meeting)
    page.goto(f"{base}/schedule/1/meetings/{meeting_id}")
    expect(page.locator("main")).to_contain_text("ООО «Волга Техника»")
    target_slot, target_table = move_to_suggested_place(page, walk)
    expect(page.locator(".flash-success")).to_have_text(walk.zh("Meeting moved."))
    walk.shot(page, "meeting-moved")
    target_time = server.query(lambda s: local_time(s, target_slot))
    expect(page.locator("#meeting-time")).to_contain_text(target_time)
    expect(page.locator("#meeting-table")).to_have_text(str(target_table))

    # Publish through the confirmation page.
    page.goto(f"{base}/schedule/1")
    page.locator(f"a[href$='{base}/schedule/1/publish']").click()
    expect(page.locator("#publication-summary")).to_be_visible()
    walk.shot(page, "publish-summary")
    page.locator("#confirm").check()
    page.locator("main form:has(#confirm) button[type=submit]").click()
    expect(page.locator(".flash-success")).to_have_text(
        walk.zh("Schedule published. Companies now see their meetings.")
    )
    walk.shot(page, "published")

    def published(session: Session) -> tuple[str, int, int]:
        version = session.scalar(select(ScheduleVersion))
        moved = session.get(Meeting, meeting_id)
        return version.status, moved.slot_id, moved.table_number

    assert server.query(published) == ("published", target_slot, target_table)
    assert target_slot != old_slot

    # The Russian-speaking company logs in (its account speaks Russian) and reads its agenda.
    page.context.clear_cookies()
    log_in(page, RU_COMPANY)
    page.goto(f"/company/events/{SLUG}/agenda")
    expect(page.get_by_role("heading", name=walk.ru("My meetings"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Торговый форум Чунцин—ШОС")
    row = page.locator(f"#meeting-{meeting_id}")
    expect(row).to_contain_text(target_time)
    expect(row).to_contain_text(walk.ru("Table %(number)s") % {"number": target_table})
    expect(page.locator("thead")).to_contain_text(walk.ru("Date and time"))
    walk.shot(page, "company-agenda-ru")
    assert len(walk.shots) >= 12
