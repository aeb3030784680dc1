"""The protection's work follows what is in a table, not its size (ret_app/stats/suppression.py,
ret_app/analyst/aggregates.py): all-zero rows and columns take no part in it and change no decision,
and the analyst's year tables are protected only when a page reads them. Counts of work, never
times."""

from __future__ import annotations

import random
import pytest

from ret_app.analyst import aggregates, cards
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import User
from ret_app.stats import suppression
from ret_app.stats.suppression import suppress_series, suppress_table


def _problem_sizes(monkeypatch) -> list[int]:
    """The number of counts of every protection problem built from now on."""
    sizes = []
    protect = suppression._Problem.protect

    def counting(problem):
        sizes.append(len(problem.values))
        return protect(problem)

    monkeypatch.setattr(suppression._Problem, "protect", counting)
    return sizes


def _sparse(rng: random.Random, rows: int, columns: int, zero_rows: float, zero_columns: float,
            small: bool = True) -> list[list[int]]:
    zr = [rng.random() < zero_rows for _ in range(rows)]
    zc = [rng.random() < zero_columns for _ in range(columns)]
    top = 6 if small else 40
    return [[0 if zr[r] or zc[c] or rng.random() < 0.4 else rng.randint(1, top) for c in range(columns)]
            for r in range(rows)]


def _json(result) -> object:
    if isinstance(result, list):
        return [t.to_json() for t in result], (result.total.to_json() if result.total else None)
    return result.to_json()


@pytest.mark.parametrize("seed", range(6))
def test_leaving_out_all_zero_rows_and_columns_changes_no_published_cell(monkeypatch, seed):
    """The same tables protected with every row and column in the lines and with the all-zero ones
    left out: every published cell, margin and reason is the same."""
    rng = random.Random(seed)
    cases = []
    for _ in range(40):
        options = dict(row_totals=rng.random() < 0.8, column_totals=rng.random() < 0.8,
                       threshold=rng.choice([3, 5, 5, 10]))
        cases.append((suppress_table, _sparse(rng, rng.randint(1, 9), rng.randint(1, 9), 0.4, 0.3,
                                              rng.random() < 0.7), options))
    for _ in range(8):
        rows, columns = rng.randint(1, 4), rng.randint(1, 4)
        zr = {r for r in range(rows) if rng.random() < 0.4}
        zc = {c for c in range(columns) if rng.random() < 0.3}
        periods = [[[0 if r in zr or c in zc else v for c, v in enumerate(row)]
                    for r, row in enumerate(_sparse(rng, rows, columns, 0, 0))] for _ in range(rng.randint(2, 3))]
        cases.append((suppress_series, periods, dict(row_totals=rng.random() < 0.8,
                                                     column_totals=rng.random() < 0.8)))
    left_out = [_json(function(counts, **options)) for function, counts, options in cases]
    monkeypatch.setattr(suppression, "_LEAVE_OUT_ZERO_LINES", False)
    every_line = [_json(function(counts, **options)) for function, counts, options in cases]
    assert left_out == every_line
    # the cases did have all-zero rows and hidden counts (else the comparison shows nothing)
    assert any(not any(row) for _f, counts, _o in cases[:40] for row in counts)
    assert any(c["suppressed"] for tables in left_out[:40] for row in tables["cells"] for c in row)


def test_the_work_follows_the_rows_with_counts_not_the_size_of_the_table(monkeypatch):
    sizes = _problem_sizes(monkeypatch)
    rows = [[3, 0, 7, 12], [5, 9, 0, 1], [0, 0, 6, 8]]
    small = suppress_table(rows)
    padded = [[0] * 4] * 500 + rows[:2] + [[0] * 4] * 500 + rows[2:] + [[0] * 4] * 500
    large = suppress_table(padded)
    assert sizes[0] == sizes[1] == 3 * 4 + 3 + 4 + 1  # the counts and margins of the three rows only
    kept = [500, 501, 1002]
    assert [large.cells[r] for r in kept] == list(small.cells)
    assert [large.row_totals[r] for r in kept] == list(small.row_totals)
    assert large.column_totals == small.column_totals and large.grand_total == small.grand_total
    assert all(cell.shown == "0" for r, row in enumerate(large.cells) if r not in kept for cell in row)
    assert any(cell.suppressed for row in small.cells for cell in row)

    # an all-zero table needs no problem at all
    zero = suppress_table([[0] * 12] * 300)
    assert len(sizes) == 2
    assert not zero.any_suppressed and zero.grand_total.shown == "0" and len(zero.cells) == 300


def test_a_zero_row_without_its_row_total_stays_in_the_lines(monkeypatch):
    """Without row totals a zero under a "<5" column total is hidden: such rows are not left out."""
    sizes = _problem_sizes(monkeypatch)
    table = suppress_table([[2, 9], [0, 0], [1, 8]], row_totals=False)
    assert sizes == [3 * 2 + 2]
    assert table.cells[1][0].shown == "<5"


@pytest.fixture
def world(make_world, factory):
    w = make_world()
    # an analyst of the region (the world's own analyst works for no region)
    w.analyst = factory.user("analyst", factory.organisation("management", region_id=w.region.id).id)
    return w


def test_a_year_protects_only_the_tables_read(app, world, monkeypatch):
    """The monitor's flow reads the flow tables, the analyst's start card the outcome and placement
    tables: the year's other tables (one per gap category, and so on) are never protected."""
    calls = []
    protect = aggregates.suppress_table

    def counting(counts, **options):
        calls.append(len(counts))
        return protect(counts, **options)

    monkeypatch.setattr(aggregates, "suppress_table", counting)
    year = dates.today().year - 1
    with app.test_request_context():
        care_types = list(caretypes.names(world.region.id))
        tables = aggregates.year_tables(world.region.id, year, care_types)
        assert calls == []
        tables.flow["referred"], tables.flow["referred"]
        assert len(calls) == 1  # protected once, then read from the year's tables
        card = cards.start_card(db.session.get(User, world.analyst.id))
        assert card is not None
        assert len(calls) == 1 + len(aggregates.RESULTS) + 1  # every result and "prevented"
        assert len(tables.gaps) == len(aggregates.gap_categories(world.region.id))
        assert len(calls) == 1 + len(aggregates.RESULTS) + 1
        # the lazily protected tables are the tables protected at once
        assert tables.results["realised"] == protect(tables.results._counts["realised"], row_totals=True,
                                                     column_totals=True, threshold=aggregates.THRESHOLD)


def test_a_chart_is_drawn_once_for_the_same_figures_and_again_when_one_changes(monkeypatch):
    from ret_app.stats import charts

    drawn = []
    render = charts._render

    def counting(*args, **kwargs):
        drawn.append(args[0])
        return render(*args, **kwargs)

    monkeypatch.setattr(charts, "_render", counting)
    charts._rendered.cache_clear()
    series = [("realised", [12, suppression.HIDDEN, 7]), ("not realised", [3, 9, 0])]
    first = charts.bar_chart(["2024", "2025", "2026"], series, title="Outcomes", chart_id="outcomes")
    again = charts.bar_chart(["2024", "2025", "2026"], series, title="Outcomes", chart_id="outcomes")
    assert drawn == ["bar"] and again.svg == first.svg
    changed = charts.bar_chart(["2024", "2025", "2026"], [("realised", [12, suppression.HIDDEN, 8]),
                                                          ("not realised", [3, 9, 0])],
                               title="Outcomes", chart_id="outcomes")
    other_id = charts.bar_chart(["2024", "2025", "2026"], series, title="Outcomes", chart_id="outcomes-2")
    assert drawn == ["bar", "bar", "bar"]
    assert changed.svg != first.svg and 'id="outcomes-2-title"' in other_id.svg
    charts._rendered.cache_clear()
