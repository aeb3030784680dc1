"""Gap signals: the region's threshold and window (region_norms), the signals, their evidence (outcome
gaps, declined requests, escalations) and the chair's responses.

Revision ID: 0020_signals
Revises: 0019_exports
Create Date: 2027-01-10 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_signals'
down_revision = '0019_exports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('region_norms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signal_threshold', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('signal_window_months', sa.Integer(), nullable=False, server_default='6'))

    op.create_table(
        'gap_signal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('gap_category_id', sa.Integer(), nullable=False),
        sa.Column('care_type', sa.String(length=32), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('owner', sa.String(length=16), nullable=True),
        sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('window_start', sa.Date(), nullable=False),
        sa.Column('window_end', sa.Date(), nullable=False),
        sa.Column('raised_count', sa.Integer(), nullable=False),
        sa.Column('case_count', sa.Integer(), nullable=False),
        sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('open_key', sa.String(length=60), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_gap_signal_region_id_region')),
        sa.ForeignKeyConstraint(['gap_category_id'], ['gap_category.id'],
                                name=op.f('fk_gap_signal_gap_category_id_gap_category')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_gap_signal')),
        sa.UniqueConstraint('region_id', 'open_key', name='uq_gap_signal_region_open_key'),
    )
    with op.batch_alter_table('gap_signal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gap_signal_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gap_signal_gap_category_id'), ['gap_category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gap_signal_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_gap_signal_raised_at'), ['raised_at'], unique=False)

    op.create_table(
        'signal_response',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('signal_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('step', sa.String(length=32), nullable=True),
        sa.Column('from_status', sa.String(length=16), nullable=False),
        sa.Column('to_status', sa.String(length=16), nullable=False),
        sa.Column('owner_from', sa.String(length=16), nullable=True),
        sa.Column('owner_to', sa.String(length=16), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['signal_id'], ['gap_signal.id'], name=op.f('fk_signal_response_signal_id_gap_signal'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'],
                                name=op.f('fk_signal_response_author_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signal_response')),
    )
    with op.batch_alter_table('signal_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signal_response_signal_id'), ['signal_id'], unique=False)

    op.create_table(
        'signal_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('signal_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('outcome_gap_id', sa.Integer(), nullable=True),
        sa.Column('provider_request_id', sa.Integer(), nullable=True),
        sa.Column('escalation_id', sa.Integer(), nullable=True),
        sa.Column('on', sa.Date(), nullable=True),
        sa.Column('detail', sa.String(length=32), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['signal_id'], ['gap_signal.id'], name=op.f('fk_signal_evidence_signal_id_gap_signal'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_signal_evidence_case_id_ret_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['outcome_gap_id'], ['outcome_gap.id'],
                                name=op.f('fk_signal_evidence_outcome_gap_id_outcome_gap'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['provider_request_id'], ['provider_request.id'],
                                name=op.f('fk_signal_evidence_provider_request_id_provider_request'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['escalation_id'], ['escalation.id'],
                                name=op.f('fk_signal_evidence_escalation_id_escalation'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signal_evidence')),
    )
    with op.batch_alter_table('signal_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signal_evidence_signal_id'), ['signal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signal_evidence_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signal_evidence_outcome_gap_id'), ['outcome_gap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signal_evidence_provider_request_id'), ['provider_request_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_signal_evidence_escalation_id'), ['escalation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('signal_evidence', schema=None) as batch_op:
        for name in ('escalation_id', 'provider_request_id', 'outcome_gap_id', 'case_id', 'signal_id'):
            batch_op.drop_index(batch_op.f(f'ix_signal_evidence_{name}'))
    op.drop_table('signal_evidence')
    with op.batch_alter_table('signal_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signal_response_signal_id'))
    op.drop_table('signal_response')
    with op.batch_alter_table('gap_signal', schema=None) as batch_op:
        for name in ('raised_at', 'status', 'gap_category_id', 'region_id'):
            batch_op.drop_index(batch_op.f(f'ix_gap_signal_{name}'))
    op.drop_table('gap_signal')
    with op.batch_alter_table('region_norms', schema=None) as batch_op:
        batch_op.drop_column('signal_window_months')
        batch_op.drop_column('signal_threshold')
