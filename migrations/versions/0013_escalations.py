"""Escalations to the supra-regional network: the escalation (what was tried as references to the
case's own items, the question, the expected answer date, the network's side), its exchange of messages,
its lifecycle steps, the chair's reminders and new expected dates; and each network's default answer
time in working days (10).

Revision ID: 0013_escalations
Revises: 0012_jobs
Create Date: 2026-12-04 20:28:46.534096

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_escalations'
down_revision = '0012_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('why_exhausted', sa.Text(), nullable=False),
    sa.Column('question_kind', sa.String(length=32), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('expected_answer_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.Column('network_director_name', sa.String(length=200), nullable=False),
    sa.Column('network_director_organisation', sa.String(length=200), nullable=False),
    sa.Column('result', sa.String(length=32), nullable=True),
    sa.Column('result_text', sa.Text(), nullable=False),
    sa.Column('withdraw_reason', sa.Text(), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.Column('last_key', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_escalation_case_id_ret_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_escalation_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_escalation_network_id_network')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_escalation_sent_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_escalation_submission_key'))
    )
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_expected_answer_date'), ['expected_answer_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_status'), ['status'], unique=False)
        batch_op.create_index('uq_escalation_one_open_per_case', ['case_id'], unique=True, sqlite_where=sa.text("status IN ('draft', 'sent', 'accepted', 'in_progress', 'answered')"), postgresql_where=sa.text("status IN ('draft', 'sent', 'accepted', 'in_progress', 'answered')"))

    op.create_table('escalation_date_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('old_date', sa.Date(), nullable=True),
    sa.Column('new_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_escalation_date_change_changed_by_id_user_account')),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalation.id'], name=op.f('fk_escalation_date_change_escalation_id_escalation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_date_change'))
    )
    with op.batch_alter_table('escalation_date_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_date_change_escalation_id'), ['escalation_id'], unique=False)

    op.create_table('escalation_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reply_to_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_escalation_message_author_id_user_account')),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalation.id'], name=op.f('fk_escalation_message_escalation_id_escalation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reply_to_id'], ['escalation_message.id'], name=op.f('fk_escalation_message_reply_to_id_escalation_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_message')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_escalation_message_submission_key'))
    )
    with op.batch_alter_table('escalation_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_message_escalation_id'), ['escalation_id'], unique=False)

    op.create_table('escalation_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalation.id'], name=op.f('fk_escalation_reminder_escalation_id_escalation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_escalation_reminder_sent_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_reminder')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_escalation_reminder_submission_key'))
    )
    with op.batch_alter_table('escalation_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_reminder_escalation_id'), ['escalation_id'], unique=False)

    op.create_table('escalation_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_escalation_step_actor_id_user_account')),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalation.id'], name=op.f('fk_escalation_step_escalation_id_escalation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_step'))
    )
    with op.batch_alter_table('escalation_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_step_escalation_id'), ['escalation_id'], unique=False)

    op.create_table('escalation_tried',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalation.id'], name=op.f('fk_escalation_tried_escalation_id_escalation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_tried')),
    sa.UniqueConstraint('escalation_id', 'kind', 'object_id', name='uq_escalation_tried_item')
    )
    with op.batch_alter_table('escalation_tried', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_tried_escalation_id'), ['escalation_id'], unique=False)

    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_days', sa.Integer(), server_default='10', nullable=False))



def downgrade():
    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.drop_column('answer_days')

    with op.batch_alter_table('escalation_tried', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_tried_escalation_id'))

    op.drop_table('escalation_tried')
    with op.batch_alter_table('escalation_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_step_escalation_id'))

    op.drop_table('escalation_step')
    with op.batch_alter_table('escalation_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_reminder_escalation_id'))

    op.drop_table('escalation_reminder')
    with op.batch_alter_table('escalation_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_message_escalation_id'))

    op.drop_table('escalation_message')
    with op.batch_alter_table('escalation_date_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_date_change_escalation_id'))

    op.drop_table('escalation_date_change')
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index('uq_escalation_one_open_per_case', sqlite_where=sa.text("status IN ('draft', 'sent', 'accepted', 'in_progress', 'answered')"), postgresql_where=sa.text("status IN ('draft', 'sent', 'accepted', 'in_progress', 'answered')"))
        batch_op.drop_index(batch_op.f('ix_escalation_status'))
        batch_op.drop_index(batch_op.f('ix_escalation_network_id'))
        batch_op.drop_index(batch_op.f('ix_escalation_expected_answer_date'))
        batch_op.drop_index(batch_op.f('ix_escalation_case_id'))

    op.drop_table('escalation')
