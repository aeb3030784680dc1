"""select() builders for the management lists: filtered, sorted and paged in SQL, with what each row
shows loaded up front and counts counted in SQL, so that a list's query count does not grow with its
rows. The audit search is itself audited here (the filter names, never their values)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Optional

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ret_app import audit
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import AuditEvent, Case, Mandate, MandateStatus, Municipality, Network, Organisation, Region, User
from ret_app.paging import Page, paginate
from ret_app.policy import MANDATE_HOLDER_ROLES

PAGE_SIZE = 50


# --- choices for the forms -----------------------------------------------------------------

def options(model, label: Callable[[Any], str] = lambda o: o.name, *, blank: Any = None,
            where: Optional[ColumnElement[bool]] = None, load: tuple = ()) -> list[tuple]:
    """(id, label) pairs sorted by name, optionally after a (None, blank) entry; `load`: the
    relations the label reads, loaded with the rows."""
    stmt = select(model).order_by(model.name)
    if where is not None:
        stmt = stmt.where(where)
    if load:
        stmt = stmt.options(*load)
    found = [(o.id, label(o)) for o in db.session.scalars(stmt)]
    return ([(None, blank)] if blank is not None else []) + found


def municipality_options(*, blank: Any = None, label: Callable[[Municipality], str] = lambda m: m.name) -> list[tuple]:
    return options(Municipality, label, blank=blank, load=(joinedload(Municipality.region),))


def mandate_holder_options(blank: Any) -> list[tuple]:
    """The users who may hold a mandate: active caseworkers, with their organisation."""
    holders = db.session.scalars(
        select(User).join(User.organisation)
        .where(User.role.in_([r.value for r in MANDATE_HOLDER_ROLES]), User.deactivated_at.is_(None))
        .options(contains_eager(User.organisation))
        .order_by(User.name))
    return [(None, blank)] + [(u.id, f"{u.name} ({u.organisation.name})") for u in holders]


# --- reference lists -------------------------------------------------------------------------

@dataclass(frozen=True)
class Listed:
    """A row of a reference list: the object and what is counted for it in SQL."""

    obj: Any
    municipalities: int = 0


def _municipality_count() -> Any:
    return (select(func.count(Municipality.id)).where(Municipality.region_id == Region.id)
            .correlate(Region).scalar_subquery())


def reference_rows(kind: str) -> list[Listed]:
    """Every network, region, municipality or organisation, sorted by name, with what its row shows."""
    if kind == "region":
        stmt = (select(Region, _municipality_count()).options(joinedload(Region.network))
                .order_by(Region.name))
        return [Listed(region, count or 0) for region, count in db.session.execute(stmt)]
    model, load = {
        "network": (Network, (selectinload(Network.regions),)),
        "municipality": (Municipality, (joinedload(Municipality.region),)),
        "organisation": (Organisation, (joinedload(Organisation.region), joinedload(Organisation.municipality),
                                        joinedload(Organisation.network))),
    }[kind]
    return [Listed(obj) for obj in db.session.scalars(select(model).options(*load).order_by(model.name))]


# --- users -----------------------------------------------------------------------------------

def user_list_query(*, q: str = "", role: str = "", organisation_id: Optional[int] = None,
                    status: str = "") -> Select:
    stmt = (select(User).join(User.organisation).options(contains_eager(User.organisation))
            .order_by(User.name, User.id))
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    if role:
        stmt = stmt.where(User.role == role)
    if organisation_id:
        stmt = stmt.where(User.organisation_id == organisation_id)
    if status == "active":
        stmt = stmt.where(User.deactivated_at.is_(None), User.activated_at.is_not(None))
    elif status == "pending":
        stmt = stmt.where(User.deactivated_at.is_(None), User.activated_at.is_(None))
    elif status == "deactivated":
        stmt = stmt.where(User.deactivated_at.is_not(None))
    return stmt


def users_page(*, q: str, role: str, status: str, page: int) -> Page:
    return paginate(user_list_query(q=q, role=role, status=status), page, PAGE_SIZE)


# --- the mandate register --------------------------------------------------------------------

def mandate_list_query(*, municipality_id: Optional[int] = None, status: Optional[str] = None,
                       today: Optional[date] = None) -> Select:
    today = today or dates.today()
    stmt = (select(Mandate).join(Mandate.holder)
            .options(contains_eager(Mandate.holder), joinedload(Mandate.municipality))
            .order_by(Mandate.valid_until.desc(), Mandate.id.desc()))
    if municipality_id:
        stmt = stmt.where(Mandate.municipality_id == municipality_id)
    if status == MandateStatus.REVOKED:
        stmt = stmt.where(Mandate.revoked_at.is_not(None))
    elif status == MandateStatus.VALID:
        stmt = stmt.where(Mandate.revoked_at.is_(None), Mandate.valid_from <= today, Mandate.valid_until >= today)
    elif status == MandateStatus.EXPIRED:
        stmt = stmt.where(Mandate.revoked_at.is_(None), Mandate.valid_until < today)
    elif status == MandateStatus.NOT_YET_VALID:
        stmt = stmt.where(Mandate.revoked_at.is_(None), Mandate.valid_from > today)
    return stmt


def mandates_page(*, municipality_id: Optional[int], status: Optional[str], page: int,
                  today: Optional[date] = None) -> Page:
    return paginate(mandate_list_query(municipality_id=municipality_id, status=status, today=today), page, PAGE_SIZE)


def mandate_with_details(mandate_id: int) -> Optional[Mandate]:
    """One mandate with everything its page shows."""
    return db.session.scalar(
        select(Mandate).where(Mandate.id == mandate_id)
        .options(joinedload(Mandate.holder).joinedload(User.organisation), joinedload(Mandate.municipality),
                 joinedload(Mandate.revoked_by)))


# --- the audit search ------------------------------------------------------------------------

@dataclass
class AuditFilters:
    who: str = ""
    action: str = ""
    object_type: str = ""
    outcome: str = ""
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    case_reference: str = ""

    def names(self) -> list[str]:
        """The filters in use (names only, never their values: the audit trail records these)."""
        return [f.name for f in fields(self) if getattr(self, f.name)]


def audit_search_query(filters: AuditFilters) -> Select:
    # Newest first; an event still waiting for its place in the chain has no seq yet: order by id.
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if filters.who:
        stmt = stmt.where(func.lower(AuditEvent.user_name).like(f"%{filters.who.strip().lower()}%"))
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.object_type:
        stmt = stmt.where(AuditEvent.object_type == filters.object_type.strip())
    if filters.outcome:
        stmt = stmt.where(AuditEvent.outcome == filters.outcome)
    if filters.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= _local_midnight_utc(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(AuditEvent.occurred_at < _local_midnight_utc(filters.date_to + timedelta(days=1)))
    if filters.case_reference:
        # The events about that case (a reference no case has finds nothing).
        stmt = stmt.where(AuditEvent.case_id == select(Case.id).where(Case.reference == filters.case_reference)
                          .scalar_subquery())
    return stmt


def case_exists(reference: str) -> bool:
    return db.session.scalar(select(Case.id).where(Case.reference == reference)) is not None


@dataclass
class AuditPage(Page):
    """A page of audit events with the references of the cases they are about (case id -> reference)."""

    references: dict = field(default_factory=dict)


def search_audit(filters: AuditFilters, page: int) -> AuditPage:
    """One page of audit events, newest first, with the references of their cases (one query for
    the page's cases); the search itself is recorded (the filter names)."""
    result = paginate(audit_search_query(filters), page, PAGE_SIZE)
    case_ids = {e.case_id for e in result.items if e.case_id is not None}
    references = dict(db.session.execute(select(Case.id, Case.reference).where(Case.id.in_(case_ids))).all()) \
        if case_ids else {}
    audit.record(audit.Action.SEARCH, object_type="audit_event", detail="filters=" + ",".join(filters.names()))
    return AuditPage(result.items, result.page, result.per_page, result.has_next, references)


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=dates.AMSTERDAM).astimezone(timezone.utc)
