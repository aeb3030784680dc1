"""The HSWV collective: who reads a provider's profile and capacity, who keeps them.

* Reading: everyone who works on cases (chair, RET members, caseworkers, provider members) reads the
  profiles and capacity of the collective providers of their own region; another region's provider,
  a provider outside the collective or an inactive one answers 404.
* Keeping: a provider member keeps their own organisation's profile and capacity register, and no
  other's (404).
* The capacity overview (care type x provider): the chair and RET members (process directors are
  one of them) of the region.

Each object rule sits beside its SQL twin (tests/test_collective_policy.py checks they agree).
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ColumnElement, and_, false, select

from ret_app.models import CapacityEntry, Organisation, OrganisationKind, Role, User
from ret_app.policy.core import Permission, can, has_role, region_of, role_has, signed_in


def is_collective_provider(organisation: Optional[Organisation]) -> bool:
    """An active provider that is a member of its region's collective."""
    return (organisation is not None and organisation.kind == OrganisationKind.PROVIDER.value
            and bool(organisation.collective_member) and bool(organisation.active)
            and organisation.region_id is not None)


def collective_providers_clause() -> ColumnElement[bool]:
    """SQL twin of is_collective_provider (on Organisation)."""
    return and_(Organisation.kind == OrganisationKind.PROVIDER.value, Organisation.collective_member.is_(True),
                Organisation.active.is_(True), Organisation.region_id.is_not(None))


def can_view_provider(user: User, organisation: Optional[Organisation]) -> bool:
    """A collective provider's profile and capacity: the case roles of its region."""
    if not signed_in(user) or not can(Permission.VIEW_COLLECTIVE, user):
        return False
    region_id = region_of(user)
    return region_id is not None and is_collective_provider(organisation) and organisation.region_id == region_id


def visible_providers_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of can_view_provider (on Organisation)."""
    region_id = region_of(user) if signed_in(user) else None
    if not role_has(user.role, Permission.VIEW_COLLECTIVE) or region_id is None:
        return false()
    return and_(collective_providers_clause(), Organisation.region_id == region_id)


def can_keep_provider(user: User, organisation: Optional[Organisation]) -> bool:
    """The profile and the capacity register of one's own organisation, a collective provider."""
    return (signed_in(user) and can(Permission.KEEP_PROVIDER_PROFILE, user) and organisation is not None
            and user.organisation_id == organisation.id and is_collective_provider(organisation))


def kept_providers_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of can_keep_provider (on Organisation)."""
    if not signed_in(user) or not role_has(user.role, Permission.KEEP_PROVIDER_PROFILE):
        return false()
    return and_(collective_providers_clause(), Organisation.id == user.organisation_id)


def can_view_capacity(user: User, entry: CapacityEntry) -> bool:
    return can_view_provider(user, entry.organisation)


def visible_capacity_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of can_view_capacity (on CapacityEntry)."""
    return CapacityEntry.organisation_id.in_(select(Organisation.id).where(visible_providers_clause(user)))


def can_update_capacity(user: User, entry: CapacityEntry) -> bool:
    return can_keep_provider(user, entry.organisation)


def updatable_capacity_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of can_update_capacity (on CapacityEntry)."""
    return CapacityEntry.organisation_id.in_(select(Organisation.id).where(kept_providers_clause(user)))


def sees_capacity_overview(user: User) -> bool:
    """The region's capacity, care type x provider: its chair and RET members."""
    return (signed_in(user) and can(Permission.VIEW_CAPACITY_OVERVIEW, user)
            and has_role(user, Role.CHAIR, Role.RET_MEMBER) and region_of(user) is not None)
