"""Who handles erasure requests, holds, retention and the destruction list of a region: the chair of the
region and the region's privacy officer (a user of an organisation of the region with that role)."""

from __future__ import annotations

from typing import Optional

from ret_app.models import User

PRIVACY_OFFICER = "privacy_officer"
HANDLERS = ("chair", PRIVACY_OFFICER)


def privacy_region(user: User) -> Optional[int]:
    """The region a chair or privacy officer acts for (None for everyone else)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role not in HANDLERS:
        return None
    return user.organisation.region_id if user.organisation else None


def can_handle(user: User, region_id: Optional[int]) -> bool:
    return region_id is not None and privacy_region(user) == region_id


def can_approve_destruction(user: User, region_id: Optional[int]) -> bool:
    """The privacy officer of the region reviews and approves the destruction list."""
    return user.role == PRIVACY_OFFICER and can_handle(user, region_id)
