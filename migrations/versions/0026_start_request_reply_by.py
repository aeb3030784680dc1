"""An index for the start page's "requests past their reply-by date" (the chair's and the process
directors' card, ret_app/commitments/queries.py past_reply_by): unanswered requests (status
'requested') by reply-by date. With only the single-column indexes, PostgreSQL walked the reply-by
index over every request of the country's history whose date had passed, answered or not, and tested
each one's status (75 ms at 40,000 cases, growing with the years); (status, reply_by, id) reads just
the unanswered ones, in the card's order.

Revision ID: 0026_start
Revises: 0025_perf
Create Date: 2026-12-05 11:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026_start'
down_revision = '0025_perf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_provider_request_status_reply_by', 'provider_request', ['status', 'reply_by', 'id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_provider_request_status_reply_by', table_name='provider_request')
