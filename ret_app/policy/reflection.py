"""Who reads the reflection report per access team or municipality.

The chair and the RET members of a region prepare the periodic reflection with the region's access
teams; the region's analyst reads the same figures (every count suppressed, from the analyst's
protected tables). Each of them reads the report of an access team or municipality of their own region
only: one of another region answers 404. Caseworkers (the access teams themselves), provider members,
network liaisons and administrators do not open it (403 at the door): the RET hands the report over
in the reflection meeting."""

from __future__ import annotations

from typing import Any, Optional

from ret_app.models import Role, User
from ret_app.policy.core import has_role, region_of, signed_in


def reflection_region(user: Optional[User]) -> Optional[int]:
    """The region whose reflection reports the user reads, or None."""
    if not signed_in(user) or not has_role(user, Role.CHAIR, Role.RET_MEMBER, Role.ANALYST):
        return None
    return region_of(user)


def can_read_reflection(user: Optional[User], region_id: Any) -> bool:
    """Whether the user reads the reflection reports of `region_id` (the region of the access team or
    municipality asked for)."""
    own = reflection_region(user)
    return own is not None and region_id is not None and own == region_id
