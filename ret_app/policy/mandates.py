"""Mandates: who may see one, who may hold one, who oversees those of a region."""

from __future__ import annotations

from ret_app.models import Mandate, Role, User
from ret_app.policy.core import Permission, can, has_role

# Roles that may hold a mandate of a municipality.
MANDATE_HOLDER_ROLES = frozenset({Role.CASEWORKER})


def can_view_mandate(user: User, mandate: Mandate) -> bool:
    if can(Permission.MANAGE_MANDATES, user):
        return True
    return can(Permission.VIEW_OWN_MANDATES, user) and mandate.holder_id == user.id


def may_hold_mandate(user: User) -> bool:
    return Role(user.role) in MANDATE_HOLDER_ROLES and user.deactivated_at is None


def oversees_region_mandates(user: User) -> bool:
    """The chair sees which mandates of the region's municipalities expire soon."""
    return has_role(user, Role.CHAIR)
