"""The family's "who looked at my file" PDF: whether it names the staff members (region_norms).

Revision ID: 0021_access
Revises: 0020_signals
Create Date: 2027-01-20 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_access'
down_revision = '0020_signals'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('region_norms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_log_shows_names', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('region_norms', schema=None) as batch_op:
        batch_op.drop_column('access_log_shows_names')
