"""Submission keys for the other forms that add a row: help tried before, an attachment, a screening
addendum, a mandate, a contact person, an erasure request, an inspection and a correction request, a
minutes addendum, a plan's goal and review moment, a signal's response and an export: the same form sent
twice (a double click, a retry after a slow answer) adds one, as a new referral, a family member and a
session already did (0024). Nullable: the rows that exist have none.

Revision ID: 0029_double
Revises: 0028_start
Create Date: 2027-02-10 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029_double'
down_revision = '0028_start'
branch_labels = None
depends_on = None

TABLES = ('prior_help', 'attachment', 'screening_addendum', 'mandate', 'provider_contact', 'erasure_request',
          'inspection_request', 'correction_request', 'minutes_addendum', 'plan_goal', 'plan_review',
          'signal_response', 'export_job')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_submission_key'), ['submission_key'])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_submission_key'), type_='unique')
            batch_op.drop_column('submission_key')
