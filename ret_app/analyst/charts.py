"""The aggregates page's charts (ret_app.stats.charts), each with its data table: the same protected
cells as the page's tables, so a hidden count has no bar and shows its sign."""

from __future__ import annotations

from flask_babel import gettext as _

from ret_app.analyst.aggregates import View
from ret_app.analyst.signals import MEASURES, SignalsView
from ret_app.outcomes.labels import PLACEMENT_RESULT_LABELS, RESULT_LABELS
from ret_app.stats.charts import PALETTE, period_chart


def for_view(view: View) -> dict:
    periods = view.periods
    out = {
        "results": period_chart("bar", periods, [(str(RESULT_LABELS[key]), cells) for key, cells in view.results],
                                title=_("Outcomes by result"), chart_id="chart-results",
                                value_label=_("number of outcomes")),
        "placements": period_chart("bar", periods,
                                   [(str(PLACEMENT_RESULT_LABELS[key]), cells) for key, cells in view.placements],
                                   title=_("Intended out-of-home placements"), chart_id="chart-placements",
                                   value_label=_("number of cases")),
    }
    shown = sorted(view.gaps, key=lambda row: -sum(cell.value or 0 for cell in row[2]))
    shown = [row for row in shown if any(cell.value or cell.suppressed for cell in row[2])][:len(PALETTE)]
    if shown:
        out["gaps"] = period_chart("line", periods, [(name, cells) for _cid, name, cells in shown],
                                   title=_("Gaps met, the most frequent categories"), chart_id="chart-gaps",
                                   value_label=_("number of gaps"))
    return out


def for_signals(view: SignalsView):
    """The signals per period: raised, open at the end, addressed and closed (counts of signals)."""
    if not view.has_signals:
        return None
    labels = {"raised": _("Raised"), "open_at_end": _("Open at the end"), "addressed": _("Addressed"),
              "closed": _("Closed")}
    return period_chart("bar", view.periods, [(str(labels[m]), view.totals[m]) for m in MEASURES],
                        title=_("Gap signals per period"), chart_id="chart-signals", value_label=_("number of signals"))
