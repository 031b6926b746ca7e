"""schedule_instances: each version's solver instance, compressed, apart from the version row

Pages read schedule versions all the time; the instance (tens of MB of JSON for a
4,000-company event) is only needed to download it or to re-generate.

Revision ID: 0012
Revises: 0011
"""
import json
import zlib

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # Read the instances first and drop the column before creating the new table: SQLite's
    # batch mode re-creates schedule_versions, and dropping the old copy would cascade.
    connection = op.get_bind()
    versions = sa.table('schedule_versions', sa.column('id'), sa.column('instance'))
    rows = connection.execute(
        sa.select(versions.c.id, versions.c.instance).where(versions.c.instance.is_not(None))
    ).all()
    with op.batch_alter_table('schedule_versions') as batch_op:
        batch_op.drop_column('instance')
    op.create_table(
        'schedule_instances',
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ['version_id'], ['schedule_versions.id'],
            name=op.f('fk_schedule_instances_version_id_schedule_versions'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('version_id', name=op.f('pk_schedule_instances')),
    )
    instances = sa.table(
        'schedule_instances',
        sa.column('version_id', sa.Integer()),
        sa.column('data', sa.LargeBinary()),
    )
    for version_id, instance in rows:
        if isinstance(instance, str):  # SQLite hands JSON back as text
            instance = json.loads(instance)
        if instance is None:
            continue
        text = json.dumps(instance, ensure_ascii=False, separators=(',', ':'))
        connection.execute(
            instances.insert().values(
                version_id=version_id, data=zlib.compress(text.encode('utf-8'), 6)
            )
        )


def downgrade():
    connection = op.get_bind()
    instances = sa.table(
        'schedule_instances',
        sa.column('version_id', sa.Integer()),
        sa.column('data', sa.LargeBinary()),
    )
    rows = connection.execute(sa.select(instances.c.version_id, instances.c.data)).all()
    op.drop_table('schedule_instances')
    with op.batch_alter_table('schedule_versions') as batch_op:
        batch_op.add_column(sa.Column('instance', sa.JSON(), nullable=True))
    versions = sa.table(
        'schedule_versions', sa.column('id', sa.Integer()), sa.column('instance', sa.JSON())
    )
    for version_id, data in rows:
        connection.execute(
            versions.update()
            .where(versions.c.id == version_id)
            .values(instance=json.loads(zlib.decompress(data).decode('utf-8')))
        )
