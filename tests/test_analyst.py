"""The analyst's view (ret_app/analyst): the aggregates against an independent computation on a
generated region, the attack (an analyst who sees every filter combination of the page tries to work
out a hidden count and fails), access (the analyst only, of their own region only; case routes
closed), bad filter input (Dutch messages, never a 500) and constant query counts."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from sqlalchemy import select

from ret_app.analyst import aggregates
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.models import Case, CaseOutcome, GapCategory, OutcomeGap
from ret_app.stats.periods import PeriodKind
from tests.conftest import login

YEAR = date.today().year - 1
RESULTS = ("realised", "partly_realised", "not_realised", "returned_with_advice", "aged_out_or_moved")


@pytest.fixture
def world(make_world, factory):
    w = make_world()
    # The world's analyst works for no region; the analyst of these tests works for the policy and
    # purchasing of the world's municipalities (a management organisation of the region).
    w.analyst = factory.user("analyst", factory.organisation("management", region_id=w.region.id).id)
    return w


def generate(app, world, *, n: int, seed: int, categories: int = 3, care_types: int = 2, years=(YEAR,)):
    """`n` closed cases with outcomes spread over the region's two municipalities, the months of `years`,
    results, placements, working days and gaps (of the first `categories` categories, with one of the
    first `care_types` care types or none). Returns the raw records as the test knows them."""
    rng = random.Random(seed)
    records = []
    with app.app_context():
        cats = db.session.scalars(select(GapCategory.id).where(GapCategory.region_id == world.region.id)
                                  .order_by(GapCategory.position, GapCategory.id)).all()[:categories]
        codes = list(caretypes.names(world.region.id))[:care_types]
        municipalities = [(world.municipality.id, world.team.id), (world.other_municipality.id, world.other_team.id)]
        for i in range(n):
            municipality_id, team_id = rng.choice(municipalities)
            year = rng.choice(years)
            month = rng.randint(1, 12)
            recorded = datetime(year, month, rng.randint(1, 28), 11, 0, tzinfo=timezone.utc)
            case = Case(reference=f"T-{seed}-{i:05d}", region_id=world.region.id, municipality_id=municipality_id,
                        submitting_organisation_id=team_id, caseworker_id=world.caseworker.id, status="closed",
                        youth_first_name="Jeugdige", youth_last_name=f"Gen{i}", youth_birth_date=date(2010, 1, 1),
                        submitted_at=recorded - timedelta(days=60), closed_at=recorded,
                        placement_intended=rng.random() < 0.4)
            db.session.add(case)
            db.session.flush()
            result = rng.choice(RESULTS)
            placement = rng.choice(("prevented", "carried_out", "other")) if case.placement_intended else None
            days = rng.randint(3, 90) if rng.random() < 0.8 else None
            outcome = CaseOutcome(case_id=case.id, result=result, placement_result=placement,
                                  recorded_by_id=world.chair.id, recorded_at=recorded,
                                  working_days_to_fitting_help=days)
            db.session.add(outcome)
            db.session.flush()
            gaps = []
            for position in range(rng.choice((0, 0, 1, 1, 2))):
                category = rng.choice(cats)
                care_type = rng.choice(codes + [None])
                db.session.add(OutcomeGap(outcome_id=outcome.id, case_id=case.id, position=position,
                                          gap_category_id=category, care_type=care_type, note="geheim"))
                gaps.append((category, care_type))
            records.append({"municipality": municipality_id, "year": year, "month": month, "result": result,
                            "placement": placement, "days": days, "gaps": gaps})
        db.session.commit()
    return records, cats, codes


def catalogue(app, world):
    with app.app_context():
        return list(caretypes.names(world.region.id))


def all_filters(world, codes, years=(YEAR,)):
    for kind, year, municipality, care_type in itertools.product(
            PeriodKind, years, (None, world.municipality.id, world.other_municipality.id), [None] + list(codes)):
        yield aggregates.Filters(kind=kind, year=year, municipality_id=municipality, care_type=care_type)


def months_of(period):
    return range(period.start.month, period.start.month + period.kind.months)


# --- aggregation against an independent computation ------------------------------------------------------

def test_the_aggregates_equal_an_independent_count_and_hide_every_small_one(app, world):
    records, cats, codes = generate(app, world, n=400, seed=12, categories=4, care_types=3)
    care_types = catalogue(app, world)
    shown = hidden = 0
    with app.test_request_context():
        for filters in all_filters(world, codes):
            view = aggregates.view(world.region.id, filters, care_types)
            for index, period in enumerate(view.periods):
                def in_scope(r):
                    return (r["year"] == period.start.year and r["month"] in months_of(period)
                            and (filters.municipality_id is None or r["municipality"] == filters.municipality_id))
                expected = {("result", key): sum(1 for r in records if in_scope(r) and r["result"] == key)
                            for key in RESULTS}
                expected.update({("placement", key): sum(1 for r in records if in_scope(r) and r["placement"] == key)
                                 for key in ("prevented", "carried_out")})
                expected.update({("gap", cid): sum(1 for r in records if in_scope(r) for c, ct in r["gaps"]
                                                   if c == cid and (filters.care_type is None or ct == filters.care_type))
                                 for cid in cats})
                got = {("result", key): cells[index] for key, cells in view.results}
                got.update({("placement", key): cells[index] for key, cells in view.placements})
                got.update({("gap", cid): cells[index] for cid, _name, cells in view.gaps if cid in cats})
                seen, hid = check_cells(got, expected, (filters, period))
                shown, hidden = shown + seen, hidden + hid
                # days: median and quartiles of at least five, computed here by sorting
                values = sorted(r["days"] for r in records if in_scope(r) and r["days"] is not None)
                days = view.days[index]
                if len(values) < 5:
                    assert not days.enough
                else:
                    assert days.enough and days.median == float(np.median(values))
                    assert (days.q1, days.q3) == tuple(float(q) for q in np.percentile(values, [25, 75]))
    assert shown > 100 and hidden > 100, (shown, hidden)  # the set exercises both


# --- the attack --------------------------------------------------------------------------------------------

def check_cells(got: dict, expected: dict, where) -> tuple[int, int]:
    """Each published cell equals the independent count and is never 1..4; each hidden one is marked "<5"
    (then the count is below 5) or "x". Returns how many were shown and hidden."""
    shown = hidden = 0
    for key, cell in got.items():
        want = expected[key]
        if cell.suppressed:
            hidden += 1
            assert cell.shown in ("<5", "x"), key
            if cell.shown == "<5":
                assert want < 5, (where, key, want)
        else:
            shown += 1
            assert cell.value == want, (where, key)
            assert not 1 <= want <= 4, (where, key, want)
    return shown, hidden


def visible_equations(view_filters, views, records_keys, municipalities, care_rows):
    """Every number the pages show, as (set of raw base cells, cell). A base cell is (family, key,
    municipality, care type or None, month): what a reader knows the page's numbers add up."""
    out = []
    for filters, view in zip(view_filters, views):
        for index, period in enumerate(view.periods):
            if period.start.year != YEAR:
                continue  # only YEAR has data; other years are all zero and shown so
            ms = [filters.municipality_id] if filters.municipality_id else municipalities
            for key, cells in view.results:
                out.append(({("result", key, m, None, mo) for m in ms for mo in months_of(period)}, cells[index]))
            for key, cells in view.placements:
                out.append(({("placement", key, m, None, mo) for m in ms for mo in months_of(period)}, cells[index]))
            cts = [filters.care_type] if filters.care_type else care_rows
            for cid, _name, cells in view.gaps:
                out.append(({("gap", cid, m, ct, mo) for m in ms for ct in cts for mo in months_of(period)},
                            cells[index]))
    return out


def attack(equations, truth, threshold=None):
    """For every hidden count: the smallest and largest value it can have given everything shown (exact
    integer programs, written here apart from the module). Returns the pinned ones. An equation whose cell
    has the reason "signal" says "at least `threshold`" (a gap signal raised over those counts)."""
    variables = sorted({v for cells, _cell in equations for v in cells}, key=str)
    index = {v: i for i, v in enumerate(variables)}
    rows, lo, hi = [], [], []
    for cells, cell in equations:
        row = np.zeros(len(variables))
        for v in cells:
            row[index[v]] = 1
        rows.append(row)
        if not cell.suppressed:
            lo.append(cell.value), hi.append(cell.value)
        elif cell.reason == "signal":
            lo.append(threshold), hi.append(np.inf)
        elif cell.shown == "<5":
            lo.append(0), hi.append(4)
        else:
            lo.append(0), hi.append(np.inf)
    constraint = LinearConstraint(np.array(rows), lo, hi)
    integrality = np.ones(len(variables))
    bounds = Bounds(0, np.inf)
    pinned, tried = [], 0
    targets = {frozenset(cells): cells for cells, cell in equations if cell.suppressed and cell.shown == "<5"}
    for cells in targets.values():
        true_value = sum(truth.get(v, 0) for v in cells)
        if true_value == 0:
            continue  # a hidden zero points at no child
        c = np.zeros(len(variables))
        for v in cells:
            c[index[v]] = 1
        low = milp(c, constraints=constraint, integrality=integrality, bounds=bounds)
        high = milp(-c, constraints=constraint, integrality=integrality, bounds=bounds)
        assert low.success and high.success
        smallest, largest = round(low.fun), round(-high.fun)
        assert smallest <= true_value <= largest  # the attacker's model is right
        tried += 1
        if smallest == largest:
            pinned.append((sorted(cells, key=str)[:3], true_value))
    return pinned, tried


def truth_of(records, care_rows):
    truth = Counter()
    for r in records:
        if r["year"] != YEAR:
            continue
        truth[("result", r["result"], r["municipality"], None, r["month"])] += 1
        if r["placement"] in ("prevented", "carried_out"):
            truth[("placement", r["placement"], r["municipality"], None, r["month"])] += 1
        for cid, ct in r["gaps"]:
            truth[("gap", cid, r["municipality"], ct if ct in care_rows else None, r["month"])] += 1
    return truth


def test_no_hidden_count_can_be_computed_back_from_everything_an_analyst_sees(app, world):
    records, cats, codes = generate(app, world, n=40, seed=5, categories=2, care_types=2)
    care_types = catalogue(app, world)
    care_rows = care_types + [None]
    municipalities = [world.municipality.id, world.other_municipality.id]
    with app.test_request_context():
        filters = list(all_filters(world, care_types[:3]))  # every care type beyond these is all zeros
        views = [aggregates.view(world.region.id, f, care_types) for f in filters]
        # the start card adds the year's outcomes over all results (a sum of shown grand totals)
        tables = aggregates.year_tables(world.region.id, YEAR, care_types)
    equations = visible_equations(filters, views, None, municipalities, care_rows)
    card = aggregates.sum_of([t.grand_total for t in tables.results.values()])
    equations.append(({("result", k, m, None, mo) for k in RESULTS for m in municipalities for mo in range(1, 13)},
                      card))
    # gaps of the categories that are not generated are zero everywhere (the analyst sees that)
    truth = truth_of(records, care_rows)
    pinned, tried = attack(equations, truth)
    assert tried > 5, tried  # there were small counts to attack
    assert not pinned, pinned

    # The attacker itself works: shown the raw count of every base cell but one small one, and the
    # totals, it pins that one.
    small = next(v for v, count in truth.items() if 1 <= count <= 4)
    from ret_app.stats.suppression import Cell
    raw = [({v}, Cell(value=count, shown=str(count), suppressed=False, reason=None))
           for v, count in truth.items() if v != small and v[:2] == small[:2]]
    total = sum(count for v, count in truth.items() if v[:2] == small[:2])
    raw.append(({v for v in truth if v[:2] == small[:2]}, Cell(total, str(total), False, None)))
    raw.append(({small}, Cell(None, "<5", True, "small")))
    assert attack(raw, truth)[0], "the attacker pins a cell published naively"


# --- the pages -----------------------------------------------------------------------------------------------

def test_the_analyst_sees_the_aggregates_of_their_region_with_charts(app, client, world):
    generate(app, world, n=120, seed=7)
    login(client, app, world.analyst)
    body = client.get(f"/cijfers?kind=quarter&year={YEAR}").get_data(as_text=True)
    assert "Uitkomsten naar resultaat" in body and "<svg" in body and "<5" in body
    assert "Gen1" not in body and "T-7-" not in body and "geheim" not in body  # no name, reference, free text
    start = client.get("/start").get_data(as_text=True)
    assert 'id="start-analyst"' in start


def test_an_analyst_of_another_region_sees_nothing_of_this_one(app, client, world, factory):
    generate(app, world, n=120, seed=8)
    other = factory.user("analyst", factory.organisation("management", region_id=world.elsewhere.region.id).id)
    login(client, app, other)
    body = client.get(f"/cijfers?kind=year&year={YEAR}").get_data(as_text=True)
    assert 'id="aggregates-empty"' in body  # their own region has nothing; this one's never shows
    assert str(world.municipality.name) not in body


@pytest.mark.parametrize("query,message", [
    ("kind=week&year=2025", "Ongeldige keuze"),
    ("kind=month&year=abc", "Vul een jaar in"),
    ("kind=month&year=99999999999999999999", "Vul een jaar in"),
    ("kind=month&year=1800", "Vul een jaar in van 2000 tot en met 2100"),
    ("kind=month&year=2025&municipality=99999999999999999999", "Ongeldige keuze"),
    ("kind=month&year=2025&care_type=onbekend", "Ongeldige keuze"),
])
def test_bad_filters_get_a_dutch_message_never_a_500(app, client, world, query, message):
    login(client, app, world.analyst)
    response = client.get(f"/cijfers?{query}")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_a_huge_query_and_a_year_without_data(app, client, world):
    login(client, app, world.analyst)
    assert client.get("/cijfers?kind=" + "x" * 50000).status_code in (200, 414)
    body = client.get("/cijfers?kind=month&year=2001").get_data(as_text=True)
    assert 'id="aggregates-empty"' in body


@pytest.mark.parametrize("role", ["chair", "member", "caseworker", "provider_member", "network_liaison", "admin"])
def test_only_the_analyst_opens_the_aggregates(app, client, world, role):
    login(client, app, world[role])
    assert client.get("/cijfers").status_code == 403


def test_the_analyst_opens_no_case(app, client, world, factory):
    case_id = factory.case(world.caseworker, world.municipality, status="submitted")
    login(client, app, world.analyst)
    for url in (f"/casussen/{case_id}", f"/casussen/{case_id}/uitkomst", "/casussen"):
        assert client.get(url).status_code in (403, 404), url


@pytest.mark.counts_queries("analyst.aggregates_page")
def test_the_aggregates_page_does_not_grow_with_the_data(app, client, world, count_queries):
    login(client, app, world.analyst)
    counts = {}
    for n, seed in ((5, 1), (50, 2)):
        generate(app, world, n=n if n == 5 else 45, seed=seed)
        with count_queries() as statements:
            assert client.get(f"/cijfers?kind=month&year={YEAR}").status_code == 200
        counts[n] = len(statements)
    assert counts[5] == counts[50], counts


# --- the attack, with the reflection report and the monitor API's flow --------------------------------------

def test_no_hidden_count_can_be_computed_back_from_the_analyst_page_the_reflection_reports_and_the_api(
        app, world, factory):
    """The municipality tables have the referring access team as a nested row (two access teams in one
    municipality, a certified institution, a team referring for another municipality). An attacker sees
    every filter combination of the analyst's page, every reflection report (each access team and
    municipality, every period kind, each period of the year chosen) and every flow answer of the API
    (region and municipalities, months, quarters, the year), and fails to pin a hidden count."""
    from ret_app.api import flow as api_flow
    from ret_app.reflection import report
    from ret_app.stats.periods import Period
    from tests.test_reflection import generate as generate_referred

    world.team2 = factory.organisation("access_team", region_id=world.region.id, municipality_id=world.municipality.id)
    world.institution = factory.organisation("certified_institution", region_id=world.region.id)
    records, cats, codes = generate_referred(app, world, n=45, seed=21)
    care_types = catalogue(app, world)
    care_rows = care_types + [None]
    teams_of = {world.municipality.id: {world.team.id, world.team2.id}, world.other_municipality.id: {world.other_team.id}}
    rows = [(m, t) for m in (world.municipality.id, world.other_municipality.id) for t in sorted(teams_of[m]) + [None]]

    def row_of(record):
        team = record["referrer"] if record["referrer"] in teams_of[record["municipality"]] else None
        return (record["municipality"], team)

    truth = Counter()
    for r in records:
        row = row_of(r)
        for measure, key in (("referred", "submitted"), ("taken_in", "intake"), ("fitting_help_started", "fitting"),
                             ("closed", "closed")):
            if r[key] is not None and r[key].year == YEAR:
                truth[("flow", measure, row, None, r[key].month)] += 1
        if r["closed"].year != YEAR:
            continue
        month = r["closed"].month
        truth[("result", r["result"], row, None, month)] += 1
        if r["placement"] in ("prevented", "carried_out"):
            truth[("placement", r["placement"], row, None, month)] += 1
        for cid, ct in r["gaps"]:
            truth[("gap", cid, row, ct, month)] += 1

    def scope_rows(municipality=None, team=None):
        if team is not None:
            return [row for row in rows if row[1] == team]
        return [row for row in rows if municipality is None or row[0] == municipality]

    equations = []

    # Gaps of the categories and care types the generator never uses are 0 everywhere, and the analyst
    # sees so (each category and care type can be chosen): the attacker knows those base cells are 0.
    gap_care = set(codes) | {None}

    def known_zero(family, key, ct):
        return family == "gap" and (key not in cats or ct not in gap_care)

    def add(family, key, scope, period, cts=(None,)):
        cells = {(family, key, row, ct, mo) for row in scope for ct in cts for mo in months_of(period)
                 if not known_zero(family, key, ct)}
        return lambda cell: equations.append((cells, cell)) if cells else None

    with app.test_request_context():
        # the analyst's page
        for filters in all_filters(world, care_types[:3]):
            view = aggregates.view(world.region.id, filters, care_types)
            scope = scope_rows(filters.municipality_id)
            for index, period in enumerate(view.periods):
                if period.start.year != YEAR:
                    continue
                for key, cells in view.results:
                    add("result", key, scope, period)(cells[index])
                for key, cells in view.placements:
                    add("placement", key, scope, period)(cells[index])
                cts = [filters.care_type] if filters.care_type else care_rows
                for cid, _name, cells in view.gaps:
                    add("gap", cid, scope, period, cts)(cells[index])
        # the start card: the year's outcomes over all results
        tables = aggregates.year_tables(world.region.id, YEAR, care_types)
        equations.append(({("result", k, row, None, mo) for k in RESULTS for row in rows for mo in range(1, 13)},
                          aggregates.sum_of([t.grand_total for t in tables.results.values()])))
        # the monitor API's flow: the region and each municipality, months, quarters and the year
        municipality_ids = [world.municipality.id, world.other_municipality.id]
        with app.app_context():
            ordered = [m[0] for m in api_flow.region_municipalities(world.region.id)]
        for kind in ("month", "quarter", "year"):
            for m_row in [None, 0, 1]:
                answer = api_flow.flow(world.region.id, m_row, ordered, kind, date(YEAR, 1, 1), date(YEAR, 12, 31))
                scope = scope_rows(None if m_row is None else ordered[m_row])
                for period, counts in answer:
                    for measure, cell in counts.items():
                        add("flow", measure, scope, period)(cell)
        # every reflection report: each access team and municipality, each period of the year chosen
        subjects = [(report.TEAM, t) for t in (world.team.id, world.team2.id, world.other_team.id)]
        subjects += [(report.MUNICIPALITY, m) for m in municipality_ids]
        names = dict(aggregates.gap_categories(world.region.id))
        catalogue_names = caretypes.names(world.region.id)
        for kind, subject_id in subjects:
            subject = report.find_subject(kind, subject_id)
            scope = scope_rows(subject.municipality_id, subject_id if kind == report.TEAM else None)
            for period_kind in PeriodKind:
                for chosen in [Period(date(YEAR, 1, 1), PeriodKind.YEAR).shifted(0)] if period_kind is PeriodKind.YEAR \
                        else [Period(date(YEAR, 1, 1), period_kind).shifted(i) for i in range(12 // period_kind.months)]:
                    r = report.build(subject, chosen)
                    for index, period in enumerate(r.periods):
                        if period.start.year != YEAR:
                            continue
                        for measure, (_label, cells) in zip(aggregates.FLOW, r.flow):
                            add("flow", measure, scope, period)(cells[index])
                        for key, (_label, cells) in zip(RESULTS, r.results):
                            add("result", key, scope, period)(cells[index])
                        for key, (_label, cells) in zip(aggregates.PLACEMENTS, r.placements):
                            add("placement", key, scope, period)(cells[index])
                        by_name = {name: cid for cid, name in names.items()}
                        for name, cells in r.gaps:
                            add("gap", by_name[name], scope, period, care_rows)(cells[index])
                    code_of = {v: k for k, v in catalogue_names.items()}
                    for name, care_name, cell in r.gap_care_types:
                        ct = code_of.get(care_name)
                        add("gap", {n: c for c, n in names.items()}[name], scope, chosen, (ct,))(cell)
    # The same sum of base cells is published the same wherever it appears (page, report, API); the
    # attacker needs each once.
    published = {}
    for cells, cell in equations:
        key = frozenset(cells)
        assert published.setdefault(key, cell) == cell, (sorted(cells, key=str)[:2], published[key], cell)
    pinned, tried = attack([(set(cells), cell) for cells, cell in published.items()], truth)
    assert tried > 5, tried
    assert not pinned, pinned
