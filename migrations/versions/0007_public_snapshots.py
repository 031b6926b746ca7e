"""public figures published only when enough companies changed

Snapshots are kept (several per event, the latest is public) with the deal versions each
covered; published groups record their distinct buyers and suppliers (at least three each).
Existing snapshots are deleted: they were folded by the old rule (companies of both sides
counted together) and may show one buyer's deals; the refresh job publishes anew.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("DELETE FROM tally_snapshot_groups"))
    op.execute(sa.text("DELETE FROM tally_snapshots"))
    with op.batch_alter_table('tally_snapshots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_tally_snapshots_event_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_tally_snapshots_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('tally_snapshot_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyers', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('suppliers', sa.Integer(), nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_tally_snapshot_groups_enough_parties'),
            'buyers >= 3 AND suppliers >= 3',
        )

    op.create_table('tally_snapshot_deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('buyer_company_id', sa.Integer(), nullable=False),
    sa.Column('supplier_company_id', sa.Integer(), nullable=False),
    sa.Column('zone', sa.String(length=120), nullable=False),
    sa.Column('country', sa.String(length=120), nullable=False),
    sa.Column('sector', sa.String(length=120), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.CheckConstraint("stage IN ('tentative', 'preliminary', 'signed')", name=op.f('ck_tally_snapshot_deals_stage_is_deal')),
    sa.ForeignKeyConstraint(['snapshot_id'], ['tally_snapshots.id'], name=op.f('fk_tally_snapshot_deals_snapshot_id_tally_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_snapshot_deals')),
    sa.UniqueConstraint('snapshot_id', 'meeting_id', name=op.f('uq_tally_snapshot_deals_snapshot_id_meeting_id'))
    )
    with op.batch_alter_table('tally_snapshot_deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tally_snapshot_deals_snapshot_id'), ['snapshot_id'], unique=False)


def downgrade():
    with op.batch_alter_table('tally_snapshot_deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tally_snapshot_deals_snapshot_id'))

    op.drop_table('tally_snapshot_deals')
    # One snapshot per event again: keep each event's latest.
    latest = "SELECT max(id) FROM tally_snapshots GROUP BY event_id"
    op.execute(sa.text(f"DELETE FROM tally_snapshot_groups WHERE snapshot_id NOT IN ({latest})"))
    op.execute(sa.text(f"DELETE FROM tally_snapshots WHERE id NOT IN ({latest})"))
    with op.batch_alter_table('tally_snapshot_groups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_tally_snapshot_groups_enough_parties'), type_='check')
        batch_op.drop_column('suppliers')
        batch_op.drop_column('buyers')

    # SQLite rebuilds tally_snapshots below; dropping the old table cascades to the groups
    # (foreign keys are on and cannot be turned off inside the migration's transaction).
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute(sa.text("CREATE TABLE _keep_groups AS SELECT * FROM tally_snapshot_groups"))
    with op.batch_alter_table('tally_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tally_snapshots_event_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_tally_snapshots_event_id'), ['event_id'])
    if sqlite:
        op.execute(sa.text("DELETE FROM tally_snapshot_groups"))
        op.execute(sa.text("INSERT INTO tally_snapshot_groups SELECT * FROM _keep_groups"))
        op.execute(sa.text("DROP TABLE _keep_groups"))
