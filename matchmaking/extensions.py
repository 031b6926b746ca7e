"""Flask extensions as bare objects; ``create_app`` calls their ``init_app``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints stably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _client_address() -> str:
    """The rate-limit key: the peer's address, or the one TRUSTED_PROXIES vouch for.

    ProxyFix (matchmaking/security.py) has already rewritten ``remote_addr`` when proxies
    are trusted; no header is read here, so a client cannot choose its own key.
    """
    return request.remote_addr or "unknown"


if TYPE_CHECKING:

    class ScopedSession(scoped_session[Session], Session):  # type: ignore[misc]
        """For the type checker: a scoped session forwards every ``Session`` method."""


class Database(SQLAlchemy):
    """Flask-SQLAlchemy whose ``session`` type-checks where the services take a ``Session``."""

    if TYPE_CHECKING:
        session: ScopedSession  # type: ignore[assignment]


db = Database(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=_client_address)
