"""Need-to-know per case: can_view_case and its SQL twin give the same answer for every role ×
own case / case of another team / case of another region, providers only while invited and while
collective consent stands."""

import pytest
from sqlalchemy import select

from ret_app import policy
from ret_app.extensions import db
from ret_app.models import Case, CaseParticipant, User


@pytest.fixture
def world(app, make_world, factory):
    w = make_world()
    users = {"chair": w.chair, "ret_member": w.member, "caseworker": w.caseworker, "colleague": w.colleague,
             "provider_member": w.provider_member, "other_provider_member": w.other_provider_member,
             "network_liaison": w.network_liaison, "analyst": w.analyst,
             "privacy_officer": w.privacy_officer, "admin": w.admin}
    cases = {
        "own": factory.case(w.caseworker, w.municipality, status="screening", consent_collective=True),
        "own_concept": factory.case(w.caseworker, w.municipality, status="concept"),
        "other_team": factory.case(w.other_caseworker, w.other_municipality, status="screening",
                                   consent_collective=True),
        "other_region": factory.case(w.elsewhere.caseworker, w.elsewhere.municipality, status="screening",
                                     consent_collective=True),
    }
    with app.app_context():
        for key in ("own", "other_region"):
            db.session.add(CaseParticipant(case_id=cases[key], role="provider", organisation_id=w.provider.id,
                                           invited_by_id=w.chair.id))
        db.session.commit()
    return users, cases


EXPECTED = {
    # role: the cases it sees
    "chair": {"own", "other_team"},
    "ret_member": {"own", "other_team"},
    "caseworker": {"own", "own_concept"},
    "colleague": {"own", "own_concept"},  # same access team
    "provider_member": {"own", "other_region"},  # invited, collective consent stands
    "other_provider_member": set(),
    "network_liaison": set(),
    "analyst": set(),
    "privacy_officer": set(),  # audit data and requests, no case content
    "admin": set(),
}


def visible(user: User, case_ids: dict) -> set:
    ids = set(db.session.scalars(select(Case.id).where(policy.visible_cases_clause(user))))
    return {name for name, cid in case_ids.items() if cid in ids}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_visibility_matrix_python_and_sql_agree(app, world, who):
    users, cases = world
    with app.app_context():
        u = db.session.get(User, users[who].id)
        by_python = {name for name, cid in cases.items() if policy.can_view_case(u, db.session.get(Case, cid))}
        assert by_python == EXPECTED[who]
        assert visible(u, cases) == EXPECTED[who]


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_names_python_and_sql_agree(app, world, who):
    """can_see_identity and its SQL twin (the case search by names) give the same answer."""
    users, cases = world
    with app.app_context():
        u = db.session.get(User, users[who].id)
        by_python = {name for name, cid in cases.items() if policy.can_see_identity(u, db.session.get(Case, cid))}
        ids = set(db.session.scalars(select(Case.id).where(policy.identity_visible_clause(u))))
        assert by_python == {name for name, cid in cases.items() if cid in ids} == EXPECTED[who]


def test_provider_loses_access_when_collective_consent_falls(app, world):
    users, cases = world
    with app.app_context():
        provider = db.session.get(User, users["provider_member"].id)
        case = db.session.get(Case, cases["own"])
        case.consent_collective = False
        db.session.flush()
        assert not policy.can_view_case(provider, case)
        assert "own" not in visible(provider, cases)


def test_provider_loses_access_when_the_invitation_is_withdrawn(app, world):
    from datetime import datetime, timezone

    users, cases = world
    with app.app_context():
        provider = db.session.get(User, users["provider_member"].id)
        case = db.session.get(Case, cases["own"])
        for p in case.participants:
            p.removed_at = datetime.now(timezone.utc)
        db.session.flush()
        assert not policy.can_view_case(provider, case)
        assert "own" not in visible(provider, cases)


def test_a_caseworker_who_takes_part_sees_the_case(app, factory, world):
    users, cases = world
    with app.app_context():
        outsider = db.session.get(User, factory.user("caseworker").id)
        assert not policy.can_view_case(outsider, db.session.get(Case, cases["other_team"]))
        db.session.add(CaseParticipant(case_id=cases["other_team"], role="ret_member", user_id=outsider.id,
                                       invited_by_id=users["chair"].id))
        db.session.flush()
        db.session.expire_all()
        assert policy.can_view_case(outsider, db.session.get(Case, cases["other_team"]))
        assert "other_team" in visible(outsider, cases)
