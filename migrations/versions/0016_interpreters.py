"""interpreters: interpreters, their languages, availability and zones; meetings name their interpreter

An interpreter is a scheduled resource, like a table: a partial unique index keeps it at one
active meeting per slot. Participations gain brings_interpreter (no interpreter needed from
the event's pool), users the interpreter role.

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('company', 'organiser', 'reporter', 'admin')"
NEW_ROLES = "role IN ('company', 'organiser', 'reporter', 'admin', 'interpreter')"
ONE_PER_SLOT = "status = 'scheduled' AND interpreter_id IS NOT NULL"


def upgrade():
    op.create_table('interpreters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('max_meetings', sa.Integer(), nullable=True),
    sa.Column('cost_per_slot_usd', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cost_per_slot_usd IS NULL OR cost_per_slot_usd >= 0', name=op.f('ck_interpreters_cost_sane')),
    sa.CheckConstraint('max_meetings IS NULL OR max_meetings > 0', name=op.f('ck_interpreters_max_meetings_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_interpreters_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_interpreters_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreters')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_interpreters_event_id_user_id'))
    )
    with op.batch_alter_table('interpreters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreters_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interpreters_user_id'), ['user_id'], unique=False)

    op.create_table('interpreter_availabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interpreter_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_interpreter_availabilities_ends_after_start')),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreters.id'], name=op.f('fk_interpreter_availabilities_interpreter_id_interpreters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreter_availabilities')),
    sa.UniqueConstraint('interpreter_id', 'day', name=op.f('uq_interpreter_availabilities_interpreter_id_day'))
    )
    with op.batch_alter_table('interpreter_availabilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreter_availabilities_interpreter_id'), ['interpreter_id'], unique=False)

    op.create_table('interpreter_zones',
    sa.Column('interpreter_id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreters.id'], name=op.f('fk_interpreter_zones_interpreter_id_interpreters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_interpreter_zones_zone_id_zones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('interpreter_id', 'zone_id', name=op.f('pk_interpreter_zones'))
    )
    with op.batch_alter_table('interpreter_zones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreter_zones_zone_id'), ['zone_id'], unique=False)

    # env.py turns SQLite's foreign keys off while batch mode re-creates meetings, so its
    # children (seats, changes) survive; the partial unique indexes are reflected and kept.
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interpreter_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meetings_interpreter_id_interpreters'), 'interpreters', ['interpreter_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_meetings_interpreter_id'), ['interpreter_id'], unique=False)
    op.create_index(
        'uq_meetings_interpreter_in_slot',
        'meetings',
        ['version_id', 'slot_id', 'interpreter_id'],
        unique=True,
        sqlite_where=sa.text(ONE_PER_SLOT),
        postgresql_where=sa.text(ONE_PER_SLOT),
    )

    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('brings_interpreter', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_known'), NEW_ROLES)


def downgrade():
    # The old role check knows no interpreters: their accounts go (with their event rows).
    op.execute("DELETE FROM users WHERE role = 'interpreter'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_known'), OLD_ROLES)

    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.drop_column('brings_interpreter')

    op.drop_index('uq_meetings_interpreter_in_slot', table_name='meetings')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_interpreter_id'))
        batch_op.drop_constraint(batch_op.f('fk_meetings_interpreter_id_interpreters'), type_='foreignkey')
        batch_op.drop_column('interpreter_id')

    with op.batch_alter_table('interpreter_zones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreter_zones_zone_id'))
    op.drop_table('interpreter_zones')

    with op.batch_alter_table('interpreter_availabilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreter_availabilities_interpreter_id'))
    op.drop_table('interpreter_availabilities')

    with op.batch_alter_table('interpreters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreters_user_id'))
        batch_op.drop_index(batch_op.f('ix_interpreters_event_id'))
    op.drop_table('interpreters')
