"""Loading a case for a request: 404 when the user may not see it, and an audit event either way."""

from __future__ import annotations

from typing import Callable, Optional, Sequence

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ret_app import audit, policy
from ret_app.extensions import db
from ret_app.models import Case


def case_or_404(case_id: int, *, action: audit.Action = audit.Action.READ, detail: Optional[str] = None,
                rule: Callable = policy.can_view_case, load: Sequence = ()) -> Case:
    """The case, if the policy lets the current user see it (and `rule` passes); otherwise 404,
    so that the existence of a case does not leak. Reads and denials are audited with the case id
    (both survive a failing request: they are durable events); changes are audited by the events
    of the services that make them. `load`: loader options for what the page shows of the case
    (`selectinload(Case.prior_help)`), loaded with it."""
    case = db.session.get(Case, case_id, options=load)
    if case is None or not policy.can_view_case(current_user, case) or not rule(current_user, case):
        audit.record(action, outcome=audit.Outcome.DENIED, object_type="case", object_id=case_id,
                     case_id=case.id if case else None, detail=detail)
        abort(404)
    if action is audit.Action.READ:
        audit.record(audit.Action.READ, object_type="case", object_id=case.id, case_id=case.id, detail=detail)
    return case


STALE = _l("Someone else changed this case at the same moment. Nothing of your last action was saved; "
           "check the page and try again.")
