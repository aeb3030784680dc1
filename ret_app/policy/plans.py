"""Who may read and keep a case's process direction plan.

Everyone who may see the case reads its plan (the family's goals and the agreed help are what the
people around the case work on). The plan is kept by the case's process director; the chair of the
region may keep it too (standing in). Each rule has its SQL twin for lists of plans (a start page's
review moments, say); `tests/test_plans_policy.py` proves that the twins agree over every role.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from ret_app.models import Case, Plan, Role, User
from ret_app.policy.cases import can_view_case, is_chair_of, is_process_director, visible_cases_clause
from ret_app.policy.core import has_role, region_of, signed_in


def can_read_plan(user: User, case: Case) -> bool:
    """Whoever may see the case reads its plan (need-to-know is the case's)."""
    return can_view_case(user, case)


def can_keep_plan(user: User, case: Case) -> bool:
    """Goals, review moments, agreeing a version, fitting help started: the process director of the
    case, or the chair of its region (when the lifecycle allows: the plan's services say when)."""
    return signed_in(user) and can_view_case(user, case) and (is_process_director(user, case)
                                                               or is_chair_of(user, case))


def _plans_of(clause: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(select(Case.id).where(Case.id == Plan.case_id, clause))


def readable_plans_clause(user: User) -> ColumnElement[bool]:
    """The SQL twin of can_read_plan: a WHERE clause on Plan."""
    return _plans_of(visible_cases_clause(user))


def kept_plans_clause(user: User) -> ColumnElement[bool]:
    """The SQL twin of can_keep_plan: a WHERE clause on Plan."""
    if not signed_in(user):
        return false()
    keeps = [Case.process_director_id == user.id]
    region_id = region_of(user)
    if has_role(user, Role.CHAIR) and region_id is not None:
        keeps.append(Case.region_id == region_id)
    return _plans_of(and_(visible_cases_clause(user), or_(*keeps)))
