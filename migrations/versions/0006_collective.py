"""The HSWV collective: provider profiles (expertise, care types offered, age range, crisis
availability, contact persons), the capacity register with its history, and the region's number of
days after which a capacity entry is stale (14 for the regions that exist).

Revision ID: 0006_collective
Revises: 0005_case_next_deadline
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0006_collective'
down_revision = '0005_case_next_deadline'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'provider_profile',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('min_age', sa.Integer(), nullable=True),
        sa.Column('max_age', sa.Integer(), nullable=True),
        sa.Column('crisis_available', sa.Boolean(), nullable=False),
        sa.Column('crisis_hours', sa.String(length=200), nullable=False),
        sa.Column('crisis_phone', sa.String(length=40), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_provider_profile_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_provider_profile_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_provider_profile')),
    )
    with op.batch_alter_table('provider_profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_profile_crisis_available'), ['crisis_available'], unique=False)

    for table, column, length in (('provider_expertise', 'area', 32), ('provider_care_type', 'care_type', 32)):
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('organisation_id', sa.Integer(), nullable=False),
            sa.Column(column, sa.String(length=length), nullable=False),
            sa.ForeignKeyConstraint(['organisation_id'], ['provider_profile.organisation_id'],
                                    name=op.f(f'fk_{table}_organisation_id_provider_profile'), ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
            sa.UniqueConstraint('organisation_id', column, name=f'uq_{table}_organisation_{column}'),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_organisation_id'), ['organisation_id'], unique=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)

    op.create_table(
        'provider_contact',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['provider_profile.organisation_id'],
                                name=op.f('fk_provider_contact_organisation_id_provider_profile'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_contact')),
    )
    with op.batch_alter_table('provider_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_contact_organisation_id'), ['organisation_id'], unique=False)

    op.create_table(
        'capacity_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('care_type', sa.String(length=32), nullable=False),
        sa.Column('places_available', sa.Integer(), nullable=False),
        sa.Column('expected_places', sa.Integer(), nullable=True),
        sa.Column('expected_on', sa.Date(), nullable=True),
        sa.Column('waiting_weeks', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_capacity_entry_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_capacity_entry_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_entry')),
        sa.UniqueConstraint('organisation_id', 'care_type', name='uq_capacity_entry_organisation_care_type'),
    )
    with op.batch_alter_table('capacity_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacity_entry_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_capacity_entry_care_type'), ['care_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_capacity_entry_updated_at'), ['updated_at'], unique=False)

    op.create_table(
        'capacity_update',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('places_available', sa.Integer(), nullable=False),
        sa.Column('expected_places', sa.Integer(), nullable=True),
        sa.Column('expected_on', sa.Date(), nullable=True),
        sa.Column('waiting_weeks', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['entry_id'], ['capacity_entry.id'],
                                name=op.f('fk_capacity_update_entry_id_capacity_entry'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_capacity_update_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_update')),
    )
    with op.batch_alter_table('capacity_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacity_update_entry_id'), ['entry_id'], unique=False)

    # Existing regions' norms get the default: 14 days.
    with op.batch_alter_table('region_norms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity_stale_days', sa.Integer(), nullable=False, server_default='14'))


def downgrade():
    with op.batch_alter_table('region_norms', schema=None) as batch_op:
        batch_op.drop_column('capacity_stale_days')
    with op.batch_alter_table('capacity_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capacity_update_entry_id'))
    op.drop_table('capacity_update')
    with op.batch_alter_table('capacity_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capacity_entry_updated_at'))
        batch_op.drop_index(batch_op.f('ix_capacity_entry_care_type'))
        batch_op.drop_index(batch_op.f('ix_capacity_entry_organisation_id'))
    op.drop_table('capacity_entry')
    with op.batch_alter_table('provider_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_contact_organisation_id'))
    op.drop_table('provider_contact')
    for table, column in (('provider_care_type', 'care_type'), ('provider_expertise', 'area')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
            batch_op.drop_index(batch_op.f(f'ix_{table}_organisation_id'))
        op.drop_table(table)
    with op.batch_alter_table('provider_profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_profile_crisis_available'))
    op.drop_table('provider_profile')
