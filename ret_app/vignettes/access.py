"""Loading a vignette through the policy: 404 when the user may not see it (another region, a draft or a
withdrawn one for a RET member), the denial audited (ids only); a read audited with its case."""

from __future__ import annotations

from typing import Callable

from flask_login import current_user
from sqlalchemy.orm import joinedload

from ret_app import audit, policy, web
from ret_app.extensions import db
from ret_app.models import LearningVignette


def vignette_or_404(vignette_id: int, *, action: audit.Action = audit.Action.READ,
                    rule: Callable = policy.can_view_vignette) -> LearningVignette:
    vignette = db.session.get(LearningVignette, vignette_id, options=[joinedload(LearningVignette.case)])
    if vignette is None or not policy.can_view_vignette(current_user, vignette) or not rule(current_user, vignette):
        web.not_found(object_type="vignette", object_id=vignette_id, action=action,
                      case_id=vignette.case_id if vignette else None)
    if action is audit.Action.READ:
        audit.record(audit.Action.READ, object_type="vignette", object_id=vignette.id, case_id=vignette.case_id)
    return vignette
