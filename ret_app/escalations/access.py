"""Loading an escalation through the policy: 404 when the user may not see it (a caseworker, a provider
member, another region, a liaison of another network or after network consent was withdrawn), the
denial audited (ids only); a read is audited with its case."""

from __future__ import annotations

from typing import Callable

from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.escalations.queries import WITH_EXCHANGE
from ret_app.extensions import db
from ret_app.models import Escalation


def escalation_or_404(escalation_id: int, *, action: audit.Action = audit.Action.READ,
                      rule: Callable = policy.can_view_escalation) -> Escalation:
    escalation = db.session.get(Escalation, escalation_id, options=WITH_EXCHANGE)
    if escalation is None or not policy.can_view_escalation(current_user, escalation) \
            or not rule(current_user, escalation):
        web.not_found(object_type="escalation", object_id=escalation_id, action=action,
                      case_id=escalation.case_id if escalation else None)
    if action is audit.Action.READ:
        audit.record(audit.Action.READ, object_type="escalation", object_id=escalation.id,
                     case_id=escalation.case_id)
    return escalation
