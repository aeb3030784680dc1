"""The analyst's start-page card: a few figures of the last whole year (protected, from aggregates: the
stored tables when the job runner has stored them, ret_app/analyst/stored.py)."""

from __future__ import annotations

from typing import Optional

from ret_app.analyst import aggregates
from ret_app.caretypes import services as caretypes
from ret_app.kernel import dates
from ret_app.models import Role, User
from ret_app.policy.core import has_role, region_of
from ret_app.stats.periods import PeriodKind


def start_card(user: User) -> Optional[dict]:
    if not has_role(user, Role.ANALYST):
        return None
    region_id = region_of(user)
    if region_id is None:
        return None
    year = dates.today().year - 1
    filters = aggregates.Filters(kind=PeriodKind.YEAR, year=year)
    care_types = list(caretypes.names(region_id))
    tables = aggregates.year_tables(region_id, year, care_types)
    realised = tables.results["realised"].grand_total
    outcomes = aggregates.sum_of([table.grand_total for table in tables.results.values()])
    return {"year": year, "filters": filters, "realised": realised, "outcomes": outcomes,
            "prevented": tables.placements["prevented"].grand_total, "computed_at": tables.computed_at}
