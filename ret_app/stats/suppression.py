"""Disclosure control for count tables: small numbers shown as "<5", and whatever would let one be
computed back hidden too. The rule, its reasons and its limits: docs/suppression.md.

    table = suppress_table([[12, 3, 0], [7, 9, 6]])        # rows x columns of raw counts
    table.cells[0][1].shown                              # "<5"
    table.row_totals[0].shown, table.grand_total.shown   # margins are computed and protected too

    series = suppress_series([january, february, march])  # periods side by side (+ .total over them)
    counts = suppress_counts({"realised": 12, "not_realised": 2})   # one dimension + .total

What an analyst (or the monitor's API) sees of a count is a :class:`Cell`: the number, or "<5"
(primary: the count is 1..4, or a 0 in a line whose total is itself below 5), or "x"
(complementary: a larger count hidden so that no "<5" can be worked out from what is shown).

The rule, in three steps, repeated until nothing changes:

1. primary: every count (cells and totals) from 1 to threshold-1 is hidden as "<5"; in a line whose
   total is hidden that way, its zeros are hidden as "<5" as well (else they would tell what the few
   had in common, and "<5" would mean "at least one");
2. lines: every line (a row, a column, the totals, the same cell across periods: each "total = sum
   of parts") that hides exactly one of its members hides a second one (complementary "x": the
   smallest count that is neither a total nor zero, preferring one that repairs another line too);
3. audit: an attacker who knows the rule, every shown number and every line (rows, columns, totals,
   periods) computes the smallest and largest value each hidden count can have, with an exact
   integer program (scipy's HiGHS solver). A hidden count whose smallest and largest value are the
   same is hidden better: a neighbour on one of its lines is hidden too, and back to step 2.

Why not a library: the Python disclosure-control packages on PyPI either only do primary
suppression (acro), need the tau-ARGUS program installed beside them (piargus), or are young
single-maintainer native rewrites (pytauargus); our tables are small (tens to a few hundred cells),
so the standard rule with an exact audit fits in this module. scipy is the well-kept part we use:
its MILP solver does the audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

import numpy as np

THRESHOLD = 5

SMALL = "small"
COMPLEMENTARY = "complementary"

# The kinds of line (each: a total = the sum of its parts).
ROW, COLUMN, GRAND, PERIOD = "row", "column", "grand", "period"

# What a hidden count shows. "<5" is the threshold's own wording (fewer than five, which is true for
# every count it hides, zeros included); "x" is the CBS sign for "geheim" (not published).
COMPLEMENTARY_SHOWN = "x"

# A safety net for the repair loop: every round hides at least one more count, so it ends on its
# own; this only bounds the work on a pathological table (everything non-zero is hidden then).
_MAX_ROUNDS = 10_000


@dataclass(frozen=True)
class Cell:
    """What a template or a JSON answer shows for one count."""

    value: Optional[int]  # None when suppressed
    shown: str            # "12", "<5" (primary) or "x" (complementary)
    suppressed: bool
    reason: Optional[str]  # "small" | "complementary" | None

    def __str__(self) -> str:
        return self.shown

    def to_json(self) -> dict:
        return {"value": self.value, "shown": self.shown, "suppressed": self.suppressed,
                "reason": self.reason}


@dataclass(frozen=True)
class SuppressedTable:
    """A protected table: ``cells`` rows x columns, margins as far as asked for (else None)."""

    cells: tuple[tuple[Cell, ...], ...]
    row_totals: Optional[tuple[Cell, ...]]
    column_totals: Optional[tuple[Cell, ...]]
    grand_total: Optional[Cell]
    threshold: int = THRESHOLD

    @property
    def any_suppressed(self) -> bool:
        return any(cell.suppressed for cell in self.all_cells())

    def all_cells(self) -> Iterable[Cell]:
        for row in self.cells:
            yield from row
        yield from self.row_totals or ()
        yield from self.column_totals or ()
        if self.grand_total is not None:
            yield self.grand_total

    def to_json(self) -> dict:
        def cells(seq):
            return None if seq is None else [c.to_json() for c in seq]
        return {
            "cells": [cells(row) for row in self.cells],
            "row_totals": cells(self.row_totals),
            "column_totals": cells(self.column_totals),
            "grand_total": None if self.grand_total is None else self.grand_total.to_json(),
        }


class SuppressedSeries(list):
    """One protected table per period (a list, in the order given) and, when asked for, ``total``:
    the table of sums over the periods, protected together with them."""

    total: Optional[SuppressedTable] = None


class SuppressedCounts(dict):
    """One dimension: key -> Cell, in the order given, and ``total`` (a Cell, or None)."""

    total: Optional[Cell] = None

    def to_json(self) -> dict:
        return {"counts": {key: cell.to_json() for key, cell in self.items()},
                "total": None if self.total is None else self.total.to_json()}


def small_shown(threshold: int = THRESHOLD) -> str:
    return f"<{threshold}"


# --- the public functions -------------------------------------------------------------------------

def suppress_table(counts: Sequence[Sequence[int]], *, row_totals: bool = True, column_totals: bool = True,
                   threshold: int = THRESHOLD) -> SuppressedTable:
    """Protect a rows x columns table of raw counts. The margins asked for are computed here (the sum
    of each row, of each column, and the grand total when both are shown) and protected with it."""
    return suppress_series([counts], row_totals=row_totals, column_totals=column_totals,
                           threshold=threshold, period_total=False)[0]


def suppress_series(tables: Sequence[Sequence[Sequence[int]]], *, row_totals: bool = True,
                    column_totals: bool = True, threshold: int = THRESHOLD,
                    period_total: bool = True) -> SuppressedSeries:
    """Protect tables of the same shape shown side by side, one per period.

    With ``period_total`` (the default) the sum over the periods is part of what is protected, as
    the line "each cell's total over the periods = the sum of that cell in every period", and the
    protected total table is ``result.total``: show that one (or none), never a total computed
    elsewhere. So hiding a count in one period never leaves it computable from the others and a
    total. Without it the periods are independent tables."""
    _check_threshold(threshold)
    grids = [_grid(table) for table in tables]
    shape = (len(grids[0]), len(grids[0][0]) if grids and grids[0] else 0) if grids else (0, 0)
    for grid in grids:
        if len(grid) != shape[0] or any(len(row) != shape[1] for row in grid):
            raise ValueError("every period's table must have the same rows and columns")

    # The rows (columns) that are zero in every period, when their totals are shown, take no part in
    # the protection (_Frame): left out of the lines, they change no decision, and most tables
    # (a gap category per municipality, referrer and care type per month) are mostly zeros.
    frame = _Frame.of(grids, shape, row_totals, column_totals)
    if frame.empty:
        result = SuppressedSeries(frame.zeros(threshold) for _grid_ in grids)
        result.total = frame.zeros(threshold) if period_total else None
        return result
    grids = [frame.compact(grid) for grid in grids]
    compact_shape = (len(frame.rows), len(frame.columns))

    problem = _Problem(threshold)
    layouts = [_add_table(problem, grid, row_totals, column_totals) for grid in grids]
    total_layout = None
    if period_total and len(grids) > 1:
        summed = [[sum(grid[r][c] for grid in grids) for c in range(compact_shape[1])]
                  for r in range(compact_shape[0])]
        total_layout = _add_table(problem, summed, row_totals, column_totals)
        for key, total_index in total_layout.positions():
            problem.relate(total_index, [layout.index(key) for layout in layouts], PERIOD)
        # Each of these views of the lines is a network (below), checked quickly before the
        # integer programs look at all lines together.
        problem.views = [{ROW, COLUMN, GRAND}, {ROW, PERIOD}, {COLUMN, PERIOD}]
    problem.protect()

    result = SuppressedSeries(frame.table(layout, problem) for layout in layouts)
    result.total = frame.table(total_layout, problem) if total_layout else (
        frame.table(layouts[0], problem) if period_total and len(grids) == 1 else None)
    return result


def suppress_counts(counts: dict[str, int], *, total: bool = True, threshold: int = THRESHOLD) -> SuppressedCounts:
    """Protect one dimension (key -> count), with its total when ``total`` (then ``result.total``)."""
    keys = list(counts)
    table = suppress_table([[counts[key]] for key in keys], row_totals=False, column_totals=total,
                           threshold=threshold)
    result = SuppressedCounts((key, table.cells[i][0]) for i, key in enumerate(keys))
    result.total = table.column_totals[0] if total else None
    return result


HIDDEN = Cell(value=None, shown=COMPLEMENTARY_SHOWN, suppressed=True, reason=COMPLEMENTARY)
ZERO = Cell(value=0, shown="0", suppressed=False, reason=None)

# A Cell is immutable: a protected table shares one per shown value (tables of thousands of cells,
# most of them small numbers and zeros, are built many times a request).
_SHOWN_CELLS: dict[int, Cell] = {0: ZERO}
_SHOWN_CACHED = 10_000  # counts below this share their Cell
_SMALL_CELLS: dict[int, Cell] = {}


def _shown_cell(value: int) -> Cell:
    cell = _SHOWN_CELLS.get(value)
    if cell is None:
        cell = Cell(value, str(value), False, None)
        if value < _SHOWN_CACHED:
            _SHOWN_CELLS[value] = cell
    return cell


def _small_cell(threshold: int) -> Cell:
    cell = _SMALL_CELLS.get(threshold)
    if cell is None:
        cell = _SMALL_CELLS[threshold] = Cell(None, small_shown(threshold), True, SMALL)
    return cell



def sum_of(cells: Sequence[Cell]) -> Cell:
    """A sum of published cells (a quarter of shown months, a group of shown rows): shown when each of
    them is, else hidden ("x") — so a sum never reveals what its parts hide. A "sum" of one cell is that
    cell as published (a month of one municipality is "<5" when it is small, not "x")."""
    if len(cells) == 1:
        return cells[0]
    if any(cell.suppressed for cell in cells):
        return HIDDEN
    total = sum(cell.value or 0 for cell in cells)
    return Cell(value=total, shown=str(total), suppressed=False, reason=None)

# --- the model: counts and the lines that add them up ---------------------------------------------

@dataclass
class _Problem:
    threshold: int
    values: list[int] = field(default_factory=list)
    is_total: list[bool] = field(default_factory=list)
    relations: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)  # (total, parts)
    groups: list[str] = field(default_factory=list)  # per relation: ROW, COLUMN, GRAND or PERIOD
    views: Optional[list[set[str]]] = None  # None: all lines form one network
    reasons: list[Optional[str]] = field(default_factory=list)

    def add(self, value: int, *, total: bool) -> int:
        self.values.append(value)
        self.is_total.append(total)
        return len(self.values) - 1

    def relate(self, total: int, parts: Sequence[int], group: str) -> None:
        if parts:
            self.relations.append((total, tuple(parts)))
            self.groups.append(group)

    # The three steps (module docstring).
    def protect(self) -> None:
        small_top = self.threshold - 1
        self.reasons = [SMALL if 1 <= v <= small_top else None for v in self.values]
        self.members_of = [[] for _ in self.values]
        for k, (total, parts) in enumerate(self.relations):
            for index in (total, *parts):
                self.members_of[index].append(k)
        for _ in range(_MAX_ROUNDS):
            self._hide_zeros_of_small_lines()
            self._complete_lines()
            pinned = self.audit_pinned()
            if not pinned:
                return
            if not self._repair(pinned, several=self.audited_by_milp):
                break
        # Nothing left to hide next to what is pinned: hide every non-zero count (never reached by
        # the tables RET builds; kept so that the loop can never publish a pinned count).
        for index, value in enumerate(self.values):
            if value and self.reasons[index] is None:
                self.reasons[index] = COMPLEMENTARY

    def _hide_zeros_of_small_lines(self) -> None:
        # A zero on a line whose total is 0 is known to be 0 from that total: hiding it protects
        # nothing, and it would leave that all-zero line with one hidden member and nothing to hide
        # beside it (sparse tables: a month in which nothing happened). The same for a zero total
        # of such a line (a row total of 0 in the line of row totals under a "<5" grand total).
        on_zero_line = {index for total, parts in self.relations if self.values[total] == 0
                        for index in (total, *parts)}
        changed = True
        while changed:
            changed = False
            for total, parts in self.relations:
                if self.reasons[total] == SMALL:
                    for part in parts:
                        if self.values[part] == 0 and self.reasons[part] is None and part not in on_zero_line:
                            self.reasons[part] = SMALL
                            changed = True

    def _hidden_in(self, k: int) -> int:
        total, parts = self.relations[k]
        return sum(1 for index in (total, *parts) if self.reasons[index])

    def _candidates(self, relation_ids: Iterable[int]) -> list[int]:
        seen = []
        for k in relation_ids:
            total, parts = self.relations[k]
            for index in (*parts, total):
                if self.reasons[index] is None and self.values[index] > 0 and index not in seen:
                    seen.append(index)
        return seen

    def _complete_lines(self) -> None:
        """Step 2: no line hides exactly one of its members."""
        while True:
            lonely = [k for k in range(len(self.relations)) if self._hidden_in(k) == 1]
            if not lonely:
                return
            k = lonely[0]
            candidates = self._candidates([k])
            if not candidates:  # cannot happen (the other members add up to a non-zero count)
                raise AssertionError("a line with one hidden count has nothing else to hide")

            def cost(index: int):
                repairs = sum(1 for other in self.members_of[index] if other != k and self._hidden_in(other) == 1)
                return (self.is_total[index], -repairs, self.values[index], index)

            self.reasons[min(candidates, key=cost)] = COMPLEMENTARY

    def _repair(self, pinned: list[int], *, several: bool) -> bool:
        """Step 3's answer: hide one more count on a line of the first pinned count (what is hidden
        for one often frees its neighbours too). After the slow audit: one for each pinned count
        whose lines got nothing new yet this round, to need fewer rounds."""
        touched: set[int] = set()
        repaired = False
        for index in pinned:
            if touched & set(self.members_of[index]):
                continue
            candidates = self._candidates(self.members_of[index])
            if candidates:
                best = min(candidates, key=lambda i: (self.is_total[i], self.values[i], i))
                self.reasons[best] = COMPLEMENTARY
                touched.update(self.members_of[index])
                repaired = True
                if not several:
                    break
        return repaired

    # --- the attacker (step 3) ---------------------------------------------------------------------

    def known_bounds(self, index: int) -> tuple[int, int]:
        """What the published rule tells about a hidden count: "<5" is 1..4, or 0..4 for a count
        on a line whose total shows "<5" (its zeros are hidden too); "x" is at least 5 (and, to
        make the attacker stronger rather than weaker, at most twice everything counted)."""
        if self.reasons[index] == COMPLEMENTARY:
            return self.threshold, max(self.threshold, 2 * max(self.values, default=0))
        zero_possible = any(
            self.relations[k][0] != index and self.reasons[self.relations[k][0]] == SMALL
            for k in self.members_of[index])
        return (0 if zero_possible else 1), self.threshold - 1

    def audit_pinned(self) -> list[int]:
        """Step 3: the hidden counts that everything shown pins to one value.

        The attacker's equations: every line, with the shown numbers filled in; the unknowns: the
        hidden counts, whole numbers within known_bounds. A hidden count is safe when some solution
        of these equations gives it another value than its true one. A count pinned by some of the
        lines is pinned by all of them, so the quick views come first."""
        self.audited_by_milp = False
        hidden = [i for i, reason in enumerate(self.reasons) if reason]
        if not hidden:
            return []
        if self.views is None:
            return self._pinned_in_network(hidden, set(range(len(self.relations))))
        for view in self.views:
            pinned = self._pinned_in_network(hidden, {k for k, g in enumerate(self.groups) if g in view})
            if pinned:
                return pinned
        self.audited_by_milp = True
        return self._pinned_by_milp(hidden)

    def _network(self, hidden: list[int], lines: set[int]):
        """A table with its margins (or one dimension with its total) is a network: every hidden
        count is in at most two lines, and the lines can be signed so that it enters one with +1
        and the other with -1. Changing it by one is then a flow along an arc, and another
        solution exists exactly when a cycle of hidden counts with room to move runs through it
        (the lines' matrix is totally unimodular, so this is exact for whole numbers). Returns
        the arcs (index -> (tail, head)) over ``lines``."""
        signed: dict[int, list[tuple[int, int]]] = {}
        for index in hidden:
            entries = [(k, -1 if self.relations[k][0] == index else 1)
                       for k in self.members_of[index] if k in lines]
            if len(entries) > 2:
                raise AssertionError("these lines are not a network")
            signed[index] = entries
        # Sign the lines: a breadth-first walk over lines joined by a hidden count in both.
        sign: dict[int, int] = {}
        neighbours: dict[int, list[tuple[int, int]]] = {}
        for index, entries in signed.items():
            if len(entries) == 2:
                (k1, c1), (k2, c2) = entries
                # s1 * c1 == -(s2 * c2)  ->  s2 = -s1 * c1 * c2
                neighbours.setdefault(k1, []).append((k2, -c1 * c2))
                neighbours.setdefault(k2, []).append((k1, -c1 * c2))
        for start in neighbours:
            if start in sign:
                continue
            sign[start] = 1
            queue = [start]
            while queue:
                k = queue.pop()
                for other, factor in neighbours[k]:
                    wanted = sign[k] * factor
                    if other not in sign:
                        sign[other] = wanted
                        queue.append(other)
                    elif sign[other] != wanted:
                        raise AssertionError("these lines are not a network")
        ground = -1  # the end of a count that is in one line only (nothing balances there)
        arcs = {}
        for index, entries in signed.items():
            ends = {1: ground, -1: ground}
            for k, coefficient in entries:
                ends[sign.get(k, 1) * coefficient] = k
            arcs[index] = (ends[-1], ends[1])  # tail: where it counts -1, head: where it counts +1
        return arcs

    def _pinned_in_network(self, hidden: list[int], lines: set[int]) -> list[int]:
        arcs = self._network(hidden, lines)
        room = {}
        graph: dict[int, list[tuple[int, int]]] = {}
        for index in hidden:
            low, high = self.known_bounds(index)
            tail, head = arcs[index]
            value = self.values[index]
            if value < high:
                graph.setdefault(tail, []).append((head, index))
            if value > low:
                graph.setdefault(head, []).append((tail, index))
            room[index] = (value < high, value > low)

        def reaches(source: int, target: int, without: int) -> bool:
            seen, queue = {source}, [source]
            while queue:
                node = queue.pop()
                if node == target:
                    return True
                for nxt, through in graph.get(node, ()):
                    if through != without and nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
            return False

        pinned = []
        for index in hidden:
            tail, head = arcs[index]
            up, down = room[index]
            if tail == head:  # in no line at all: free within its bounds
                movable = up or down
            else:
                movable = (up and reaches(head, tail, index)) or (down and reaches(tail, head, index))
            if not movable:
                pinned.append(index)
        return pinned

    def _pinned_by_milp(self, hidden: list[int]) -> list[int]:
        """The general case: exact integer programs (scipy's HiGHS). Most hidden counts are shown
        to move by a few programs that push all undecided ones up (or down) at once; the rest get
        one program each way."""
        # Imported here: only period series with a total need the solver, and scipy costs every process
        # a third of a second and tens of megabytes at start-up.
        from scipy.optimize import Bounds, LinearConstraint, milp

        column = {index: j for j, index in enumerate(hidden)}
        rows, rhs = [], []
        for total, parts in self.relations:
            row = np.zeros(len(hidden))
            known = 0
            for index, sign in ((total, -1), *((p, 1) for p in parts)):
                if index in column:
                    row[column[index]] += sign
                else:
                    known += sign * self.values[index]
            if row.any():
                rows.append(row)
                rhs.append(-known)
        low, high = zip(*(self.known_bounds(i) for i in hidden))
        true = np.array([self.values[i] for i in hidden])
        options = dict(constraints=[LinearConstraint(np.array(rows), rhs, rhs)] if rows else [],
                       integrality=np.ones(len(hidden)), bounds=Bounds(np.array(low), np.array(high)))

        def solve(objective) -> np.ndarray:
            result = milp(objective, **options)
            if result.status != 0:  # the true counts are a solution: anything else is a solver fault
                raise RuntimeError(f"suppression audit failed: {result.message}")
            return np.rint(result.x)

        undecided = set(range(len(hidden)))
        progress = True
        while undecided and progress:
            progress = False
            for sense in (-1.0, 1.0):  # milp minimises: -1 pushes up, +1 pushes down
                if not undecided:
                    break
                objective = np.zeros(len(hidden))
                objective[list(undecided)] = sense
                solution = solve(objective)
                moved = {j for j in undecided if solution[j] != true[j]}
                if moved:
                    undecided -= moved
                    progress = True
        pinned = []
        for j in sorted(undecided):
            objective = np.zeros(len(hidden))
            objective[j] = -1.0
            if solve(objective)[j] != true[j]:
                continue
            objective[j] = 1.0
            if solve(objective)[j] != true[j]:
                continue
            pinned.append(hidden[j])
        return pinned

    def cell(self, index: int) -> Cell:
        reason = self.reasons[index]
        if reason == SMALL:
            return _small_cell(self.threshold)
        if reason == COMPLEMENTARY:
            return HIDDEN
        return _shown_cell(self.values[index])


@dataclass
class _Layout:
    """Where one table's counts sit in the problem."""

    cells: list[list[int]]
    row_totals: Optional[list[int]]
    column_totals: Optional[list[int]]
    grand_total: Optional[int]

    def positions(self):
        for r, row in enumerate(self.cells):
            for c, index in enumerate(row):
                yield ("cell", r, c), index
        for r, index in enumerate(self.row_totals or ()):
            yield ("row", r), index
        for c, index in enumerate(self.column_totals or ()):
            yield ("column", c), index
        if self.grand_total is not None:
            yield ("grand",), self.grand_total

    def index(self, key) -> int:
        if key[0] == "cell":
            return self.cells[key[1]][key[2]]
        if key[0] == "row":
            return self.row_totals[key[1]]
        if key[0] == "column":
            return self.column_totals[key[1]]
        return self.grand_total

    def table(self, problem: _Problem) -> SuppressedTable:
        def cells(indexes):
            return None if indexes is None else tuple(problem.cell(i) for i in indexes)
        return SuppressedTable(
            cells=tuple(cells(row) for row in self.cells),
            row_totals=cells(self.row_totals),
            column_totals=cells(self.column_totals),
            grand_total=None if self.grand_total is None else problem.cell(self.grand_total),
            threshold=problem.threshold,
        )


# Off only in the tests that show leaving them out changes no decision (tests/test_suppression_scale.py).
_LEAVE_OUT_ZERO_LINES = True


@dataclass
class _Frame:
    """The rows and columns of a series' tables that take part in the protection.

    A row that is zero in every period, when the row totals are shown, is left out: its total is 0, so
    every count of it is on a line whose total is 0 — never hidden as a zero of a "<5" line, never a
    candidate to hide (a zero), never a hidden member of a line; leaving its counts out of the column
    lines (zeros that are not hidden) changes nothing the three steps look at, and the counts kept
    keep their order (the tie-breaks). The same for a column that is zero everywhere when the column
    totals are shown. Without that line (no row totals) a zero under a "<5" column total is hidden
    as "<5": such a row stays in. The rows and columns left out are published as zeros."""

    shape: tuple[int, int]
    rows: list[int]     # the rows kept, in order
    columns: list[int]  # the columns kept, in order
    row_totals: bool
    column_totals: bool

    @classmethod
    def of(cls, grids: list[list[list[int]]], shape: tuple[int, int], row_totals: bool,
           column_totals: bool) -> "_Frame":
        n_rows, n_columns = shape
        rows, columns = list(range(n_rows)), list(range(n_columns))
        if n_rows and n_columns and _LEAVE_OUT_ZERO_LINES:
            if row_totals:
                rows = [r for r in rows if any(any(grid[r]) for grid in grids)]
            if column_totals:
                columns = [c for c in columns if any(grid[r][c] for grid in grids for r in range(n_rows))]
        return cls(shape, rows, columns, row_totals, column_totals)

    @property
    def empty(self) -> bool:
        """Every count is zero (and a margin line holds them): nothing is hidden, all is 0."""
        return bool(self.shape[0] and self.shape[1]) and not (self.rows and self.columns)

    def compact(self, grid: list[list[int]]) -> list[list[int]]:
        if len(self.rows) == self.shape[0] and len(self.columns) == self.shape[1]:
            return grid
        return [[grid[r][c] for c in self.columns] for r in self.rows]

    def zeros(self, threshold: int) -> SuppressedTable:
        n_rows, n_columns = self.shape
        return SuppressedTable(
            cells=tuple((ZERO,) * n_columns for _ in range(n_rows)),
            row_totals=(ZERO,) * n_rows if self.row_totals else None,
            column_totals=(ZERO,) * n_columns if self.column_totals else None,
            grand_total=ZERO if self.row_totals and self.column_totals else None,
            threshold=threshold)

    def table(self, layout: "_Layout", problem: "_Problem") -> SuppressedTable:
        n_rows, n_columns = self.shape
        cell = problem.cell
        row_at = dict(zip(self.rows, layout.cells))
        column_at = {c: j for j, c in enumerate(self.columns)}
        full_columns = len(self.columns) == n_columns

        def row(r: int) -> tuple[Cell, ...]:
            indexes = row_at.get(r)
            if indexes is None:
                return (ZERO,) * n_columns
            if full_columns:
                return tuple(cell(i) for i in indexes)
            return tuple(cell(indexes[column_at[c]]) if c in column_at else ZERO for c in range(n_columns))

        row_totals = column_totals = None
        if layout.row_totals is not None:
            total_at = dict(zip(self.rows, layout.row_totals))
            row_totals = tuple(cell(total_at[r]) if r in total_at else ZERO for r in range(n_rows))
        if layout.column_totals is not None:
            column_totals = tuple(cell(layout.column_totals[column_at[c]]) if c in column_at else ZERO
                                  for c in range(n_columns))
        return SuppressedTable(
            cells=tuple(row(r) for r in range(n_rows)),
            row_totals=row_totals, column_totals=column_totals,
            grand_total=None if layout.grand_total is None else cell(layout.grand_total),
            threshold=problem.threshold)


def _add_table(problem: _Problem, grid: list[list[int]], row_totals: bool, column_totals: bool) -> _Layout:
    n_columns = len(grid[0]) if grid else 0
    cells = [[problem.add(value, total=False) for value in row] for row in grid]
    rows = cols = grand = None
    if row_totals:
        rows = [problem.add(sum(row), total=True) for row in grid]
        for r, index in enumerate(rows):
            problem.relate(index, cells[r], ROW)
    if column_totals:
        cols = [problem.add(sum(row[c] for row in grid), total=True) for c in range(n_columns)]
        for c, index in enumerate(cols):
            problem.relate(index, [row[c] for row in cells], COLUMN)
    if row_totals and column_totals:
        grand = problem.add(sum(map(sum, grid)), total=True)
        problem.relate(grand, rows, GRAND)
        problem.relate(grand, cols, GRAND)
    return _Layout(cells, rows, cols, grand)


def _grid(table: Sequence[Sequence[int]]) -> list[list[int]]:
    grid = []
    for row in table:
        values = list(row)
        # The usual case at once: plain non-negative ints (bool is not an int here: its type is bool).
        if all(type(value) is int for value in values) and (not values or min(values) >= 0):
            grid.append(values)
            continue
        values = []
        for value in row:
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"a count must be a whole number, not {value!r}")
            if value < 0:
                raise ValueError(f"a count cannot be negative: {value}")
            values.append(int(value))
        grid.append(values)
    if grid and len({len(row) for row in grid}) != 1:
        raise ValueError("every row must have the same number of columns")
    return grid


def _check_threshold(threshold: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 2:
        raise ValueError("threshold must be a whole number of at least 2")
