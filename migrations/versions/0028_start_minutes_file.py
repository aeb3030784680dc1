"""minutes_file: an approved session's full minutes PDF, rendered once and served again while what it
shows stays the same (ret_app/meetings/minutes_pdf.py, ret_app/stored_pdf.py; as screening_report_file
for the screening report). And two indexes for the chair's start page: the count of requests past their
reply-by date (ret_app/commitments/queries.py past_reply_by) hashed the region's case ids, read from
every case row of the region's history, against the unanswered requests' case ids, read from their rows
(at 60,000 cases: 1,052 pages, 1.9 ms); with (region_id, status, id) on ret_case and the case id in the
unanswered-requests index (PostgreSQL's INCLUDE) both sides are index-only scans (18 pages, 0.65 ms).

Revision ID: 0028_start
Revises: 0027_analyst
Create Date: 2026-12-05 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028_start'
down_revision = '0027_analyst'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('minutes_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_minutes_file_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_file')),
    sa.UniqueConstraint('meeting_id', name=op.f('uq_minutes_file_meeting_id'))
    )
    op.create_index('ix_ret_case_region_id_status_id', 'ret_case', ['region_id', 'status', 'id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_provider_request_status_reply_by', table_name='provider_request')
        op.create_index('ix_provider_request_status_reply_by', 'provider_request', ['status', 'reply_by', 'id'],
                        unique=False, postgresql_include=['case_id'])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_provider_request_status_reply_by', table_name='provider_request')
        op.create_index('ix_provider_request_status_reply_by', 'provider_request', ['status', 'reply_by', 'id'],
                        unique=False)
    op.drop_index('ix_ret_case_region_id_status_id', table_name='ret_case')
    op.drop_table('minutes_file')
