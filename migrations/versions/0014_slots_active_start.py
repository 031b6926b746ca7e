"""slots: one active slot per start time (a retired slot may share its start)

Changing the slot length retires the old slots and adds new ones, some starting at the same
time (09:00-09:20 retired, 09:00-09:30 new): the old unique constraint refused that.

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('slots') as batch_op:
        batch_op.drop_constraint('uq_slots_event_id_starts_at', type_='unique')
    op.create_index(
        'uq_slots_active_start',
        'slots',
        ['event_id', 'starts_at'],
        unique=True,
        sqlite_where=sa.text('retired = 0'),
        postgresql_where=sa.text('NOT retired'),
    )


def downgrade():
    op.drop_index('uq_slots_active_start', table_name='slots')
    with op.batch_alter_table('slots') as batch_op:
        batch_op.create_unique_constraint('uq_slots_event_id_starts_at', ['event_id', 'starts_at'])
