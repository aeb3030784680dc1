"""The analyst's aggregates page: load the analyst's region -> validate the filters (Dutch messages next
to the fields; bad or huge values never reach a query) -> read the protected aggregates -> respond.
Only aggregates of the analyst's own region: no case, name, reference or free text is read here."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ret_app.analyst import aggregates, charts, hints, services
from ret_app.analyst.blueprint import bp
from ret_app.analyst.forms import FiltersForm
from ret_app.analyst import signals as analyst_signals
from ret_app.caretypes import services as caretypes
from ret_app.kernel import dates
from ret_app.outcomes.labels import PLACEMENT_RESULT_LABELS, RESULT_LABELS
from ret_app.signals.labels import OWNER_LABELS, STATUS_LABELS
from ret_app.policy import Permission, requires
from ret_app.policy.core import region_of
from ret_app.stats.periods import PeriodKind

MAX_QUERY = 2000  # characters of query string a filter page reads; more is no filter anyone chose


@bp.route("/cijfers")
@requires(Permission.VIEW_AGGREGATES)
def aggregates_page():
    region_id = region_of(current_user)
    if region_id is None:  # an analyst whose organisation works for no region: nothing to show
        return render_template("analyst/aggregates.html", form=None, result=None, no_region=True)
    catalogue = caretypes.names(region_id)
    municipalities = aggregates.municipalities(region_id)
    args = request.args if len(request.query_string) <= MAX_QUERY else {}
    # Years first: in a region of a few hundred cases a year most monthly or quarterly counts are small and
    # hidden; the years side by side show the most (the page offers quarters and months, with a hint).
    defaults = {"kind": "year", "year": str(dates.today().year)}
    form = FiltersForm(MultiDict({**defaults, **{k: v for k, v in args.items()
                                                 if k in ("kind", "year", "municipality", "care_type")}}))
    form.municipality.choices = [("", _("Whole region"))] + [(str(mid), name) for mid, name in municipalities]
    form.care_type.choices = [("", _("Every care type"))] + list(catalogue.items())
    result = signals = None
    if form.validate():
        filters = aggregates.Filters(kind=PeriodKind(form.kind.data), year=form.year.data,
                                     municipality_id=form.municipality.data, care_type=form.care_type.data or None)
        result = services.read_view(region_id, filters, list(catalogue))
        signals = analyst_signals.signals_per_period(region_id, filters)
    return render_template(
        "analyst/aggregates.html", form=form, result=result,
        chart_map=charts.for_view(result) if result and result.has_data else None,
        hint=hints.coarser_periods(result) if result and result.has_data else None,
        result_labels=RESULT_LABELS, placement_labels=PLACEMENT_RESULT_LABELS,
        signals=signals, signals_chart=charts.for_signals(signals) if signals else None,
        status_labels=STATUS_LABELS, owner_labels=OWNER_LABELS,
        municipality_name=dict(municipalities), care_type_names=catalogue)
