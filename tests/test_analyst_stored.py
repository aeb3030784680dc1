"""The analyst's stored figures (ret_app/analyst/stored.py): the tables the job runner stores are the
tables a fresh computation makes, cell by cell; every publication reads them; what changes a region's
figures after they were stored (a new outcome, an erased case, a new gap category) is either shown at the
next run, with the moment of computing on the page, or makes the stored year unused at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ret_app.analyst import aggregates, cards, refresh, stored
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.jobs import registry as jobs
from ret_app.kernel import dates
from ret_app.kernel.uow import unit_of_work
from ret_app.models import AnalystYearFigures, Case, CaseOutcome, GapCategory, User
from tests.conftest import login
from tests.test_analyst import all_filters, generate

THIS_YEAR = dates.today().year
YEARS = (THIS_YEAR - 2, THIS_YEAR - 1, THIS_YEAR)


@pytest.fixture
def world(make_world, factory):
    w = make_world()
    w.analyst = factory.user("analyst", factory.organisation("management", region_id=w.region.id).id)
    return w


def _fresh(app, region_id: int, year: int) -> aggregates.YearTables:
    with app.app_context():
        return aggregates.compute_year(region_id, year, list(caretypes.names(region_id)))


def _read(app, region_id: int, year: int) -> aggregates.YearTables:
    """What a request reads (stored when there is a usable stored year)."""
    with app.app_context():
        return aggregates.year_tables(region_id, year, list(caretypes.names(region_id)))


def _same_tables(a: aggregates.YearTables, b: aggregates.YearTables) -> None:
    assert a.rows == b.rows and a.care_types == b.care_types
    for family in ("results", "placements", "flow", "gaps"):
        left, right = getattr(a, family), getattr(b, family)
        assert sorted(left) == sorted(right), family
        for key in left:
            assert left[key] == right[key], (a.year, family, key)
    assert a.rereferral == b.rereferral
    assert {k: sorted(v) for k, v in a.days.items()} == {k: sorted(v) for k, v in b.days.items()}


def _run(app, name: str) -> int:
    with app.app_context():
        return jobs.run(name).count


def test_the_stored_tables_equal_a_fresh_computation_and_every_view_reads_them(app, world):
    generate(app, world, n=200, seed=31, categories=4, care_types=3, years=YEARS)
    assert _run(app, refresh.NIGHTLY) > 0
    with app.app_context():
        assert set(db.session.scalars(select(AnalystYearFigures.year).where(
            AnalystYearFigures.region_id == world.region.id))) >= set(YEARS)
    for year in YEARS:
        read = _read(app, world.region.id, year)
        assert read.computed_at is not None  # the stored year, not computed on the request
        fresh = _fresh(app, world.region.id, year)
        assert fresh.computed_at is None
        _same_tables(read, fresh)
        assert any(cell.suppressed for table in read.gaps.values() for cell in table.all_cells())
    # Every view of the page (each period kind, municipality and care type) the same as computed now.
    with app.app_context():
        codes = list(caretypes.names(world.region.id))
    for filters in all_filters(world, codes[:2], years=YEARS[1:]):  # (years as the year view: five years each)
        with app.app_context():
            from_store = aggregates.view(world.region.id, filters, codes)
        with app.app_context(), _without_store(world.region.id):
            now = aggregates.view(world.region.id, filters, codes)
            db.session.rollback()
        assert from_store.computed_at is not None and now.computed_at is None
        from_store.computed_at = None
        assert from_store == now, filters
    # A second run changes nothing (the job is idempotent).
    assert _run(app, refresh.NIGHTLY) == 0


class _without_store:
    """The stored years of a region hidden for the block (removed, rolled back by the caller)."""

    def __init__(self, region_id: int) -> None:
        self.region_id = region_id

    def __enter__(self):
        stored.invalidate(self.region_id)

    def __exit__(self, *exc):
        return False


def test_a_request_reads_the_stored_year_and_protects_nothing(app, client, world, monkeypatch, count_queries):
    generate(app, world, n=120, seed=32, years=YEARS)

    def not_on_a_request(*args, **kwargs):
        raise AssertionError("a stored year was computed again on the request")

    login(client, app, world.analyst)
    with count_queries() as computed_statements:
        assert client.get("/cijfers").status_code == 200  # nothing stored yet: computed on the request
    _run(app, refresh.NIGHTLY)
    monkeypatch.setattr(aggregates, "_build", not_on_a_request)
    with count_queries() as statements:
        page = client.get("/cijfers").get_data(as_text=True)
    assert 'id="aggregates-computed"' in page and "Berekend op" in page
    start = client.get("/start").get_data(as_text=True)
    assert 'id="start-analyst-computed"' in start
    # The years (five of them) cost one statement each, fewer than computing them.
    assert len(statements) < len(computed_statements)


def test_the_page_keeps_a_constant_number_of_statements_with_stored_years(app, client, world, count_queries):
    login(client, app, world.analyst)
    counts = {}
    for n, seed in ((5, 41), (45, 42)):
        generate(app, world, n=n, seed=seed, years=YEARS)
        _run(app, refresh.NIGHTLY)
        with count_queries() as statements:
            assert client.get(f"/cijfers?kind=year&year={THIS_YEAR}").status_code == 200
        counts[n] = len(statements)
    assert counts[5] == counts[45], counts


def test_a_new_outcome_shows_at_the_next_hourly_run_and_the_page_says_when_it_was_computed(app, world, factory):
    generate(app, world, n=60, seed=33, years=YEARS)
    _run(app, refresh.NIGHTLY)
    before = _read(app, world.region.id, THIS_YEAR)
    case_id = factory.case(world.caseworker, world.municipality, status="closed")
    with app.app_context():
        db.session.add(CaseOutcome(case_id=case_id, result="realised", recorded_by_id=world.chair.id,
                                   recorded_at=dates.utcnow()))
        db.session.commit()
    fresh = _fresh(app, world.region.id, THIS_YEAR)
    realised = (before.results["realised"].grand_total, fresh.results["realised"].grand_total)
    # Until the next run the stored year is read, with its moment of computing.
    assert _read(app, world.region.id, THIS_YEAR).results["realised"].grand_total == realised[0]
    assert _run(app, refresh.HOURLY) >= 1
    after = _read(app, world.region.id, THIS_YEAR)
    _same_tables(after, fresh)
    assert after.computed_at >= before.computed_at


def test_erasing_a_case_removes_its_regions_stored_years_and_the_hourly_run_stores_them_again(app, world):
    generate(app, world, n=60, seed=34, years=YEARS)
    _run(app, refresh.NIGHTLY)
    from ret_app.erasure import services as erasure

    with app.app_context():
        stored_years = db.session.scalar(select(func.count()).select_from(AnalystYearFigures))
        case = db.session.scalar(select(Case).join(CaseOutcome, CaseOutcome.case_id == Case.id).where(
            Case.region_id == world.region.id, Case.status == "closed").order_by(Case.id))
        year = dates.local_date(case.closed_at).year
        with unit_of_work():
            erasure._erase(case, None, why="retention", in_ledger=False)
        assert db.session.scalar(select(func.count()).select_from(AnalystYearFigures).where(
            AnalystYearFigures.region_id == world.region.id)) == 0
    read = _read(app, world.region.id, year)
    assert read.computed_at is None  # computed on the request, from what the erasure left
    _same_tables(read, _fresh(app, world.region.id, year))
    assert _run(app, refresh.HOURLY) >= len(YEARS)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AnalystYearFigures)) == stored_years
    again = _read(app, world.region.id, year)
    assert again.computed_at is not None
    _same_tables(again, _fresh(app, world.region.id, year))


def test_a_stored_year_of_another_layout_is_not_read(app, world):
    generate(app, world, n=60, seed=35, years=YEARS)
    _run(app, refresh.NIGHTLY)
    with app.app_context():
        category = GapCategory(region_id=world.region.id, code="nieuw", name="Nieuwe categorie", position=99)
        db.session.add(category)
        db.session.commit()
        category_id = category.id
    read = _read(app, world.region.id, THIS_YEAR - 1)
    assert read.computed_at is None and category_id in read.gaps  # computed now, with the new category
    _same_tables(read, _fresh(app, world.region.id, THIS_YEAR - 1))
    assert _run(app, refresh.HOURLY) >= len(YEARS)  # every year of the old layout stored again
    again = _read(app, world.region.id, THIS_YEAR - 1)
    assert again.computed_at is not None and category_id in again.gaps


def test_the_start_card_reads_the_stored_year(app, world, monkeypatch):
    generate(app, world, n=80, seed=36, years=YEARS)
    with app.app_context():
        live = cards.start_card(db.session.get(User, world.analyst.id))
    _run(app, refresh.NIGHTLY)
    monkeypatch.setattr(aggregates, "_build", lambda *a, **k: (_ for _ in ()).throw(AssertionError("computed")))
    with app.app_context():
        card = cards.start_card(db.session.get(User, world.analyst.id))
    assert card["computed_at"] is not None
    assert (card["outcomes"], card["realised"], card["prevented"]) == (live["outcomes"], live["realised"],
                                                                       live["prevented"])


def test_the_format_keeps_every_published_cell():
    from ret_app.stats.suppression import suppress_table

    table = suppress_table([[12, 3, 0, 7], [0, 0, 0, 0], [9, 1, 6, 20000]])
    codes = stored.encode_table(table)
    assert stored.decode_table(codes, 3, 4, table.threshold) == table
    assert all(code != 0 for _index, code in codes)  # shown zeros are left out


def test_the_jobs_are_registered_with_their_schedules(app):
    assert jobs.get(refresh.NIGHTLY).schedule == "40 3 * * *"
    assert jobs.get(refresh.HOURLY).schedule == "25 * * * *"
