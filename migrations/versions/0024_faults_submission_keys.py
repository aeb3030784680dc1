"""Submission keys for the forms that create a case (a new referral), a family member and a session: the
same form sent twice (a double click, a retry after a slow answer) creates one, as decisions, actions,
requests and escalations already did. Nullable: the rows that exist have none.

Revision ID: 0024_faults
Revises: 0023_erasure
Create Date: 2027-02-01 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_faults'
down_revision = '0023_erasure'
branch_labels = None
depends_on = None

TABLES = ('ret_case', 'family_member', 'meeting')


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
