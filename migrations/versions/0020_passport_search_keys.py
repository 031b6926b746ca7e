"""search keys: Russian also spelled as passports spell it (Байкал: baikal, not only baykal)

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

# The application's own functions, as in 0010 and 0019: the stored keys must be exactly what
# the models compute and the search compares against.
from matchmaking.search_keys import company_search_key, contact_search_key, passport, search_key

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# (table, key column, source columns, function): every stored key, as the models set them.
KEYS = (
    ("companies", "search_key", ("legal_name", "city", "website"), company_search_key),
    ("companies", "description_key", ("description",), search_key),
    ("offerings", "search_key", ("description",), search_key),
    ("users", "search_key", ("full_name", "email"), contact_search_key),
)


def _recompute(table_name, target, columns, key):
    """Recompute ``target`` of the rows whose sources hold a Russian letter that passports
    spell otherwise (the others are unchanged)."""
    table = sa.table(table_name, sa.column("id"), sa.column(target), *map(sa.column, columns))
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, *(table.c[c] for c in columns))).all()
    changed = []
    for row in rows:
        if any(value and passport(value) for value in row[1:]):
            changed.append({"row_id": row[0], target: key(*row[1:])})
    if changed:
        bind.execute(table.update().where(table.c.id == sa.bindparam("row_id")), changed)


def upgrade():
    for table_name, target, columns, key in KEYS:
        _recompute(table_name, target, columns, key)


def downgrade():
    pass  # the keys with passport spellings still hold every spelling the older search used
