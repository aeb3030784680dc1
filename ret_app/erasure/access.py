"""Who handles erasure requests, holds, retention and the destruction list of a region: the chair of the
region and the region's privacy officer (ret_app/policy/privacy.py); the privacy officer approves the
destruction list."""

from __future__ import annotations

from typing import Optional

from ret_app import policy
from ret_app.models import User
from ret_app.policy.privacy import is_privacy_officer_of


def privacy_region(user: User) -> Optional[int]:
    """The region a chair or privacy officer acts for (None for everyone else)."""
    return policy.privacy_region(user)


def can_handle(user: User, region_id: Optional[int]) -> bool:
    return policy.can_handle_privacy_requests(user, region_id)


def can_approve_destruction(user: User, region_id: Optional[int]) -> bool:
    """The privacy officer of the region reviews and approves the destruction list."""
    return is_privacy_officer_of(user, region_id)
