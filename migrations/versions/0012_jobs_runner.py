"""The job runner: job_run on every database, procrastinate's job queue on PostgreSQL only.

job_run remembers each periodic job's last completed run.

Revision ID: 0012_jobs
Revises: 0011_first_session_moot
Create Date: 2026-12-05 10:00:00.000000

procrastinate keeps its queue, its periodic deferrals and its workers' heartbeats in PostgreSQL
tables, functions and triggers named procrastinate_*. Its schema comes in here, from a copy of the
pinned release's schema.sql (migrations/sql/), so that the schema changes only through Alembic and a
fresh database gets the same schema whatever release happens to be installed. A later release's
own migration files (procrastinate/sql/migrations/) come in through a later Alembic migration.
On SQLite (the demo) there is no queue: the jobs run in the development server's process.
"""
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_jobs'
down_revision = '0011_first_session_moot'
branch_labels = None
depends_on = None

SCHEMA_SQL = Path(__file__).resolve().parent.parent / "sql" / "procrastinate-3.10.0-schema.sql"


def upgrade():
    op.create_table(
        'job_run',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('last_period_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_day', sa.Date(), nullable=True),
        sa.Column('last_count', sa.Integer(), nullable=False),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_run')),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # On the driver's cursor without parameters, in the migration's transaction: the file holds
        # PL/pgSQL bodies (':' and '%' that are no bind parameters) and many statements.
        cursor = bind.connection.dbapi_connection.cursor()
        try:
            cursor.execute(SCHEMA_SQL.read_text())
        finally:
            cursor.close()


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Everything the schema file created is named procrastinate_* (tables with their triggers
        # and indexes, functions, enum and composite types).
        for (table,) in bind.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename LIKE 'procrastinate\\_%'")).all():
            bind.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
        for (signature,) in bind.execute(sa.text(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'")).all():
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
        for (name,) in bind.execute(sa.text(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%' AND t.typtype IN ('e', 'c')")).all():
            bind.exec_driver_sql(f'DROP TYPE IF EXISTS "{name}" CASCADE')
    op.drop_table('job_run')
