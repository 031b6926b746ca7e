"""Business matchmaking for trade conferences."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | type | None = None, **overrides: Any) -> Flask:
    """Build the WSGI application; ``config`` names a class in ``config.CONFIGS``."""
    from config import CONFIGS, DEV_SECRET, engine_options_for

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    name = config or os.environ.get("MATCHMAKING_CONFIG", "development")
    app.config.from_object(CONFIGS[name] if isinstance(name, str) else name)
    app.config.update(overrides)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        if app.config.get("ENV_NAME") == "production" or name == "production":
            raise RuntimeError("DATABASE_URL must be set in production")
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'matchmaking.sqlite'}"
        )
    if name == "production" and app.config["SECRET_KEY"] in (None, "", DEV_SECRET):
        raise RuntimeError("SECRET_KEY must be set in production (refusing the default)")
    if name == "production" and _unshared_store(app.config.get("RATELIMIT_STORAGE_URI")):
        raise RuntimeError(
            "RATELIMIT_STORAGE_URI must be set in production to a store shared by all workers"
            " (e.g. redis://127.0.0.1:6379/0), not memory://"
        )
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    for key, value in engine_options_for(app.config["SQLALCHEMY_DATABASE_URI"]).items():
        app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault(key, value)
    if not app.config.get("MAIL_OUTBOX_DIR"):
        app.config["MAIL_OUTBOX_DIR"] = str(Path(app.instance_path) / "outbox")

    from matchmaking.read_requests import register_read_only_commit
    from matchmaking.security import register_security_headers, trust_proxies

    register_read_only_commit(app)  # first: its after_request runs after all the others
    trust_proxies(app)
    from matchmaking.blueprints.input_guard import register_input_guards

    # URL converters before the blueprints add their routes; its checks before the CSRF one.
    register_input_guards(app)
    _init_extensions(app)
    _register_blueprints(app)

    from matchmaking.blueprints.deals.display import register_deal_helpers
    from matchmaking.errors import register_error_handlers
    from matchmaking.i18n import register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)
    register_deal_helpers(app)  # the press pages use them too
    _register_state_enums(app)
    register_security_headers(app)
    return app


def _register_state_enums(app: Flask) -> None:
    """Statuses and roles in templates: ``p.status == ParticipationStatus.APPROVED``."""
    from matchmaking.models import STATE_ENUMS

    app.jinja_env.globals.update({enum.__name__: enum for enum in STATE_ENUMS})


def _unshared_store(uri: object) -> bool:
    """True when rate limits would be counted per worker process (no URI, or in memory)."""
    return not uri or str(uri).startswith("memory:")


def _init_extensions(app: Flask) -> None:
    from matchmaking import models  # noqa: F401 - register the tables with the metadata
    from matchmaking.extensions import babel, csrf, db, limiter, login_manager, migrate
    from matchmaking.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to see this page.")

    @login_manager.user_loader
    def load_user(user_id: str) -> Any:
        from matchmaking.models import User

        # "<id>:<session version>": a version bumped by logout or a password change ends
        # every session and remember cookie issued before it.
        raw_id, _, version = user_id.partition(":")
        if not (raw_id.isdecimal() and version.isdecimal()):
            return None
        user = db.session.get(User, int(raw_id))
        if user is None or user.session_version != int(version):
            return None
        return user


def _register_blueprints(app: Flask) -> None:
    from matchmaking.blueprints.agenda import bp as agenda_bp
    from matchmaking.blueprints.api import bp as api_bp
    from matchmaking.blueprints.auth import bp as auth_bp
    from matchmaking.blueprints.company import bp as company_bp
    from matchmaking.blueprints.deals import bp as deals_bp
    from matchmaking.blueprints.directory import bp as directory_bp
    from matchmaking.blueprints.floor import bp as floor_bp
    from matchmaking.blueprints.interpreters import bp as interpreters_bp
    from matchmaking.blueprints.main import bp as main_bp
    from matchmaking.blueprints.organiser import bp as organiser_bp
    from matchmaking.blueprints.press import bp as press_bp
    from matchmaking.blueprints.refill import bp as refill_bp
    from matchmaking.blueprints.registration import bp as registration_bp
    from matchmaking.blueprints.schedule import bp as schedule_bp

    for bp in (
        main_bp,
        auth_bp,
        registration_bp,
        company_bp,
        organiser_bp,
        schedule_bp,
        agenda_bp,
        directory_bp,
        deals_bp,
        press_bp,
        floor_bp,
        refill_bp,
        interpreters_bp,
        api_bp,
    ):
        app.register_blueprint(bp)
    from matchmaking.extensions import csrf

    csrf.exempt(api_bp)  # token-authenticated JSON API: no cookies, no CSRF


@sa_event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite: foreign keys on, WAL (readers never block the writer), SQLAlchemy owns BEGIN."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@sa_event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    """SQLite: BEGIN IMMEDIATE for transactions that will write, else a deferred BEGIN.

    A deferred transaction that has read cannot take the write lock once another process
    (the scheduler, another worker) has committed: SQLITE_BUSY at once, busy_timeout or not.
    Write transactions (``services.transactions.write_transaction``) and requests that may
    write (any method but GET, HEAD, OPTIONS) take the lock up front, waiting for it.
    """
    if conn.dialect.name == "sqlite":
        from flask import has_request_context, request

        from matchmaking.services.transactions import IMMEDIATE

        immediate = conn.get_execution_options().get(IMMEDIATE) or (
            has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        )
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
