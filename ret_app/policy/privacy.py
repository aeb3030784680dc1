"""The privacy officer and the chair: the region's privacy hub, a case's access log and the requests of
the people in the files (inspection, correction, erasure, the destruction list).

The privacy officer is a user of an organisation of a region (the RET's, or a municipality's management
and policy organisation). They see audit data and the requests, never case content: every case route
answers them 404 (`core.NO_CASE_ROLES`). The chair of a region handles the same requests for the cases of
their region. Both act for their own region only; a case or request of another region answers 404.
"""

from __future__ import annotations

from typing import Any, Optional

from ret_app.models import Role, User
from ret_app.policy.core import has_role, region_of, signed_in


def privacy_region(user: Optional[User]) -> Optional[int]:
    """The region whose privacy matters the user handles (chair or privacy officer of it), or None."""
    if not signed_in(user) or not has_role(user, Role.CHAIR, Role.PRIVACY_OFFICER):
        return None
    return region_of(user)


def is_privacy_officer_of(user: Optional[User], region_id: Any) -> bool:
    return (signed_in(user) and has_role(user, Role.PRIVACY_OFFICER) and region_id is not None
            and region_of(user) == region_id)


def can_handle_privacy_requests(user: Optional[User], region_id: Any) -> bool:
    """Whether the user handles the requests of the people in the files of `region_id` (the chair or the
    privacy officer of that region)."""
    own = privacy_region(user)
    return own is not None and region_id is not None and own == region_id


def can_approve_destruction(user: Optional[User], region_id: Any) -> bool:
    """The privacy officer of the region reviews and approves its destruction list (the chair does not)."""
    return is_privacy_officer_of(user, region_id)


def can_see_access_log(user: Optional[User], case: Any) -> bool:
    """Whether the user reads the access log of `case` (the chair or the privacy officer of its region):
    who read, found, changed or exported it, and who was refused."""
    return case is not None and can_handle_privacy_requests(user, getattr(case, "region_id", None))
