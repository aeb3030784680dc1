"""The privacy officer's start-page card: the way to the privacy hub and the register of processing."""

from __future__ import annotations

from typing import Optional

from ret_app.models import Role, User
from ret_app.policy.core import has_role
from ret_app.policy.privacy import privacy_region


def start_card(user: User) -> Optional[dict]:
    if not has_role(user, Role.PRIVACY_OFFICER):
        return None
    return {"region_id": privacy_region(user)}
