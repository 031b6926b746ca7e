"""In a real browser at phone width: the agenda read with no network, a check-in typed with no
network and sent when it returns, an offline mark refused because the meeting changed, and the
check-in page found by a typed code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from matchmaking.extensions import db
from matchmaking.models import CheckIn, Event, Meeting, User, event_floor_staff
from matchmaking.models.types import utcnow
from matchmaking.models.user import Role
from matchmaking.services.company_codes import company_code
from matchmaking.services.taxonomy import install_default_taxonomy
from tests.browser.conftest import PHONE, LiveServer, browser_app, log_in, phone_context, serving
from tests.functional.helpers import make_company_user, make_meeting, make_slots, make_staff

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

SLUG = "floor-forum"
PASSWORD = "buyer-password-1"
STAFF = ("floor@forum.example", "floor-staff-password")
SUPPLIER_NAME = "Chongqing Brake Systems Co"


class Switch:
    """Answers 503 to every request while ``down``: the venue's network reaches nothing."""

    def __init__(self, wsgi_app: Callable[..., Any]) -> None:
        self.wsgi_app = wsgi_app
        self.down = False

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self.down:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"down"]
        return self.wsgi_app(environ, start_response)


@pytest.fixture(scope="module")
def switch() -> Switch:
    return Switch(lambda environ, start_response: None)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, switch: Switch) -> Iterator[LiveServer]:
    """An event under way (its first day is today at the venue) with a published schedule."""
    base = tmp_path_factory.mktemp("floor-browser")
    app = browser_app(base)
    now = utcnow()
    with app.app_context():
        db.create_all()
        today = now.astimezone(Event(timezone="Asia/Shanghai").tz).date()
        event = Event(
            slug=SLUG,
            name="Floor Day Forum",
            venue="Expo Centre",
            city="Chongqing",
            timezone="Asia/Shanghai",
            start_date=today,
            end_date=today + timedelta(days=1),
            registration_deadline=now - timedelta(days=3),
            status="closed",
        )
        install_default_taxonomy(db.session, event)
        session = db.session
        buyer = make_company_user(session, event, status="approved", password=PASSWORD)
        supplier = make_company_user(
            session,
            event,
            email="sales@cq-brakes.cn",
            name=SUPPLIER_NAME,
            country="CN",
            status="approved",
            password=PASSWORD,
        )
        slots = make_slots(session, event, count=4)
        bp, sp = buyer.company.participations[0], supplier.company.participations[0]
        make_meeting(session, bp, sp, slots[1], table=3)
        staff = User(
            email=STAFF[0], full_name="Floor Staff", role=Role.FLOOR_STAFF, email_confirmed_at=now
        )
        staff.set_password(STAFF[1])
        session.add(staff)
        session.flush()
        session.execute(event_floor_staff.insert().values(event_id=event.id, user_id=staff.id))
        make_staff(session)  # the event's organiser, org@example.org
        session.commit()
    switch.wsgi_app = app.wsgi_app
    app.wsgi_app = switch  # type: ignore[method-assign]
    with serving(app) as url:
        try:
            yield LiveServer(
                app=app,
                url=url,
                outbox=base / "outbox",
                event_slug=SLUG,
                event_name="Floor Day Forum",
                event_days=(),
            )
        finally:
            switch.down = False


@pytest.fixture
def context(browser: Any, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A phone-sized browser."""
    yield from phone_context(browser, live_server.url)


def _code(live_server: LiveServer, email: str) -> str:
    def find(session: Any) -> str:
        user = session.scalar(select(User).where(User.email == email))
        return company_code(live_server.app.config["SECRET_KEY"], user.company.participations[0])

    return live_server.query(find)


def _kept(page: Page, count: int) -> None:
    """Wait until the service worker runs and ``count`` pages are kept for offline reading."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _attempt in range(100):
        kept = page.evaluate("caches.open('mm-pages-v1').then(c => c.keys()).then(k => k.length)")
        if kept >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{kept} pages kept for offline reading, not {count}")


def _policy_violations(page: Page) -> list[str]:
    """Console reports of anything the Content-Security-Policy blocked ('self' only)."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def _fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_agenda_and_its_pdf_stay_readable_offline(
    context: BrowserContext, page: Page, live_server: LiveServer, switch: Switch
) -> None:
    from playwright.sync_api import expect

    violations = _policy_violations(page)
    log_in(page, "buyer@example.kz", PASSWORD)
    page.goto(f"/company/events/{SLUG}/agenda")
    expect(page.get_by_text(SUPPLIER_NAME)).to_be_visible()
    expect(page.get_by_text("Last updated")).to_be_visible()
    _fits_the_phone(page)
    _kept(page, 2)  # the page and its PDF
    pdf_href = page.get_by_role("link", name="Printable agenda (PDF)").get_attribute("href")

    switch.down = True
    context.set_offline(True)
    try:
        page.reload()
        expect(page.get_by_text(SUPPLIER_NAME)).to_be_visible()
        expect(page.get_by_text("Last updated")).to_be_visible()
        expect(page.get_by_text("No network: this is the copy kept")).to_be_visible()
        pdf = page.evaluate(
            """href => fetch(href).then(async r => [r.status, r.headers.get('content-type'),
                   (await r.arrayBuffer()).byteLength])""",
            pdf_href,
        )
        assert pdf[0] == 200 and pdf[1] == "application/pdf" and pdf[2] > 1000
    finally:
        switch.down = False
        context.set_offline(False)
    # Back online the page refreshes itself.
    expect(page.get_by_text("No network: this is the copy kept")).to_be_hidden()
    assert violations == []
    # Logging out deletes the kept pages: the next person on this phone reads none of them.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: "/agenda" not in url)
    for _attempt in range(50):
        if page.evaluate("caches.has('mm-pages-v1')") is False:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("caches.has('mm-pages-v1')") is False


def test_a_check_in_typed_offline_is_sent_when_the_network_returns(
    context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    code = _code(live_server, "buyer@example.kz")
    log_in(page, *STAFF)
    page.goto(f"/floor/events/{SLUG}/check-in")
    context.set_offline(True)
    try:
        expect(page.get_by_text("No network: entries are kept")).to_be_visible()
        page.get_by_label("Company code").fill(code)
        page.get_by_role("button", name="Find company").click()
        expect(page.get_by_text(f"Check in the company with code {code}")).to_be_visible()
        assert live_server.query(lambda s: s.scalars(select(CheckIn)).all()) == []
    finally:
        context.set_offline(False)
    expect(page.get_by_text("Sent now that the network is back: 1 entries.")).to_be_visible()

    def checked_in(session: Any) -> list[str]:
        return [c.participation.company.legal_name for c in session.scalars(select(CheckIn))]

    assert live_server.query(checked_in) == ["Altai Motors LLP"]


def test_an_offline_mark_on_a_meeting_changed_meanwhile_is_shown_not_saved(
    context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    code = _code(live_server, "sales@cq-brakes.cn")
    log_in(page, *STAFF)
    page.goto(f"/floor/events/{SLUG}/check-in?code={code}")
    expect(page.get_by_role("heading", name=SUPPLIER_NAME)).to_be_visible()
    context.set_offline(True)
    try:
        page.get_by_role("button", name="No-show").click()
        expect(page.get_by_text("Waiting to be sent")).to_be_visible()

        def organiser_marks_held(session: Any) -> None:  # meanwhile, at the organisers' desk
            meeting = session.scalar(select(Meeting))
            meeting.attendance = "held"
            meeting.updated_at = datetime.now(UTC)
            session.commit()

        live_server.query(organiser_marks_held)
    finally:
        context.set_offline(False)
    expect(page.get_by_text("changed by someone else meanwhile")).to_be_visible()
    assert live_server.query(lambda s: s.scalar(select(Meeting)).attendance) == "held"


def test_staff_check_a_company_in_by_its_typed_code_on_a_phone(
    page: Page, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    code = _code(live_server, "sales@cq-brakes.cn")
    violations = _policy_violations(page)
    log_in(page, *STAFF)
    expect(page.get_by_role("link", name="Floor Day Forum")).to_be_visible()  # staff's home
    page.get_by_role("link", name="Floor Day Forum").click()
    page.get_by_label("Company code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Find company").click()
    expect(page.get_by_role("heading", name=SUPPLIER_NAME)).to_be_visible()
    check_in = page.get_by_role("button", name="Check in", exact=True)
    box = check_in.bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb-sized target
    _fits_the_phone(page)
    check_in.click()
    expect(page.get_by_text(f"{SUPPLIER_NAME} is checked in for today.")).to_be_visible()
    expect(page.get_by_text("Checked in at")).to_be_visible()
    page.get_by_role("button", name="Held").click()
    expect(page.get_by_role("button", name="Held")).to_have_attribute("aria-pressed", "true")
    assert violations == []


def test_the_organisers_check_in_by_slot_reads_on_a_phone(page: Page) -> None:
    from playwright.sync_api import expect

    log_in(page, "org@example.org", "organiser-password")
    page.goto(f"/organiser/events/{SLUG}/check-in")
    expect(page.get_by_text(SUPPLIER_NAME)).to_be_visible()
    _fits_the_phone(page)
    held = page.get_by_role("button", name="Held")
    box = held.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]


def _qr_video(path: Any, text: str) -> None:
    """A still video (YUV4MPEG2, what Chromium's fake camera plays) of the QR code of ``text``."""
    import io

    import segno
    from PIL import Image

    png = io.BytesIO()
    segno.make_qr(text, error="m").save(png, kind="png", scale=8, border=4)
    qr = Image.open(io.BytesIO(png.getvalue())).convert("L")
    frame = Image.new("L", (640, 480), 255)
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    chroma = bytes([128]) * (320 * 240)
    with open(path, "wb") as video:
        video.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _frame in range(10):
            video.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


def test_staff_scan_the_qr_code_with_the_camera(
    live_server: LiveServer, tmp_path: Any, browser: Any
) -> None:
    """The camera (Chromium's fake one, playing a picture of the company's QR code) reads the
    code with the vendored jsQR, and the company's page opens."""
    from playwright.sync_api import expect

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    video = tmp_path / "qr.y4m"
    _qr_video(video, _code(live_server, "sales@cq-brakes.cn"))
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    # A second Chromium of the same Playwright, with a camera.
    camera = browser.browser_type.launch(executable_path=str(CHROMIUM), args=args)
    try:
        context = camera.new_context(base_url=live_server.url, viewport=PHONE)
        context.grant_permissions(["camera"])
        page = context.new_page()
        log_in(page, *STAFF)
        page.goto(f"/floor/events/{SLUG}/check-in")
        page.get_by_role("button", name="Scan QR code").click()
        expect(page.get_by_role("heading", name=SUPPLIER_NAME)).to_be_visible()
    finally:
        camera.close()
