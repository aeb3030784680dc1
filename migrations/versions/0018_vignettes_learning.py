"""Anonymised learning vignettes ("leerverhalen") of closed cases.

Revision ID: 0018_vignettes
Revises: 0017_api
Create Date: 2026-12-20 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_vignettes'
down_revision = '0017_api'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'learning_vignette',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('generated_by_id', sa.Integer(), nullable=False),
        sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('edited_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.Column('withdraw_reason', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_learning_vignette_region_id_region')),
        sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_learning_vignette_case_id_ret_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['generated_by_id'], ['user_account.id'],
                                name=op.f('fk_learning_vignette_generated_by_id_user_account')),
        sa.ForeignKeyConstraint(['edited_by_id'], ['user_account.id'],
                                name=op.f('fk_learning_vignette_edited_by_id_user_account')),
        sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'],
                                name=op.f('fk_learning_vignette_approved_by_id_user_account')),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'],
                                name=op.f('fk_learning_vignette_withdrawn_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_vignette')),
    )
    with op.batch_alter_table('learning_vignette', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_vignette_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_vignette_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_vignette_status'), ['status'], unique=False)
        batch_op.create_index('ix_learning_vignette_region_id_status_approved_at',
                              ['region_id', 'status', 'approved_at'], unique=False)
        batch_op.create_index('uq_learning_vignette_case_current', ['case_id'], unique=True,
                              sqlite_where=sa.text("status != 'withdrawn'"),
                              postgresql_where=sa.text("status != 'withdrawn'"))


def downgrade():
    with op.batch_alter_table('learning_vignette', schema=None) as batch_op:
        batch_op.drop_index('uq_learning_vignette_case_current')
        batch_op.drop_index('ix_learning_vignette_region_id_status_approved_at')
        batch_op.drop_index(batch_op.f('ix_learning_vignette_status'))
        batch_op.drop_index(batch_op.f('ix_learning_vignette_case_id'))
        batch_op.drop_index(batch_op.f('ix_learning_vignette_region_id'))
    op.drop_table('learning_vignette')
