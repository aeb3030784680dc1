"""The collective's access policy: each object rule and its SQL twin give the same answer for every
role × provider (own, another of the region's collective, one outside the collective, an inactive
one, another region's) and every capacity entry of those providers; and the answers are the ones
written out here by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ret_app import policy
from ret_app.extensions import db
from ret_app.models import CapacityEntry, Organisation, User


@pytest.fixture(scope="module")
def world(app):
    from tests.conftest import Factory
    from tests.worlds import World

    factory = Factory(app)
    w = World(factory)
    w.inactive = factory.organisation("provider", region_id=w.region.id, collective_member=True)
    w.inactive_member = factory.user("provider_member", w.inactive.id)
    with app.app_context():
        db.session.get(Organisation, w.inactive.id).active = False
        for org in (w.provider, w.other_provider, w.outsider, w.inactive, w.elsewhere.provider):
            db.session.add(CapacityEntry(organisation_id=org.id, care_type="ambulatory", places_available=1,
                                         waiting_weeks=1))
        db.session.commit()
    providers = {"own": w.provider, "other": w.other_provider, "outsider": w.outsider, "inactive": w.inactive,
                 "elsewhere": w.elsewhere.provider}
    users = {"chair": w.chair, "ret_member": w.member, "caseworker": w.caseworker,
             "provider_member": w.provider_member, "other_provider_member": w.other_provider_member,
             "outsider_member": w.outsider_member, "inactive_member": w.inactive_member,
             "elsewhere_chair": w.elsewhere.chair, "elsewhere_provider_member": w.elsewhere.provider_member,
             "network_liaison": w.network_liaison, "analyst": w.analyst, "admin": w.admin}
    return users, providers


REGION = {"own", "other"}  # the collective providers of the world's region (active members)

# role: (the providers whose profile and capacity it reads, the providers it keeps)
EXPECTED = {
    "chair": (REGION, set()),
    "ret_member": (REGION, set()),
    "caseworker": (REGION, set()),
    "provider_member": (REGION, {"own"}),
    "other_provider_member": (REGION, {"other"}),
    "outsider_member": (REGION, set()),  # a provider outside the collective reads, keeps nothing
    "inactive_member": (REGION, set()),
    "elsewhere_chair": ({"elsewhere"}, set()),
    "elsewhere_provider_member": ({"elsewhere"}, {"elsewhere"}),
    "network_liaison": (set(), set()),
    "analyst": (set(), set()),
    "admin": (set(), set()),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_providers_python_and_sql_agree(app, world, who):
    users, providers = world
    reads, keeps = EXPECTED[who]
    with app.app_context():
        user = db.session.get(User, users[who].id)
        orgs = {name: db.session.get(Organisation, org.id) for name, org in providers.items()}
        by_python = {name for name, org in orgs.items() if policy.can_view_provider(user, org)}
        visible_ids = set(db.session.scalars(select(Organisation.id).where(policy.visible_providers_clause(user))))
        by_sql = {name for name, org in orgs.items() if org.id in visible_ids}
        assert by_python == by_sql == reads
        kept_by_python = {name for name, org in orgs.items() if policy.can_keep_provider(user, org)}
        kept_ids = set(db.session.scalars(select(Organisation.id).where(policy.kept_providers_clause(user))))
        assert kept_by_python == {name for name, org in orgs.items() if org.id in kept_ids} == keeps


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_capacity_entries_python_and_sql_agree(app, world, who):
    users, providers = world
    reads, keeps = EXPECTED[who]
    with app.app_context():
        user = db.session.get(User, users[who].id)
        by_org = {org.id: name for name, org in providers.items()}
        entries = list(db.session.scalars(select(CapacityEntry).where(CapacityEntry.organisation_id.in_(by_org))))
        assert len(entries) == len(providers)
        seen_python = {by_org[e.organisation_id] for e in entries if policy.can_view_capacity(user, e)}
        seen_sql = {by_org[e.organisation_id] for e in db.session.scalars(
            select(CapacityEntry).where(CapacityEntry.organisation_id.in_(by_org), policy.visible_capacity_clause(user)))}
        assert seen_python == seen_sql == reads
        kept_python = {by_org[e.organisation_id] for e in entries if policy.can_update_capacity(user, e)}
        kept_sql = {by_org[e.organisation_id] for e in db.session.scalars(
            select(CapacityEntry).where(CapacityEntry.organisation_id.in_(by_org),
                                        policy.updatable_capacity_clause(user)))}
        assert kept_python == kept_sql == keeps


@pytest.mark.parametrize("who,sees", [("chair", True), ("ret_member", True), ("elsewhere_chair", True),
                                      ("caseworker", False), ("provider_member", False), ("analyst", False),
                                      ("admin", False)])
def test_who_sees_the_capacity_overview(app, world, who, sees):
    users, _providers = world
    with app.app_context():
        assert policy.sees_capacity_overview(db.session.get(User, users[who].id)) is sees


def test_a_provider_that_leaves_the_collective_is_read_and_kept_no_more(app, world):
    users, providers = world
    with app.app_context():
        org = db.session.get(Organisation, providers["own"].id)
        member = db.session.get(User, users["provider_member"].id)
        chair = db.session.get(User, users["chair"].id)
        assert policy.can_keep_provider(member, org) and policy.can_view_provider(chair, org)
        org.collective_member = False
        db.session.flush()
        assert not policy.can_keep_provider(member, org) and not policy.can_view_provider(chair, org)
        assert org.id not in set(db.session.scalars(select(Organisation.id).where(policy.visible_providers_clause(chair))))
        db.session.rollback()
