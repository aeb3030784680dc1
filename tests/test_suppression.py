"""Small-number suppression (ret_app/stats/suppression.py, docs/suppression.md).

The attacker at the end sees only what a page or the API shows (the shown strings and the shape
of the tables), writes down every line it knows (rows, columns, the totals, the same cell across
periods and their total), adds what the published rule tells about "<5" and "x", and computes the
smallest and largest value of every hidden count with integer/linear programs. It must never get
one value. It is written here from scratch: it shares no code with the module.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from ret_app.stats.suppression import (
    Cell,
    SuppressedTable,
    suppress_counts,
    suppress_series,
    suppress_table,
)

# --- the attacker ---------------------------------------------------------------------------------


def _positions(table: SuppressedTable) -> dict:
    """Every published number of a table by its place: ("cell", r, c), ("row", r), ("col", c), ("grand",)."""
    shown = {}
    for r, row in enumerate(table.cells):
        for c, cell in enumerate(row):
            shown[("cell", r, c)] = cell
    for r, cell in enumerate(table.row_totals or ()):
        shown[("row", r)] = cell
    for c, cell in enumerate(table.column_totals or ()):
        shown[("col", c)] = cell
    if table.grand_total is not None:
        shown[("grand",)] = table.grand_total
    return shown


def _lines(table: SuppressedTable, t) -> list[tuple[tuple, list[tuple]]]:
    """The sums a reader of the table knows: (total, parts), places prefixed with the table's tag t."""
    n_rows = len(table.cells)
    n_cols = len(table.cells[0]) if n_rows else 0
    lines = []
    if table.row_totals is not None:
        for r in range(n_rows):
            lines.append(((t, "row", r), [(t, "cell", r, c) for c in range(n_cols)]))
    if table.column_totals is not None:
        for c in range(n_cols):
            lines.append(((t, "col", c), [(t, "cell", r, c) for r in range(n_rows)]))
    if table.grand_total is not None:
        lines.append(((t, "grand"), [(t, "row", r) for r in range(n_rows)]))
        lines.append(((t, "grand"), [(t, "col", c) for c in range(n_cols)]))
    return lines


def attack(tables: list[SuppressedTable], total: SuppressedTable | None = None, *, integer: bool = False,
           threshold: int = 5) -> dict:
    """For every hidden count: the (smallest, largest) whole number consistent with everything shown."""
    shown, lines = {}, []
    for t, table in enumerate(tables):
        shown.update({(t, *place): cell for place, cell in _positions(table).items()})
        lines += _lines(table, t)
    if total is not None:
        shown.update({("T", *place): cell for place, cell in _positions(total).items()})
        lines += _lines(total, "T")
        for place in _positions(total):
            lines.append((("T", *place), [(t, *place) for t in range(len(tables))]))
    hidden = [key for key, cell in shown.items() if cell.shown in (f"<{threshold}", "x")]
    assert all(shown[key].value is None for key in hidden)
    if not hidden:
        return {}
    column = {key: j for j, key in enumerate(hidden)}
    # What the rule says: "<5" is 1..4, and 0..4 on a line whose total shows "<5"; "x" is 5 or more.
    zero_possible = {part for total_key, parts in lines if shown[total_key].shown == f"<{threshold}" for part in parts}
    low = [(0 if key in zero_possible else 1) if shown[key].shown != "x" else threshold for key in hidden]
    high = [threshold - 1 if shown[key].shown != "x" else np.inf for key in hidden]
    rows, rhs = [], []
    for total_key, parts in lines:
        row = np.zeros(len(hidden))
        constant = 0
        for key, sign in [(total_key, -1)] + [(p, 1) for p in parts]:
            if key in column:
                row[column[key]] += sign
            else:
                constant += sign * shown[key].value
        if row.any():
            rows.append(row)
            rhs.append(-constant)
        else:
            assert constant == 0, "the published numbers do not add up"
    result = {}
    for j, key in enumerate(hidden):
        bounds_of = []
        for sense in (1, -1):
            objective = np.zeros(len(hidden))
            objective[j] = sense
            if integer:
                res = milp(objective, integrality=np.ones(len(hidden)), bounds=Bounds(low, high),
                           constraints=[LinearConstraint(np.array(rows), rhs, rhs)] if rows else [])
            else:
                res = linprog(objective, A_eq=np.array(rows) if rows else None, b_eq=rhs if rows else None,
                              bounds=list(zip(low, [None if h == np.inf else h for h in high])), method="highs")
            if res.status == 3 or (res.status != 0 and sense == -1 and high[j] == np.inf):
                bounds_of.append(math.inf)
            else:
                assert res.status == 0, res.message
                bounds_of.append(sense * res.fun)
        lo, hi = bounds_of
        result[key] = (math.ceil(lo - 1e-6), hi if hi == math.inf else math.floor(hi + 1e-6))
    return result


def _truth(grids: list[list[list[int]]], with_total: bool) -> dict:
    """The true value of every place, keyed like attack()'s answer."""
    values = {}

    def put(t, grid):
        for r, row in enumerate(grid):
            values[(t, "row", r)] = sum(row)
            for c, v in enumerate(row):
                values[(t, "cell", r, c)] = v
        for c in range(len(grid[0]) if grid else 0):
            values[(t, "col", c)] = sum(row[c] for row in grid)
        values[(t, "grand")] = sum(map(sum, grid))

    for t, grid in enumerate(grids):
        put(t, grid)
    if with_total:
        put("T", [[sum(g[r][c] for g in grids) for c in range(len(grids[0][0]))] for r in range(len(grids[0]))])
    return values


def assert_nothing_pinned(tables, total=None, grids=None, *, integer=False):
    intervals = attack(list(tables), total, integer=integer)
    truth = _truth(grids, total is not None) if grids is not None else None
    for key, (lo, hi) in intervals.items():
        if truth is not None:  # the attacker's reasoning holds for the true counts
            assert lo <= truth[key] <= hi, (key, lo, hi, truth[key])
        assert hi > lo, f"{key} is pinned to {lo}"
    return intervals


def _random_grid(rnd: random.Random, rows: int, cols: int) -> list[list[int]]:
    choices = [0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 35]
    return [[rnd.choice(choices) for _ in range(cols)] for _ in range(rows)]


# --- primary suppression ---------------------------------------------------------------------------

def test_counts_one_to_four_show_as_less_than_five_and_the_rest_as_numbers():
    table = suppress_table([[0, 1, 4, 5, 37]], row_totals=False, column_totals=False)
    assert [c.shown for c in table.cells[0]] == ["0", "<5", "<5", "5", "37"]
    assert table.cells[0][1] == Cell(value=None, shown="<5", suppressed=True, reason="small")
    assert table.cells[0][3] == Cell(value=5, shown="5", suppressed=False, reason=None)
    assert table.cells[0][0] == Cell(value=0, shown="0", suppressed=False, reason=None)
    assert table.row_totals is None and table.column_totals is None and table.grand_total is None


def test_threshold_is_a_parameter():
    table = suppress_table([[2, 9, 10]], row_totals=False, column_totals=False, threshold=10)
    assert [c.shown for c in table.cells[0]] == ["<10", "<10", "10"]


def test_a_small_total_is_hidden_like_any_small_count():
    table = suppress_table([[2, 0], [1, 0]], row_totals=True, column_totals=True)
    assert table.grand_total.shown == "<5"
    assert table.row_totals[0].shown == "<5"


# --- complementary suppression -----------------------------------------------------------------------

def test_one_small_count_in_a_table_with_margins_hides_a_partner_in_its_row_and_its_column():
    table = suppress_table([[12, 3, 20], [7, 9, 6], [8, 11, 10]])
    hidden = {(r, c) for r, row in enumerate(table.cells) for c, cell in enumerate(row) if cell.suppressed}
    assert table.cells[0][1].reason == "small"
    # row 0 and column 1 each hide a second count, and so do the row and column those are in
    assert len({c for r, c in hidden if r == 0}) >= 2
    assert len({r for r, c in hidden if c == 1}) >= 2
    for r in range(3):
        assert sum(1 for c in range(3) if (r, c) in hidden) != 1
    for c in range(3):
        assert sum(1 for r in range(3) if (r, c) in hidden) != 1
    complementary = [table.cells[r][c] for r, c in hidden if (r, c) != (0, 1)]
    assert complementary and all(cell.reason == "complementary" and cell.shown == "x" for cell in complementary)
    # the margins stay visible: the partners were found inside the table
    assert not any(cell.suppressed for cell in table.row_totals + table.column_totals + (table.grand_total,))
    assert table.grand_total.value == 86
    assert_nothing_pinned([table], grids=[[[12, 3, 20], [7, 9, 6], [8, 11, 10]]])


def test_two_small_counts_that_add_up_to_their_minimum_are_not_left_alone():
    # Row 3: 1 + 1 + 10 = 12 with the 10 and the 12 shown: both "<5" would be 1 (at least 1 each).
    grid = [[12, 3, 0], [7, 9, 6], [1, 1, 10]]
    table = suppress_table(grid)
    assert table.cells[2][0].shown == "<5" and table.cells[2][1].shown == "<5"
    assert table.cells[2][2].suppressed or table.row_totals[2].suppressed
    assert_nothing_pinned([table], grids=[grid])


def test_zeros_are_shown_and_never_used_as_a_partner():
    table = suppress_table([[3, 0, 0, 40], [7, 0, 6, 50]])
    assert [c.shown for c in table.cells[0][:3]] == ["<5", "0", "0"]
    assert table.cells[1][1].shown == "0" and table.column_totals[1].shown == "0"
    assert all(cell.value == 0 or cell.value is None or cell.value >= 5 for cell in table.all_cells())


def test_zeros_in_a_line_whose_total_is_small_are_hidden_too():
    # Without it, "0 0 <5 | <5" would tell that the few all share one column.
    table = suppress_table([[0, 0, 3], [8, 9, 10]])
    assert table.row_totals[0].shown == "<5"
    assert [c.shown for c in table.cells[0]] == ["<5", "<5", "<5"]
    assert all(c.reason == "small" for c in table.cells[0])
    assert_nothing_pinned([table], grids=[[[0, 0, 3], [8, 9, 10]]])


def test_four_ones_under_a_total_of_four_are_not_pinned():
    grid = [[1, 1, 1, 1], [20, 30, 40, 50]]
    table = suppress_table(grid)
    assert all(c.shown == "<5" for c in table.cells[0])
    assert_nothing_pinned([table], grids=[grid])


def test_hidden_margin_when_the_table_has_no_other_partner():
    # A single column: the only partner of the 2 is another count or the total.
    counts = suppress_counts({"realised": 2, "partly_realised": 0, "not_realised": 14, "returned": 9})
    assert list(counts) == ["realised", "partly_realised", "not_realised", "returned"]
    assert counts["realised"].shown == "<5"
    assert counts["partly_realised"].shown == "0"
    assert sum(1 for cell in counts.values() if cell.suppressed) + counts.total.suppressed >= 2
    assert counts["returned"].reason == "complementary"  # the smallest count, not the total
    assert counts.total.value == 25
    assert counts.to_json()["counts"]["realised"] == {"value": None, "shown": "<5", "suppressed": True,
                                                      "reason": "small"}


def test_counts_without_a_total_only_hide_the_small_ones():
    counts = suppress_counts({"a": 2, "b": 14}, total=False)
    assert counts.total is None
    assert [c.shown for c in counts.values()] == ["<5", "14"]


def test_nothing_small_nothing_hidden():
    table = suppress_table([[5, 6], [0, 70]])
    assert not table.any_suppressed
    assert table.to_json()["grand_total"] == {"value": 81, "shown": "81", "suppressed": False, "reason": None}


def test_empty_and_all_zero_tables():
    assert suppress_table([]).cells == ()
    table = suppress_table([[0, 0], [0, 0]])
    assert not table.any_suppressed and table.grand_total.value == 0
    assert suppress_series([]) == [] and suppress_series([]).total is None


@pytest.mark.parametrize("bad, error", [
    ([[1, -2]], ValueError),
    ([[1, 2], [3]], ValueError),
    ([[1.5, 2]], TypeError),
    ([["3", 2]], TypeError),
    ([[True, 2]], TypeError),
])
def test_bad_counts_are_refused(bad, error):
    with pytest.raises(error):
        suppress_table(bad)


def test_bad_threshold_and_periods_of_different_shapes_are_refused():
    with pytest.raises(ValueError):
        suppress_table([[1]], threshold=1)
    with pytest.raises(ValueError):
        suppress_series([[[1, 2]], [[1, 2, 3]]])


# --- periods side by side --------------------------------------------------------------------------

def test_a_count_hidden_in_one_period_cannot_be_taken_from_the_total_over_the_periods():
    january = [[10, 20], [6, 7]]
    february = [[3, 20], [6, 7]]  # the 3 is hidden in February ...
    series = suppress_series([january, february])
    feb = series[1]
    assert feb.cells[0][0].shown == "<5"
    # ... and January's 10 and the total 13 cannot both be shown, or 13 - 10 = 3.
    total = series.total
    assert total is not None and len(series) == 2
    assert series[0].cells[0][0].suppressed or total.cells[0][0].suppressed
    assert_nothing_pinned(series, total, grids=[january, february], integer=True)


def test_periods_without_a_total_are_independent_tables():
    series = suppress_series([[[10, 20], [6, 7]], [[3, 20], [6, 7]]], period_total=False)
    assert series.total is None
    assert not series[0].any_suppressed
    assert series[1].cells[0][0].shown == "<5"


def test_a_period_total_of_one_period_is_that_period():
    series = suppress_series([[[3, 20], [6, 7]]])
    assert series.total == series[0]


# --- the attacker -----------------------------------------------------------------------------------

def test_the_attacker_pins_a_count_when_only_the_small_ones_are_hidden():
    """The attacker can fail a table: primary suppression alone is broken by subtraction."""
    naive = SuppressedTable(
        cells=((Cell(None, "<5", True, "small"), Cell(12, "12", False, None)),
               (Cell(7, "7", False, None), Cell(8, "8", False, None))),
        row_totals=(Cell(15, "15", False, None), Cell(15, "15", False, None)),
        column_totals=(Cell(10, "10", False, None), Cell(20, "20", False, None)),
        grand_total=Cell(30, "30", False, None))
    assert attack([naive])[(0, "cell", 0, 0)] == (3, 3)
    with pytest.raises(AssertionError, match="pinned"):
        assert_nothing_pinned([naive])


def test_the_attacker_uses_what_less_than_five_means():
    """1 + 1 = 2 pins both when "<5" is known to be at least 1 (two hidden per line is not enough)."""
    naive = SuppressedTable(
        cells=((Cell(None, "<5", True, "small"), Cell(None, "<5", True, "small"), Cell(10, "10", False, None)),),
        row_totals=(Cell(12, "12", False, None),), column_totals=None, grand_total=None)
    assert attack([naive])[(0, "cell", 0, 0)] == (1, 1)


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_count_of_a_random_table_can_be_computed_back(seed):
    rnd = random.Random(seed)
    grid = _random_grid(rnd, rnd.randint(1, 6), rnd.randint(1, 6))
    row_totals, column_totals = rnd.choice([(True, True), (True, True), (True, False), (False, True)])
    table = suppress_table(grid, row_totals=row_totals, column_totals=column_totals)
    assert_nothing_pinned([table], grids=[grid])
    # what is shown is the truth
    truth = _truth([grid], False)
    for place, cell in _positions(table).items():
        if not cell.suppressed:
            assert cell.value == truth[(0, *place)] and cell.shown == str(cell.value)
        else:
            assert cell.reason == ("small" if truth[(0, *place)] < 5 else "complementary")


@pytest.mark.parametrize("seed", range(12))
def test_no_hidden_count_of_random_periods_side_by_side_can_be_computed_back(seed):
    rnd = random.Random(1000 + seed)
    rows, cols = rnd.randint(1, 4), rnd.randint(1, 4)
    grids = [_random_grid(rnd, rows, cols) for _ in range(rnd.randint(2, 4))]
    series = suppress_series(grids)
    assert_nothing_pinned(series, series.total, grids=grids, integer=True)


def test_the_linear_attacker_agrees_with_an_exhaustive_one_on_small_tables():
    """On small tables with margins the attacker's bounds are exactly the values of the tables that
    fit what is shown (every hidden count tried from 0 to the totals it is part of)."""
    for grid in ([[3, 6], [5, 2]], [[1, 8, 0], [6, 2, 9]], [[3, 9], [8, 7]]):
        table = suppress_table(grid)
        intervals = attack([table])
        shown = {(0, *place): cell for place, cell in _positions(table).items()}
        hidden = list(intervals)
        top = max(cell.value for cell in shown.values() if not cell.suppressed)
        assert 2 <= len(hidden) <= 4
        lines = _lines(table, 0)
        fits = {key: set() for key in hidden}
        # a part is at most its line's total: the search space stays small, and covers every fit
        ranges = [range(min([shown[t].value for t, parts in lines if key in parts and not shown[t].suppressed],
                            default=top) + 1) for key in hidden]
        for values in itertools.product(*ranges):
            candidate = dict(zip(hidden, values))
            value = {key: candidate.get(key, cell.value) for key, cell in shown.items()}
            if any(value[total] != sum(value[p] for p in parts) for total, parts in lines):
                continue
            if any(not 1 <= candidate[k] <= 4 if shown[k].shown == "<5" else candidate[k] < 5 for k in hidden):
                continue
            for key in hidden:
                fits[key].add(candidate[key])
        for key in hidden:
            lo, hi = intervals[key]
            assert min(fits[key]) == lo, key
            assert max(fits[key]) == hi, key
            assert len(fits[key]) > 1


@pytest.mark.parametrize("seed", range(12))
def test_sparse_tables_and_series_with_all_zero_lines_are_protected_without_failing(seed):
    """A sparse region (most cells 0, a few small counts, whole lines of zeros beside small totals) once
    left a line with a single hidden count and nothing else to hide (an assertion inside the module)."""
    r = random.Random(seed)
    layers = [[[r.choice([0, 0, 0, 0, 1, 2, 3, 5, 7, 12]) for _ in range(12)] for _ in range(4)]
              for _ in range(r.randint(2, 8))]
    layers[0][1] = [0] * 12  # an all-zero line
    for counts_of_period, table in zip(layers, suppress_series(layers)):
        for counts, row in zip(counts_of_period, table.cells):
            for count, cell in zip(counts, row):
                assert cell.value == (None if cell.suppressed else count)
    single = suppress_table(layers[0])
    for counts, row in zip(layers[0], single.cells):
        for count, cell in zip(counts, row):
            assert cell.value == (None if cell.suppressed else count)


def test_a_sum_of_one_published_cell_is_that_cell():
    """A month of one municipality (or of the region: its column total) is one cell of the protected table:
    a small count is shown as "<5", as the issue asks, not as the "x" of a sum that hides a part."""
    from ret_app.stats.suppression import sum_of

    table = suppress_table([[1, 7, 9], [6, 8, 9], [9, 9, 9]])
    small = table.cells[0][0]
    shown = [cell for row in table.cells for cell in row if not cell.suppressed]
    assert small.shown == "<5" and small.reason == "small" and shown
    assert sum_of([small]) == small
    assert sum_of([shown[0]]) == shown[0]
    assert sum_of([small, shown[0]]).shown == "x"  # a real sum still hides what a part hides
    assert sum_of([shown[0], shown[0]]).shown == str(2 * shown[0].value)
