"""search keys: casefolded, transliterated text that registration search and duplicate detection use

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

# The application's own functions, not a copy: the stored keys must be exactly what the models
# compute and the search compares against. A later change to them comes with its own migration
# recomputing the keys, so running this one with the newer functions is harmless.
from matchmaking.search_keys import company_search_key, contact_search_key


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _backfill(table_name, columns, key):
    table = sa.table(table_name, sa.column('id'), sa.column('search_key'), *map(sa.column, columns))
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, *(table.c[c] for c in columns))).all()
    if rows:
        bind.execute(
            table.update().where(table.c.id == sa.bindparam('row_id')),
            [{'row_id': row[0], 'search_key': key(*row[1:])} for row in rows],
        )


def upgrade():
    for table_name in ('companies', 'users'):
        with op.batch_alter_table(table_name) as batch_op:
            batch_op.add_column(
                sa.Column('search_key', sa.Text(), server_default='', nullable=False)
            )
    _backfill('companies', ('legal_name', 'city', 'website'), company_search_key)
    _backfill('users', ('full_name', 'email'), contact_search_key)


def downgrade():
    for table_name in ('users', 'companies'):
        with op.batch_alter_table(table_name) as batch_op:
            batch_op.drop_column('search_key')
