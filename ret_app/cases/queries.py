"""select() builders for case lists: always scoped by what the user may see, filtered, sorted and
paged in SQL, with what each row shows loaded up front (the query count does not grow with rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable, Optional

from sqlalchemy import (
    ColumnElement, Date, Select, String, case as sql_case, func, literal, literal_column, or_, select, union,
)
from sqlalchemy.orm import joinedload, selectinload

from ret_app import audit, policy
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.sql import among
from ret_app.models import (
    Case, CaseEvent, CaseParticipant, CaseStatus, CaseTransition, FamilyMember, Municipality, User,
)
from ret_app.models.base import UTCDateTime
from ret_app.paging import Key, KeysetPage, Page, decode_edge, keyset_page, paginate

URGENCY_ORDER = sql_case({"crisis": 0, "urgent": 1}, value=Case.urgency, else_=2)
# Closed cases wait for nobody: after the open ones (a region's years of closed cases would push its open
# cases off the first pages).
CLOSED_LAST = sql_case((Case.status == CaseStatus.CLOSED.value, 1), else_=0)

# Where a value may be missing, the order puts the case after those that have one (a draft has not been
# submitted; a case may have nothing due): these stand in for the missing value, later than any real one.
_NOT_SUBMITTED = datetime(9999, 12, 31, tzinfo=timezone.utc)
_NOTHING_DUE = date(9999, 12, 31)
SUBMITTED_ORDER = func.coalesce(Case.submitted_at, literal(_NOT_SUBMITTED, UTCDateTime()), type_=UTCDateTime())
DEADLINE_ORDER = func.coalesce(Case.next_deadline, literal(_NOTHING_DUE, Date()), type_=Date())

# The case list's orders (the URL's `sort`), each ending in the id so that it is total and a page can be
# continued from its last row (keyset paging): the open cases before the closed ones, the most urgent and
# longest waiting first (""), or the next due date first ("deadline": the stored Case.next_deadline,
# cases with nothing due last, closed cases among them).
SORTS: dict[str, tuple[Key, ...]] = {
    "": (Key(CLOSED_LAST), Key(URGENCY_ORDER), Key(SUBMITTED_ORDER, datetime), Key(Case.id)),
    "deadline": (Key(DEADLINE_ORDER, date), Key(URGENCY_ORDER), Key(Case.id)),
}


# Loaded with the case by the pages that judge it (case page, intake, screening report): the help
# tried before, in one query with the case's load (case_or_404's `load`).
WITH_PRIOR_HELP = (selectinload(Case.prior_help),)

# Who takes part, with their organisations (the participants' lists of the case and screening pages).
WITH_PARTICIPANTS = (
    selectinload(Case.participants).options(joinedload(CaseParticipant.user).joinedload(User.organisation),
                                            joinedload(CaseParticipant.organisation)),
)

# The case page: also its history (transitions and timeline entries with who did them), its
# participants (with their organisations), attachments and pauses; each list one query, whatever
# its length.
WITH_CASE_PAGE = WITH_PRIOR_HELP + (
    selectinload(Case.transitions).joinedload(CaseTransition.actor),
    selectinload(Case.events).joinedload(CaseEvent.actor),
    *WITH_PARTICIPANTS,
    selectinload(Case.attachments),
    selectinload(Case.pauses),
)


@dataclass(frozen=True)
class ListFlag:
    """A signal another capability offers as a filter of the case list (e.g. "overdue escalation"):
    `clause(today)` selects the cases it flags (on Case), in SQL."""

    name: str
    label: object
    clause: Callable[[date], ColumnElement[bool]]


_FLAGS: dict[str, ListFlag] = {}


def register_list_flag(name: str, label: object, clause: Callable[[date], ColumnElement[bool]]) -> None:
    """Offer `name` as a filter of the case list (the capability that owns the signal registers it)."""
    _FLAGS[name] = ListFlag(name, label, clause)


def list_flags() -> dict[str, ListFlag]:
    return dict(_FLAGS)


# The status filter: a status, ALL_STATUSES, or "" - the default: the open cases (all but the closed ones).
# At twenty years of history most of a region's cases are closed; the list opens on those that are worked on.
ALL_STATUSES = "all"


@dataclass
class CaseFilters:
    status: str = ""  # "" the open cases, ALL_STATUSES every status, or one status
    municipality_id: Optional[int] = None
    track: str = ""
    urgency: str = ""
    q: str = ""
    overdue: bool = False
    due_kind: str = ""  # what the next due item is (Case.next_due_kind; words in labels.DUE_KIND_LABELS)
    mine: bool = False  # the cases the user directs the process of or referred
    flag: str = ""  # a signal another capability registered (register_list_flag)

    def names(self) -> list[str]:
        """The filters in use (names only, never their values: the audit trail records these)."""
        return [name for name, value in vars(self).items() if value]


def visible_cases(user: User, filters: Optional[CaseFilters] = None, today=None, sort: str = "") -> Select:
    filters = filters or CaseFilters()
    stmt = select(Case).where(policy.visible_cases_clause(user))
    if not filters.status:
        stmt = stmt.where(Case.status != CaseStatus.CLOSED.value)
    elif filters.status != ALL_STATUSES:
        stmt = stmt.where(Case.status == filters.status)
    if filters.municipality_id:
        stmt = stmt.where(Case.municipality_id == filters.municipality_id)
    if filters.track:
        stmt = stmt.where(Case.track == filters.track)
    if filters.urgency:
        stmt = stmt.where(Case.urgency == filters.urgency)
    if filters.overdue:
        # The nearest deadline is stored when it changes (norms.py): overdue is a comparison.
        stmt = stmt.where(Case.next_deadline < (today or dates.today()))
    if filters.due_kind:
        stmt = stmt.where(Case.next_due_kind == filters.due_kind)
    if filters.mine:
        stmt = stmt.where(mine_clause(user))
    if filters.flag in _FLAGS:
        stmt = stmt.where(_FLAGS[filters.flag].clause(today or dates.today()))
    if filters.q:
        stmt = stmt.where(_matches_term(user, filters.q))
    return stmt.order_by(*(key.expr for key in SORTS.get(sort, SORTS[""])))


def mine_clause(user: User) -> ColumnElement[bool]:
    """"My cases": those the user directs the process of, or referred (within what they may see)."""
    return or_(Case.process_director_id == user.id, Case.caseworker_id == user.id)


# What the name search matches, lowercased: exactly the expressions of the trigram indexes (PostgreSQL,
# migration 0025_perf), so that LIKE '%term%' is answered from the index; the space is a literal, not a
# parameter, for the same reason.
REFERENCE_SEARCHED = func.lower(Case.reference)
YOUTH_NAME_SEARCHED = func.lower(Case.youth_first_name + literal_column("' '", String) + Case.youth_last_name)
FAMILY_NAME_SEARCHED = func.lower(FamilyMember.name)


def _matches_term(user: User, term: str) -> ColumnElement[bool]:
    """The reference, or, on the cases whose names the user may see (the policy's SQL twin), the
    youth's name or a family member's. The term is matched literally (% and _ are no wildcards).

    Written as the ids each match finds (kernel.sql.among), each part within what the user may see:
    every part can use its own index (the trigram index of its expression, or the user's region or
    caseload), where an OR with a family member's EXISTS made PostgreSQL test every visible case."""
    escaped = term.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{escaped}%"
    names_visible = policy.identity_visible_clause(user)
    return among(Case.id, union(
        select(Case.id).where(policy.visible_cases_clause(user), REFERENCE_SEARCHED.like(like, escape="\\"))
        .correlate(None),
        select(Case.id).where(names_visible, YOUTH_NAME_SEARCHED.like(like, escape="\\")).correlate(None),
        select(FamilyMember.case_id).join(Case, Case.id == FamilyMember.case_id)
        .where(names_visible, FAMILY_NAME_SEARCHED.like(like, escape="\\")).correlate(None),
    ))


@dataclass(frozen=True)
class PageAsked:
    """Which page of the case list: the first, the one after or before a row (`encode_edge` values from
    the address's `na` / `voor`), or the last."""

    after: Optional[str] = None
    before: Optional[str] = None
    last: bool = False


def search(user: User, filters: CaseFilters, asked: PageAsked, per_page: int, sort: str = "") -> KeysetPage:
    """One page of the cases the user may see (the search is audited: the filter names, not values).
    Paged by keyset: a page deep in twenty years of a region's cases costs what the first page costs."""
    audit.record(audit.Action.SEARCH, object_type="case_list", detail="filters=" + ",".join(filters.names()))
    keys = SORTS.get(sort, SORTS[""])
    stmt = visible_cases(user, filters).order_by(None).options(joinedload(Case.municipality))
    result = keyset_page(stmt, keys, per_page, after=decode_edge(asked.after, keys),
                         before=decode_edge(asked.before, keys), last=asked.last)
    # A search hit per case shown (its access log lists it): one event per case, not one naming the page's
    # ids, so the log finds them by the indexed case id. The events of a page are inserted in one statement.
    for case in result.items:
        audit.record(audit.Action.SEARCH, object_type="case_search_hit", object_id=case.id, case_id=case.id)
    return result


def _overdue(today: Optional[date]):
    # The nearest deadline is stored when it changes (norms.py): overdue is a comparison.
    return Case.next_deadline < (today or dates.today())


def _waiting_for_intake(user: User):
    return (policy.visible_cases_clause(user), Case.status == CaseStatus.SUBMITTED.value)


def intake_queue(user: User, *, overdue: bool = False, today: Optional[date] = None) -> Select:
    """Submitted cases of the chair's region: most urgent first, then the longest waiting
    (`overdue`: only those past their intake norm)."""
    stmt = select(Case).where(*_waiting_for_intake(user))
    if overdue:
        stmt = stmt.where(_overdue(today))
    return stmt.options(joinedload(Case.municipality)).order_by(URGENCY_ORDER, Case.submitted_at, Case.id)


def intake_page(user: User, page: int, per_page: int, *, overdue: bool = False) -> Page:
    audit.record(audit.Action.SEARCH, object_type="intake_queue", detail="filters=overdue" if overdue else None)
    return paginate(intake_queue(user, overdue=overdue), page, per_page)


@dataclass(frozen=True)
class IntakeCounts:
    waiting: int
    overdue: int
    oldest: Optional[datetime] = None  # when the longest-waiting referral was submitted


def intake_counts(user: User, today: Optional[date] = None) -> IntakeCounts:
    """How many referrals wait for the chair's intake decision, how many of them are past the norm,
    and since when the oldest waits: one query, whatever the numbers."""
    waiting, overdue, oldest = db.session.execute(
        select(func.count(Case.id), func.count(Case.id).filter(_overdue(today)), func.min(Case.submitted_at))
        .where(*_waiting_for_intake(user))).one()
    return IntakeCounts(waiting or 0, overdue or 0, oldest)


def overdue_by_kind(user: User, today: Optional[date] = None) -> list[tuple[str, int]]:
    """The cases the user may see that are past their next due item, counted per kind of item (the
    stage's norm: intake decision, screening, first session, or a review...), in the order of
    labels.DUE_KIND_LABELS: one query, whatever the numbers."""
    from ret_app.labels import DUE_KIND_LABELS

    rows = dict(db.session.execute(
        select(Case.next_due_kind, func.count(Case.id))
        .where(policy.visible_cases_clause(user), _overdue(today), Case.next_due_kind.is_not(None))
        .group_by(Case.next_due_kind)).all())
    order = {kind: n for n, kind in enumerate(DUE_KIND_LABELS)}
    return sorted(rows.items(), key=lambda row: (order.get(row[0], len(order)), row[0]))


def my_cases_by_due(user: User, limit: int, today: Optional[date] = None) -> tuple[list[Case], int]:
    """The user's own cases (mine_clause) that have something due, the first `limit` by next due date,
    with their process directors loaded (who holds each item); and how many there are in all.
    Two queries, whatever the numbers."""
    from ret_app.cases.waiting import WITH_DIRECTOR

    where = (policy.visible_cases_clause(user), mine_clause(user), Case.next_deadline.is_not(None))
    cases = list(db.session.scalars(
        select(Case).where(*where).options(*WITH_DIRECTOR)
        .order_by(Case.next_deadline, URGENCY_ORDER, Case.id).limit(limit)))
    total = db.session.scalar(select(func.count(Case.id)).where(*where)) or 0
    return cases, total


def region_municipalities(user: User) -> list[Municipality]:
    """The municipalities of the user's region (all of them for a user without a region)."""
    stmt = select(Municipality).order_by(Municipality.name)
    region_id = policy.region_of(user)
    if region_id:
        stmt = stmt.where(Municipality.region_id == region_id)
    return list(db.session.scalars(stmt))
