"""recommendations: each participant's stored top counterparts, recomputed when data changes

With the search keys of company descriptions and offerings, so that the directory searches
in SQL, a page at a time.

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

from matchmaking.search_keys import search_key


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def _backfill(table_name, source, target):
    table = sa.table(table_name, sa.column('id'), sa.column(source), sa.column(target))
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, table.c[source])).all()
    if rows:
        bind.execute(
            table.update().where(table.c.id == sa.bindparam('row_id')),
            [{'row_id': row[0], target: search_key(row[1])} for row in rows],
        )


def upgrade():
    for table_name, column in (('companies', 'description_key'), ('offerings', 'search_key')):
        with op.batch_alter_table(table_name) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Text(), server_default='', nullable=False))
    _backfill('companies', 'description', 'description_key')
    _backfill('offerings', 'description', 'search_key')

    op.create_table('recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('counterpart_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reason', sa.JSON(), nullable=False),
    sa.CheckConstraint('rank > 0', name=op.f('ck_recommendations_rank_positive')),
    sa.CheckConstraint('participation_id <> counterpart_id', name=op.f('ck_recommendations_two_companies')),
    sa.ForeignKeyConstraint(['counterpart_id'], ['participations.id'], name=op.f('fk_recommendations_counterpart_id_participations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participation_id'], ['participations.id'], name=op.f('fk_recommendations_participation_id_participations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendations')),
    sa.UniqueConstraint('participation_id', 'rank', name=op.f('uq_recommendations_participation_id_rank'))
    )
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendations_counterpart_id'), ['counterpart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendations_participation_id'), ['participation_id'], unique=False)

    op.create_table('recommendation_runs',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_recommendation_runs_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_recommendation_runs'))
    )


def downgrade():
    op.drop_table('recommendation_runs')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendations_participation_id'))
        batch_op.drop_index(batch_op.f('ix_recommendations_counterpart_id'))
    op.drop_table('recommendations')
    for table_name, column in (('offerings', 'search_key'), ('companies', 'description_key')):
        with op.batch_alter_table(table_name) as batch_op:
            batch_op.drop_column(column)
