"""Loading a request through the policy: 404 when the user may not see it (another organisation's
request, a provider after collective consent was withdrawn, another region), the denial audited (ids
only); a read is audited with its case."""

from __future__ import annotations

from typing import Callable

from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.extensions import db
from ret_app.models import ProviderRequest


def request_or_404(request_id: int, *, action: audit.Action = audit.Action.READ,
                   rule: Callable = policy.can_view_request) -> ProviderRequest:
    request = db.session.get(ProviderRequest, request_id)
    if request is None or not policy.can_view_request(current_user, request) or not rule(current_user, request):
        web.not_found(object_type="provider_request", object_id=request_id, action=action,
                      case_id=request.case_id if request else None)
    if action is audit.Action.READ:
        audit.record(audit.Action.READ, object_type="provider_request", object_id=request.id,
                     case_id=request.case_id)
    return request
