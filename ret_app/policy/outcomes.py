"""Who reads and records a case's outcome.

The outcome (result, help arranged, gaps met, lessons learned) is the RET's: the chair and the RET
members of the case's region read it (those who see the case and are RET); the case's process director
or the chair records it and corrects it until the case closes (the services say when). Caseworkers,
provider members, network liaisons and analysts see no outcome of a case (404 on its page; analysts
only ever see aggregates, elsewhere). The gap taxonomy is reference data of the administrator.
"""

from __future__ import annotations

from ret_app.models import Case, Role, User
from ret_app.policy.cases import can_view_case, is_chair_or_director
from ret_app.policy.core import has_role, signed_in


def sees_outcome(user: User, case: Case) -> bool:
    """The RET side of the case (the chair and RET members of its region)."""
    return signed_in(user) and has_role(user, Role.CHAIR, Role.RET_MEMBER) and can_view_case(user, case)


def can_record_outcome(user: User, case: Case) -> bool:
    """The case's process director or the chair of its region."""
    return sees_outcome(user, case) and is_chair_or_director(user, case)
