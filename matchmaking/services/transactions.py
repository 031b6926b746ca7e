"""Short write transactions that wait for SQLite's write lock instead of failing.

SQLite (WAL) lets one connection write at a time. A deferred transaction that has read
cannot take the write lock once another connection has committed: it fails at once with
"database is locked", whatever ``busy_timeout`` says. A transaction that will write
therefore asks for the lock when it begins (BEGIN IMMEDIATE, emitted by the engine's
"begin" listener in ``matchmaking/__init__.py`` when the connection carries the
``IMMEDIATE`` execution option) and waits up to ``busy_timeout`` for it. On PostgreSQL it
is an ordinary transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

IMMEDIATE = "matchmaking_begin_immediate"


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """A new transaction around the block, committed at its end and rolled back on error.

    The session's current transaction is committed first (it should hold no pending
    changes: they would be written by a transaction that did not ask for the lock). Keep
    the block short: on SQLite every other writer waits for it.
    """
    session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={IMMEDIATE: True})
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


def insert_unless_present(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``table`` that inserts nothing where a row with the same key exists
    (``ON CONFLICT DO NOTHING``, in the session's database's dialect)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing()
