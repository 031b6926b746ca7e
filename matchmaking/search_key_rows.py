"""The stored search keys (``search_keys``) recomputed in place, for the migrations that change
how keys are spelt (0019, 0020): the keys must be exactly what the models compute and the
search compares against, so the migrations use the application's own functions."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from matchmaking.search_keys import company_search_key, contact_search_key, search_key

# (table, key column, source columns, function): every stored key, as the models set them.
KEYS: tuple[tuple[str, str, tuple[str, ...], Callable[..., str]], ...] = (
    ("companies", "search_key", ("legal_name", "city", "website"), company_search_key),
    ("companies", "description_key", ("description",), search_key),
    ("offerings", "search_key", ("description",), search_key),
    ("users", "search_key", ("full_name", "email"), contact_search_key),
)


def recompute_keys(bind: Connection, affected: Callable[[str], str]) -> None:
    """Recompute every stored key of the rows with a source value for which ``affected``
    gives a non-empty spelling (the others are unchanged)."""
    for table_name, target, columns, key in KEYS:
        table = sa.table(table_name, sa.column("id"), sa.column(target), *map(sa.column, columns))
        rows = bind.execute(sa.select(table.c.id, *(table.c[c] for c in columns))).all()
        changed = [
            {"row_id": row[0], target: key(*row[1:])}
            for row in rows
            if any(value and affected(value) for value in row[1:])
        ]
        if changed:
            bind.execute(table.update().where(table.c.id == sa.bindparam("row_id")), changed)
