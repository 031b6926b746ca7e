"""Configuration classes; secrets and URLs come from the environment."""

from __future__ import annotations

import os

DEV_SECRET = "dev-only-not-secret"


def engine_options_for(url: str) -> dict[str, object]:
    """SQLAlchemy engine options suited to the database behind ``url``."""
    # hide_parameters: a database error's message never quotes the values (user input).
    if url.startswith("postgresql"):
        return {"pool_pre_ping": True, "hide_parameters": True}
    return {"hide_parameters": True}


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    WTF_CSRF_TIME_LIMIT = None  # tokens are bound to the session; forms stay open all day at a desk
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "zh", "ru")
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI: str | None = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # How many proxies (load balancers) in front of the app append to X-Forwarded-For: the
    # client address is the one the outermost of them saw. 0: no forwarded header is trusted.
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "0")
    # Sent on every response (matchmaking/security.py); HSTS only where set (production).
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    STRICT_TRANSPORT_SECURITY: str | None = None
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per minute;100 per hour")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # E-mail: SMTP when MAIL_SERVER is set, otherwise .eml files in MAIL_OUTBOX_DIR.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes"}
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in {"1", "true", "yes"}
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "matchmaking@localhost")
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR")  # default: <instance>/outbox
    EMAIL_TOKEN_MAX_AGE = 3 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 2 * 3600
    SERVER_NAME = os.environ.get("SERVER_NAME")
    # Schedule generation: a job run by `matchmaking worker` processes (in the request in tests).
    SCHEDULE_SYNC = False
    # A generation whose worker wrote no heartbeat (every 2 s) for this long is failed.
    SCHEDULE_STALE_SECONDS = 120
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")


class DevelopmentConfig(Config):
    """Local development: an embedded SQLite file in the instance folder."""

    DEBUG = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: factory uses instance/


class TestingConfig(Config):
    """Tests: SQLite by default, PostgreSQL when MATCHMAKING_TEST_DATABASE_URL is set."""

    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("MATCHMAKING_TEST_DATABASE_URL", "sqlite:///:memory:")
    RATELIMIT_STORAGE_URI = "memory://"
    WTF_CSRF_ENABLED = True
    SCHEDULE_SYNC = True
    MAIL_SERVER = None


class ProductionConfig(Config):
    """Production: DATABASE_URL and SECRET_KEY must come from the environment."""

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # A store shared by all workers (e.g. redis://host:6379/0); the factory refuses none.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI")
    STRICT_TRANSPORT_SECURITY = os.environ.get(
        "STRICT_TRANSPORT_SECURITY", "max-age=31536000; includeSubDomains"
    )
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") != "0"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
