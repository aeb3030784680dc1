"""The expected answer date of an escalation waiting for the network is a due date of the case: the
escalations register it with the norms (`norms.register_due_source`), name the network as the holder
of that due item ("wacht op BOEG"), offer "overdue escalation" as a filter of the case list, and refresh
the case's stored next due item whenever an escalation changes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ret_app.cases import norms, queries, waiting
from ret_app.escalations.events import _EscalationChange
from ret_app.escalations.services import (
    DUE_KIND,
    escalation_due,
    escalation_due_batch,
    escalation_holders_batch,
    overdue_cases_clause,
)
from ret_app.kernel import events

OVERDUE_FLAG = "escalation_overdue"

norms.register_due_source(escalation_due, batch=escalation_due_batch)
waiting.register_holder_names(DUE_KIND, escalation_holders_batch)  # "wacht op <the network>"
queries.register_list_flag(OVERDUE_FLAG, _l("Escalation without an answer past its date"), overdue_cases_clause)


@events.subscribe(_EscalationChange)
def _refresh(event: _EscalationChange) -> None:
    norms.refresh_deadline(event.case)
