"""The network liaison's lists: the escalations sent to their own network (policy.listed_escalations_clause),
filtered, sorted and paged in SQL with what each row shows loaded up front, and the start-page card of
those waiting for the network's answer. A constant number of queries, whatever the number of escalations.

A row shows what the escalation holds (its question kind, urgency, dates, state) and the case's
reference and region; after network consent was withdrawn only that it was, its dates and state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ret_app import policy
from ret_app.escalations import services
from ret_app.escalations.lifecycle import ESCALATION
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import Case, Escalation, EscalationStatus, Network, User
from ret_app.paging import Page, paginate

PER_PAGE = 25
S = EscalationStatus

# What the network does next, first: to accept, then to work on, answered (to close), then the final ones.
STATUS_ORDER = (S.SENT, S.ACCEPTED, S.IN_PROGRESS, S.ANSWERED, S.CLOSED, S.DECLINED, S.WITHDRAWN)
# The network's answer is awaited: new ones to accept and those it works on.
WAITING = tuple(sorted({s.value for s in ESCALATION.sources("accept", "start", "answer")}))
OPEN_FOR_NETWORK = (S.SENT.value, S.ACCEPTED.value, S.IN_PROGRESS.value, S.ANSWERED.value)

STATUS_FILTERS = ("open", *(s.value for s in STATUS_ORDER), "consent_withdrawn")
SORTS = ("status", "oldest", "newest", "expected")


@dataclass(frozen=True)
class Row:
    escalation: Escalation
    consent: bool  # the network consent (or a legal ground) stands: the escalation can be opened
    age_days: Optional[int]  # days since it was sent
    overdue: bool


def _row(escalation: Escalation, today: date) -> Row:
    sent = dates.local_date(escalation.sent_at) if escalation.sent_at else None
    return Row(escalation, policy.network_consent_stands(escalation.case),
               (today - sent).days if sent else None, services.is_overdue(escalation, today))


def _consent_clause(stands: bool):
    consented = select(Case.id).where(Case.consent_network.is_(True), Case.status != "concept")
    return Escalation.case_id.in_(consented) if stands else Escalation.case_id.not_in(consented)


def network_of_liaison(user: User) -> Optional[Network]:
    """The network the liaison speaks for (one query), or None."""
    network_id = policy.liaison_network_id(user)
    return db.session.get(Network, network_id) if network_id is not None else None


def network_escalations(user: User, *, status: str = "", sort: str = "status", page: int = 1,
                        per_page: int = PER_PAGE, today: Optional[date] = None) -> Page:
    """The escalations to the liaison's network: filtered by status (or "open", or "consent_withdrawn"),
    sorted by status then age (default), oldest or newest first, or by the expected answer date."""
    today = today or dates.today()
    stmt = select(Escalation).where(policy.listed_escalations_clause(user)).options(
        joinedload(Escalation.case).joinedload(Case.region), joinedload(Escalation.network))
    if status == "open":
        stmt = stmt.where(Escalation.status.in_(OPEN_FOR_NETWORK))
    elif status == "consent_withdrawn":
        stmt = stmt.where(_consent_clause(False))
    elif status in {s.value for s in STATUS_ORDER}:
        stmt = stmt.where(Escalation.status == status)
    order = sql_case({s.value: i for i, s in enumerate(STATUS_ORDER)}, value=Escalation.status, else_=99)
    stmt = stmt.order_by(*{
        "oldest": (Escalation.sent_at.asc(), Escalation.id.asc()),
        "newest": (Escalation.sent_at.desc(), Escalation.id.desc()),
        "expected": (Escalation.expected_answer_date.is_(None), Escalation.expected_answer_date.asc(),
                     Escalation.id.asc()),
    }.get(sort, (order, Escalation.sent_at.asc(), Escalation.id.asc())))
    result = paginate(stmt, page, per_page)
    result.items = [_row(e, today) for e in result.items]
    return result


def waiting_for_network(user: User, limit: int = 8, today: Optional[date] = None) -> dict:
    """The start card: how many escalations wait for the network (to accept; being worked on), those
    it may open (consent standing) the earliest expected date first, and how many of the waiting ones
    lost their network consent. Two queries."""
    today = today or dates.today()
    counts = {"sent": 0, "working": 0, "consent_withdrawn": 0}
    for status, consented, case_status, number in db.session.execute(
            select(Escalation.status, Case.consent_network, Case.status, func.count(Escalation.id))
            .join(Case, Case.id == Escalation.case_id)
            .where(policy.listed_escalations_clause(user), Escalation.status.in_(WAITING))
            .group_by(Escalation.status, Case.consent_network, Case.status)):
        if not consented or case_status == "concept":
            counts["consent_withdrawn"] += number
        elif status == S.SENT:
            counts["sent"] += number
        else:
            counts["working"] += number
    rows = []
    if counts["sent"] or counts["working"]:
        rows = [_row(e, today) for e in db.session.scalars(
            select(Escalation).where(policy.visible_escalations_clause(user), Escalation.status.in_(WAITING))
            .options(joinedload(Escalation.case).joinedload(Case.region))
            .order_by(Escalation.expected_answer_date.is_(None), Escalation.expected_answer_date,
                      Escalation.id).limit(limit))]
    return {**counts, "rows": rows, "today": today}
