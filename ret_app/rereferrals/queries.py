"""What the case page, the intake page and the start page show of re-referrals: each a constant number
of queries, scoped by the policy's SQL twin (policy.link_visible_clause)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import joinedload

from ret_app import policy
from ret_app.extensions import db
from ret_app.models import Case, CaseLink, LinkStatus, User
from ret_app.policy.core import region_of


@dataclass(frozen=True)
class Shown:
    """One link as a page shows it: the other case, and whether it is the earlier one."""

    link: CaseLink
    other: Case
    other_is_earlier: bool

    @property
    def undecided(self) -> bool:
        return self.link.status == LinkStatus.SUGGESTED


def links_of(case: Case, user: User) -> list[Shown]:
    """The links of `case` that `user` may see (policy.can_see_link), newest other case first. One query."""
    if not policy.can_view_case(user, case):
        return []
    rows = db.session.execute(
        select(CaseLink, Case)
        .join(Case, or_(and_(CaseLink.case_id == case.id, Case.id == CaseLink.earlier_case_id),
                        and_(CaseLink.earlier_case_id == case.id, Case.id == CaseLink.case_id)))
        .where(or_(CaseLink.case_id == case.id, CaseLink.earlier_case_id == case.id),
               policy.link_visible_clause(user, case))
        .options(joinedload(Case.municipality))
        .order_by(Case.submitted_at.desc(), Case.id.desc())).all()
    return [Shown(link, other, link.case_id == case.id) for link, other in rows]


def undecided(user: User, limit: int) -> tuple[int, list[tuple[Case, int]]]:
    """The chair's region: how many cases have earlier cases waiting for a decision, and the first
    `limit` of them (longest waiting first) with their number of undecided matches. Two queries."""
    region_id = region_of(user)
    waiting = and_(CaseLink.status == LinkStatus.SUGGESTED.value, Case.region_id == region_id,
                   policy.visible_cases_clause(user))
    count = db.session.scalar(select(func.count(distinct(CaseLink.case_id)))
                              .join(Case, Case.id == CaseLink.case_id).where(waiting)) or 0
    rows = db.session.execute(
        select(Case, func.count(CaseLink.id)).join(CaseLink, CaseLink.case_id == Case.id).where(waiting)
        .group_by(Case.id).order_by(Case.submitted_at, Case.id).limit(limit)).all() if count else []
    return count, [(row[0], row[1]) for row in rows]
