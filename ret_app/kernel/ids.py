"""Ids as the database holds them: whole numbers from 1 to 2**31 - 1 (the columns are INTEGER, on
PostgreSQL 32 bits; SQLite's 64 bits hold them too).

A number from outside (a URL, a query string, a form) that is not such an id names nothing: it is
treated like any other value that names nothing (404 for a path, an invalid filter value, an invalid
choice), never sent to the database, where it would not fit the column."""

from __future__ import annotations

from typing import Any, Optional

MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(value: Any) -> Optional[int]:
    """`value` (text as typed or sent, or an int) as an id, or None when it is not one: not a whole
    number written in digits (surrounding spaces allowed), or outside 1..MAX_ID."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
            return None
        number = int(text)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None
