"""The monitor API's outcomes, gaps and signals (/api/v1/outcomes, /gaps, /signals) and the analyst's signals
per period (ret_app/analyst/signals.py, the /cijfers page's section):

- every number the API gives equals the analyst's page for the same filters (aggregates.view), on a
  generated region, for every period kind, the region and each municipality, every care type and one;
  a range over two years gives each year's page numbers side by side;
- signals per period against an independent computation from the signals' histories written here;
  no case count, reference, text or date finer than a month in the answer or on the page;
- a token reads its own region only (another region's municipality, care type or category: 404);
  revoked or expired: 401; bad, huge or unknown query parameters: 400 naming them; every call audited;
- with the signals' information added, the attacker of tests/test_analyst.py still pins no hidden gap;
- the page's signals section, and constant query counts for 5 vs 50 signals (page and API)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ret_app.analyst import aggregates
from ret_app.analyst import signals as analyst_signals
from ret_app.extensions import db
from ret_app.models import AuditEvent, GapCategory, GapSignal, SignalResponse
from ret_app.stats.periods import Period, PeriodKind
from tests.conftest import login
from tests.test_analyst import YEAR, attack, catalogue, generate, truth_of, visible_equations
from tests.test_api import _expire, _revoke, bearer, issue, last_audit_id

OUTCOMES, GAPS, SIGNALS = "/api/v1/outcomes", "/api/v1/gaps", "/api/v1/signals"


@pytest.fixture
def world(make_world, factory):
    w = make_world()
    w.policy_org = factory.organisation("management", region_id=w.region.id)
    w.analyst = factory.user("analyst", w.policy_org.id)
    return w


@pytest.fixture
def secret(app, world):
    return issue(app, world.policy_org.id, world.admin.id)[1]


def as_json(cell) -> dict:
    return {"value": cell.value, "shown": cell.shown, "suppressed": cell.suppressed, "reason": cell.reason}


def get(client, path, secret, **query):
    response = client.get(path, query_string=query, headers=bearer(secret))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.json


def category_codes(app, region_id) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(select(GapCategory.id, GapCategory.code)
                                       .where(GapCategory.region_id == region_id)).all())


# --- the same numbers as the analyst's page ------------------------------------------------------------------

def test_outcomes_and_gaps_equal_the_analysts_page_for_the_same_filters(app, client, world, secret):
    records, cats, codes = generate(app, world, n=250, seed=21, categories=3, care_types=2, years=(YEAR - 1, YEAR))
    care_types = catalogue(app, world)
    code_of = category_codes(app, world.region.id)
    cbs = {world.municipality.id: world.municipality.cbs_code, world.other_municipality.id: world.other_municipality.cbs_code}
    compared = suppressed = 0
    for kind in PeriodKind:
        for municipality in (None, world.municipality.id):
            for care_type in (None, codes[0]):
                filters = aggregates.Filters(kind=kind, year=YEAR, municipality_id=municipality, care_type=care_type)
                with app.test_request_context():
                    view = aggregates.view(world.region.id, filters, care_types)
                query = {"period": kind.value, "year": str(YEAR)}
                if municipality:
                    query["municipality"] = cbs[municipality]
                outcomes = get(client, OUTCOMES, secret, **query)
                gaps = get(client, GAPS, secret, **query, **({"care_type": care_type} if care_type else {}))
                assert [p["period"] for p in outcomes["periods"]] == [p.key for p in view.periods]
                assert [p["period"] for p in gaps["periods"]] == [p.key for p in view.periods]
                for i, period in enumerate(outcomes["periods"]):
                    for key, cells in view.results:
                        assert period["results"][key] == as_json(cells[i]), (filters, key, i)
                    for key, cells in view.placements:
                        assert period["placements"][key] == as_json(cells[i])
                    days = view.days[i]
                    assert period["days_to_fitting_help"] == {"enough": days.enough, "median": days.median,
                                                              "q1": days.q1, "q3": days.q3}
                    assert period["referred_again"] == {"youths": as_json(view.rereferral_youths[i]),
                                                        "referred_again": as_json(view.rereferral_again[i]),
                                                        "share": view.rereferral_share(i)}
                    published = {c["category"]["code"]: c["count"] for c in gaps["periods"][i]["categories"]}
                    assert set(published) == {code_of[cid] for cid, _n, _c in view.gaps}
                    for cid, _name, cells in view.gaps:
                        assert published[code_of[cid]] == as_json(cells[i])
                        compared += 1
                        suppressed += cells[i].suppressed
    assert compared > 100 and suppressed > 10, (compared, suppressed)

    # A range over two years: each period is the page's number of its own year, side by side.
    ranged = get(client, GAPS, secret, **{"from": f"{YEAR - 1}-07-01", "to": f"{YEAR}-06-30"})
    assert len(ranged["periods"]) == 12
    with app.test_request_context():
        views = {y: aggregates.view(world.region.id, aggregates.Filters(PeriodKind.MONTH, y), care_types)
                 for y in (YEAR - 1, YEAR)}
    for period in ranged["periods"]:
        key = Period.parse(period["period"])
        view = views[key.start.year]
        i = [p.key for p in view.periods].index(key.key)
        assert {c["category"]["code"]: c["count"] for c in period["categories"]} == {
            code_of[cid]: as_json(cells[i]) for cid, _n, cells in view.gaps}
    # One category only.
    one = get(client, GAPS, secret, year=str(YEAR), category=code_of[cats[0]])
    assert {c["category"]["code"] for p in one["periods"] for c in p["categories"]} == {code_of[cats[0]]}
    # Years: the five years up to `year`, as the page shows them.
    years = get(client, OUTCOMES, secret, period="year", year=str(YEAR))
    assert [p["period"] for p in years["periods"]] == [str(y) for y in range(YEAR - 4, YEAR + 1)]
    body = client.get(GAPS, query_string={"year": str(YEAR)}, headers=bearer(secret)).get_data(as_text=True)
    assert "geheim" not in body and "Gen1" not in body and "T-21-" not in body  # no free text, name, reference


# --- signals per period -----------------------------------------------------------------------------------------

def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def make_signal(world, category_id: int, raised: date, steps=(), *, care_type=None, owner=None, raised_count=3):
    """A signal raised on `raised`, then the status changes `steps` [(day, to_status)] as the chair's responses."""
    signal = GapSignal(region_id=world.region.id, gap_category_id=category_id, care_type=care_type, status="new",
                       owner=owner, raised_at=at(raised), window_start=raised - timedelta(days=180), window_end=raised,
                       raised_count=raised_count, case_count=raised_count + 4)
    db.session.add(signal)
    db.session.flush()
    status = "new"
    for day, to_status in steps:
        db.session.add(SignalResponse(signal_id=signal.id, author_id=world.chair.id, text="Geheime reactie",
                                      from_status=status, to_status=to_status, at=at(day)))
        status = to_status
    # a response that changes no status (a note) does not count
    db.session.add(SignalResponse(signal_id=signal.id, author_id=world.chair.id, text="Alleen een notitie",
                                  from_status=status, to_status=status, at=at(raised + timedelta(days=3))))
    signal.status = status
    if status == "closed":
        signal.open_key = None
    else:
        signal.open_key = f"{category_id}:{care_type or ''}:{signal.id}"
    db.session.flush()
    return signal


HISTORIES = [
    # (category index, care type, raised, [(day, status)], owner)
    (0, None, date(YEAR, 1, 20), [(date(YEAR, 2, 3), "in_progress"), (date(YEAR, 4, 9), "addressed"),
                                  (date(YEAR, 6, 1), "closed")], "policy"),
    (0, "youth_mental_health", date(YEAR, 3, 5), [(date(YEAR, 3, 25), "in_progress")], "purchasing"),
    (1, None, date(YEAR - 1, 11, 2), [(date(YEAR, 5, 5), "closed")], None),
    (1, None, date(YEAR, 8, 14), [], None),
    (2, None, date(YEAR - 1, 3, 1), [(date(YEAR - 1, 6, 1), "closed")], None),  # closed before YEAR: not shown
]


def expected_signals(periods, categories):
    """Per period: raised / open at the end / addressed / closed, computed here from HISTORIES."""
    out = []
    for period in periods:
        lo, hi = period.start, period.end
        counts = dict.fromkeys(("raised", "open_at_end", "addressed", "closed"), 0)
        for _cat, _ct, raised, steps, _owner in HISTORIES:
            counts["raised"] += lo <= raised <= hi
            status = "new" if raised <= hi else None
            for day, to in steps:
                if day <= hi:
                    status = to
            counts["open_at_end"] += status not in (None, "closed")
            counts["addressed"] += any(lo <= day <= hi and to == "addressed" for day, to in steps)
            counts["closed"] += any(lo <= day <= hi and to == "closed" for day, to in steps)
        out.append(counts)
    return out


@pytest.fixture
def histories(app, world):
    with app.app_context():
        categories = db.session.scalars(select(GapCategory.id).where(GapCategory.region_id == world.region.id)
                                        .order_by(GapCategory.position, GapCategory.id)).all()
        for cat, care_type, raised, steps, owner in HISTORIES:
            make_signal(world, categories[cat], raised, steps, care_type=care_type, owner=owner)
        db.session.commit()
    return categories


def test_signals_per_period_equal_an_independent_count_and_the_api(app, client, world, secret, histories):
    for kind in PeriodKind:
        filters = aggregates.Filters(kind=kind, year=YEAR)
        with app.test_request_context():
            view = analyst_signals.signals_per_period(world.region.id, filters)
        expected = expected_signals(view.periods, histories)
        for i, want in enumerate(expected):
            assert {m: view.totals[m][i] for m in analyst_signals.MEASURES} == want, (kind, view.periods[i].key)
        answer = get(client, SIGNALS, secret, period=kind.value, year=str(YEAR))
        for i, period in enumerate(answer["periods"]):
            assert {m: period[m] for m in analyst_signals.MEASURES} == expected[i]
            for row, key in zip(view.rows, period["keys"]):
                assert [key[m] for m in analyst_signals.MEASURES] == [row.measure(m)[i] for m in analyst_signals.MEASURES]
    month = get(client, SIGNALS, secret, year=str(YEAR))
    assert month["periods"][0]["raised"] == 1 and month["periods"][0]["open_at_end"] == 2  # January
    assert len(month["signals"]) == 4  # the one closed the year before is not among them
    listed = {(s["category"]["code"], (s["care_type"] or {}).get("code"), s["raised"]): s for s in month["signals"]}
    first = next(s for s in listed.values() if s["raised"] == f"{YEAR}-01")
    assert (first["status"], first["owner"], first["status_since"]) == ("closed", "policy", f"{YEAR}-06")
    mental = next(s for s in listed.values() if s["care_type"])
    assert mental["care_type"]["code"] == "youth_mental_health" and mental["status"] == "in_progress"
    body = client.get(SIGNALS, query_string={"year": str(YEAR)}, headers=bearer(secret)).get_data(as_text=True)
    assert "Geheime reactie" not in body and "notitie" not in body
    assert '"case_count"' not in body and '"raised_count"' not in body and '"id"' not in body
    # the care type filter keeps the signals of that care type; the category filter that category's
    only = get(client, SIGNALS, secret, year=str(YEAR), care_type="youth_mental_health")
    assert [s["care_type"]["code"] for s in only["signals"]] == ["youth_mental_health"]
    codes = category_codes(app, world.region.id)
    one = get(client, SIGNALS, secret, year=str(YEAR), category=codes[histories[1]])
    assert {s["category"]["code"] for s in one["signals"]} == {codes[histories[1]]}
    assert sum(p["raised"] for p in one["periods"]) == 1


def test_the_analysts_page_shows_the_signals_per_period(app, client, world, histories):
    login(client, app, world.analyst)
    body = client.get(f"/cijfers?kind=quarter&year={YEAR}").get_data(as_text=True)
    assert 'id="signals"' in body and 'id="signals-table"' in body and 'id="signals-list"' in body
    assert "Beleid" in body and "Inkoop" in body  # owners
    assert "Geheime reactie" not in body and "notitie" not in body
    assert "Hiaatsignalen per periode" in body and "Ontstaan in" in body and "Open aan het eind" in body


# --- refusals --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [OUTCOMES, GAPS, SIGNALS])
def test_another_regions_municipality_care_type_or_category_is_404(app, client, world, secret, path):
    there = world.elsewhere
    with app.app_context():
        other_category = db.session.scalar(select(GapCategory.code).where(GapCategory.region_id == there.region.id))
        db.session.execute(GapCategory.__table__.update().where(
            GapCategory.region_id == there.region.id, GapCategory.code == other_category).values(code="only_there"))
        db.session.commit()
    queries = [{"care_type": "not_in_catalogue"}, {"category": "only_there"}]
    if path != SIGNALS:
        queries.append({"municipality": there.municipality.cbs_code})
    for query in queries:
        if path == OUTCOMES and "municipality" not in query:
            continue
        response = client.get(path, query_string=query, headers=bearer(secret))
        assert response.status_code == 404, (query, response.get_data(as_text=True)[:200])
        assert response.json["error"] == "not_found"


def test_a_token_of_one_region_never_reads_another(app, client, factory, world, secret, histories):
    other_org = factory.organisation("management", region_id=world.elsewhere.region.id)
    _id, other = issue(app, other_org.id, world.admin.id)
    generate(app, world, n=60, seed=3)
    theirs = get(client, SIGNALS, other, year=str(YEAR))
    assert theirs["signals"] == [] and theirs["region"]["name"] == world.elsewhere.region.name
    gaps = get(client, GAPS, other, period="year", year=str(YEAR))
    assert all(c["count"]["value"] == 0 for p in gaps["periods"] for c in p["categories"])
    outcomes = get(client, OUTCOMES, other, period="year", year=str(YEAR))
    assert all(r["value"] == 0 for p in outcomes["periods"] for r in p["results"].values())
    mine = get(client, OUTCOMES, secret, period="year", year=str(YEAR))
    assert any(r["value"] or r["suppressed"] for r in mine["periods"][-1]["results"].values())


@pytest.mark.parametrize("case", ["revoked", "expired"])
@pytest.mark.parametrize("path", [OUTCOMES, GAPS, SIGNALS])
def test_a_revoked_or_expired_token_is_401(app, client, world, path, case):
    token_id, secret = issue(app, world.policy_org.id, world.admin.id)
    (_revoke if case == "revoked" else _expire)(app, token_id)
    response = client.get(path, headers=bearer(secret))
    assert response.status_code == 401 and response.json["error"] == "unauthorized"


@pytest.mark.parametrize("path, query, parameters", [
    (OUTCOMES, {"period": "week"}, ["period"]),
    (OUTCOMES, {"year": "abc"}, ["year"]),
    (OUTCOMES, {"year": "2" * 100_000}, ["year"]),
    (OUTCOMES, {"year": "2025", "from": "2025-01-01"}, ["from", "year"]),
    (OUTCOMES, {"care_type": "youth_mental_health"}, ["care_type"]),  # outcomes have no care type
    (GAPS, {"care_type": "Jeugd GGZ"}, ["care_type"]),
    (GAPS, {"category": "c" * 41}, ["category"]),
    (SIGNALS, {"care_type": "c" * 33}, ["care_type"]),
    (GAPS, {"from": "2026-06-01", "to": "2026-01-01"}, ["from", "to"]),
    (GAPS, {"period": "month", "from": "2020-01-01", "to": "2026-01-01"}, ["from", "to"]),
    (SIGNALS, {"municipality": "GM0200"}, ["municipality"]),  # signals are the region's
    (SIGNALS, {"categorie": "x"}, ["categorie"]),
    (SIGNALS, {"year": "1999"}, ["year"]),
])
def test_bad_query_parameters_are_400_naming_them(app, client, world, secret, path, query, parameters):
    before = last_audit_id(app)
    response = client.get(path, query_string=query, headers=bearer(secret))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.json["error"] == "bad_request" and response.json["parameters"] == parameters
    with app.app_context():
        [row] = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
        assert row.outcome == "failed" and row.detail.endswith("invalid=" + ",".join(parameters))


def test_every_call_is_audited(app, client, world, secret):
    before = last_audit_id(app)
    get(client, GAPS, secret, period="quarter", year="2025", care_type="youth_mental_health")
    with app.app_context():
        [row] = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert (row.action, row.outcome, row.object_type) == ("read", "allowed", "api_call")
    assert row.detail == (f"route=api.gaps;region={world.region.id};period=quarter;from=2025-01-01;to=2025-12-31;"
                          "care_type=youth_mental_health")


# --- the attack, with what the signals add -----------------------------------------------------------------------

def test_the_signals_let_no_hidden_gap_be_computed_back(app, world):
    """Everything the analyst sees (every filter combination of the page) plus what each signal says — at
    least the region's threshold of cases of its key in the months of its window — and the attacker of
    test_analyst still pins no hidden gap count."""
    from ret_app.signals import rule
    from ret_app.stats.suppression import Cell

    records, cats, codes = generate(app, world, n=40, seed=5, categories=2, care_types=2)
    care_types = catalogue(app, world)
    care_rows = care_types + [None]
    municipalities = [world.municipality.id, world.other_municipality.id]
    with app.test_request_context():
        # the rule over the year, month by month (the nightly job), raises what the data holds
        for month in range(1, 13):
            day = date(YEAR, month, 28)
            raised = rule.evaluate_region(world.region.id, day).raised
            for signal in db.session.scalars(select(GapSignal).where(GapSignal.id.in_(raised))):
                signal.raised_at = at(day)  # raised that night, as the nightly job would have
        db.session.commit()
        filters = [aggregates.Filters(kind=k, year=YEAR, municipality_id=m, care_type=c)
                   for k in PeriodKind for m in (None, *municipalities) for c in (None, *care_types[:3])]
        views = [aggregates.view(world.region.id, f, care_types) for f in filters]
        shown = analyst_signals.signals_per_period(world.region.id, aggregates.Filters(PeriodKind.MONTH, YEAR))
        threshold = rule.settings_for(world.region.id).threshold
    assert shown.signals, "the data raises signals"
    equations = visible_equations(filters, views, None, municipalities, care_rows)
    for signal in shown.signals:
        month = signal.raised.start.month
        window = [m for m in range(month - 6, month + 1) if m >= 1]  # the window's months within YEAR
        cts = [signal.key.care_type] if signal.key.care_type else care_rows
        cells = {("gap", signal.key.category_id, m, ct, mo) for m in municipalities for ct in cts for mo in window}
        # at least `threshold` gaps: a hidden count of unknown upper bound, at least the threshold
        equations.append((cells, Cell(value=None, shown=f">={threshold}", suppressed=True, reason="signal")))
    truth = truth_of(records, care_rows)
    pinned, tried = attack(equations, truth, threshold)
    assert tried > 5, tried
    assert not pinned, pinned


# --- query counts -------------------------------------------------------------------------------------------------

@pytest.mark.counts_queries("api.outcomes", "api.gaps", "api.signals", "analyst.aggregates_page")
def test_query_counts_do_not_grow_with_the_signals(app, client, world, secret, count_queries):
    with app.app_context():
        categories = db.session.scalars(select(GapCategory.id).where(GapCategory.region_id == world.region.id)
                                        .order_by(GapCategory.id)).all()
    counts = {}
    login(client, app, world.analyst)
    made = 0
    generate(app, world, n=30, seed=9)
    for n in (5, 50):
        with app.app_context():
            for i in range(made, n):
                make_signal(world, categories[i % len(categories)], date(YEAR, 1 + i % 12, 10),
                            [(date(YEAR, 1 + i % 12, 20), "in_progress")] if i % 2 else [],
                            care_type="youth_mental_health" if i % 3 else None, owner="policy" if i % 2 else None)
            db.session.commit()
        made = n
        out = {}
        for path in (OUTCOMES, GAPS, SIGNALS):
            with count_queries() as statements:
                assert client.get(path, query_string={"year": str(YEAR)}, headers=bearer(secret)).status_code == 200
            out[path] = len(statements)
        with count_queries() as statements:
            assert client.get(f"/cijfers?kind=month&year={YEAR}").status_code == 200
        out["page"] = len(statements)
        counts[n] = out
    assert counts[5] == counts[50], counts

