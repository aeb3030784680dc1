"""Paging for every list (cases, sessions, users, audit search).

Two kinds: `paginate` pages by number (OFFSET) for lists that stay short; `keyset_page` pages the long
lists (the case list holds a region's twenty years) by the keys of the rows at a page's edge, so that
a page deep in the list costs what the first one costs: the database starts where the previous page
ended instead of counting past every row before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Optional, Sequence

from sqlalchemy import ColumnElement, Select, tuple_

from ret_app.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def paginate(stmt: Select, page: int, per_page: int) -> Page:
    """Keyless paging that fetches one extra row to know whether a next page exists."""
    page = max(1, page)
    rows = list(db.session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)))
    return Page(rows[:per_page], page, per_page, len(rows) > per_page)


# --- keyset paging ---------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MAX_DIGITS = 19  # an edge's values are whole numbers (dates and times as days / microseconds)
_MAX_INT = 2**31 - 1  # the largest id or ordering number (PostgreSQL's integer)


def _to_number(value: Any) -> int:
    if isinstance(value, datetime):
        delta = value.astimezone(timezone.utc) - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(value, date):
        return value.toordinal()
    return int(value)


def _from_number(number: int, like: type) -> Any:
    if like is datetime:
        return _EPOCH + timedelta(microseconds=number)
    if like is date:
        return date.fromordinal(number)
    if number > _MAX_INT:
        raise ValueError("beyond the integers the database holds")
    return number


@dataclass(frozen=True)
class Key:
    """One part of a keyset order, ascending: an SQL expression that is never NULL (coalesce what may be)
    and the Python type of its value (int, date or datetime), which says how it is written in a
    page's address."""

    expr: ColumnElement
    kind: type = int


def encode_edge(values: Sequence[Any]) -> str:
    """The values of a row at a page's edge as the address's `na` / `voor`: whole numbers joined by dots
    (ordering keys and the row's id; never a name)."""
    return ".".join(str(_to_number(value)) for value in values)


def decode_edge(text: Optional[str], keys: Sequence[Key]) -> Optional[tuple]:
    """The values `encode_edge` wrote, or None for anything else (a hostile or old address then shows
    the first page, like any other invalid value)."""
    parts = (text or "").split(".")
    if len(parts) != len(keys) or not all(p.isdigit() and len(p) <= _MAX_DIGITS for p in parts):
        return None
    try:
        return tuple(_from_number(int(p), key.kind) for p, key in zip(parts, keys))
    except (OverflowError, ValueError):
        return None


@dataclass
class KeysetPage:
    items: list
    per_page: int
    has_next: bool
    has_prev: bool
    next_edge: Optional[str] = None  # the address value that shows the next page (`na`)
    prev_edge: Optional[str] = None  # ... and the previous one (`voor`)
    is_first: bool = True  # the list's start (no edge asked): no link to the first page


def keyset_page(stmt: Select, keys: Sequence[Key], per_page: int, *, after: Optional[tuple] = None,
                before: Optional[tuple] = None, last: bool = False) -> KeysetPage:
    """One page of `stmt` (a select of one entity, unordered) in the order of `keys` (the last key
    unique, e.g. the id): the first page, the page after the row with the values `after`, the page before
    the row with `before`, or the last page (`last`). One statement, one extra row to know whether
    there is more; the order is reversed in SQL for `before` and `last`, and the rows turned back."""
    exprs = [key.expr for key in keys]
    labelled = [expr.label(f"_edge{i}") for i, expr in enumerate(exprs)]
    backwards = before is not None or (last and after is None)
    if after is not None:
        stmt = stmt.where(tuple_(*exprs) > tuple_(*after))
    elif before is not None:
        stmt = stmt.where(tuple_(*exprs) < tuple_(*before))
    order = [expr.desc() for expr in exprs] if backwards else exprs
    rows = db.session.execute(stmt.add_columns(*labelled).order_by(*order).limit(per_page + 1)).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    items = [row[0] for row in rows]
    if before is not None:  # coming back: there is a page after this one (the one we came from)
        has_next, has_prev = True, more
    elif backwards:  # the last page
        has_next, has_prev = False, more
    else:
        has_next, has_prev = more, after is not None
    return KeysetPage(items, per_page, has_next=has_next and bool(items), has_prev=has_prev and bool(items),
                      next_edge=encode_edge(rows[-1][1:]) if items else None,
                      prev_edge=encode_edge(rows[0][1:]) if items else None,
                      is_first=after is None and before is None and not last)
