"""Read-only requests end their transaction with COMMIT, not ROLLBACK.

psycopg forgets a connection's prepared statements on every ROLLBACK (a rolled-back DDL
could leave them naming objects that no longer exist). Flask-SQLAlchemy ends each request by
closing the session, which rolls back; so no statement of a page stayed prepared, and
PostgreSQL planned every query of every view again. On the company agenda that was a
millisecond of planning for its one large statement, more than it takes to run.

A GET or HEAD request whose transaction wrote nothing (nothing flushed or pending, no ORM
statement but SELECT) is committed instead, which changes nothing in the database; psycopg
then keeps what it prepared (a statement run 5 times on a connection), and PostgreSQL its
plans. Any sign of a write, or a server error, leaves the usual rollback in place.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

WROTE = "matchmaking.wrote"  # key in Session.info: this transaction may have written


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context: Any) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def read_only(session: Session) -> bool:
    """Whether ``session``'s transaction has read and certainly written nothing."""
    return (
        session.in_transaction()
        and not session.info.get(WROTE)
        and not (session.new or session.dirty or session.deleted)
    )


def register_read_only_commit(app: Flask) -> None:
    """Commit read-only GET and HEAD requests (see the module). Registered before the other
    ``after_request`` functions, so it runs after them: none reads the database again."""
    from matchmaking.extensions import db

    @app.after_request
    def commit_read_only(response: Response) -> Response:
        if request.method in ("GET", "HEAD") and response.status_code < 500:
            session = db.session()
            if read_only(session):
                session.commit()
        return response
