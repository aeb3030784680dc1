"""A case's access log: every audit event that names the case (reads, search hits, changes, exports and
prints, refused attempts), filtered and paged in SQL. One query per page, whatever its rows: who, role
and organisation are stored in the event itself (NEN 7513: as they were at the time).

The family's version (`family_rows`) lists organisation, role, action and date per day, and the staff
member's name only where the region chose so (`RegionNorms.access_log_shows_names`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select

from ret_app import audit
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import AuditEvent
from ret_app.paging import Page, paginate

PER_PAGE = 50

# The kinds of action the log filters on: code -> (label, the condition on an event).
KINDS = {
    "read": _l("Read"),
    "search": _l("Found in a search"),
    "write": _l("Changed"),
    "export": _l("Exported or printed"),
    "denied": _l("Refused or failed"),
}
_WRITES = (audit.Action.CREATE.value, audit.Action.UPDATE.value, audit.Action.DELETE.value)
_EXPORTS = (audit.Action.EXPORT.value, audit.Action.PRINT.value)


def _kind_clause(kind: str):
    if kind == "read":
        return and_(AuditEvent.action == audit.Action.READ.value, AuditEvent.outcome == audit.Outcome.ALLOWED.value)
    if kind == "search":
        return and_(AuditEvent.action == audit.Action.SEARCH.value, AuditEvent.outcome == audit.Outcome.ALLOWED.value)
    if kind == "write":
        return and_(AuditEvent.action.in_(_WRITES), AuditEvent.outcome == audit.Outcome.ALLOWED.value)
    if kind == "export":
        return and_(AuditEvent.action.in_(_EXPORTS), AuditEvent.outcome == audit.Outcome.ALLOWED.value)
    if kind == "denied":
        return AuditEvent.outcome != audit.Outcome.ALLOWED.value
    raise ValueError(kind)


def kind_of(event: AuditEvent) -> str:
    """The kind (KINDS) an event belongs to."""
    if event.outcome != audit.Outcome.ALLOWED.value:
        return "denied"
    if event.action in _WRITES:
        return "write"
    if event.action in _EXPORTS:
        return "export"
    if event.action == audit.Action.SEARCH.value:
        return "search"
    return "read"


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    who: str = ""  # part of a person's or an organisation's name
    date_from: Optional[date] = None
    date_to: Optional[date] = None

    def names(self) -> list[str]:
        """The filters in use (their names, never their values: the audit trail holds no names)."""
        return [name for name, value in (("kind", self.kind), ("who", self.who), ("date_from", self.date_from),
                                         ("date_to", self.date_to)) if value]


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=dates.AMSTERDAM).astimezone(timezone.utc)


def events_of(case_id: int, filters: Filters = Filters()) -> Select:
    stmt = select(AuditEvent).where(AuditEvent.case_id == case_id)
    if filters.kind in KINDS:
        stmt = stmt.where(_kind_clause(filters.kind))
    if filters.who:
        escaped = filters.who.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        stmt = stmt.where(or_(func.lower(AuditEvent.user_name).like(like, escape="\\"),
                              func.lower(AuditEvent.organisation_name).like(like, escape="\\")))
    if filters.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= _local_midnight_utc(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(AuditEvent.occurred_at < _local_midnight_utc(filters.date_to + timedelta(days=1)))
    return stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def page(case_id: int, filters: Filters, number: int, per_page: int = PER_PAGE) -> Page:
    """One page of the case's access log. Reading it is itself an event of the case (audited)."""
    audit.record(audit.Action.READ, object_type="access_log", object_id=case_id, case_id=case_id,
                 detail=("filters=" + ",".join(filters.names())) if filters.names() else None)
    return paginate(events_of(case_id, filters), number, per_page)


@dataclass(frozen=True)
class FamilyRow:
    day: date
    organisation: str
    role: Optional[str]
    kind: str
    count: int
    name: Optional[str] = None  # only when the region shows names


def family_rows(case_id: int, *, with_names: bool) -> list[FamilyRow]:
    """Who looked at the file, for the family: the allowed events of people (no system events, no
    refused attempts: nobody saw anything there), per day, organisation, role and kind of action (and
    name, if the region shows names), oldest first."""
    stmt = (select(AuditEvent.occurred_at, AuditEvent.organisation_name, AuditEvent.user_role, AuditEvent.action,
                   AuditEvent.outcome, AuditEvent.user_name)
            .where(AuditEvent.case_id == case_id, AuditEvent.user_id.is_not(None),
                   AuditEvent.outcome == audit.Outcome.ALLOWED.value)
            .order_by(AuditEvent.occurred_at, AuditEvent.id))
    counts: dict[tuple, int] = {}
    for occurred_at, organisation, role, action, outcome, name in db.session.execute(stmt):
        kind = kind_of(AuditEvent(action=action, outcome=outcome))
        key = (dates.local_date(occurred_at), organisation or "", role, kind, name if with_names else None)
        counts[key] = counts.get(key, 0) + 1
    return [FamilyRow(day, organisation, role, kind, count, name)
            for (day, organisation, role, kind, name), count in counts.items()]


def kinds_in(rows: Iterable[FamilyRow]) -> set[str]:
    return {row.kind for row in rows}
