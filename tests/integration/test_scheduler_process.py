"""The web app and ``matchmaking scheduler`` as real processes on one database, real SMTP.

What ``make run`` plus a scheduler does, on a SQLite file, and on PostgreSQL (a schema of
its own in MATCHMAKING_TEST_DATABASE_URL's database; skipped when that is unset): gunicorn
serves the app, the scheduler runs its jobs every second, and an aiosmtpd server in this
process receives the mail. An organiser publishes a schedule and moves a meeting over
HTTP; every company gets exactly one agenda, the two companies of the moved meeting one
change mail, and no message is left "sending". Two ``scheduler --once`` runs at the same
time share the work and record every delivery.

The last tests replay, step by step in one process, what made SQLite refuse a write
("database is locked") when another process committed in between.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, select, text

from matchmaking import PROJECT_ROOT, create_app, jobs
from matchmaking.extensions import db
from matchmaking.models import Company, Meeting, MeetingChange, SentMessage
from matchmaking.services import dispatch, schedule_edits
from matchmaking.services.mail import Mail
from tests.agenda_world import Inbox, _free_port, make_world
from tests.conftest import TEST_DB_URL, make_event
from tests.functional.helpers import login, make_company_user, make_meeting

INTERVAL = 1  # seconds between two runs of each scheduler job
PATIENCE = 120.0  # seconds to wait for a process or a mail before failing
CLI = [sys.executable, "-c", "from matchmaking.cli import main; main()"]
GUNICORN = [sys.executable, "-m", "gunicorn", "--workers", "2"]


# -- the database, the mail server, the processes --------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's own: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'matchmaking.sqlite'}"
        return
    if not (TEST_DB_URL or "").startswith("postgresql"):
        pytest.skip("PostgreSQL runs when MATCHMAKING_TEST_DATABASE_URL is set")
    assert TEST_DB_URL is not None
    schema = f"procs_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DB_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in TEST_DB_URL else "?"
    try:
        yield f"{TEST_DB_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def mailserver() -> Iterator[Controller]:
    """An SMTP server on 127.0.0.1 whose handler (an ``Inbox``) keeps every message."""
    controller = Controller(Inbox(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@dataclass
class Seeded:
    slug: str
    version: int
    moved: int  # the meeting the organiser moves
    to_slot: int
    moved_companies: set[str]  # contacts of its two companies
    contacts: set[str]  # every company contact with a meeting


ORGANISER = ("org@example.org", "organiser-password")


def seed(url: str, published: bool, extra_suppliers: int = 0) -> Seeded:
    """Tables and a three-company schedule (plus suppliers meeting the buyer), committed."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        session = db.session
        world = make_world(session, make_event(session, slug="process"))
        for number, slot in zip(range(extra_suppliers), (1, 3, 5), strict=False):
            user = make_company_user(
                session,
                world.event,
                email=f"supplier{number}@example.cn",
                name=f"Chongqing Supplier {number} Co., Ltd.",
                country="CN",
                status="approved",
            )
            make_meeting(
                session,
                world.bp,
                user.company.participations[0],
                world.slots[slot],
                table=3,
                version=world.version,
            )
        for user in (world.buyer, world.supplier, world.other):
            user.locale = "en"  # mails told apart by their English subjects
        if not published:
            world.version.status = "draft"
            world.version.published_at = None
        session.commit()
        contacts = {
            u.email
            for m in world.version.meetings
            for p in (m.buyer, m.supplier)
            for u in p.company.contacts
        }
        seeded = Seeded(
            slug=world.event.slug,
            version=world.version.number,
            moved=world.m1.id,
            to_slot=world.slots[4].id,
            moved_companies={world.buyer.email, world.supplier.email},
            contacts=contacts,
        )
        db.session.remove()
        db.engine.dispose()
    return seeded


class Processes:
    """Child processes of the test, with their output in files; stopped at teardown."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                args, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.running.append((name, process))
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)[-3000:]}" for name, _ in self.running)

    def stop(self) -> None:
        for _, process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes(database_url: str, mailserver: Controller, tmp_path: Path) -> Iterator[Processes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "MATCHMAKING_"))}
    env.update(
        MATCHMAKING_CONFIG="development",
        DATABASE_URL=database_url,
        SECRET_KEY="process-test-secret",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(mailserver.port),
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
        MATCHMAKING_SCHEDULER_INTERVAL=str(INTERVAL),
        RATELIMIT_STORAGE_URI="memory://",
    )
    running = Processes(tmp_path, env)
    try:
        yield running
    finally:
        running.stop()


def wait_for(what: str, condition: Callable[[], object], processes: Processes) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{processes.logs()}")
        time.sleep(0.2)


# -- a browser without JavaScript ------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """Cookies, CSRF tokens from the forms, and the status of each response."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def token(self, path: str, prefix: str = "") -> str:
        status, page = self.request(path)
        assert status == 200, (path, status)
        match = re.search(rf'name="{prefix}csrf_token"[^>]*value="([^"]+)"', page)
        assert match, f"no {prefix}csrf_token on {path}"
        return match.group(1)

    def up(self) -> bool:
        try:
            return self.request("/login")[0] == 200
        except OSError:
            return False


def mails(inbox: Inbox, subject_start: str) -> Counter[str]:
    """How many messages whose subject starts so each recipient got."""
    return Counter(
        rcpt
        for rcpts, message in list(inbox.messages)
        if str(message["Subject"]).startswith(subject_start)
        for rcpt in rcpts
    )


def statuses(url: str) -> Counter[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return Counter(conn.scalars(select(SentMessage.status)))
    finally:
        engine.dispose()


def changes_pending(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            pending = select(MeetingChange.id).where(MeetingChange.notified_at.is_(None))
            return len(conn.scalars(pending).all())
    finally:
        engine.dispose()


# -- the tests -------------------------------------------------------------------------


AGENDA, CHANGES = "Your meeting agenda", "Your meetings at"


def test_web_app_and_scheduler_processes_send_each_mail_once(
    database_url: str, mailserver: Controller, processes: Processes
) -> None:
    seeded = seed(database_url, published=False, extra_suppliers=2)
    inbox: Inbox = mailserver.handler
    port = _free_port()
    processes.start(
        "web",
        [*GUNICORN, "-b", f"127.0.0.1:{port}", "matchmaking:create_app()"],
    )
    scheduler = processes.start("scheduler", [*CLI, "scheduler"])
    browser = Browser(f"http://127.0.0.1:{port}")
    wait_for("the web app", browser.up, processes)
    wait_for("the scheduler", lambda: "Scheduler started" in processes.log("scheduler"), processes)

    # A second scheduler refuses to start while the first runs.
    second = subprocess.run(
        [*CLI, "scheduler"],
        cwd=PROJECT_ROOT,
        env=processes.env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert second.returncode == 1, second.stderr
    assert "another scheduler process is running" in second.stderr

    email, password = ORGANISER
    token = browser.token("/login")
    credentials = {"email": email, "password": password, "csrf_token": token}
    assert browser.request("/login", credentials)[0] == 302
    schedule = f"/organiser/events/{seeded.slug}/schedule/{seeded.version}"
    published = browser.request(
        f"{schedule}/publish", {"csrf_token": browser.token(schedule), "confirm": "y"}
    )
    assert published[0] == 302
    wait_for("the agendas", lambda: set(mails(inbox, AGENDA)) == seeded.contacts, processes)

    meeting = f"{schedule}/meetings/{seeded.moved}"
    move = {
        "move-csrf_token": browser.token(meeting, "move-"),
        "action": "move",
        "move-slot": str(seeded.to_slot),
        "move-table": "",
    }
    assert browser.request(meeting, move)[0] == 302
    wait_for(
        "the change mails", lambda: set(mails(inbox, CHANGES)) == seeded.moved_companies, processes
    )
    wait_for("the change marked notified", lambda: changes_pending(database_url) == 0, processes)
    time.sleep(3 * INTERVAL)  # more runs of every job, which must find nothing left to send

    assert mails(inbox, AGENDA) == Counter(seeded.contacts)
    assert mails(inbox, CHANGES) == Counter(seeded.moved_companies)
    assert statuses(database_url) == Counter({"delivered": len(seeded.contacts) + 2})
    assert scheduler.poll() is None, processes.logs()
    log = processes.log("scheduler") + processes.log("web")
    assert "Traceback" not in log and "database is locked" not in log, processes.logs()


def test_two_runs_at_once_send_each_mail_once_and_record_it(
    database_url: str, mailserver: Controller, processes: Processes
) -> None:
    seeded = seed(database_url, published=True, extra_suppliers=3)
    inbox: Inbox = mailserver.handler
    runs = [processes.start(f"once-{n}", [*CLI, "scheduler", "--once"]) for n in (1, 2)]
    for run in runs:
        run.wait(timeout=PATIENCE)
    assert [run.returncode for run in runs] == [0, 0], processes.logs()

    assert mails(inbox, AGENDA) == Counter(seeded.contacts)
    assert statuses(database_url) == Counter({"delivered": len(seeded.contacts)})


# -- the same hazards in one process, step by step (SQLite file) -----------------------


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'matchmaking.sqlite'}"


def another_process_writes(url: str) -> None:
    """What the web app or a second scheduler does meanwhile: commit a write."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE companies SET city = 'Chongqing'"))
    finally:
        engine.dispose()


class Writer(threading.Thread):
    """Another process's write, in a thread of its own; keeps what it raised."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            another_process_writes(self.url)
        except BaseException as exc:
            self.error = exc


def test_a_delivery_is_recorded_when_another_process_wrote_during_the_smtp_conversation(
    sqlite_url: str, mailserver: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction that read before another connection's commit may not write after it."""
    seeded = seed(sqlite_url, published=True)
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=sqlite_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=mailserver.port,
    )
    send_mail = dispatch.send_mail

    def send_while_the_web_app_writes(config: object, mail: Mail) -> object:
        another_process_writes(sqlite_url)
        return send_mail(config, mail)

    monkeypatch.setattr(dispatch, "send_mail", send_while_the_web_app_writes)
    jobs.use_app(app)
    try:
        assert jobs.run_job("issue-agendas") == len(seeded.contacts)
    finally:
        jobs.use_app(None)
        with app.app_context():
            db.engine.dispose()
    assert mails(mailserver.handler, AGENDA) == Counter(seeded.contacts)
    assert statuses(sqlite_url) == Counter({"delivered": len(seeded.contacts)})


def test_a_move_is_saved_when_another_process_writes_during_the_request(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request that may write takes SQLite's write lock first; the other writer waits."""
    seeded = seed(sqlite_url, published=True)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=sqlite_url)
    client = app.test_client()
    assert login(client, *ORGANISER).status_code == 302
    url = f"/organiser/events/{seeded.slug}/schedule/{seeded.version}/meetings/{seeded.moved}"
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="move-csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    writer = Writer(sqlite_url)
    move_meeting = schedule_edits.move_meeting

    def move_while_another_process_writes(*args: object) -> object:
        writer.start()
        writer.join(timeout=1.0)  # done at once unless this request holds the write lock
        return move_meeting(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(schedule_edits, "move_meeting", move_while_another_process_writes)
    data = {"move-csrf_token": token.group(1), "action": "move", "move-slot": seeded.to_slot}
    response = client.post(url, data={**data, "move-table": ""})
    writer.join()
    with app.app_context():
        moved = db.session.get(Meeting, seeded.moved)
        assert moved is not None
        assert (response.status_code, moved.slot_id) == (302, seeded.to_slot)
        cities = db.session.scalars(select(Company.city)).all()
        db.session.remove()
        db.engine.dispose()
    assert writer.error is None
    assert set(cities) == {"Chongqing"}


def test_one_scheduler_per_sqlite_database(sqlite_url: str, tmp_path: Path) -> None:
    engine = create_engine(sqlite_url)
    first = jobs.acquire_scheduler_lock(engine)
    try:
        assert first is not None
        with pytest.raises(jobs.SchedulerAlreadyRunning, match=r"matchmaking\.sqlite"):
            jobs.acquire_scheduler_lock(engine)
        other = create_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
        jobs.release_scheduler_lock(jobs.acquire_scheduler_lock(other))  # another database
    finally:
        jobs.release_scheduler_lock(first)
    again = jobs.acquire_scheduler_lock(engine)
    assert again is not None
    jobs.release_scheduler_lock(again)
    assert jobs.acquire_scheduler_lock(create_engine("sqlite://")) is None  # in memory
    engine.dispose()
