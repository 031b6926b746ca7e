"""Read-only GET requests end with COMMIT so the database driver keeps its prepared
statements (``matchmaking.read_requests``); any request that wrote still rolls back, so a
page that failed half-way never leaves half a record behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text, update

from matchmaking import create_app
from matchmaking.extensions import db
from matchmaking.models import Event
from tests.conftest import TEST_DB_URL, make_event


def _probe_app(url: str) -> Flask:
    """An app with three test-only pages: one reads, one adds an event without committing,
    one renames every event with an UPDATE statement without committing."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)

    @app.get("/probe/read")
    def read() -> str:
        return str(db.session.scalar(select(func.count(Event.id))))

    @app.get("/probe/add")
    def add() -> str:
        make_event(db.session, slug="half-written")  # flushed, never committed
        return "added"

    @app.get("/probe/rename")
    def rename() -> str:
        db.session.execute(update(Event).values(name="renamed"))
        return "renamed"

    @app.post("/probe/read")
    def read_by_post() -> str:
        return str(db.session.scalar(select(func.count(Event.id))))

    return app


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[tuple[Flask, list[str]]]:
    app = _probe_app(f"sqlite:///{tmp_path / 'probe.sqlite'}")
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        db.create_all()
        make_event(db.session, slug="kept", name="Kept forum")
        db.session.commit()
        ends: list[str] = []
        event.listen(db.engine, "commit", lambda conn: ends.append("commit"))
        event.listen(db.engine, "rollback", lambda conn: ends.append("rollback"))
    yield app, ends
    with app.app_context():
        db.engine.dispose()


def _names(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(select(Event.slug, Event.name)).all()]


def test_a_page_that_only_read_ends_with_commit(probe: tuple[Flask, list[str]]) -> None:
    app, ends = probe
    response = app.test_client().get("/probe/read")
    assert response.get_data(as_text=True) == "1"
    assert ends[:1] == ["commit"]


def test_a_page_that_added_a_record_rolls_it_back(probe: tuple[Flask, list[str]]) -> None:
    app, ends = probe
    assert app.test_client().get("/probe/add").status_code == 200
    assert "commit" not in ends
    assert _names(app) == [("kept", "Kept forum")]


def test_a_page_that_ran_an_update_rolls_it_back(probe: tuple[Flask, list[str]]) -> None:
    app, ends = probe
    assert app.test_client().get("/probe/rename").status_code == 200
    assert "commit" not in ends
    assert _names(app) == [("kept", "Kept forum")]


def test_a_form_post_that_only_read_is_not_committed(probe: tuple[Flask, list[str]]) -> None:
    app, ends = probe
    assert app.test_client().post("/probe/read").get_data(as_text=True) == "1"
    assert "commit" not in ends


@pytest.mark.skipif(
    not (TEST_DB_URL or "").startswith("postgresql"), reason="prepared statements: PostgreSQL"
)
def test_postgresql_keeps_the_statements_of_read_only_pages_prepared(app: Flask) -> None:
    """The tables exist (the session's app made them); this app only reads and writes
    nothing that lasts."""
    probe = _probe_app(TEST_DB_URL or "")
    client = probe.test_client()

    def prepared() -> int:
        with probe.app_context():
            count = db.session.scalar(text("select count(*) from pg_prepared_statements"))
            db.session.commit()  # not a rollback, which would make psycopg forget them
            return int(count)

    try:
        for _ in range(6):  # psycopg prepares a statement on its 5th run on a connection
            assert client.get("/probe/read").status_code == 200
        assert prepared() >= 1
        assert client.get("/probe/add").status_code == 200  # rolled back: psycopg forgets
        assert prepared() == 0
    finally:
        with probe.app_context():
            db.engine.dispose()
