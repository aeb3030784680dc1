"""The chair's signal list: scoped by the policy's SQL twin (the user's region), filtered, sorted and paged
in SQL, with what each row shows (its category) loaded up front — one query for the page, whatever its
number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import Select, case, select
from sqlalchemy.orm import contains_eager

from ret_app import policy
from ret_app.models import GapCategory, GapSignal, SignalStatus, User
from ret_app.paging import Page, paginate

PAGE_SIZE = 25
OPEN = "open"  # the status filter's default: every status but closed

_STATUS_ORDER = case({SignalStatus.NEW.value: 0, SignalStatus.IN_PROGRESS.value: 1,
                      SignalStatus.ADDRESSED.value: 2, SignalStatus.CLOSED.value: 3}, value=GapSignal.status, else_=9)
SORTS = {
    "newest": (GapSignal.raised_at.desc(), GapSignal.id.desc()),
    "oldest": (GapSignal.raised_at.asc(), GapSignal.id.asc()),
    "count": (GapSignal.case_count.desc(), GapSignal.raised_at.desc(), GapSignal.id.desc()),
    "status": (_STATUS_ORDER, GapSignal.raised_at.desc(), GapSignal.id.desc()),
    "category": (GapCategory.position, GapCategory.name, GapSignal.care_type.nulls_first(), GapSignal.id.desc()),
}


@dataclass(frozen=True)
class SignalFilters:
    status: str = OPEN  # "open", "" (all) or a status
    owner: str = ""  # "", "none" or an owner
    category_id: Optional[int] = None
    care_type: str = ""
    sort: str = "newest"


def signal_list_query(user: User, filters: SignalFilters) -> Select:
    stmt = (select(GapSignal).join(GapSignal.category).options(contains_eager(GapSignal.category))
            .where(policy.visible_signals_clause(user)))
    if filters.status == OPEN:
        stmt = stmt.where(GapSignal.status != SignalStatus.CLOSED.value)
    elif filters.status:
        stmt = stmt.where(GapSignal.status == filters.status)
    if filters.owner == "none":
        stmt = stmt.where(GapSignal.owner.is_(None))
    elif filters.owner:
        stmt = stmt.where(GapSignal.owner == filters.owner)
    if filters.category_id:
        stmt = stmt.where(GapSignal.gap_category_id == filters.category_id)
    if filters.care_type:
        stmt = stmt.where(GapSignal.care_type == filters.care_type)
    return stmt.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


def signals_page(user: User, filters: SignalFilters, page: int = 1, per_page: int = PAGE_SIZE) -> Page:
    return paginate(signal_list_query(user, filters), page, per_page)
