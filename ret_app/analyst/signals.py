"""Gap signals per period, as the analyst and the monitor API publish them — the one function both read.

Per period of the filters (months or quarters of a year, or years; ret_app/analyst/aggregates.Filters)
and per key (a gap category, or a gap category for one care type — the keys the rule raises signals for,
ret_app/signals/rule.py):

- raised: signals raised in the period;
- open at the end: raised by the period's end and not closed by then (new, in progress or addressed);
- addressed: signals marked as addressed in the period;
- closed: signals closed in the period (after being addressed, or closed without action);

plus the list of the signals concerned (open at some moment of the periods shown), each with its
category, care type, month raised, status and owner now, and the month its status last changed.

What is NOT published, and why (docs/suppression.md, "Gap signals"): a signal's case count (how many
cases raised it, how many its evidence holds now) is a count of youths: it is left out, not suppressed —
the gaps per category are published, protected, by aggregates.py; a second publication of the same
youths, counted another way, could be subtracted from it. Nor its evidence (cases, references), its
responses (free text), its id, or any date finer than a month. The numbers here are counts of
*signals*, not of youths, and are shown as they are: a signal says only that at least the region's
threshold of cases met the gap within the window, which the published gap table already bounds.

The municipality filter does not apply: a signal is the region's (its cases may come from every
municipality; per municipality it would tell where they live). The care-type filter keeps the signals
of that care type.

Queries: two (the region's signals with their category; their status changes), whatever the data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from sqlalchemy import select

from ret_app.analyst.aggregates import Filters
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import GapCategory, GapSignal, SignalResponse, SignalStatus
from ret_app.stats.periods import Period, PeriodKind

MEASURES = ("raised", "open_at_end", "addressed", "closed")
CLOSED = SignalStatus.CLOSED.value
ADDRESSED = SignalStatus.ADDRESSED.value


@dataclass(frozen=True)
class Key:
    category_id: int
    category_code: str
    category_name: str
    position: int
    care_type: Optional[str]  # None: the category across care types


@dataclass
class KeyCounts:
    key: Key
    raised: list[int]
    open_at_end: list[int]
    addressed: list[int]
    closed: list[int]

    def measure(self, name: str) -> list[int]:
        return getattr(self, name)


@dataclass(frozen=True)
class PublishedSignal:
    """One signal as the analyst sees it: no id, no count of cases, no case, no text, months only."""

    key: Key
    raised: Period  # the month it was raised
    status: str
    owner: Optional[str]
    status_since: Period  # the month of its last status change (or of its raising)


@dataclass
class SignalsView:
    filters: Filters
    periods: list[Period]
    rows: list[KeyCounts]  # every key with a signal in the periods, in the categories' order
    totals: dict[str, list[int]] = field(default_factory=dict)  # measure -> per period, over every row
    signals: list[PublishedSignal] = field(default_factory=list)

    @property
    def has_signals(self) -> bool:
        return bool(self.signals)


def _month(moment: datetime) -> Period:
    return Period.containing(PeriodKind.MONTH, dates.local_date(moment))


def signals_per_period(region_id: int, filters: Filters, periods: Optional[list[Period]] = None,
                       category_id: Optional[int] = None) -> SignalsView:
    """The region's gap signals per period of `filters` (or of `periods`, whole periods of one kind in
    order: the API's ranges), for the filters' care type (and `category_id`) or every key."""
    periods = periods if periods is not None else filters.periods()
    if not periods:
        return SignalsView(filters=filters, periods=[], rows=[], totals={m: [] for m in MEASURES})
    bounds = [period.moments() for period in periods]
    first_start, last_end = bounds[0][0], bounds[-1][1]
    stmt = (select(GapSignal.id, GapSignal.gap_category_id, GapCategory.code, GapCategory.name, GapCategory.position,
                   GapSignal.care_type, GapSignal.status, GapSignal.owner, GapSignal.raised_at)
            .join(GapCategory, GapCategory.id == GapSignal.gap_category_id)
            .where(GapSignal.region_id == region_id, GapSignal.raised_at < last_end))
    if filters.care_type is not None:
        stmt = stmt.where(GapSignal.care_type == filters.care_type)
    if category_id is not None:
        stmt = stmt.where(GapSignal.gap_category_id == category_id)
    signals = {row.id: row for row in db.session.execute(stmt)}
    # Status changes (a response that took a step), in order: the status at any moment follows from them.
    changes: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    if signals:
        sub = select(GapSignal.id).where(GapSignal.region_id == region_id, GapSignal.raised_at < last_end)
        for signal_id, at, to_status in db.session.execute(
                select(SignalResponse.signal_id, SignalResponse.at, SignalResponse.to_status)
                .where(SignalResponse.signal_id.in_(sub), SignalResponse.to_status != SignalResponse.from_status)
                .order_by(SignalResponse.at, SignalResponse.id)):
            if signal_id in signals:
                changes[signal_id].append((at, to_status))

    def status_at(signal_id: int, moment: datetime) -> Optional[str]:
        """The status just before `moment` (None: not raised yet)."""
        row = signals[signal_id]
        if row.raised_at >= moment:
            return None
        status = SignalStatus.NEW.value
        for at, to_status in changes[signal_id]:
            if at >= moment:
                break
            status = to_status
        return status

    keys: dict[tuple[int, Optional[str]], Key] = {}
    counts: dict[tuple[int, Optional[str]], KeyCounts] = {}
    published: list[PublishedSignal] = []
    n = len(periods)
    for signal_id, row in signals.items():
        if status_at(signal_id, first_start) == CLOSED:
            continue  # closed before the periods shown: not part of them
        key_id = (row.gap_category_id, row.care_type or None)
        key = keys.setdefault(key_id, Key(row.gap_category_id, row.code, row.name, row.position, row.care_type or None))
        kc = counts.setdefault(key_id, KeyCounts(key, [0] * n, [0] * n, [0] * n, [0] * n))
        for index, (lo, hi) in enumerate(bounds):
            if lo <= row.raised_at < hi:
                kc.raised[index] += 1
            at_end = status_at(signal_id, hi)
            if at_end is not None and at_end != CLOSED:
                kc.open_at_end[index] += 1
            steps = {to for at, to in changes[signal_id] if lo <= at < hi}
            kc.addressed[index] += ADDRESSED in steps
            kc.closed[index] += CLOSED in steps
        last_change = changes[signal_id][-1][0] if changes[signal_id] else row.raised_at
        published.append(PublishedSignal(key=key, raised=_month(row.raised_at), status=row.status, owner=row.owner,
                                         status_since=_month(last_change)))

    def order(key: Key) -> tuple:
        return (key.position, key.category_name, key.care_type is not None, key.care_type or "")

    rows = sorted(counts.values(), key=lambda kc: order(kc.key))
    totals = {m: [sum(kc.measure(m)[i] for kc in rows) for i in range(n)] for m in MEASURES}
    published.sort(key=lambda s: (order(s.key), s.raised.start))
    return SignalsView(filters=filters, periods=list(periods), rows=rows, totals=totals, signals=published)
