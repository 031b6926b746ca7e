"""mail marked sent exactly when the SMTP server accepted it

A claim stamps the wall-clock time it was taken (``claimed_at``), so the sweep that gives
up dead sends only touches sends no process can still be at.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sent_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
    # Sends in flight during the upgrade: their last change is the best guess of the claim.
    op.execute("UPDATE sent_messages SET claimed_at = updated_at WHERE status = 'sending'")


def downgrade():
    with op.batch_alter_table('sent_messages', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
