"""generation jobs: schedule versions queued for a worker process

A version now starts 'queued'; a `matchmaking worker` claims it ('generating'), records
itself in claimed_by and writes heartbeat_at while it solves; time_limit is the job's.

SQLite cannot alter a CHECK constraint, and re-creating schedule_versions (Alembic's batch
mode) would drop the old table, which with foreign keys on cascades to every meeting. The
constraint only gains a value, so on SQLite its text is edited in the schema itself, the
procedure SQLite documents for changing constraints that existing rows still satisfy.

Revision ID: 0013
Revises: 0012
"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OLD = "status IN ('generating', 'draft', 'failed', 'published', 'superseded')"
NEW = "status IN ('queued', 'generating', 'draft', 'failed', 'published', 'superseded')"
CONSTRAINT = "ck_schedule_versions_status_known"


def _replace_check(old, new):
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        op.drop_constraint(op.f(CONSTRAINT), "schedule_versions", type_="check")
        op.create_check_constraint(op.f(CONSTRAINT), "schedule_versions", sa.text(new))
        return
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar()
    connection.exec_driver_sql("PRAGMA writable_schema=ON")
    connection.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = replace(sql, :old, :new)"
            " WHERE type = 'table' AND name = 'schedule_versions'"
        ),
        {"old": old, "new": new},
    )
    connection.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    connection.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade():
    op.add_column("schedule_versions", sa.Column("time_limit", sa.Float(), nullable=True))
    op.add_column(
        "schedule_versions", sa.Column("claimed_by", sa.String(length=128), nullable=True)
    )
    op.add_column(
        "schedule_versions", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True)
    )
    _replace_check(OLD, NEW)


def downgrade():
    versions = sa.table("schedule_versions", sa.column("status"), sa.column("message"))
    op.execute(
        versions.update()
        .where(versions.c.status == "queued")
        .values(status="failed", message="Generation was interrupted. Please start it again.")
    )
    _replace_check(NEW, OLD)
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no batch re-creation, no cascade.
    op.drop_column("schedule_versions", "heartbeat_at")
    op.drop_column("schedule_versions", "claimed_by")
    op.drop_column("schedule_versions", "time_limit")
