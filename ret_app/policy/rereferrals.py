"""Who sees and decides re-referrals (an earlier case of the same youth linked to a later one).

Whether a youth was referred before is itself information about that youth and their earlier case, so a
link is shown only to someone who may see both cases: the chair and RET members of the region (the RET
side) see every confirmed link of their region's cases; a caseworker or provider member only a link
whose other case they may see themselves (the same access team referred both, say), never one to a case
of another team or provider. Suggestions and dismissed matches are the chair's work: only the chair of
the region sees and decides them. `link_visible_clause` is the SQL twin of `can_see_link` (a test
proves they agree over every role).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_

from ret_app.models import Case, CaseLink, LinkStatus, Role, User
from ret_app.policy.cases import can_view_case, is_chair_of, visible_cases_clause
from ret_app.policy.core import has_role, region_of, signed_in


def can_decide_rereferral(user: User, case: Case) -> bool:
    """The chair of the case's region confirms or dismisses a suggested earlier case."""
    return signed_in(user) and is_chair_of(user, case) and can_view_case(user, case)


def is_ret_side(user: User, case: Case) -> bool:
    """The chair and RET members of the case's region (who read the re-referral entries of its timeline)."""
    return signed_in(user) and has_role(user, Role.CHAIR, Role.RET_MEMBER) and region_of(user) == case.region_id


def can_see_link(user: User, link: CaseLink, case: Case, other: Case) -> bool:
    """May `user`, on the page of `case`, see the link to `other`? Both cases visible to them; a link
    that is not confirmed only for the chair who decides it, on the later case's page."""
    if not (can_view_case(user, case) and can_view_case(user, other)):
        return False
    return link.status == LinkStatus.CONFIRMED or (can_decide_rereferral(user, case) and link.case_id == case.id)


def link_visible_clause(user: User, case: Case) -> ColumnElement[bool]:
    """The SQL twin of can_see_link for the links of `case` (a loaded case the user may see), with `Case`
    standing for the other case of each link."""
    if not signed_in(user) or not can_view_case(user, case):
        return false()
    shown = CaseLink.status == LinkStatus.CONFIRMED.value
    if can_decide_rereferral(user, case):
        shown = or_(shown, CaseLink.case_id == case.id)
    return and_(visible_cases_clause(user), shown)
