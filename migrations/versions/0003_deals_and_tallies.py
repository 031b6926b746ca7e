"""deal outcomes, exchange rates, memoranda, tally snapshots, reporter API tokens

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tally_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('conflict_rule', sa.String(length=16), nullable=False),
    sa.Column('suppressed', sa.Boolean(), nullable=False),
    sa.Column('total_cny', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('total_usd', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('deals', sa.Integer(), nullable=False),
    sa.Column('companies', sa.Integer(), nullable=False),
    sa.Column('meetings_held', sa.Integer(), nullable=False),
    sa.CheckConstraint('deals >= 0 AND companies >= 0', name=op.f('ck_tally_snapshots_counts_non_negative')),
    sa.CheckConstraint('total_cny >= 0 AND total_usd >= 0', name=op.f('ck_tally_snapshots_totals_non_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_tally_snapshots_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_snapshots')),
    sa.UniqueConstraint('event_id', name=op.f('uq_tally_snapshots_event_id'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('exchange_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('to_cny', sa.Numeric(precision=20, scale=10), nullable=False),
    sa.Column('to_usd', sa.Numeric(precision=20, scale=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(currency) = 3', name=op.f('ck_exchange_rates_currency_alpha3')),
    sa.CheckConstraint('to_cny > 0', name=op.f('ck_exchange_rates_to_cny_positive')),
    sa.CheckConstraint('to_usd > 0', name=op.f('ck_exchange_rates_to_usd_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exchange_rates_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_exchange_rates_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates')),
    sa.UniqueConstraint('event_id', 'currency', 'valid_from', name=op.f('uq_exchange_rates_event_id_currency_valid_from'))
    )
    with op.batch_alter_table('exchange_rates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_rates_event_id'), ['event_id'], unique=False)

    op.create_table('memoranda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('partner', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(country) = 2', name=op.f('ck_memoranda_country_alpha2')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_memoranda_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_memoranda_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memoranda'))
    )
    with op.batch_alter_table('memoranda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memoranda_event_id'), ['event_id'], unique=False)

    op.create_table('tally_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('conflict_rule', sa.String(length=16), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('embargo_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("conflict_rule IN ('lower', 'higher', 'buyer', 'supplier')", name=op.f('ck_tally_settings_rule_known')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_tally_settings_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_tally_settings_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_settings')),
    sa.UniqueConstraint('event_id', name=op.f('uq_tally_settings_event_id'))
    )
    op.create_table('tally_snapshot_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('value_cny', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('value_usd', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('deals', sa.Integer(), nullable=False),
    sa.Column('companies', sa.Integer(), nullable=False),
    sa.CheckConstraint("dimension IN ('zone', 'country', 'sector', 'day', 'stage')", name=op.f('ck_tally_snapshot_groups_dimension_known')),
    sa.CheckConstraint('companies >= 3', name=op.f('ck_tally_snapshot_groups_enough_companies')),
    sa.CheckConstraint('value_cny >= 0 AND value_usd >= 0', name=op.f('ck_tally_snapshot_groups_values_non_negative')),
    sa.ForeignKeyConstraint(['snapshot_id'], ['tally_snapshots.id'], name=op.f('fk_tally_snapshot_groups_snapshot_id_tally_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_snapshot_groups')),
    sa.UniqueConstraint('snapshot_id', 'dimension', 'key', name=op.f('uq_tally_snapshot_groups_snapshot_id_dimension_key'))
    )
    with op.batch_alter_table('tally_snapshot_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tally_snapshot_groups_snapshot_id'), ['snapshot_id'], unique=False)

    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('sector_id', sa.Integer(), nullable=True),
    sa.Column('product', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(stage IN ('tentative', 'preliminary', 'signed')) = (amount IS NOT NULL AND currency IS NOT NULL)", name=op.f('ck_outcomes_deals_have_value')),
    sa.CheckConstraint("stage IN ('no_interest', 'follow_up', 'tentative', 'preliminary', 'signed')", name=op.f('ck_outcomes_stage_known')),
    sa.CheckConstraint('amount IS NULL OR amount >= 0', name=op.f('ck_outcomes_amount_non_negative')),
    sa.CheckConstraint('currency IS NULL OR length(currency) = 3', name=op.f('ck_outcomes_currency_alpha3')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_outcomes_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participation_id'], ['participations.id'], name=op.f('fk_outcomes_participation_id_participations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_outcomes_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sector_id'], ['sectors.id'], name=op.f('fk_outcomes_sector_id_sectors'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes')),
    sa.UniqueConstraint('meeting_id', 'participation_id', name=op.f('uq_outcomes_meeting_id_participation_id'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcomes_participation_id'), ['participation_id'], unique=False)

    op.create_table('outcome_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('sector_id', sa.Integer(), nullable=True),
    sa.Column('product', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage IN ('no_interest', 'follow_up', 'tentative', 'preliminary', 'signed')", name=op.f('ck_outcome_changes_stage_known')),
    sa.CheckConstraint('amount IS NULL OR amount >= 0', name=op.f('ck_outcome_changes_amount_non_negative')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_outcome_changes_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_outcome_changes_outcome_id_outcomes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sector_id'], ['sectors.id'], name=op.f('fk_outcome_changes_sector_id_sectors'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_changes'))
    )
    with op.batch_alter_table('outcome_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_changes_outcome_id'), ['outcome_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outcome_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_changes_outcome_id'))

    op.drop_table('outcome_changes')
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_participation_id'))
        batch_op.drop_index(batch_op.f('ix_outcomes_meeting_id'))

    op.drop_table('outcomes')
    with op.batch_alter_table('tally_snapshot_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tally_snapshot_groups_snapshot_id'))

    op.drop_table('tally_snapshot_groups')
    op.drop_table('tally_settings')
    with op.batch_alter_table('memoranda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memoranda_event_id'))

    op.drop_table('memoranda')
    with op.batch_alter_table('exchange_rates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_rates_event_id'))

    op.drop_table('exchange_rates')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('tally_snapshots')
