"""Revision 0010: search keys added and computed for existing rows, on SQLite and PostgreSQL."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from matchmaking import create_app
from matchmaking.extensions import db
from tests.integration.test_migrations import empty_db  # noqa: F401  (the fixture)

COMPANY = """
INSERT INTO companies (id, legal_name, country, city, website, description, size, languages,
                       created_at)
VALUES (1, 'ТОО «Степь Агро»', 'KZ', 'Алматы', 'https://step-agro.kz', '', 'small', '[]',
        '2025-01-01 00:00:00')
"""
USER = """
INSERT INTO users (id, email, password_hash, full_name, position, phone, role, company_id,
                   locale, active, created_at)
VALUES (1, 'a@step-agro.kz', 'x', 'Айгерим Садыкова', '', '', 'company', 1, 'ru', :true,
        '2025-01-01 00:00:00')
"""


def test_existing_companies_and_contacts_get_their_keys(empty_db: str) -> None:  # noqa: F811
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_db)
    with app.app_context():
        upgrade(revision="0009")
        with db.engine.begin() as conn:
            conn.execute(text(COMPANY))
            conn.execute(text(USER), {"true": True})
        upgrade(revision="0010")
        with db.engine.begin() as conn:
            company = conn.execute(text("SELECT search_key FROM companies")).scalar_one()
            user = conn.execute(text("SELECT search_key FROM users")).scalar_one()
        assert company == "тоо степь агро too step agro алматы almaty step agro kz"
        assert user == "айгерим садыкова aygerim sadykova a step agro kz"
        downgrade(revision="0009")
        assert "search_key" not in {c["name"] for c in inspect(db.engine).get_columns("users")}
        downgrade(revision="base")
        db.engine.dispose()
