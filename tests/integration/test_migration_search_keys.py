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
        # The keys are what the application computes now (0020's passport spelling too).
        assert user == "айгерим садыкова aygerim sadykova aigerim sadykova a step agro kz"
        downgrade(revision="0009")
        assert "search_key" not in {c["name"] for c in inspect(db.engine).get_columns("users")}
        downgrade(revision="base")
        db.engine.dispose()


LATIN = """
INSERT INTO companies (id, legal_name, country, city, website, description, size, languages,
                       created_at, search_key, description_key)
VALUES (1, 'ТОО «Степь Агро»', 'KZ', 'Алматы', '', '', 'small', '[]',
        '2025-01-01 00:00:00', 'kept', '')
"""
CHINESE = """
INSERT INTO companies (id, legal_name, country, city, website, description, size, languages,
                       created_at, search_key, description_key)
VALUES (2, '重庆长安汽车', 'CN', '重庆', '', '汽车零部件', 'large', '[]',
        '2025-01-01 00:00:00', 'old', 'old')
"""


def _keys_after(url: str, revision: str, rows: tuple[str, ...], row_id: int) -> tuple[dict, str]:
    """Upgrade an empty database to the revision before ``revision``, insert ``rows``, upgrade
    to ``revision``: every company's search key by id, and company ``row_id``'s description
    key."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(revision=f"{int(revision) - 1:04d}")
        with db.engine.begin() as conn:
            for row in rows:
                conn.execute(text(row))
        upgrade(revision=revision)
        with db.engine.begin() as conn:
            keys = dict(conn.execute(text("SELECT id, search_key FROM companies")).all())
            description = conn.execute(
                text("SELECT description_key FROM companies WHERE id = :id"), {"id": row_id}
            ).scalar_one()
        downgrade(revision="base")
        db.engine.dispose()
    return keys, description


def test_chinese_keys_get_pinyin_read_by_phrase(empty_db: str) -> None:  # noqa: F811
    """Revision 0019: keys of rows holding Chinese are recomputed (重庆: chongqing too); the
    others are left as they are."""
    keys, description = _keys_after(empty_db, "0019", (LATIN, CHINESE), 2)
    assert keys[1] == "kept"
    assert "重庆长安汽车" in keys[2] and "chongqingchanganqiche" in keys[2]
    assert "zhongqing" in keys[2]  # anyascii's reading is kept beside it
    # What the application computes now (0021's pinyin from each syllable on too).
    assert description.startswith("汽车零部件 qichelingbujian ")


RUSSIAN = """
INSERT INTO companies (id, legal_name, country, city, website, description, size, languages,
                       created_at, search_key, description_key)
VALUES (3, 'ООО «Байкал»', 'RU', 'Иркутск', '', '', 'small', '[]',
        '2025-01-01 00:00:00', 'old', 'old')
"""


def test_russian_keys_get_the_passport_spelling(empty_db: str) -> None:  # noqa: F811
    """Revision 0020: keys of rows holding й, ю, я or ё are recomputed (Байкал: baikal too);
    the others are left as they are."""
    keys, description = _keys_after(empty_db, "0020", (LATIN, RUSSIAN), 3)
    assert keys[1] == "kept"  # Степь Агро, Алматы: no letter spelt otherwise
    assert keys[3] == "ооо байкал ooo baykal ooo baikal иркутск irkutsk"
    assert description == "old"  # an empty description: nothing to spell


def test_chinese_keys_get_pinyin_from_each_syllable(empty_db: str) -> None:  # noqa: F811
    """Revision 0021: words match at their start, so keys of rows holding Chinese get the
    pinyin from each syllable on ("changan" begins a word of 重庆长安汽车's key); the others are
    left as they are."""
    from matchmaking.search_keys import search_key

    keys, description = _keys_after(empty_db, "0021", (LATIN, CHINESE), 2)
    assert keys[1] == "kept"
    assert " changanqiche " in f" {keys[2]} " and " qiche " in f" {keys[2]} "
    assert description == search_key("汽车零部件")
    assert " lingbujian " in f" {description} "
