"""Inspection requests (with their withheld parts), correction requests and case addenda.

Revision ID: 0022_inspection
Revises: 0021_access
Create Date: 2027-01-20 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_inspection'
down_revision = '0021_access'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'inspection_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('requester_kind', sa.String(length=16), nullable=False),
        sa.Column('family_member_id', sa.Integer(), nullable=True),
        sa.Column('requester_name', sa.String(length=200), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('youth_objects', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('rule', sa.String(length=32), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('handed_over_on', sa.Date(), nullable=True),
        sa.Column('handed_over_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_inspection_request_case_id_ret_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['family_member_id'], ['family_member.id'],
                                name=op.f('fk_inspection_request_family_member_id_family_member'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_inspection_request_recorded_by_id_user_account')),
        sa.ForeignKeyConstraint(['handed_over_by_id'], ['user_account.id'],
                                name=op.f('fk_inspection_request_handed_over_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_request')),
    )
    with op.batch_alter_table('inspection_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_request_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_request_status'), ['status'], unique=False)

    op.create_table(
        'inspection_withheld',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('section', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['inspection_request.id'],
                                name=op.f('fk_inspection_withheld_request_id_inspection_request'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_withheld')),
    )
    with op.batch_alter_table('inspection_withheld', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_withheld_request_id'), ['request_id'], unique=False)

    op.create_table(
        'correction_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('requester_kind', sa.String(length=16), nullable=False),
        sa.Column('requester_name', sa.String(length=200), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('section', sa.String(length=32), nullable=False),
        sa.Column('asked', sa.Text(), nullable=False),
        sa.Column('decision', sa.String(length=16), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_correction_request_case_id_ret_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_correction_request_recorded_by_id_user_account')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                name=op.f('fk_correction_request_decided_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_request')),
    )
    with op.batch_alter_table('correction_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_request_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correction_request_decision'), ['decision'], unique=False)

    op.create_table(
        'case_addendum',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('section', sa.String(length=32), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('made_by_id', sa.Integer(), nullable=False),
        sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('correction_request_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_case_addendum_case_id_ret_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['made_by_id'], ['user_account.id'], name=op.f('fk_case_addendum_made_by_id_user_account')),
        sa.ForeignKeyConstraint(['correction_request_id'], ['correction_request.id'],
                                name=op.f('fk_case_addendum_correction_request_id_correction_request'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_addendum')),
    )
    with op.batch_alter_table('case_addendum', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_addendum_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_addendum_correction_request_id'), ['correction_request_id'],
                              unique=False)


def downgrade():
    op.drop_table('case_addendum')
    op.drop_table('correction_request')
    op.drop_table('inspection_withheld')
    op.drop_table('inspection_request')
