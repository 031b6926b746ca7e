"""floor_day: floor staff per event, company check-ins per day, signed QR codes, offline sync bookkeeping

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa



revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# 0016 added the interpreter role; this one adds floor staff.
OLD_ROLES = "role IN ('company', 'organiser', 'reporter', 'admin', 'interpreter')"
NEW_ROLES = "role IN ('company', 'organiser', 'reporter', 'admin', 'interpreter', 'floor_staff')"


def upgrade():
    op.create_table('event_floor_staff',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_floor_staff_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_floor_staff_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_event_floor_staff'))
    )
    with op.batch_alter_table('event_floor_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_floor_staff_user_id'), ['user_id'], unique=False)

    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_out_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('checked_out_at IS NULL OR checked_out_at >= checked_in_at', name=op.f('ck_check_ins_out_after_in')),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['users.id'], name=op.f('fk_check_ins_checked_in_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['checked_out_by_id'], ['users.id'], name=op.f('fk_check_ins_checked_out_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participation_id'], ['participations.id'], name=op.f('fk_check_ins_participation_id_participations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('participation_id', 'day', name=op.f('uq_check_ins_participation_id_day'))
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_participation_id'), ['participation_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_known'), NEW_ROLES)


def downgrade():
    # The old role check knows no floor staff: their accounts go (they exist only to check
    # companies in at the events they were assigned, whose assignments go too).
    op.execute("DELETE FROM users WHERE role = 'floor_staff'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_known'), OLD_ROLES)

    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_ins_participation_id'))
    op.drop_table('check_ins')

    with op.batch_alter_table('event_floor_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_floor_staff_user_id'))
    op.drop_table('event_floor_staff')
