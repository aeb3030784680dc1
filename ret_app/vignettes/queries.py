"""The region's vignettes as the list shows them: scoped by the policy's SQL twin, filtered by status (the
chair's), newest first, with the generating chair loaded up front."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ret_app.models import LearningVignette, User
from ret_app.policy import visible_vignettes_clause


def region_list(user: User, status: Optional[str] = None) -> Select:
    query = select(LearningVignette).where(visible_vignettes_clause(user)).options(
        joinedload(LearningVignette.approved_by))
    if status:
        query = query.where(LearningVignette.status == status)
    return query.order_by(LearningVignette.generated_at.desc(), LearningVignette.id.desc())
