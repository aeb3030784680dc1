"""The care-type catalogue per region, seeded for every region that exists: the eleven types records
held before (same codes) and the region's products from seed 001. A code that a region's mandates or
decisions hold and the defaults do not know is carried over as a retired type named by its code, so
every record stays valid and readable. Records keep their code strings: nothing of them changes.

Revision ID: 0008_care_types
Revises: 0007_plans
Create Date: 2026-12-10 10:00:00.000000

"""
import json
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_care_types'
down_revision = '0007_plans'
branch_labels = None
depends_on = None

# A frozen copy of ret_app/caretypes/defaults.py as it was when this migration was written:
# (code, name, description), positions 10, 20, ...
DEFAULTS = [
    ("ambulatory", "Ambulante jeugdhulp",
     "Begeleiding of behandeling thuis, op school of op locatie, zonder verblijf."),
    ("intensive_family_treatment", "Intensieve ambulante gezinsbehandeling",
     "Intensieve behandeling van het hele gezin thuis, meerdere dagdelen per week, om een uithuisplaatsing te "
     "voorkomen."),
    ("day_treatment", "Dagbehandeling",
     "Behandeling overdag op een locatie van de aanbieder, vaak samen met onderwijs."),
    ("youth_mental_health", "Jeugd-ggz",
     "Diagnostiek en behandeling van psychische problemen, generalistisch en specialistisch."),
    ("intellectual_disability", "Zorg voor jeugdigen met een licht verstandelijke beperking (LVB)",
     "Begeleiding en behandeling afgestemd op jeugdigen met een licht verstandelijke beperking."),
    ("foster_care", "Pleegzorg", "Opgroeien in een pleeggezin, in deeltijd of voltijd."),
    ("family_home", "Gezinshuis", "Wonen in het gezin van professionele gezinshuisouders."),
    ("residential", "Residentiële jeugdhulp",
     "Wonen en verblijf bij een jeugdhulpaanbieder, met begeleiding of behandeling."),
    ("residential_treatment_group", "Verblijf behandelgroep",
     "Verblijf in een leefgroep waar de jeugdige ook behandeling krijgt."),
    ("residential_three_milieu", "Verblijf 3-milieu",
     "Wonen, school en vrije tijd op het terrein van één aanbieder (driemilieuvoorziening)."),
    ("secure_residential", "Gesloten jeugdhulp", "Verblijf in een besloten of gesloten setting."),
    ("jeugdzorgplus", "JeugdzorgPlus",
     "Gesloten jeugdhulp met een machtiging van de kinderrechter; bovenregionaal ingekocht."),
    ("crisis", "Crisisopvang", "Hulp of opvang die direct beschikbaar is bij een crisis, voor korte tijd."),
    ("respite_care", "Respijtopvang jeugd",
     "Tijdelijke opvang, bijvoorbeeld logeren in het weekend, zodat ouders of verzorgers op adem kunnen komen."),
    ("education_care", "Onderwijs-zorgarrangement",
     "Jeugdhulp in en met het onderwijs, zodat de jeugdige (weer) naar school kan."),
    ("custom_arrangement", "Maatwerkarrangement", "Een combinatie van hulp op maat die niet in één product past."),
]
STEP = 10


def _codes(value) -> list:
    """A mandate's care_types as stored (a JSON list; some drivers hand back the text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [code for code in (value or []) if isinstance(code, str) and code]


def upgrade():
    care_type = op.create_table(
        'care_type',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_care_type_region_id_region')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_care_type')),
        sa.UniqueConstraint('region_id', 'code', name='uq_care_type_region_code'),
    )
    with op.batch_alter_table('care_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_type_region_id'), ['region_id'], unique=False)

    conn = op.get_bind()
    # What the records of each region hold today (mandates through their municipality, decisions
    # through their case).
    held: dict = {}
    for region_id, codes in conn.execute(sa.text(
            "SELECT municipality.region_id, mandate.care_types FROM mandate "
            "JOIN municipality ON municipality.id = mandate.municipality_id")):
        held.setdefault(region_id, set()).update(_codes(codes))
    for region_id, code in conn.execute(sa.text(
            "SELECT DISTINCT ret_case.region_id, decision.care_type FROM decision "
            "JOIN ret_case ON ret_case.id = decision.case_id WHERE decision.care_type IS NOT NULL")):
        if code:
            held.setdefault(region_id, set()).add(code)

    # SQLite stores naive UTC (as UTCDateTime does); PostgreSQL an aware timestamp.
    now = datetime.now(timezone.utc)
    if conn.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    known = {code for code, _name, _description in DEFAULTS}
    rows = []
    for (region_id,) in conn.execute(sa.text("SELECT id FROM region ORDER BY id")):
        for number, (code, name, description) in enumerate(DEFAULTS, start=1):
            rows.append({"region_id": region_id, "code": code, "name": name, "description": description,
                         "active": True, "position": STEP * number, "version": 1, "created_at": now,
                         "updated_at": now})
        for number, code in enumerate(sorted(held.get(region_id, set()) - known), start=len(DEFAULTS) + 1):
            rows.append({"region_id": region_id, "code": code[:32], "name": code[:120],
                         "description": "Overgenomen uit bestaande gegevens; niet meer aangeboden.",
                         "active": False, "position": STEP * number, "version": 1, "created_at": now,
                         "updated_at": now})
    if rows:
        op.bulk_insert(care_type, rows)


def downgrade():
    with op.batch_alter_table('care_type', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_type_region_id'))
    op.drop_table('care_type')
