"""The analyst's reads: the protected aggregates of their own region, each read audited (which region,
which filters: no personal data)."""

from __future__ import annotations

from ret_app import audit
from ret_app.analyst import aggregates


def read_view(region_id: int, filters: aggregates.Filters, care_types: list[str]) -> aggregates.View:
    audit.record(audit.Action.READ, object_type="aggregates", object_id=str(region_id),
                 detail=f"kind={filters.kind.value};year={filters.year}"
                        f";municipality={filters.municipality_id or ''};care_type={filters.care_type or ''}")
    return aggregates.view(region_id, filters, care_types)
