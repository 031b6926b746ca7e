"""participations.meetings_version: the lock that makes edits of a company's meetings take turns

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participations') as batch_op:
        batch_op.add_column(
            sa.Column('meetings_version', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('participations') as batch_op:
        batch_op.drop_column('meetings_version')
