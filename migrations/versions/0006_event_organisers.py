"""admin role; organisers assigned to events

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('company', 'organiser', 'reporter')"
NEW_ROLES = "role IN ('company', 'organiser', 'reporter', 'admin')"


def upgrade():
    op.create_table('event_organisers',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_organisers_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_organisers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_event_organisers'))
    )
    with op.batch_alter_table('event_organisers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_organisers_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_known'), NEW_ROLES)

    # Until now every organiser managed every event: they keep the events that exist, so an
    # upgrade locks nobody out; an administrator then narrows the assignments.
    op.execute(
        "INSERT INTO event_organisers (event_id, user_id) "
        "SELECT events.id, users.id FROM events CROSS JOIN users WHERE users.role = 'organiser'"
    )


def downgrade():
    # Without scoping, organisers manage every event again; administrators become organisers
    # (the old role check knows no administrator) rather than losing their account.
    op.execute("UPDATE users SET role = 'organiser' WHERE role = 'admin'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_known'), OLD_ROLES)

    with op.batch_alter_table('event_organisers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_organisers_user_id'))

    op.drop_table('event_organisers')
