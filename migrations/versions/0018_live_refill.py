"""live_refill: standby list and refill proposals for freed table-slots on the day

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

ACCEPTED = "status = 'accepted'"


def upgrade():
    op.create_table('refill_standby',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participation_id'], ['participations.id'], name=op.f('fk_refill_standby_participation_id_participations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refill_standby')),
    sa.UniqueConstraint('participation_id', 'day', name=op.f('uq_refill_standby_participation_id_day'))
    )
    with op.batch_alter_table('refill_standby', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refill_standby_participation_id'), ['participation_id'], unique=False)

    op.create_table('refill_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('table_number', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('requested', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('freed_meeting_id', sa.Integer(), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'accepted', 'superseded')", name=op.f('ck_refill_offers_status_known')),
    sa.CheckConstraint('buyer_id <> supplier_id', name=op.f('ck_refill_offers_two_companies')),
    sa.CheckConstraint('table_number > 0', name=op.f('ck_refill_offers_table_positive')),
    sa.CheckConstraint('rank > 0', name=op.f('ck_refill_offers_rank_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_refill_offers_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['schedule_versions.id'], name=op.f('fk_refill_offers_version_id_schedule_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['slots.id'], name=op.f('fk_refill_offers_slot_id_slots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_refill_offers_zone_id_zones'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['buyer_id'], ['participations.id'], name=op.f('fk_refill_offers_buyer_id_participations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_id'], ['participations.id'], name=op.f('fk_refill_offers_supplier_id_participations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['freed_meeting_id'], ['meetings.id'], name=op.f('fk_refill_offers_freed_meeting_id_meetings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_refill_offers_meeting_id_meetings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_refill_offers_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refill_offers'))
    )
    with op.batch_alter_table('refill_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refill_offers_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refill_offers_supplier_id'), ['supplier_id'], unique=False)
        batch_op.create_index('ix_refill_offers_event_status', ['event_id', 'status'], unique=False)
        batch_op.create_index('ix_refill_offers_version_slot', ['version_id', 'slot_id'], unique=False)
        batch_op.create_index(
            'uq_refill_offers_one_accepted',
            ['version_id', 'slot_id', 'zone_id', 'table_number'],
            unique=True,
            sqlite_where=sa.text(ACCEPTED),
            postgresql_where=sa.text(ACCEPTED),
        )


def downgrade():
    with op.batch_alter_table('refill_offers', schema=None) as batch_op:
        batch_op.drop_index('uq_refill_offers_one_accepted')
        batch_op.drop_index('ix_refill_offers_version_slot')
        batch_op.drop_index('ix_refill_offers_event_status')
        batch_op.drop_index(batch_op.f('ix_refill_offers_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_refill_offers_buyer_id'))
    op.drop_table('refill_offers')
    with op.batch_alter_table('refill_standby', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refill_standby_participation_id'))
    op.drop_table('refill_standby')
