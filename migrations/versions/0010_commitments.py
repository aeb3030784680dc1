"""Requests to providers of the collective and the commitments they become; the region's default
reply-by norms (3 working days, 1 in a crisis) next to its other norms.

Revision ID: 0010_commitments
Revises: 0009_due_kind
Create Date: 2026-12-11 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_commitments'
down_revision = '0009_due_kind'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'provider_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.Column('care_type', sa.String(length=32), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('reply_by', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('submission_key', sa.String(length=64), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answer_key', sa.String(length=64), nullable=True),
        sa.Column('decline_reason', sa.String(length=32), nullable=True),
        sa.Column('decline_text', sa.Text(), nullable=False),
        sa.Column('contact_name', sa.String(length=200), nullable=False),
        sa.Column('contact_phone', sa.String(length=40), nullable=False),
        sa.Column('intended_start', sa.Date(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.Column('withdraw_text', sa.Text(), nullable=False),
        sa.Column('started_on', sa.Date(), nullable=True),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_provider_request_case_id_ret_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_provider_request_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'],
                                name=op.f('fk_provider_request_requested_by_id_user_account')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'],
                                name=op.f('fk_provider_request_answered_by_id_user_account')),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'],
                                name=op.f('fk_provider_request_withdrawn_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_request')),
        sa.UniqueConstraint('submission_key', name=op.f('uq_provider_request_submission_key')),
    )
    with op.batch_alter_table('provider_request', schema=None) as batch_op:
        for column in ('case_id', 'organisation_id', 'reply_by', 'status', 'decline_reason'):
            batch_op.create_index(batch_op.f(f'ix_provider_request_{column}'), [column], unique=False)

    # Existing regions' norms get the defaults: 3 working days, 1 in a crisis.
    with op.batch_alter_table('region_norms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_reply_days', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('request_reply_days_crisis', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('region_norms', schema=None) as batch_op:
        batch_op.drop_column('request_reply_days_crisis')
        batch_op.drop_column('request_reply_days')
    with op.batch_alter_table('provider_request', schema=None) as batch_op:
        for column in ('decline_reason', 'status', 'reply_by', 'organisation_id', 'case_id'):
            batch_op.drop_index(batch_op.f(f'ix_provider_request_{column}'))
    op.drop_table('provider_request')
