"""Outcomes at closing and the gap taxonomy per region (tables; the starting set of gap categories for
every region that exists, from PRODUCT.md "Gap taxonomy").

Revision ID: 0015_outcomes
Revises: 0014_notifications
Create Date: 2026-12-14 10:00:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_outcomes'
down_revision = '0014_notifications'
branch_labels = None
depends_on = None

# A frozen copy of ret_app/outcomes/defaults.py as it was when this migration was written:
# (code, name, description), positions 10, 20, ...
DEFAULTS = [
    ("no_place_best_fit", "Geen plek bij de best passende aanbieder",
     "Wachtlijst of geen capaciteit bij de aanbieder die het beste past."),
    ("no_provider_offers_it", "Geen aanbieder biedt wat nodig is",
     "Een combinatie van problemen (bijvoorbeeld LVB en psychiatrie) of zeldzame expertise die in de regio "
     "ontbreekt."),
    ("no_living_place", "Geen passende woonplek of verblijfsvorm", "Verblijf, gezinshuis, woonplek voor 18-plussers."),
    ("walls_between_laws", "Schotten tussen wetten en financiering",
     "Jeugdwet, Wlz, Zvw, Wmo en Participatiewet, met de overgang van 18- naar 18+."),
    ("organisational", "Organisatorische verstoringen",
     "Samenwerking tussen aanbieders, overdrachten, onduidelijk wie de regie heeft."),
    ("legal_limits", "Juridische grenzen",
     "Bijvoorbeeld gesloten jeugdhulp, toestemming, bevoegdheid of het woonplaatsbeginsel."),
    ("knowledge_missing", "Inhoudelijk: niemand weet wat helpt", "Kennis ontbreekt, ook al bij de toeleiding."),
    ("conflict", "Conflict tussen ouders, aanbieders en/of gemeente", "Een conflict dat de hulp blokkeert."),
    ("education", "Onderwijs sluit niet aan", "Geen schoolplek, thuiszitter."),
    ("crisis_availability", "Crisisbeschikbaarheid",
     "Geen crisisplek of crisishulp beschikbaar op het moment dat die nodig is."),
    ("need_changed_while_waiting", "De hulpvraag veranderde tijdens het wachten",
     "Tijdens het wachten op hulp veranderde wat er nodig was."),
]
STEP = 10


def upgrade():
    gap_category = op.create_table(
        'gap_category',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=160), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_gap_category_region_id_region')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_gap_category')),
        sa.UniqueConstraint('region_id', 'code', name='uq_gap_category_region_code'),
    )
    with op.batch_alter_table('gap_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gap_category_region_id'), ['region_id'], unique=False)

    op.create_table(
        'case_outcome',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('result', sa.String(length=32), nullable=False),
        sa.Column('placement_result', sa.String(length=16), nullable=True),
        sa.Column('placement_note', sa.Text(), nullable=False),
        sa.Column('lessons', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('working_days_to_fitting_help', sa.Integer(), nullable=True),
        sa.Column('working_days_to_close', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_case_outcome_case_id_ret_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_case_outcome_recorded_by_id_user_account')),
        sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'],
                                name=op.f('fk_case_outcome_changed_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_outcome')),
        sa.UniqueConstraint('case_id', name=op.f('uq_case_outcome_case_id')),
    )
    with op.batch_alter_table('case_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_outcome_result'), ['result'], unique=False)

    op.create_table(
        'outcome_help',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('outcome_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('care_type', sa.String(length=32), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('provider_name', sa.String(length=200), nullable=False),
        sa.Column('inside_region', sa.Boolean(), nullable=False),
        sa.Column('via_network', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['outcome_id'], ['case_outcome.id'],
                                name=op.f('fk_outcome_help_outcome_id_case_outcome'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_outcome_help_case_id_ret_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_outcome_help_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_help')),
    )
    with op.batch_alter_table('outcome_help', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_help_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_help_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_help_organisation_id'), ['organisation_id'], unique=False)

    op.create_table(
        'outcome_gap',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('outcome_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('gap_category_id', sa.Integer(), nullable=False),
        sa.Column('care_type', sa.String(length=32), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['outcome_id'], ['case_outcome.id'],
                                name=op.f('fk_outcome_gap_outcome_id_case_outcome'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_outcome_gap_case_id_ret_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['gap_category_id'], ['gap_category.id'],
                                name=op.f('fk_outcome_gap_gap_category_id_gap_category')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_gap')),
    )
    with op.batch_alter_table('outcome_gap', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_gap_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_gap_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_gap_gap_category_id'), ['gap_category_id'], unique=False)

    conn = op.get_bind()
    # SQLite stores naive UTC (as UTCDateTime does); PostgreSQL an aware timestamp.
    now = datetime.now(timezone.utc)
    if conn.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    rows = []
    for (region_id,) in conn.execute(sa.text("SELECT id FROM region ORDER BY id")):
        for number, (code, name, description) in enumerate(DEFAULTS, start=1):
            rows.append({"region_id": region_id, "code": code, "name": name, "description": description,
                         "active": True, "position": STEP * number, "version": 1, "created_at": now,
                         "updated_at": now})
    if rows:
        op.bulk_insert(gap_category, rows)


def downgrade():
    with op.batch_alter_table('outcome_gap', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_gap_gap_category_id'))
        batch_op.drop_index(batch_op.f('ix_outcome_gap_case_id'))
        batch_op.drop_index(batch_op.f('ix_outcome_gap_outcome_id'))
    op.drop_table('outcome_gap')
    with op.batch_alter_table('outcome_help', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_help_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_outcome_help_case_id'))
        batch_op.drop_index(batch_op.f('ix_outcome_help_outcome_id'))
    op.drop_table('outcome_help')
    with op.batch_alter_table('case_outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_outcome_result'))
    op.drop_table('case_outcome')
    with op.batch_alter_table('gap_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gap_category_region_id'))
    op.drop_table('gap_category')
