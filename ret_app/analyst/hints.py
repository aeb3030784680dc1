"""A hint on the aggregates page when the chosen period hides most of what it holds: in a small region
most months count 1 to 4 cases, so the month view shows mostly "<5" and "x" (rightly: suppression). Then
the page suggests coarser periods — quarters or years for months, years for quarters — with links that
keep the other filters. Reads the view's cells only (aggregates.py decides what is hidden)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ret_app.analyst.aggregates import View
from ret_app.stats.periods import PeriodKind

# "Most": more than this share of the cells that hold something (a count above zero, or a hidden one).
MOSTLY = 0.5
COARSER = {PeriodKind.MONTH: (PeriodKind.QUARTER, PeriodKind.YEAR), PeriodKind.QUARTER: (PeriodKind.YEAR,)}


@dataclass(frozen=True)
class Hint:
    hidden: int  # cells hidden ("<5" or "x")
    holding: int  # cells that hold something (hidden, or a count above zero)
    links: tuple[tuple[PeriodKind, dict], ...]  # (coarser kind, the page's query arguments for it)


def _cells(view: View) -> list:
    cells = [c for _key, cells in view.results for c in cells]
    cells += [c for _key, cells in view.placements for c in cells]
    cells += [c for _cid, _name, cells in view.gaps for c in cells]
    return cells + list(view.rereferral_youths) + list(view.rereferral_again)


def coarser_periods(view: Optional[View]) -> Optional[Hint]:
    """The hint for `view`, or None (no view, years already, or most of it is shown)."""
    if view is None or view.filters.kind not in COARSER:
        return None
    holding = [c for c in _cells(view) if c.suppressed or c.value]
    hidden = sum(1 for c in holding if c.suppressed)
    if not holding or hidden <= MOSTLY * len(holding):
        return None
    filters = view.filters
    kept = {"year": filters.year}
    if filters.municipality_id:
        kept["municipality"] = filters.municipality_id
    if filters.care_type:
        kept["care_type"] = filters.care_type
    return Hint(hidden=hidden, holding=len(holding),
                links=tuple((kind, {"kind": kind.value, **kept}) for kind in COARSER[filters.kind]))
