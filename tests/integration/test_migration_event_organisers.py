"""Revision 0006: the admin role and event_organisers, on SQLite and PostgreSQL, with data."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from matchmaking import create_app
from matchmaking.extensions import db
from tests.integration.test_migrations import empty_db  # noqa: F401  (the fixture)

USERS = """
INSERT INTO users (id, email, password_hash, full_name, position, phone, role, locale, active,
                   created_at)
VALUES (:id, :email, 'x', 'Someone', '', '', :role, 'en', :active, '2025-01-01 00:00:00')
"""
EVENT = """
INSERT INTO events (id, slug, name, venue, city, timezone, start_date, end_date,
                    registration_deadline, status, description, default_max_meetings,
                    is_demo, created_at)
VALUES (:id, :slug, 'Forum', 'Hall', 'Chongqing', 'Asia/Shanghai', '2025-06-01', '2025-06-02',
        '2025-05-20 00:00:00', 'open', '', 12, :false, '2025-01-01 00:00:00')
"""


def _role_check(bind: object) -> str:
    (check,) = [
        c
        for c in inspect(bind).get_check_constraints("users")  # type: ignore[arg-type]
        if c["name"] == "ck_users_role_known"
    ]
    return str(check["sqltext"])


def test_existing_organisers_keep_their_events_and_admins_fit(empty_db: str) -> None:  # noqa: F811
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_db)
    with app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as conn:
            for i, slug in ((1, "spring"), (2, "autumn")):
                conn.execute(text(EVENT), {"id": i, "slug": slug, "false": False})
            conn.execute(
                text(USERS), {"id": 1, "email": "o@x.org", "role": "organiser", "active": True}
            )
            conn.execute(
                text(USERS), {"id": 2, "email": "r@x.org", "role": "reporter", "active": True}
            )

        upgrade(revision="0006")
        assert "admin" in _role_check(db.engine)
        with db.engine.begin() as conn:
            pairs = conn.execute(
                text("SELECT event_id, user_id FROM event_organisers ORDER BY event_id")
            ).all()
            assert [tuple(p) for p in pairs] == [(1, 1), (2, 1)]  # the organiser, not the reporter
            conn.execute(
                text(USERS), {"id": 3, "email": "a@x.org", "role": "admin", "active": True}
            )
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text("INSERT INTO event_organisers VALUES (1, 1)"))
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text(USERS), {"id": 4, "email": "z@x.org", "role": "root", "active": True})

        downgrade(revision="0005")
        assert "event_organisers" not in inspect(db.engine).get_table_names()
        assert "admin" not in _role_check(db.engine)
        with db.engine.begin() as conn:
            roles = conn.execute(text("SELECT id, role FROM users ORDER BY id")).all()
        assert [tuple(r) for r in roles] == [(1, "organiser"), (2, "reporter"), (3, "organiser")]
        downgrade(revision="base")
        db.engine.dispose()
