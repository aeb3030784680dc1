"""Who reads and who keeps a case's plan: can_read_plan / can_keep_plan and their SQL twins give the
same answer for every role × the region's case, a case of another team, a case of another region, a
concept; the process director of one case does not keep another's; a provider reads only while
invited and while collective consent stands."""

import pytest
from sqlalchemy import select

from ret_app import policy
from ret_app.extensions import db
from ret_app.models import Case, CaseParticipant, Plan, User


@pytest.fixture
def world(app, make_world, factory):
    w = make_world()
    other_director = factory.user("ret_member", w.ret.id)
    users = {"chair": w.chair, "director": w.director, "other_director": other_director, "ret_member": w.member,
             "caseworker": w.caseworker, "other_caseworker": w.other_caseworker,
             "provider_member": w.provider_member, "other_provider_member": w.other_provider_member,
             "elsewhere_chair": w.elsewhere.chair, "network_liaison": w.network_liaison, "analyst": w.analyst,
             "admin": w.admin}
    cases = {
        "own": factory.case(w.caseworker, w.municipality, status="process_direction", consent_collective=True,
                            process_director_id=w.director.id),
        "other_team": factory.case(w.other_caseworker, w.other_municipality, status="monitoring",
                                   consent_collective=True, process_director_id=other_director.id),
        "no_consent": factory.case(w.caseworker, w.municipality, status="process_direction",
                                   consent_collective=False, process_director_id=w.director.id),
        "other_region": factory.case(w.elsewhere.caseworker, w.elsewhere.municipality, status="process_direction",
                                     consent_collective=True, process_director_id=w.elsewhere.member.id),
        "concept": factory.case(w.caseworker, w.municipality, status="concept", process_director_id=w.director.id),
    }
    with app.app_context():
        for key in ("own", "no_consent", "other_region"):
            db.session.add(CaseParticipant(case_id=cases[key], role="provider", organisation_id=w.provider.id,
                                           invited_by_id=w.chair.id))
        for case_id in cases.values():
            db.session.add(Plan(case_id=case_id))
        db.session.commit()
    return users, cases


READS = {
    "chair": {"own", "other_team", "no_consent"},
    "director": {"own", "other_team", "no_consent"},
    "other_director": {"own", "other_team", "no_consent"},
    "ret_member": {"own", "other_team", "no_consent"},
    "caseworker": {"own", "no_consent", "concept"},
    "other_caseworker": {"other_team"},
    # Invited with collective consent standing (its organisation's invitation counts in any region).
    "provider_member": {"own", "other_region"},
    "other_provider_member": set(),
    "elsewhere_chair": {"other_region"},
    "network_liaison": set(),
    "analyst": set(),
    "admin": set(),
}

KEEPS = {
    "chair": {"own", "other_team", "no_consent"},  # the region's chair stands in
    "director": {"own", "no_consent"},  # their own cases (not a concept: nobody sees it in the RET)
    "other_director": {"other_team"},
    "ret_member": set(),
    "caseworker": set(),
    "other_caseworker": set(),
    "provider_member": set(),
    "other_provider_member": set(),
    "elsewhere_chair": {"other_region"},
    "network_liaison": set(),
    "analyst": set(),
    "admin": set(),
}


def by_sql(clause, cases: dict) -> set:
    ids = set(db.session.scalars(select(Plan.case_id).where(clause)))
    return {name for name, case_id in cases.items() if case_id in ids}


@pytest.mark.parametrize("who", sorted(READS))
def test_reading_the_plan_python_and_sql_agree(app, world, who):
    users, cases = world
    with app.app_context():
        u = db.session.get(User, users[who].id)
        by_python = {name for name, cid in cases.items() if policy.can_read_plan(u, db.session.get(Case, cid))}
        assert by_python == READS[who]
        assert by_sql(policy.readable_plans_clause(u), cases) == READS[who]


@pytest.mark.parametrize("who", sorted(KEEPS))
def test_keeping_the_plan_python_and_sql_agree(app, world, who):
    users, cases = world
    with app.app_context():
        u = db.session.get(User, users[who].id)
        by_python = {name for name, cid in cases.items() if policy.can_keep_plan(u, db.session.get(Case, cid))}
        assert by_python == KEEPS[who]
        assert by_sql(policy.kept_plans_clause(u), cases) == KEEPS[who]


def test_a_provider_stops_reading_when_collective_consent_falls(app, world):
    users, cases = world
    with app.app_context():
        provider = db.session.get(User, users["provider_member"].id)
        case = db.session.get(Case, cases["own"])
        case.consent_collective = False
        db.session.flush()
        assert not policy.can_read_plan(provider, case)
        assert "own" not in by_sql(policy.readable_plans_clause(provider), cases)
        db.session.rollback()
