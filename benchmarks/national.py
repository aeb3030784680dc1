"""The national data set of `make bench`: every youth-care region of the country with 20 years of cases.

Everything is fictional and generated: youths are "<first name> Testfamilie-NNNNNN" (the first names
from the list below, the family name numbered), parents likewise, no BSN, no address; organisations
and people are "Gemeente 03-05", "Consulent 03-05-1" and so on.

`build_country()` makes the country with the application's own models and services (ORM: 42 regions,
each with municipalities and their access teams, the RET with its chair and process directors, the
collective's providers with capacity, policy and privacy staff, an administrator; seven networks with a
liaison each; the default care types and gap categories as a new region gets them). `add_cases(nation,
upto)` then adds cases up to `upto` by bulk insert (PostgreSQL COPY; Core `insert()` elsewhere), each
case with what its status implies: family, consent, help tried before, the lifecycle's transitions and
timeline, participants, the screening, the plan with goals and an agreed version, requests to providers,
agenda items in the region's weekly sessions with a decision and an action each, escalations to the
network, the outcome with help and gaps, and about ten audit events per case linked into the hash chain
(`ret_app.audit.compute_hash`). It can be called again with a larger `upto` (the harness measures at
2,000 cases, then grows the same country). `finish(nation)` adds what the measured pages need at the
end (a session in progress today, gap signals, the reference counters), stores every open case's due
date the way saving the region's norms does (`norms.refresh_region`) and runs ANALYZE.

Case n's data comes from a random generator seeded with n, so the country is the same every run.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time as clock_time, timedelta, timezone
from types import SimpleNamespace
from typing import Callable, Optional

import pyotp
from sqlalchemy import func, insert, select, text

from ret_app import audit
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.uow import unit_of_work
from ret_app.models import (
    AuditEvent, AuditHead, CapacityEntry, Case, CaseAction, CaseEvent, CaseOutcome, CaseParticipant, CasePause,
    CaseReferenceCounter, CaseTransition, Consent, Decision, Escalation, EscalationStep, EscalationTried, FamilyMember, GapCategory,
    GapSignal, Meeting, MeetingItem, Municipality, Network, Organisation, OutcomeGap, OutcomeHelp, Plan, PlanGoal,
    PlanVersion, PriorHelp, ProviderProfile, ProviderRequest, Region, Screening, SignalEvidence, User,
)

PASSWORD = "benchmark password, not for use"
REGIONS = 42
MUNICIPALITIES = 8  # per region (the country has 342 municipalities)
DIRECTORS = 6  # process directors per RET
PROVIDERS = 6  # the collective's providers per region
NETWORKS = 7
YEARS = 20
AUDIT_PER_CASE = 10  # the default; BENCH_AUDIT_EVENTS sets the total
BATCH = 20_000  # cases written per round
FIRST_NAMES = ["Sem", "Noah", "Liam", "Luca", "Daan", "Levi", "Finn", "Milan", "Jesse", "Bram", "Sara", "Emma",
               "Julia", "Mila", "Tess", "Zoë", "Sophie", "Nora", "Yara", "Lotte", "Fenna", "Evi", "Saar", "Liv",
               "Mees", "Thijs", "Ruben", "Lars", "Ravi", "Amir", "Aya", "Ilse", "Jade", "Noor", "Isa", "Femke"]
ROLES = ("chair", "ret_member", "caseworker", "provider_member", "network_liaison", "analyst", "privacy_officer",
         "admin")


@dataclass
class RegionIds:
    id: int
    chair: int
    ret: int  # the RET's organisation
    directors: list[int]
    municipalities: list[int]
    teams: dict[int, int]  # municipality -> its access team
    caseworkers: dict[int, list[int]]  # team -> its caseworkers
    providers: list[int]  # organisations
    network: int
    care_types: list[str]
    gap_categories: list[int]


@dataclass
class Nation:
    today: date
    regions: list[RegionIds]
    accounts: dict[str, str]  # role -> e-mail of the signed-in user of that role (all in the first region)
    secret: str  # their TOTP secret
    audit_per_case: float
    years: int = YEARS  # the cases' referrals are spread over this many years back from today
    cases: int = 0
    audit_events: int = 0
    meetings: dict = field(default_factory=dict)  # (region index, week) -> meeting id
    positions: dict = field(default_factory=lambda: defaultdict(int))  # meeting id -> last agenda position
    gaps: dict = field(default_factory=lambda: defaultdict(list))  # region index -> recent (case, gap, category)
    counts: dict = field(default_factory=lambda: defaultdict(int))  # table -> rows written
    signalled: set = field(default_factory=set)  # the regions that have their gap signal


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hour, minute), tzinfo=timezone.utc)


# --- writing rows in bulk --------------------------------------------------------------------------------

class Writer:
    """Collects plain rows per table and writes them in one go per table (parents first): PostgreSQL's
    COPY, or Core `insert()` with a list of rows on other databases. Ids are given here (after the
    table's highest), so rows can refer to each other before they are written; `finish` moves the
    sequences past them. Columns a row leaves out get the model's default."""

    def __init__(self) -> None:
        self.rows: dict = defaultdict(list)
        self._next: dict = {}

    def new_id(self, model) -> int:
        table = model.__table__
        if table.name not in self._next:
            self._next[table.name] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value

    def add(self, model, **row) -> int:
        if "id" in model.__table__.c and "id" not in row:
            row["id"] = self.new_id(model)
        self.rows[model.__table__.name].append(row)
        return row.get("id")

    def flush(self, counts: dict) -> None:
        for table in db.metadata.sorted_tables:
            rows = self.rows.pop(table.name, None)
            if rows:
                _write(table, rows)
                counts[table.name] += len(rows)
        db.session.commit()


def _defaults(table) -> dict:
    """Each column's value when a row leaves it out: the model's Python default (scalar or callable,
    called once per batch), else None (the server default or NULL)."""
    values = {}
    for column in table.columns:
        default = column.default
        values[column.name] = (default.arg if default is not None and default.is_scalar
                               else default.arg(None) if default is not None and default.is_callable else None)
    return values


def _write(table, rows: list[dict]) -> None:
    defaults = _defaults(table)
    given = set().union(*rows)
    names = [name for name in defaults if name in given or defaults[name] is not None]
    if db.engine.dialect.name != "postgresql":
        db.session.execute(insert(table), [{name: row.get(name, defaults[name]) for name in names} for row in rows])
        return
    from psycopg.types.json import Jsonb

    json_columns = {column.name for column in table.columns if column.type.__class__.__name__ in ("JSON", "JSONB")}
    cursor = db.session.connection().connection.driver_connection.cursor()
    quoted = ", ".join(f'"{name}"' for name in names)
    with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(tuple(Jsonb(row.get(name, defaults[name])) if name in json_columns
                                 else row.get(name, defaults[name]) for name in names))


class Chain:
    """Audit events linked as `ret_app.audit` links them: seq, prev_hash and hash from `compute_hash`."""

    def __init__(self) -> None:
        head = db.session.get(AuditHead, 1)
        self.seq, self.hash = (head.seq, head.hash) if head is not None else (0, audit.GENESIS_HASH)

    def link(self, row: dict) -> dict:
        self.seq += 1
        row |= {"seq": self.seq, "prev_hash": self.hash}
        row["hash"] = self.hash = audit.compute_hash(SimpleNamespace(**row))
        return row

    def store_head(self) -> None:
        head = db.session.get(AuditHead, 1)
        if head is None:
            db.session.add(AuditHead(id=1, seq=self.seq, hash=self.hash))
        else:
            head.seq, head.hash = self.seq, self.hash
        db.session.commit()


# --- the country -----------------------------------------------------------------------------------------

def build_country(today: date, audit_per_case: float = AUDIT_PER_CASE, regions_count: int = REGIONS,
                  years: int = YEARS) -> Nation:
    """42 regions with their organisations and people (ORM and the services a new region goes through)."""
    from ret_app.auth.passwords import hash_password
    from ret_app.caretypes import services as caretypes
    from ret_app.outcomes import taxonomy

    password_hash = hash_password(PASSWORD)  # once: every account that signs in shares it
    secret = pyotp.random_base32()
    now = dates.utcnow()
    regions: list[RegionIds] = []
    accounts: dict[str, str] = {}
    with unit_of_work():
        networks = [Network(name=f"Bovenregionaal netwerk {n + 1}", short_name=f"BN{n + 1}") for n in range(NETWORKS)]
        db.session.add_all(networks)
        db.session.flush()
        network_orgs = [Organisation(name=f"Procesregie netwerk {n + 1}", kind="network", network_id=network.id)
                        for n, network in enumerate(networks)]
        db.session.add_all(network_orgs)
        db.session.flush()

        def person(email, name, role, organisation, signs_in=False):
            user = User(email=email, name=name, role=role, organisation_id=organisation.id)
            if signs_in:
                user.password_hash, user.password_changed_at = password_hash, now
                user.totp_secret, user.activated_at = secret, now
                accounts.setdefault(role, email)
            db.session.add(user)
            return user

        for network, org in zip(networks, network_orgs):
            person(f"netwerk{network.id}@bench.example", f"Liaison netwerk {network.id}", "network_liaison", org,
                   signs_in=network is networks[0])
        for r in range(regions_count):
            code = f"{r + 1:02d}"
            first = r == 0
            region = Region(name=f"Regio {code}", network_id=networks[r % NETWORKS].id)
            db.session.add(region)
            db.session.flush()
            caretypes.seed_defaults(region.id)
            taxonomy.seed_defaults(region.id)
            ret = Organisation(name=f"RET regio {code}", kind="ret", region_id=region.id)
            management = Organisation(name=f"Beleid en inkoop regio {code}", kind="management", region_id=region.id)
            providers = [Organisation(name=f"Jeugdhulp {code}-{p + 1}", kind="provider", region_id=region.id,
                                      collective_member=True) for p in range(PROVIDERS)]
            db.session.add_all([ret, management, *providers])
            municipalities, teams = [], {}
            for m in range(MUNICIPALITIES):
                municipality = Municipality(region_id=region.id, name=f"Gemeente {code}-{m + 1:02d}",
                                            cbs_code=f"GM{r * MUNICIPALITIES + m:04d}")
                db.session.add(municipality)
                db.session.flush()
                team = Organisation(name=f"Toegangsteam {code}-{m + 1:02d}", kind="access_team",
                                    region_id=region.id, municipality_id=municipality.id)
                db.session.add(team)
                municipalities.append(municipality)
                teams[municipality.id] = team
            db.session.flush()
            chair = person(f"voorzitter{code}@bench.example", f"Voorzitter {code}", "chair", ret, signs_in=first)
            directors = [person(f"lid{code}-{d}@bench.example", f"Procesregisseur {code}-{d}", "ret_member", ret,
                                signs_in=first and d == 0) for d in range(DIRECTORS)]
            caseworkers = {team.id: [person(f"consulent{code}-{m}-{k}@bench.example", f"Consulent {code}-{m}-{k}",
                                            "caseworker", team, signs_in=first and m == 0 and k == 0)
                                     for k in range(2)] for m, team in enumerate(teams.values())}
            provider_members = [person(f"aanbieder{code}-{p}@bench.example", f"Aanbieder {code}-{p}",
                                       "provider_member", org, signs_in=first and p == 0)
                                for p, org in enumerate(providers)]
            person(f"beleid{code}@bench.example", f"Beleid {code}", "analyst", management, signs_in=first)
            person(f"privacy{code}@bench.example", f"Privacy {code}", "privacy_officer", ret, signs_in=first)
            person(f"beheer{code}@bench.example", f"Beheer {code}", "admin", management, signs_in=first)
            db.session.flush()
            care_types = list(db.session.scalars(text("SELECT code FROM care_type WHERE region_id = :r ORDER BY id"),
                                                 {"r": region.id}))
            for p, org in enumerate(providers):
                db.session.add(ProviderProfile(organisation_id=org.id, summary="Jeugdhulp in de regio", min_age=0,
                                               max_age=23, updated_by_id=provider_members[p].id))
                for k in range(3):
                    db.session.add(CapacityEntry(organisation_id=org.id, care_type=care_types[(p + k) % len(care_types)],
                                                 places_available=(p + k) % 4, waiting_weeks=(p * 3 + k) % 12,
                                                 updated_by_id=provider_members[p].id))
            db.session.flush()
            regions.append(RegionIds(
                id=region.id, chair=chair.id, ret=ret.id, directors=[d.id for d in directors],
                municipalities=[m.id for m in municipalities], teams={m: t.id for m, t in teams.items()},
                caseworkers={t: [c.id for c in users] for t, users in caseworkers.items()},
                providers=[p.id for p in providers], network=region.network_id, care_types=care_types,
                gap_categories=list(db.session.scalars(select(GapCategory.id).where(GapCategory.region_id == region.id)
                                                       .order_by(GapCategory.id)))))
    audit.seal_pending()
    db.session.commit()
    return Nation(today=today, regions=regions, accounts=accounts, secret=secret, audit_per_case=audit_per_case,
                  years=years)


# --- the cases -------------------------------------------------------------------------------------------

# (status, share) by how long ago the case was referred.
RECENT = [("concept", 0.3), ("submitted", 0.5), ("intake", 0.2)]  # the last 10 days
WEEKS = [("submitted", 0.1), ("intake", 0.1), ("screening", 0.5), ("returned_with_advice", 0.1),
         ("process_direction", 0.2)]  # 10 to 60 days
YEARS_2 = [("screening", 0.05), ("process_direction", 0.25), ("monitoring", 0.25), ("paused", 0.05),
           ("closed", 0.35), ("returned_with_advice", 0.05)]  # up to two years
OLDER = [("closed", 0.92), ("returned_with_advice", 0.06), ("monitoring", 0.02)]
PATH = ["concept", "submitted", "intake", "screening", "process_direction", "monitoring", "closed"]
AUDIT_SHAPES = [("read", "case", "case_page"), ("read", "case", "case_page"), ("update", "case", "referral_edit"),
                ("read", "screening", "screening_page"), ("read", "case", "case_list"),
                ("export", "case", "screening_report"), ("read", "meeting", "meeting_page"),
                ("create", "provider_request", "request_made"), ("read", "plan", "plan_page"),
                ("update", "case", "transition")]


def _pick(rng: random.Random, shares: list) -> str:
    return rng.choices([name for name, _ in shares], [share for _, share in shares])[0]


def _status(rng: random.Random, age: int) -> str:
    return _pick(rng, RECENT if age < 10 else WEEKS if age < 60 else YEARS_2 if age < 730 else OLDER)


def _meeting(nation: Nation, w: Writer, r: int, day: date) -> int:
    """The region's weekly session (Tuesday 9:00) of the week of `day`, made when first needed."""
    tuesday = day - timedelta(days=day.weekday()) + timedelta(days=1)
    key = (r, tuesday)
    if key not in nation.meetings:
        region = nation.regions[r]
        starts = _at(tuesday, 8)
        held = tuesday < nation.today
        nation.meetings[key] = w.add(
            Meeting, region_id=region.id, chair_id=region.chair, starts_at=starts, location="Vergaderzaal",
            status="approved" if held else "planned", created_by_id=region.chair,
            started_at=starts if held else None, closed_at=starts + timedelta(hours=2) if held else None,
            approved_at=starts + timedelta(days=1) if held else None, approved_by_id=region.chair if held else None,
            created_at=starts - timedelta(days=14), updated_at=starts)
    return nation.meetings[key]


def _case(nation: Nation, w: Writer, chain: Chain, n: int, audit_rows: list) -> None:
    rng = random.Random(n * 7919 + 20261205)
    today = nation.today
    r = rng.randrange(len(nation.regions))
    region = nation.regions[r]
    municipality = rng.choice(region.municipalities)
    team = region.teams[municipality]
    caseworker = rng.choice(region.caseworkers[team])
    age = rng.randrange(nation.years * 365)
    submitted = today - timedelta(days=age)
    status = _status(rng, age)
    stage = rng.choice(["screening", "process_direction", "monitoring"]) if status == "paused" else status
    reached = PATH.index(stage) if stage in PATH else PATH.index("screening")  # returned: after the screening
    urgency = rng.choices(["regular", "urgent", "crisis"], [0.8, 0.15, 0.05])[0]
    escalated = rng.random() < 0.03  # when the case gets as far as process direction
    network_consent = escalated or rng.random() < 0.3
    track = None
    director = rng.choice(region.directors)
    if reached >= PATH.index("screening"):
        track = rng.choice(["consultation", "process_direction", "placement_review"]) \
            if reached == PATH.index("screening") else rng.choice(["process_direction", "placement_review"])
    intake = submitted + timedelta(days=3)
    finalised = submitted + timedelta(days=25)
    fitting = submitted + timedelta(days=rng.randint(45, 120)) if reached >= PATH.index("monitoring") else None
    closed = None
    if status in ("closed", "returned_with_advice"):
        closed = min(today, submitted + timedelta(days=rng.randint(30 if status != "closed" else 130, 400)))
    first = rng.choice(FIRST_NAMES)
    family = f"Testfamilie-{n:06d}"
    birth = submitted - timedelta(days=rng.randint(4 * 365, 17 * 365))
    case_id = w.add(
        Case, reference=f"RET-{submitted.year}-{n:06d}", region_id=region.id, municipality_id=municipality,
        submitting_organisation_id=team, caseworker_id=caseworker,
        process_director_id=director if track else None, status=status,
        status_before_pause=stage if status == "paused" else None, track=track, urgency=urgency,
        youth_first_name=first, youth_last_name=family, youth_birth_date=birth,
        youth_gender=rng.choice(["female", "male", "other"]), question=f"Welke hulp past bij {first}?",
        why_stuck="De hulp tot nu toe sloot niet aan.", placement_intended=track == "placement_review",
        consent_ret=True, consent_collective=True, consent_network=network_consent,
        submitted_at=_at(submitted, 9) if status != "concept" else None,
        intake_at=_at(intake, 14) if reached >= PATH.index("intake") else None,
        closed_at=_at(closed, 16) if closed else None, fitting_help_started_on=fitting,
        outcome_recorded_at=_at(closed, 15) if status == "closed" else None,
        created_at=_at(submitted - timedelta(days=2)), updated_at=_at(closed or submitted))
    mother = w.add(FamilyMember, case_id=case_id, relation="mother", name=f"{rng.choice(FIRST_NAMES)} {family}",
                   age=rng.randint(28, 50), living_situation="Thuis", parental_authority=True)
    w.add(FamilyMember, case_id=case_id, relation="father", name=f"{rng.choice(FIRST_NAMES)} {family}",
          age=rng.randint(28, 55), living_situation="Elders", parental_authority=False)
    for scope in ("ret", "collective", "network") if network_consent else ("ret", "collective"):
        for member, by in ((mother, "parent"), (None, "youth")):  # the parents below 16, the youth from 12
            w.add(Consent, case_id=case_id, scope=scope, family_member_id=member, given_by_role=by,
                  given_on=submitted - timedelta(days=3), form="written", recorded_by_id=caseworker,
                  recorded_at=_at(submitted - timedelta(days=3), 14))
    prior = w.add(PriorHelp, case_id=case_id, provider="Wijkteam", help_type="Ambulante begeleiding",
                  from_date=submitted - timedelta(days=400), to_date=submitted - timedelta(days=30),
                  end_reason="Niet passend")
    # The lifecycle: transitions and timeline.
    steps = PATH[:reached + 1] if status != "returned_with_advice" else PATH[:4] + ["returned_with_advice"]
    if status == "paused":
        steps = steps + ["paused"]
    moment = submitted - timedelta(days=2)
    for source, target in zip([None] + steps[:-1], steps):
        actor = caseworker if target in ("concept", "submitted") else region.chair
        w.add(CaseTransition, case_id=case_id, from_status=source, to_status=target, actor_id=actor, at=_at(moment, 11))
        w.add(CaseEvent, case_id=case_id, at=_at(moment, 11), actor_id=actor, kind=f"transition:{target}", summary="")
        moment = min(today, moment + timedelta(days=rng.randint(2, 30)))
    if status == "paused":
        w.add(CasePause, case_id=case_id, start=today - timedelta(days=rng.randint(0, 20)), reason="Gezin vraagt tijd",
              started_by_id=director)
    if track:
        w.add(CaseParticipant, case_id=case_id, role="ret_member", user_id=director, invited_by_id=region.chair,
              invited_at=_at(intake, 11))
        w.add(Screening, case_id=case_id, youth_view="Ik wil weten waar ik aan toe ben.",
              family_view="We willen hulp die blijft.", analysis="Analyse van de hulpvraag.", advice="Advies.",
              finalised_at=_at(finalised, 13) if reached > PATH.index("screening") or closed else None,
              finalised_by_id=director if reached > PATH.index("screening") or closed else None,
              created_at=_at(intake, 12), updated_at=_at(finalised, 13))
        # Agenda items in the region's sessions: the screening, later the progress.
        discussed = [(intake + timedelta(days=7), "screening")]
        if reached >= PATH.index("process_direction"):
            discussed.append((finalised + timedelta(days=14), "progress"))
        for day, purpose in discussed:
            if day > today + timedelta(days=14):
                continue
            meeting = _meeting(nation, w, r, day)
            nation.positions[meeting] += 1
            item = w.add(MeetingItem, meeting_id=meeting, case_id=case_id, purpose=purpose,
                         position=nation.positions[meeting], notes="Besproken.", added_by_id=region.chair,
                         added_at=_at(day - timedelta(days=7)), seconds_spent=600)
            if day < today:
                w.add(Decision, item_id=item, case_id=case_id, municipality_id=municipality, kind="general",
                      text="Het RET adviseert de volgende stap.", status="recorded",
                      submission_key=f"bench-{n}-{purpose}", recorded_by_id=region.chair, recorded_at=_at(day, 10))
                w.add(CaseAction, case_id=case_id, item_id=item, description="Gezin informeren over het advies.",
                      owner_user_id=director, due_date=day + timedelta(days=14),
                      status="open" if not closed and day > today - timedelta(days=60) else "done",
                      completed_at=None if not closed else _at(day + timedelta(days=10)),
                      completed_by_id=director if closed else None, submission_key=f"bench-{n}-{purpose}-action",
                      created_by_id=region.chair, created_at=_at(day, 10), updated_at=_at(day, 10))
    if track in ("process_direction", "placement_review") and reached >= PATH.index("process_direction"):
        plan = w.add(Plan, case_id=case_id, changed_at=_at(finalised, 15), changed_by_id=director, agreed_number=1,
                     changed_since_agreed=False, created_at=_at(finalised, 15), updated_at=_at(finalised, 15))
        goals = ["Een passende plek om te wonen.", "Weer naar school."]
        for position, goal in enumerate(goals, start=1):
            w.add(PlanGoal, plan_id=plan, position=position, text=goal, care_type=rng.choice(region.care_types),
                  created_at=_at(finalised, 15), updated_at=_at(finalised, 15))
        w.add(PlanVersion, plan_id=plan, number=1, agreed_by_id=director, agreed_at=_at(finalised, 16),
              content={"goals": [{"text": goal} for goal in goals]})
        for k in range(rng.randint(1, 2)):
            asked = finalised + timedelta(days=2 + k)
            answered = status in ("monitoring", "closed") or rng.random() < 0.5
            declined = answered and k == 0 and rng.random() < 0.4
            request_status = ("declined" if declined else "ended" if closed else "started" if fitting else "accepted") \
                if answered else "requested"
            w.add(ProviderRequest, case_id=case_id, organisation_id=rng.choice(region.providers), role="lead_provider",
                  care_type=rng.choice(region.care_types), question="Kunt u deze hulp bieden?",
                  reply_by=asked + timedelta(days=3), status=request_status, requested_at=_at(asked, 10),
                  requested_by_id=director, submission_key=f"bench-{n}-request-{k}",
                  answered_at=_at(asked + timedelta(days=2), 14) if answered else None,
                  decline_reason="no_capacity" if declined else None, started_on=fitting if not declined else None,
                  ended_on=closed if request_status == "ended" else None)
        if escalated:
            sent = finalised + timedelta(days=30)
            escalation = w.add(
                Escalation, case_id=case_id, network_id=region.network, status="closed" if closed else "in_progress",
                why_exhausted="Geen aanbod in de regio.", question_kind="placement", question="Kan het netwerk helpen?",
                urgency=urgency, expected_answer_date=sent + timedelta(days=14), created_at=_at(sent - timedelta(days=1)),
                created_by_id=director, sent_at=_at(sent), sent_by_id=region.chair,
                result="placement_found" if closed else None, submission_key=f"bench-{n}-escalation")
            w.add(EscalationStep, escalation_id=escalation, name="send", from_status="draft", to_status="sent",
                  actor_id=region.chair, at=_at(sent), reason="")
            w.add(EscalationTried, escalation_id=escalation, kind="prior_help", object_id=prior)
    if status == "closed":
        outcome = w.add(CaseOutcome, case_id=case_id, result=rng.choice(["realised", "partly_realised", "not_realised"]),
                        recorded_by_id=director, recorded_at=_at(closed, 15), working_days_to_close=(closed - submitted).days * 5 // 7,
                        created_at=_at(closed, 15), updated_at=_at(closed, 15))
        w.add(OutcomeHelp, outcome_id=outcome, case_id=case_id, position=1, care_type=rng.choice(region.care_types),
              organisation_id=rng.choice(region.providers), inside_region=True, via_network=False)
        if rng.random() < 0.3:
            category = rng.choice(region.gap_categories)
            gap = w.add(OutcomeGap, outcome_id=outcome, case_id=case_id, position=1, gap_category_id=category,
                        care_type=rng.choice(region.care_types), note="Geen plek beschikbaar.")
            recent = nation.gaps[r]
            recent.append((case_id, gap, category))
            del recent[:-20]
    # The audit trail: about `audit_per_case` events over the case's life by the people working on it.
    count = int(nation.audit_per_case) + (rng.random() < nation.audit_per_case % 1)
    last = closed or today
    for k in range(count):
        action, object_type, detail = AUDIT_SHAPES[k % len(AUDIT_SHAPES)]
        user, role = rng.choice([(caseworker, "caseworker"), (region.chair, "chair"), (director, "ret_member")])
        day = submitted + timedelta(days=rng.randrange(max(1, (last - submitted).days + 1)))
        audit_rows.append(chain.link({
            "id": w.new_id(AuditEvent), "occurred_at": _at(day, 8 + k % 9, rng.randrange(60)), "user_id": user,
            "user_name": f"Gebruiker {user}", "user_role": role, "organisation_name": f"Regio {r + 1:02d}",
            "on_behalf_of": None, "action": action, "object_type": object_type, "object_id": str(case_id),
            "case_id": case_id, "outcome": "allowed", "ip_address": "127.0.0.1", "detail": detail}))


def add_cases(nation: Nation, upto: int, progress: Callable[[str], None] = print) -> None:
    """Add cases nation.cases+1 .. upto, with their rows and audit events, in rounds of BATCH."""
    chain = Chain()
    began = time.perf_counter()
    while nation.cases < upto:
        w = Writer()
        audit_rows: list[dict] = []
        last = min(upto, nation.cases + BATCH)
        for n in range(nation.cases + 1, last + 1):
            _case(nation, w, chain, n, audit_rows)
        w.rows[AuditEvent.__table__.name] = audit_rows
        w.flush(nation.counts)
        nation.cases = last
        nation.audit_events += len(audit_rows)
        seconds = time.perf_counter() - began
        progress(f"  {nation.cases:>9,} cases, {nation.audit_events:>10,} audit events  ({seconds:5.0f} s)")
    chain.store_head()


# --- the finishing touches -------------------------------------------------------------------------------

def finish(nation: Nation, progress: Callable[[str], None] = print) -> None:
    """The sequences past the given ids, the reference counters, a session in progress today and the gap
    signals in every region; every open case's due date stored (`norms.refresh_region`); the analyst's figures
    stored (the nightly job); ANALYZE."""
    from ret_app.cases import norms

    w = Writer()
    today = nation.today
    for r, region in enumerate(nation.regions):
        _live_session(nation, w, r, region)
        recent = nation.gaps[r]
        if recent and r not in nation.signalled:
            nation.signalled.add(r)
            signal = w.add(GapSignal, region_id=region.id, gap_category_id=recent[-1][2], status="new",
                           window_start=today - timedelta(days=183), window_end=today, raised_count=len(recent),
                           case_count=len(recent), raised_at=_at(today, 3), open_key=f"bench-{region.id}")
            for case_id, gap, _category in recent:
                w.add(SignalEvidence, signal_id=signal, case_id=case_id, kind="outcome_gap", outcome_gap_id=gap,
                      detail="")
    w.flush(nation.counts)
    if db.engine.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement in (True, "auto") and table.c.id.primary_key:
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                        f"coalesce((SELECT max(id) FROM \"{table.name}\"), 1))"))
    years = db.session.execute(text("SELECT extract(year FROM submitted_at)::int AS y, count(*) FROM ret_case "
                                    "WHERE submitted_at IS NOT NULL GROUP BY y") if db.engine.dialect.name ==
                               "postgresql" else text("SELECT 0, 0 WHERE 0")).all()
    db.session.execute(CaseReferenceCounter.__table__.delete())
    if years:
        db.session.execute(insert(CaseReferenceCounter), [{"year": y, "last_number": nation.cases} for y, _ in years])
    db.session.commit()
    began = time.perf_counter()
    with unit_of_work():
        stored = sum(norms.refresh_region(region.id) for region in nation.regions)
    progress(f"  due dates stored for {stored:,} open cases (norms.refresh_region) "
             f"({time.perf_counter() - began:.0f} s)")
    # The analyst's protected figures, as the nightly job stores them (ret_app/analyst/stored.py).
    from ret_app.analyst import refresh
    from ret_app.jobs import registry

    began = time.perf_counter()
    outcome = registry.run(refresh.NIGHTLY, today)
    progress(f"  the analyst's figures stored ({outcome.count:,} years changed, job {refresh.NIGHTLY}) "
             f"({time.perf_counter() - began:.0f} s)")
    analyze()


def check_due_dates(nation: Nation, limit: int = 500) -> list[str]:
    """The next due date and kind that `finish` stored in bulk (`norms.refresh_region`) against what the
    application computes for one case when something changes (`norms.next_due`), for up to `limit`
    open cases spread over the country."""
    from sqlalchemy.orm import selectinload

    from ret_app.cases import norms

    step = max(1, nation.cases // limit)
    failures = []
    for case in db.session.scalars(select(Case).where(
            Case.id % step == 0, Case.status.not_in(["concept", "closed", "returned_with_advice"]))
            .options(selectinload(Case.pauses)).order_by(Case.id).limit(limit)):  # the cases it stores for
        expected = norms.next_due(case) or (None, None)
        if (case.next_deadline, case.next_due_kind) != tuple(expected):
            failures.append(f"{case.reference}: stored {case.next_deadline} {case.next_due_kind}, computed {expected}")
    return failures[:10]


def _live_session(nation: Nation, w: Writer, r: int, region: RegionIds) -> None:
    """Today's session of the region, in progress, with open cases of the region on its agenda (once)."""
    key = (r, "live")
    if key in nation.meetings:
        return
    cases = list(db.session.scalars(select(Case.id).where(Case.region_id == region.id).order_by(
        Case.status.in_(["screening", "process_direction", "monitoring"]).desc(), Case.id.desc()).limit(12)))
    if not cases:
        return
    starts = _at(nation.today, 8)
    meeting = nation.meetings[key] = w.add(
        Meeting, region_id=region.id, chair_id=region.chair, starts_at=starts, location="Vergaderzaal",
        status="in_progress", created_by_id=region.chair, started_at=starts, created_at=starts - timedelta(days=7),
        updated_at=starts)
    items = [w.add(MeetingItem, meeting_id=meeting, case_id=case_id, purpose="progress", position=position,
                   added_by_id=region.chair, added_at=starts - timedelta(days=7))
             for position, case_id in enumerate(cases, start=1)]
    w.rows[Meeting.__table__.name][-1]["current_item_id"] = items[0]


def analyze() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))


def live_meeting(nation: Nation) -> Optional[int]:
    return nation.meetings.get((0, "live"))


def sample(nation: Nation) -> dict:
    """Ids in the first region that the measured pages open."""
    region = nation.regions[0]

    def one(stmt):
        return db.session.scalar(stmt.limit(1))

    # A case far along (a finalised screening, in monitoring) if the region has one.
    case = one(select(Case.id).outerjoin(Screening, Screening.case_id == Case.id).where(
        Case.region_id == region.id, Case.status != "concept").order_by(
        (Case.status == "monitoring").desc(), Screening.finalised_at.is_not(None).desc(), Case.id.desc()))
    meeting = one(select(Meeting.id).where(Meeting.region_id == region.id, Meeting.status == "approved")
                  .order_by(Meeting.starts_at.desc()))
    return {
        "case": case,
        "case_family": db.session.scalar(select(Case.youth_last_name).where(Case.id == case)),
        "meeting": meeting,
        "live_meeting": live_meeting(nation),
        "signal": one(select(GapSignal.id).where(GapSignal.region_id == region.id)),
        "escalation": one(select(Escalation.id).join(Case, Case.id == Escalation.case_id).where(
            Case.region_id == region.id).order_by(Escalation.id.desc())),
        "region_cases": db.session.scalar(select(func.count()).select_from(Case).where(Case.region_id == region.id)),
        "region_open_cases": db.session.scalar(select(func.count()).select_from(Case).where(
            Case.region_id == region.id, Case.status.not_in(["closed", "returned_with_advice"]))),
    }



