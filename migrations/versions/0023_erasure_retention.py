"""Erasure and retention: erasure requests, legal holds, the destruction list and its entries, the record of
each erasure; the region's retention years; a case's retain_until (with a per-case extension and its reason)
and erased_at. Closed cases get retain_until when the destruction list is next drafted (retention.refresh).

Revision ID: 0023_erasure
Revises: 0022_inspection
Create Date: 2026-12-05 04:32:43.562647

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_erasure'
down_revision = '0022_inspection'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('destruction_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('drafted_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_destruction_list_approved_by_id_user_account')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_destruction_list_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_list'))
    )
    with op.batch_alter_table('destruction_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destruction_list_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_destruction_list_status'), ['status'], unique=False)

    op.create_table('destruction_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('retain_until', sa.Date(), nullable=False),
    sa.Column('removed_reason', sa.Text(), nullable=False),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_destruction_entry_case_id_ret_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['list_id'], ['destruction_list.id'], name=op.f('fk_destruction_entry_list_id_destruction_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['removed_by_id'], ['user_account.id'], name=op.f('fk_destruction_entry_removed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_entry'))
    )
    with op.batch_alter_table('destruction_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destruction_entry_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_destruction_entry_list_id'), ['list_id'], unique=False)

    op.create_table('erasure_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('requester_name', sa.String(length=200), nullable=False),
    sa.Column('requester_kind', sa.String(length=16), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('refusal_ground', sa.String(length=32), nullable=True),
    sa.Column('refusal_reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_erasure_request_case_id_ret_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_erasure_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_erasure_request_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_erasure_request_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_request'))
    )
    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_request_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_request_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_request_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_request_status'), ['status'], unique=False)

    op.create_table('legal_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lifted_reason', sa.Text(), nullable=False),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_legal_hold_case_id_ret_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['user_account.id'], name=op.f('fk_legal_hold_lifted_by_id_user_account')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['user_account.id'], name=op.f('fk_legal_hold_placed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_hold'))
    )
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_hold_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_legal_hold_lifted_at'), ['lifted_at'], unique=False)

    op.create_table('erasure_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('why', sa.String(length=16), nullable=False),
    sa.Column('erasure_request_id', sa.Integer(), nullable=True),
    sa.Column('destruction_list_id', sa.Integer(), nullable=True),
    sa.Column('erased_by_id', sa.Integer(), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('rows_removed', sa.Integer(), nullable=False),
    sa.Column('files_removed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_erasure_record_case_id_ret_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['destruction_list_id'], ['destruction_list.id'], name=op.f('fk_erasure_record_destruction_list_id_destruction_list')),
    sa.ForeignKeyConstraint(['erased_by_id'], ['user_account.id'], name=op.f('fk_erasure_record_erased_by_id_user_account')),
    sa.ForeignKeyConstraint(['erasure_request_id'], ['erasure_request.id'], name=op.f('fk_erasure_record_erasure_request_id_erasure_request')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_erasure_record_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_record')),
    sa.UniqueConstraint('case_id', name=op.f('uq_erasure_record_case_id'))
    )
    with op.batch_alter_table('erasure_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_record_region_id'), ['region_id'], unique=False)

    with op.batch_alter_table('region_norms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_years', sa.Integer(), nullable=False, server_default='20'))

    with op.batch_alter_table('ret_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retain_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('retention_extended_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('retention_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_ret_case_retain_until'), ['retain_until'], unique=False)



def downgrade():
    with op.batch_alter_table('ret_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ret_case_retain_until'))
        batch_op.drop_column('erased_at')
        batch_op.drop_column('retention_reason')
        batch_op.drop_column('retention_extended_until')
        batch_op.drop_column('retain_until')

    with op.batch_alter_table('region_norms', schema=None) as batch_op:
        batch_op.drop_column('retention_years')

    with op.batch_alter_table('erasure_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_record_region_id'))

    op.drop_table('erasure_record')
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_hold_lifted_at'))
        batch_op.drop_index(batch_op.f('ix_legal_hold_case_id'))

    op.drop_table('legal_hold')
    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_request_status'))
        batch_op.drop_index(batch_op.f('ix_erasure_request_region_id'))
        batch_op.drop_index(batch_op.f('ix_erasure_request_due_on'))
        batch_op.drop_index(batch_op.f('ix_erasure_request_case_id'))

    op.drop_table('erasure_request')
    with op.batch_alter_table('destruction_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_destruction_entry_list_id'))
        batch_op.drop_index(batch_op.f('ix_destruction_entry_case_id'))

    op.drop_table('destruction_entry')
    with op.batch_alter_table('destruction_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_destruction_list_status'))
        batch_op.drop_index(batch_op.f('ix_destruction_list_region_id'))

    op.drop_table('destruction_list')
