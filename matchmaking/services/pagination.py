"""Lists a page at a time: LIMIT/OFFSET and one COUNT in SQL, so a page costs the same
whatever the size of the event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, the page number (from 1) and how many rows match."""

    rows: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def count_rows(session: Session, stmt: Select[Any]) -> int:
    """How many rows ``stmt`` yields (its ordering dropped)."""
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def page_of(session: Session, stmt: Select[Any], number: int, per_page: int) -> Page:
    """Page ``number`` of ``stmt``: LIMIT/OFFSET in SQL, and one COUNT."""
    total = count_rows(session, stmt)
    last = max(1, -(-total // per_page))
    number = min(max(1, number), last)
    rows = list(session.scalars(stmt.limit(per_page).offset((number - 1) * per_page)))
    return Page(rows=rows, number=number, per_page=per_page, total=total)
