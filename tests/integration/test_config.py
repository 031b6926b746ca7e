"""Production refuses unsafe settings; development keeps its SQLite file in the instance folder."""

from __future__ import annotations

import pytest

from matchmaking import create_app


def test_production_refuses_the_default_secret(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://")


def test_production_needs_a_database_url():
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production", SQLALCHEMY_DATABASE_URI=None, SECRET_KEY="s" * 32)


def test_production_starts_with_real_settings():
    app = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SECRET_KEY="s" * 32,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.debug


def test_development_uses_sqlite_in_instance_folder(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=None)
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/matchmaking.sqlite")
