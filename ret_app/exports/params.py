"""What an export is of: ids, dates and short codes, never a name or free text (the params are stored
with the job, written in its audit record and sent in hidden fields of the page that offers it).

`parse(form)` reads a posted form (everything but the CSRF token): each field name a short
lower-case name; each value an id (digits, 1..MAX_ID), a date (YYYY-MM-DD) or a short code
(lower-case letters, digits, dashes); a field sent several times is a list of such values (the
vignettes of a pack). Anything else raises `BadParams` (the route answers 400: the values come from
the page, not from what a user typed)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping

from ret_app.kernel.ids import parse_id

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CODE_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_FIELDS = 20
MAX_VALUES = 200
IGNORED = frozenset({"csrf_token", "submission_key"})  # the form's, not the export's

Value = int | str


class BadParams(ValueError):
    """The posted params are not ids, dates and codes."""


def value(text: Any) -> Value:
    """One value: an id (int), a date or a code (str)."""
    if isinstance(text, int) and not isinstance(text, bool):
        number = parse_id(text)
        if number is None:
            raise BadParams("not an id")
        return number
    if not isinstance(text, str):
        raise BadParams("not text")
    text = text.strip()
    if text.isascii() and text.isdigit():
        number = parse_id(text)
        if number is None:
            raise BadParams("not an id")
        return number
    if DATE_RE.match(text):
        try:
            date.fromisoformat(text)
        except ValueError:
            raise BadParams("not a date") from None
        return text
    if CODE_RE.match(text):
        return text
    raise BadParams("not an id, date or code")


def clean(params: Mapping[str, Any]) -> dict[str, Value | list[Value]]:
    """Check a dict of params given in code (a capability's own route)."""
    if len(params) > MAX_FIELDS:
        raise BadParams("too many fields")
    out: dict[str, Value | list[Value]] = {}
    for name, given in params.items():
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise BadParams("bad field name")
        if isinstance(given, (list, tuple)):
            if len(given) > MAX_VALUES:
                raise BadParams("too many values")
            out[name] = [value(item) for item in given]
        else:
            out[name] = value(given)
    return out


def parse(form) -> dict[str, Value | list[Value]]:
    """The params of a posted form (a werkzeug MultiDict)."""
    names = [name for name in form.keys() if name not in IGNORED]
    if len(names) > MAX_FIELDS:
        raise BadParams("too many fields")
    given: dict[str, Any] = {}
    for name in names:
        values = form.getlist(name)
        given[name] = values[0] if len(values) == 1 else values
    return clean(given)


def detail(params: Mapping[str, Any]) -> str:
    """The params for the audit detail: `name=value` pairs (ids, dates and codes only)."""
    parts = []
    for name in sorted(params):
        given = params[name]
        shown = ",".join(str(v) for v in given) if isinstance(given, list) else str(given)
        parts.append(f"{name}={shown}")
    return ";".join(parts)
