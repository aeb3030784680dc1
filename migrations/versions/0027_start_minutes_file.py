"""minutes_file: an approved session's full minutes PDF, rendered once and served again while what it
shows stays the same (ret_app/meetings/minutes_pdf.py, ret_app/stored_pdf.py; as screening_report_file
for the screening report).

Revision ID: 0027_start
Revises: 0026_start
Create Date: 2026-12-05 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027_start'
down_revision = '0026_start'
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


def downgrade():
    op.drop_table('minutes_file')
