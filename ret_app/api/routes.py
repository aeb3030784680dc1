"""The monitor API's endpoints (/api/v1): a bearer token only, JSON only, read only.

Thin: the route guard checks the token (policy/tokens.py: 401 otherwise); SpecTree checks the query
against its model (spec.py: 400 otherwise); the route loads what the token may read (its own region;
anything else is 404), asks the service for the figures and answers with the model the OpenAPI
document describes. `calls` audits every answer."""

from __future__ import annotations

from datetime import date

from flask import current_app

from ret_app.api import calls, flow as flow_service
from ret_app.api.blueprint import bp
from ret_app.api.schemas import Area, Count, Flow, FlowPeriod, FlowQuery
from ret_app.api.spec import SECURITY, api, document, responses
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import Region
from ret_app.policy import api_token, public, token_authenticated


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 document of this API, made from the code (no data in it: public)."""
    return current_app.json.response(document())


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:  # the pattern lets 2026-02-30 through
        calls.refuse_parameters([name])


def _range(query: FlowQuery) -> tuple[date, date]:
    last = _day(query.to, "to") or dates.today()
    first = _day(query.from_, "from") or flow_service.default_start(query.period, last)
    if first > last:
        calls.refuse_parameters(["from", "to"])
    if flow_service.count_periods(query.period, first, last) > flow_service.MAX_PERIODS[query.period]:
        calls.refuse_parameters(["from", "to"])
    return first, last


def _count(cell) -> Count:
    return Count(value=cell.value, shown=cell.shown, suppressed=cell.suppressed, reason=cell.reason)


@bp.get("/flow")
@token_authenticated
@api.validate(resp=responses(Flow), tags=["flow"], security=SECURITY, operation_id="getFlow")
def flow(query: FlowQuery):
    """In-, through- and outflow per period.

    How many cases were referred to the RET, taken into intake, had their fitting help start, and
    were closed, per month, quarter or year, for the token's region or one of its municipalities.
    Counts from 1 to 4 are shown as "<5", and counts that would let one be computed back as "x"."""
    token = api_token()
    first, last = _range(query)
    region_id = token.organisation.region_id
    region = db.session.get(Region, region_id)
    municipalities = flow_service.region_municipalities(region_id)
    row, municipality = None, None
    if query.municipality is not None:
        row = next((index for index, m in enumerate(municipalities) if m[2] == query.municipality), None)
        if row is None:
            calls.not_found("municipality")
        municipality = Area(name=municipalities[row][1], cbs_code=municipalities[row][2])
    result = flow_service.flow(region_id, row, [m[0] for m in municipalities], query.period, first, last)
    periods = [FlowPeriod(period=period.key, label=period.label, start=period.start, end=period.end,
                          **{measure: _count(cell) for measure, cell in counts.items()})
               for period, counts in result]
    calls.record_read(token, f"region={region_id};period={query.period};from={first.isoformat()};"
                             f"to={last.isoformat()}" + (f";municipality={query.municipality}" if municipality else ""))
    return Flow(region=Area(name=region.name), municipality=municipality, period=query.period,
                start=periods[0].start, end=periods[-1].end, threshold=flow_service.THRESHOLD, periods=periods)
