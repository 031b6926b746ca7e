"""sent messages log, calendar feeds, reminder settings

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_calendar_feeds_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('company_id', name=op.f('uq_calendar_feeds_company_id')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_feeds_token'))
    )
    op.create_table('sent_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject_key', sa.String(length=200), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('sending', 'delivered', 'retry', 'failed', 'superseded')", name=op.f('ck_sent_messages_status_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_sent_messages_attempts_non_negative')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_sent_messages_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_sent_messages_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_messages')),
    sa.UniqueConstraint('kind', 'subject_key', 'recipient', name=op.f('uq_sent_messages_kind_subject_key_recipient'))
    )
    with op.batch_alter_table('sent_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_messages_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_messages_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_sent_messages_status_next', ['status', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_evening_hour', sa.Integer(), server_default='18', nullable=False))
        batch_op.add_column(sa.Column('reminder_minutes_before', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('summary_hour', sa.Integer(), server_default='20', nullable=False))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_events_evening_hour_sane'), 'reminder_evening_hour BETWEEN 0 AND 23')
        batch_op.create_check_constraint(op.f('ck_events_summary_hour_sane'), 'summary_hour BETWEEN 0 AND 23')
        batch_op.create_check_constraint(op.f('ck_events_minutes_before_non_negative'), 'reminder_minutes_before >= 0')


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_minutes_before_non_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_events_summary_hour_sane'), type_='check')
        batch_op.drop_constraint(op.f('ck_events_evening_hour_sane'), type_='check')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('summary_hour')
        batch_op.drop_column('reminder_minutes_before')
        batch_op.drop_column('reminder_evening_hour')

    with op.batch_alter_table('sent_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_sent_messages_status_next')
        batch_op.drop_index(batch_op.f('ix_sent_messages_event_id'))
        batch_op.drop_index(batch_op.f('ix_sent_messages_company_id'))

    op.drop_table('sent_messages')
    op.drop_table('calendar_feeds')
