"""The collective's start-page cards: a provider member's own capacity and its freshness, each care
type with an "update now" link; and for the chair, how many care types of the collective have stale
capacity (one count query), linking to the overview filtered on stale."""

from __future__ import annotations

from typing import Optional

from ret_app import policy
from ret_app.collective import capacity, care_types, freshness
from ret_app.models import Role, User
from ret_app.policy import Permission, can
from ret_app.policy.core import has_role


def my_capacity_card(user: User) -> Optional[dict]:
    organisation = user.organisation
    if organisation is None or not policy.can_keep_provider(user, organisation):
        return None
    rule = freshness.rule_for(organisation.region_id)
    rows = capacity.my_capacity(user)
    return {"organisation": organisation, "rows": rows, "rule": rule,
            "stale": sum(1 for row in rows if rule.is_stale(row.entry.updated_at if row.entry else None)),
            "care_type_names": care_types.names(organisation.region_id)}


def stale_capacity_card(user: User) -> Optional[dict]:
    if not (has_role(user, Role.CHAIR) and can(Permission.VIEW_CAPACITY_OVERVIEW, user)) or user.organisation is None:
        return None
    region_id = user.organisation.region_id
    return {"stale_count": capacity.stale_count(region_id), "rule": freshness.rule_for(region_id)}
