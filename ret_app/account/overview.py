"""The start page's account card and the warning when few recovery codes are left."""

from __future__ import annotations

from typing import Optional

from ret_app.account.services import live_session_count
from ret_app.auth.services import remaining_recovery_codes
from ret_app.models import User

RECOVERY_WARNING_BELOW = 3


def recovery_alert(user: User) -> Optional[dict]:
    left = remaining_recovery_codes(user)
    return {"recovery_codes_left": left} if left < RECOVERY_WARNING_BELOW else None


def account_card(user: User) -> dict:
    return {"active_sessions": live_session_count(user), "recovery_codes_left": remaining_recovery_codes(user)}
