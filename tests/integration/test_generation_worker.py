"""Schedule generation as a job run by ``matchmaking worker`` processes.

Claims race between threads and between two real worker processes: every queued version is
solved exactly once. A worker stopped with SIGTERM gives its job back to the queue; one
killed outright leaves it 'generating' with a heartbeat that stops, and the sweep fails it.
Progress is read from another connection, as another web worker would.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from matchmaking import create_app, jobs
from matchmaking.extensions import db
from matchmaking.models import ScheduleVersion
from matchmaking.models.types import utcnow
from matchmaking.services.generation import claim, claim_statement
from matchmaking.services.schedules import start_generation
from tests.conftest import TEST_DB_URL, make_event
from tests.functional.helpers import make_participant, make_slots, make_staff
from tests.integration.test_scheduler_process import CLI, PATIENCE, Processes

# A worker whose solver never returns: the job stays under way until the worker stops.
HANGING_CLI = [
    sys.executable,
    "-c",
    "import time\n"
    "from matchmaking.services import schedules\n"
    "schedules.solve_instance = lambda *args, **kwargs: time.sleep(3600)\n"
    "from matchmaking.cli import main\n"
    "main()",
]


def _postgres_schema_url() -> Iterator[str]:
    if not (TEST_DB_URL or "").startswith("postgresql"):
        pytest.skip("PostgreSQL runs when MATCHMAKING_TEST_DATABASE_URL is set")
    assert TEST_DB_URL is not None
    schema = f"jobs_{uuid.uuid4().hex[:8]}"
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


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's own: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'matchmaking.sqlite'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from _postgres_schema_url()


def create_tables(url: str) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def seed(url: str, events: int, time_limit: float = 1.0) -> list[int]:
    """``events`` small fairs (three buyers, three suppliers), each with a queued version."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        session = db.session
        staff = make_staff(session)
        versions = []
        for number in range(events):
            event = make_event(session, slug=f"fair{number}")
            make_slots(session, event, 6)
            for i in range(3):
                make_participant(
                    session,
                    event,
                    f"Buyer{number}-{i} LLP",
                    buys=(("nev.parts", "brake systems gearboxes"),),
                )
                make_participant(
                    session,
                    event,
                    f"Supplier{number}-{i} Co",
                    country="CN",
                    sells=(("nev.parts", "brakes"),),
                )
            versions.append(start_generation(session, event, staff, None, time_limit))
        session.commit()
        ids = [v.id for v in versions]
        db.session.remove()
        db.engine.dispose()
    return ids


def read_versions(url: str) -> dict[int, ScheduleVersion]:
    """The versions as another web worker sees them (a connection of its own)."""
    engine = create_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return {v.id: v for v in session.scalars(select(ScheduleVersion))}
    finally:
        engine.dispose()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Callable[[str], Processes]]:
    started: list[Processes] = []

    def start(url: str) -> Processes:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "MATCHMAKING_"))}
        env.update(
            MATCHMAKING_CONFIG="development",
            DATABASE_URL=url,
            SECRET_KEY="worker-test-secret",
            RATELIMIT_STORAGE_URI="memory://",
        )
        running = Processes(tmp_path, env)
        started.append(running)
        return running

    try:
        yield start
    finally:
        for running in started:
            running.stop()


def wait_for(what: str, condition: Callable[[], object], running: Processes) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{running.logs()}")
        time.sleep(0.2)


def test_claims_racing_in_threads_give_each_version_to_one_claimer(database_url: str) -> None:
    ids = seed(database_url, events=5)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    start = threading.Barrier(8)
    claimed: list[tuple[str, int]] = []
    errors: list[BaseException] = []

    with app.app_context():
        engine = db.engine

    def claimer(name: str) -> None:
        try:
            start.wait()
            while True:
                with Session(engine) as session:
                    version_id = claim(session, name, utcnow())
                if version_id is None:
                    return
                claimed.append((name, version_id))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=PATIENCE)
    engine.dispose()
    assert errors == []
    assert sorted(version for _, version in claimed) == sorted(ids)
    versions = read_versions(database_url)
    assert {v.id: v.claimed_by for v in versions.values()} == {v: n for n, v in claimed}
    assert {v.status for v in versions.values()} == {"generating"}


@pytest.mark.postgres_only
def test_a_claim_passes_over_a_version_another_worker_is_claiming(postgres_url: str) -> None:
    """While one claim's transaction is open, a second claim takes the next version at once."""
    first_id, second_id = seed(postgres_url, events=2)
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as first, engine.connect() as second:
            first.execute(text("SET lock_timeout = '5s'"))
            second.execute(text("SET lock_timeout = '5s'"))
            assert first.scalar(claim_statement("w1", utcnow())) == first_id  # not committed
            assert second.scalar(claim_statement("w2", utcnow())) == second_id
            assert second.scalar(claim_statement("w2", utcnow())) is None
            first.commit()
            second.commit()
    finally:
        engine.dispose()
    versions = read_versions(postgres_url)
    assert (versions[first_id].claimed_by, versions[second_id].claimed_by) == ("w1", "w2")


@pytest.mark.postgres_only
def test_two_worker_processes_solve_each_queued_version_once(
    postgres_url: str, processes: Callable[[str], Processes]
) -> None:
    create_tables(postgres_url)
    running = processes(postgres_url)
    workers = [running.start(f"worker-{n}", [*CLI, "worker", "--poll", "0.2"]) for n in (1, 2)]
    for n in (1, 2):
        wait_for(f"worker {n}", lambda n=n: "started" in running.log(f"worker-{n}"), running)
    ids = seed(postgres_url, events=6)

    def all_done() -> bool:
        return all(v.status == "draft" for v in read_versions(postgres_url).values())

    wait_for("every version solved", all_done, running)
    running.stop()
    assert [worker.returncode for worker in workers] == [0, 0], running.logs()

    logs = running.log("worker-1") + running.log("worker-2")
    claims = Counter(int(n) for n in re.findall(r"claimed version (\d+)", logs))
    assert claims == Counter(ids), logs  # each version claimed once, by one of the two
    names = set(re.findall(r"Generation worker (\S+) started", logs))
    assert len(names) == 2 and {v.claimed_by for v in read_versions(postgres_url).values()} <= names
    assert "Traceback" not in logs, logs


def _hanging_job(url: str, running: Processes) -> tuple[int, object]:
    """A queued version claimed by a worker whose search never ends; its process."""
    (version_id,) = seed(url, events=1, time_limit=30)
    worker = running.start("hanging", [*HANGING_CLI, "worker", "--poll", "0.2"])

    def searching() -> bool:
        version = read_versions(url)[version_id]
        return version.status == "generating" and version.progress >= 0.2

    wait_for("the search to start", searching, running)
    return version_id, worker


def test_a_killed_worker_leaves_its_generation_failed_not_generating_for_ever(
    database_url: str, processes: Callable[[str], Processes]
) -> None:
    running = processes(database_url)
    version_id, worker = _hanging_job(database_url, running)
    first = read_versions(database_url)[version_id]
    assert first.message == "Optimising the schedule"  # progress seen from another session
    wait_for(
        "a heartbeat while solving",
        lambda: read_versions(database_url)[version_id].heartbeat_at > first.heartbeat_at,
        running,
    )

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        assert jobs.fail_stale_generations(db.session, utcnow()) == 0  # alive: left alone
        worker.send_signal(signal.SIGKILL)  # type: ignore[attr-defined]
        worker.wait(timeout=PATIENCE)  # type: ignore[attr-defined]
        last = read_versions(database_url)[version_id]
        assert last.status == "generating"
        stale = app.config["SCHEDULE_STALE_SECONDS"]
        later = last.heartbeat_at + timedelta(seconds=stale + 1)
        assert jobs.fail_stale_generations(db.session, later) == 1
        db.session.remove()
        db.engine.dispose()
    version = read_versions(database_url)[version_id]
    assert version.status == "failed"
    assert "stopped" in version.message


def test_a_stopped_worker_gives_its_generation_back_to_the_queue(
    database_url: str, processes: Callable[[str], Processes]
) -> None:
    running = processes(database_url)
    version_id, worker = _hanging_job(database_url, running)
    worker.send_signal(signal.SIGTERM)  # type: ignore[attr-defined]
    assert worker.wait(timeout=PATIENCE) == 0, running.logs()  # type: ignore[attr-defined]
    version = read_versions(database_url)[version_id]
    assert (version.status, version.claimed_by) == ("queued", None)

    burst = running.start("burst", [*CLI, "worker", "--burst"])
    assert burst.wait(timeout=PATIENCE) == 0, running.logs()
    assert read_versions(database_url)[version_id].status == "draft", running.logs()
