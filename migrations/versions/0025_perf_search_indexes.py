"""Search indexes for a national database: trigram indexes (PostgreSQL's pg_trgm) on the exact
expressions the case list's name search and the audit search's "who" filter match with LIKE '%term%'
(ret_app/cases/queries.py, ret_app/admin/queries.py), so that a term is found through the index instead
of by reading every case, family member or audit event; and an index on the audit event's outcome
(a search for the rare refusals and failures). And screening_report_file: a finalised screening's
report PDF, rendered once (ret_app/screening/report.py).

The trigram indexes are PostgreSQL's only (SQLite has no equivalent and does not need one at its size);
their names end in `_trgm`, which the model check leaves out (ret_app/jobs/schema.py include_name): they
index expressions, not model columns. pg_trgm is a trusted extension (PostgreSQL 13+): the database's
owner may create it; on Debian it comes with the postgresql package.

Revision ID: 0025_perf
Revises: 0024_faults
Create Date: 2026-12-05 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_perf'
down_revision = '0024_faults'
branch_labels = None
depends_on = None

TRIGRAM_INDEXES = {
    # name: (table, expression) - the expressions exactly as the queries write them
    "ix_ret_case_reference_trgm": ("ret_case", "lower(reference)"),
    "ix_ret_case_youth_name_trgm": ("ret_case", "lower(youth_first_name || ' ' || youth_last_name)"),
    "ix_family_member_name_trgm": ("family_member", "lower(name)"),
    "ix_audit_event_user_name_trgm": ("audit_event", "lower(user_name)"),
}


def upgrade():
    op.create_table('screening_report_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['screening_id'], ['screening.id'], name=op.f('fk_screening_report_file_screening_id_screening'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_report_file')),
    sa.UniqueConstraint('screening_id', name=op.f('uq_screening_report_file_screening_id'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_outcome'), ['outcome'], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, expression) in TRIGRAM_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {table} USING gin (({expression}) gin_trgm_ops)")


def downgrade():
    op.drop_table('screening_report_file')
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_outcome'))
