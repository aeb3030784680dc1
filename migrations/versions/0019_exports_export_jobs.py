"""Export jobs: an export made by the job runner while its requester waits on its page, with its
progress, and the file kept in the database (every machine serves it) until it expires.

Revision ID: 0019_exports
Revises: 0018_vignettes
Create Date: 2026-12-15 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_exports'
down_revision = '0018_vignettes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'export_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=True),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('message', sa.String(length=200), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=True),
        sa.Column('mimetype', sa.String(length=100), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'],
                                name=op.f('fk_export_job_requested_by_id_user_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_export_job_region_id_region')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_job')),
    )
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.create_index('ix_export_job_requested_by_id_created_at', ['requested_by_id', 'created_at'],
                              unique=False)
        batch_op.create_index('ix_export_job_status', ['status'], unique=False)
        batch_op.create_index('ix_export_job_expires_at', ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_index('ix_export_job_expires_at')
        batch_op.drop_index('ix_export_job_status')
        batch_op.drop_index('ix_export_job_requested_by_id_created_at')
    op.drop_table('export_job')
