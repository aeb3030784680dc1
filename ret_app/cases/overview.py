"""The start page's cards of the case core, all counted and listed in SQL from the stored
`Case.next_deadline` and `Case.next_due_kind` (a fixed number of queries, whatever the numbers):
- the chair's intake queue: how many referrals wait for the intake decision, how many are overdue;
- the chair's cases past a norm, per stage (what is due), each linking to the filtered case list;
- "my cases": a process director's or a caseworker's own cases by next due date, with what each waits
  on and on whom (cases/waiting.py)."""

from __future__ import annotations

from typing import Optional

from ret_app.cases import queries, waiting
from ret_app.models import Role, User
from ret_app.policy import Permission, can
from ret_app.policy.core import has_role

MY_CASES_SHOWN = 10


def intake_card(user: User) -> Optional[dict]:
    if not can(Permission.RUN_INTAKE, user):
        return None
    return {"intake": queries.intake_counts(user)}


def overdue_card(user: User) -> Optional[dict]:
    """The chair's cases past a norm, per kind of what is due."""
    if not can(Permission.RUN_INTAKE, user):
        return None
    return {"overdue_by_kind": queries.overdue_by_kind(user)}


def my_cases_card(user: User) -> Optional[dict]:
    """A process director's (RET member or chair) or a caseworker's own cases by next due date."""
    if not has_role(user, Role.RET_MEMBER, Role.CHAIR, Role.CASEWORKER):
        return None
    cases, total = queries.my_cases_by_due(user, MY_CASES_SHOWN)
    if not cases and has_role(user, Role.CHAIR):
        return None  # a chair who directs no process: the region's cards say enough
    return {"my_cases": cases, "my_cases_total": total, "holders": waiting.holders(cases),
            "director": not has_role(user, Role.CASEWORKER)}
