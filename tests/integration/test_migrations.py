"""Upgrading an empty database to head gives exactly the models' schema (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from matchmaking import create_app
from matchmaking.extensions import db


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('mig') / 'mig.sqlite'}"
        return
    base = os.environ.get("MATCHMAKING_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("PostgreSQL runs when MATCHMAKING_TEST_DATABASE_URL is set")
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_upgrade_empty_database_to_head_matches_models(empty_db: str):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_db)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"events", "companies", "participations", "users", "offerings"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_instances_move_out_of_the_versions_compressed(empty_db: str):
    """0012 moves each stored instance into schedule_instances, compressed, losing nothing."""
    import zlib

    from sqlalchemy import text as sql

    instance = {"event": {"name": "Форум 重庆"}, "slots": [f"s{i}" for i in range(500)]}
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_db)
    with app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            conn.execute(
                sql(
                    "INSERT INTO events (id, slug, name, venue, city, timezone, start_date,"
                    " end_date, registration_deadline, status, description,"
                    " default_max_meetings, slot_minutes, open_request_cap,"
                    " request_expiry_hours, reminder_evening_hour, reminder_minutes_before,"
                    " summary_hour, is_demo, created_at) VALUES (1, 'f', 'F', 'V', 'C',"
                    " 'Asia/Shanghai', '2027-01-01', '2027-01-02', '2026-12-20 00:00:00',"
                    " 'open', '', 12, 20, 20, 72, 18, 30, 20, false, '2026-12-01 00:00:00')"
                )
            )
            conn.execute(
                sql(
                    "INSERT INTO schedule_versions (id, event_id, number, status, progress,"
                    " message, instance, created_at) VALUES (1, 1, 1, 'draft', 1.0, '',"
                    " :instance, '2026-12-01 00:00:00')"
                ),
                {"instance": json.dumps(instance)},
            )
        upgrade()
        with db.engine.connect() as conn:
            data = conn.execute(sql("SELECT data FROM schedule_instances")).scalar_one()
        assert json.loads(zlib.decompress(data)) == instance
        assert len(data) < len(json.dumps(instance))
        downgrade(revision="0011")
        with db.engine.connect() as conn:
            back = conn.execute(sql("SELECT instance FROM schedule_versions")).scalar_one()
        assert (json.loads(back) if isinstance(back, str) else back) == instance
        downgrade(revision="base")
        db.engine.dispose()


def test_migrations_that_recreate_tables_keep_their_children(empty_db: str):
    """SQLite re-creates a table to drop a column or constraint; with foreign keys on, that
    used to cascade and delete every meeting. Down to 0011 and up again keeps them."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from matchmaking.models import Meeting, MeetingSeat
    from tests.conftest import make_event
    from tests.functional.helpers import make_meeting, make_participant, make_slots

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_db)
    with app.app_context():
        upgrade()
        with Session(db.engine) as session:
            event = make_event(session, "kept")
            session.add(event)
            session.flush()
            buyer = make_participant(session, event, "Степь", buys=(("nev.parts", "x"),))
            supplier = make_participant(session, event, "重庆", "CN", sells=(("nev.parts", "x"),))
            slots = make_slots(session, event, count=2)
            make_meeting(session, buyer, supplier, slots[0])
            session.commit()
        downgrade(revision="0011")
        upgrade()
        with Session(db.engine) as session:
            assert session.scalar(select(func.count(Meeting.id))) == 1
            assert session.scalar(select(func.count(MeetingSeat.id))) == 2
        downgrade(revision="base")
        db.engine.dispose()
