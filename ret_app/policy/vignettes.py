"""Who may see and keep the region's anonymised learning vignettes.

A vignette is anonymised, but it still tells the story of one case, so it stays with the RET of the case's
region: the chair generates, edits, approves and withdraws (and sees every vignette of the region, drafts
and withdrawn ones included); RET members read the approved ones and put them in a learning-session pack.
Everyone else (access teams, providers, network liaisons, analysts, the administrator) has no vignettes:
their role lacks the permission (403), and another region's vignette is 404 for the RET. Each rule has its
SQL twin for the region's list; `tests/test_vignettes.py` proves the twins agree over every role.
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ColumnElement, and_, false

from ret_app.models import Case, LearningVignette, Role, User, VignetteStatus
from ret_app.policy.core import has_role, region_of, signed_in


def _ret_role(user: Optional[User], *roles: Role) -> Optional[int]:
    """The user's region when their role is one of `roles`, else None."""
    if not signed_in(user) or not has_role(user, *roles):
        return None
    return region_of(user)


def can_keep_vignettes_of(user: User, region_id: int) -> bool:
    return region_id is not None and _ret_role(user, Role.CHAIR) == region_id


def can_generate_vignette(user: User, case: Case) -> bool:
    """The chair of the case's region (the service says whether the case is closed)."""
    return can_keep_vignettes_of(user, case.region_id)


def can_keep_vignette(user: User, vignette: LearningVignette) -> bool:
    """Edit, approve, withdraw: the chair of the vignette's region."""
    return can_keep_vignettes_of(user, vignette.region_id)


def can_view_vignette(user: User, vignette: LearningVignette) -> bool:
    """The chair of the region: every vignette; a RET member of the region: the approved ones."""
    if can_keep_vignette(user, vignette):
        return True
    return (vignette.status == VignetteStatus.APPROVED
            and _ret_role(user, Role.RET_MEMBER) == vignette.region_id)


def visible_vignettes_clause(user: User) -> ColumnElement[bool]:
    """The SQL twin of can_view_vignette: a WHERE clause on LearningVignette."""
    chair_region = _ret_role(user, Role.CHAIR)
    if chair_region is not None:
        return LearningVignette.region_id == chair_region
    member_region = _ret_role(user, Role.RET_MEMBER)
    if member_region is not None:
        return and_(LearningVignette.region_id == member_region,
                    LearningVignette.status == VignetteStatus.APPROVED.value)
    return false()
