"""What the case page and the start page show of escalations (builders registered in capability.py);
each a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from ret_app import policy
from ret_app.escalations import queries, services
from ret_app.escalations.labels import MESSAGE_KIND_LABELS
from ret_app.kernel import dates
from ret_app.models import Case, Escalation, User


@dataclass(frozen=True)
class Entry:
    """One line of the exchange: when, who, what (a step, a message, a reminder, a new date)."""

    at: datetime
    who: str
    side: str  # "ret" or "network"
    what: Any
    text: str = ""


def exchange(escalation: Escalation) -> list[Entry]:
    """The whole exchange in the order it happened, from the relations loaded with the escalation."""
    from flask_babel import lazy_gettext as _l

    from ret_app.escalations.labels import STEP_WORDS

    network_steps = {"accept", "decline", "start", "answer", "close"}
    entries = [Entry(s.at, s.actor.name, "network" if s.name in network_steps else "ret",
                     STEP_WORDS.get(s.name, s.name), s.reason or "")
               for s in escalation.steps if s.name != "answer"]  # the answer shows as its message
    entries += [Entry(m.at, m.author.name, m.side, MESSAGE_KIND_LABELS.get(m.kind, m.kind), m.text)
                for m in escalation.messages]
    entries += [Entry(r.at, r.sent_by.name, "ret", _l("Reminder sent to the network"), r.note) for r in escalation.reminders]
    entries += [Entry(c.at, c.changed_by.name, "ret",
                      _l("New expected answer date: %(day)s", day=c.new_date.strftime("%d-%m-%Y")), c.reason)
                for c in escalation.date_changes]
    return sorted(entries, key=lambda e: e.at)


def summary(escalation: Escalation) -> dict:
    """What every view of one escalation shows (its state, the watchdog's flag, what was tried)."""
    return {"escalation": escalation, "overdue": services.is_overdue(escalation), "today": dates.today(),
            "tried": services.tried_of(escalation), "exchange": exchange(escalation)}


def case_panel(case: Case, user: User) -> Optional[dict]:
    """The case's escalation to the network with its whole exchange, for the RET (the chair and RET
    members of the region); the way to escalate for the chair and the process director."""
    if not policy.sees_escalations(user):
        return None
    rows = queries.case_escalations(case, user)
    current = next((e for e in rows if e.is_open), None)
    may_prepare = (policy.can_prepare_escalation(user, case) and services.escalation_possible(case)
                   and (current is None or current.status == "draft"))
    if not rows and not may_prepare:
        return None
    network = current.network if current is not None else services.network_of(case)
    shown = current or (rows[0] if rows else None)
    return {"case": case, "network": network, "may_prepare": may_prepare, "current": current,
            "shown": summary(shown) if shown is not None else None, "earlier": [e for e in rows if e is not shown]}


def overdue_card(user: User) -> Optional[dict]:
    """The chair and process directors: escalations without the network's answer past their date."""
    if not policy.watches_escalations(user):
        return None
    count, rows = queries.overdue(user, limit=5)
    if user.role == "ret_member" and not count:
        return None  # a RET member without late escalations of their cases: no card
    return {"count": count, "rows": rows, "today": dates.today()}
