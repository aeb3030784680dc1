"""The analyst's stored figures: per region and calendar year the protected tables of the aggregates
(ret_app/analyst/stored.py), computed by the job runner (every year at night, the current year and any
missing year every hour) and read by the analyst's pages, the reflection report, the signal report and
the monitor API instead of protecting the tables again on every request.

Revision ID: 0027_analyst
Revises: 0026_start
Create Date: 2026-12-05 13:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0027_analyst'
down_revision = '0026_start'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'analyst_year_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_analyst_year_figures_region_id_region'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_analyst_year_figures')),
        sa.UniqueConstraint('region_id', 'year', name='uq_analyst_year_figures_region_year'),
    )
    op.create_index(op.f('ix_analyst_year_figures_region_id'), 'analyst_year_figures', ['region_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_analyst_year_figures_region_id'), table_name='analyst_year_figures')
    op.drop_table('analyst_year_figures')
