"""The monitor API's endpoints (/api/v1): a bearer token only, JSON only, read only.

Thin: the route guard checks the token (policy/tokens.py: 401 otherwise); SpecTree checks the query
against its model (spec.py: 400 otherwise); the route loads what the token may read (its own region;
anything else is 404), asks the service for the figures and answers with the model the OpenAPI
document describes. `calls` audits every answer."""

from __future__ import annotations

from datetime import date

from flask import current_app

from ret_app.analyst import aggregates
from ret_app.api import calls, figures, flow as flow_service
from ret_app.api.blueprint import bp
from ret_app.api.schemas import (
    Area,
    CodeName,
    Count,
    Days,
    Flow,
    FlowPeriod,
    FlowQuery,
    GapCount,
    Gaps,
    GapsPeriod,
    GapsQuery,
    Outcomes,
    OutcomesPeriod,
    OutcomesQuery,
    Placements,
    ReferredAgain,
    Results,
    Signal,
    SignalKeyCounts,
    Signals,
    SignalsPeriod,
    SignalsQuery,
)
from ret_app.api.spec import SECURITY, api, document, responses
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import ApiToken, Region
from ret_app.policy import api_token, public, token_authenticated
from ret_app.stats.periods import Period, PeriodKind


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


# --- the analyst's figures: outcomes, gaps, signals ---------------------------------------------------------

def _periods(query) -> tuple[PeriodKind, list[Period]]:
    """The periods asked: a `year` as the analyst's page shows it, or a range as /flow takes it."""
    kind = PeriodKind(query.period)
    if query.year is not None:
        both = [name for name, value in (("from", query.from_), ("to", query.to)) if value is not None]
        if both:
            calls.refuse_parameters(["year", *both])
        return kind, aggregates.Filters(kind=kind, year=int(query.year)).periods()
    first, last = _range(query)
    return kind, flow_service.periods_between(query.period, first, last)


def _municipality(region_id: int, cbs_code: str | None) -> tuple[int | None, Area | None]:
    if cbs_code is None:
        return None, None
    found = next((m for m in flow_service.region_municipalities(region_id) if m[2] == cbs_code), None)
    if found is None:
        calls.not_found("municipality")
    return found[0], Area(name=found[1], cbs_code=found[2])


def _care_type(names: dict[str, str], code: str | None) -> CodeName | None:
    if code is None:
        return None
    if code not in names:
        calls.not_found("care type")
    return CodeName(code=code, name=names[code])


def _category(categories: dict[str, tuple[int, str]], code: str | None) -> tuple[int | None, CodeName | None]:
    if code is None:
        return None, None
    if code not in categories:
        calls.not_found("category")
    return categories[code][0], CodeName(code=code, name=categories[code][1])


def _base(period: Period) -> dict:
    return {"period": period.key, "label": period.label, "start": period.start, "end": period.end}


def _record(token: ApiToken, region_id: int, kind: PeriodKind, periods: list[Period], **filters) -> None:
    detail = (f"region={region_id};period={kind.value};from={periods[0].start.isoformat()};"
              f"to={periods[-1].end.isoformat()}")
    detail += "".join(f";{name}={value}" for name, value in filters.items() if value is not None)
    calls.record_read(token, detail)


@bp.get("/outcomes")
@token_authenticated
@api.validate(resp=responses(Outcomes), tags=["outcomes"], security=SECURITY, operation_id="getOutcomes")
def outcomes(query: OutcomesQuery):
    """Outcomes of closed cases per period.

    The results recorded at closing, the intended out-of-home placements prevented or carried out, the
    working days from referral to fitting help (median and quartiles, only with at least 5 outcomes) and
    the youths referred again within 12 months of closing (always the whole region): the analyst's
    figures for the same period and municipality, suppressed the same way."""
    token = api_token()
    kind, periods = _periods(query)
    region_id = token.organisation.region_id
    municipality_id, municipality = _municipality(region_id, query.municipality)
    care_types = list(caretypes.names(region_id))
    out = []
    for period, view, i in figures.views_per_period(region_id, kind, periods, care_types, municipality_id):
        days = view.days[i]
        out.append(OutcomesPeriod(
            **_base(period),
            results=Results(**{key: _count(cells[i]) for key, cells in view.results}),
            placements=Placements(**{key: _count(cells[i]) for key, cells in view.placements}),
            days_to_fitting_help=Days(enough=days.enough, median=days.median, q1=days.q1, q3=days.q3),
            referred_again=ReferredAgain(youths=_count(view.rereferral_youths[i]),
                                         referred_again=_count(view.rereferral_again[i]),
                                         share=view.rereferral_share(i))))
    _record(token, region_id, kind, periods, municipality=query.municipality)
    return Outcomes(region=Area(name=db.session.get(Region, region_id).name), municipality=municipality,
                    period=kind.value, start=periods[0].start, end=periods[-1].end,
                    threshold=flow_service.THRESHOLD, periods=out)


@bp.get("/gaps")
@token_authenticated
@api.validate(resp=responses(Gaps), tags=["gaps"], security=SECURITY, operation_id="getGaps")
def gaps(query: GapsQuery):
    """Gaps in the care offer per category and period.

    Each gap that an outcome recorded, per gap category of the region, for the region or one
    municipality, every care type or one: the analyst's figures for the same filters, suppressed the
    same way."""
    token = api_token()
    kind, periods = _periods(query)
    region_id = token.organisation.region_id
    municipality_id, municipality = _municipality(region_id, query.municipality)
    names = caretypes.names(region_id)
    care_type = _care_type(names, query.care_type)
    categories = figures.gap_categories(region_id)
    category_id, _category_name = _category(categories, query.category)
    codes = {cid: code for code, (cid, _name) in categories.items()}
    out = []
    for period, view, i in figures.views_per_period(region_id, kind, periods, list(names), municipality_id,
                                                     query.care_type):
        out.append(GapsPeriod(**_base(period), categories=[
            GapCount(category=CodeName(code=codes[cid], name=name), count=_count(cells[i]))
            for cid, name, cells in view.gaps if category_id is None or cid == category_id]))
    _record(token, region_id, kind, periods, municipality=query.municipality, care_type=query.care_type,
            category=query.category)
    return Gaps(region=Area(name=db.session.get(Region, region_id).name), municipality=municipality,
                care_type=care_type, period=kind.value, start=periods[0].start, end=periods[-1].end,
                threshold=flow_service.THRESHOLD, periods=out)


@bp.get("/signals")
@token_authenticated
@api.validate(resp=responses(Signals), tags=["signals"], security=SECURITY, operation_id="getSignals")
def signals(query: SignalsQuery):
    """Gap signals per period.

    How many signals were raised, were open at the end of the period, were marked as addressed and were
    closed, per gap category (and care type), and the signals themselves with their status and owner.
    Counts of signals, not of children: a signal's cases, their number and its responses are never
    given. The analyst's figures for the same filters."""
    token = api_token()
    kind, periods = _periods(query)
    region_id = token.organisation.region_id
    names = caretypes.names(region_id)
    care_type = _care_type(names, query.care_type)
    category_id, category = _category(figures.gap_categories(region_id), query.category)
    view = figures.signals(region_id, kind, periods, query.care_type, category_id)

    def key_names(key) -> dict:
        return {"category": CodeName(code=key.category_code, name=key.category_name),
                "care_type": CodeName(code=key.care_type, name=names.get(key.care_type, key.care_type))
                if key.care_type else None}

    out = [SignalsPeriod(**_base(period), **{m: view.totals[m][i] for m in ("raised", "open_at_end", "addressed",
                                                                             "closed")},
                         keys=[SignalKeyCounts(**key_names(row.key), raised=row.raised[i],
                                               open_at_end=row.open_at_end[i], addressed=row.addressed[i],
                                               closed=row.closed[i]) for row in view.rows])
           for i, period in enumerate(periods)]
    listed = [Signal(**key_names(s.key), raised=s.raised.key, status=s.status, owner=s.owner,
                     status_since=s.status_since.key) for s in view.signals]
    _record(token, region_id, kind, periods, care_type=query.care_type, category=query.category)
    return Signals(region=Area(name=db.session.get(Region, region_id).name), care_type=care_type,
                   category=category, period=kind.value, start=periods[0].start, end=periods[-1].end,
                   periods=out, signals=listed)
