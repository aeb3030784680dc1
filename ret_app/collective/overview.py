"""The collective's start-page card: a provider member's own capacity and its freshness, each care
type with an "update now" link."""

from __future__ import annotations

from typing import Optional

from ret_app import policy
from ret_app.collective import capacity, care_types, freshness
from ret_app.models import User


def my_capacity_card(user: User) -> Optional[dict]:
    organisation = user.organisation
    if organisation is None or not policy.can_keep_provider(user, organisation):
        return None
    rule = freshness.rule_for(organisation.region_id)
    rows = capacity.my_capacity(user)
    return {"organisation": organisation, "rows": rows, "rule": rule,
            "stale": sum(1 for row in rows if rule.is_stale(row.entry.updated_at if row.entry else None)),
            "care_type_names": care_types.names(organisation.region_id)}
