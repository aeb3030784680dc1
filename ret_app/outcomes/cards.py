"""What the case page shows of the outcome (the panel registered in capability.py): the RET side only —
the chair and RET members of the case's region. A fixed number of queries."""

from __future__ import annotations

from typing import Optional

from ret_app import policy
from ret_app.caretypes import services as caretypes
from ret_app.models import Case, CaseStatus, User
from ret_app.outcomes import services


def case_panel(case: Case, user: User) -> Optional[dict]:
    if not policy.sees_outcome(user, case):
        return None
    outcome = services.outcome_of(case)
    may_record = services.may_record(user, case)
    if outcome is None and not may_record and CaseStatus(case.status) not in services.RECORDABLE:
        return None  # before the RET took the case on: nothing to say yet
    return {"case": case, "outcome": outcome, "may_record": may_record,
            "care_names": caretypes.names(case.region_id) if outcome is not None else {}}
