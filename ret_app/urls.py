"""URLs: ids in paths, and redirect targets (only local paths, never another host)."""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter, ValidationError

from ret_app.kernel.ids import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` in every route (installed as the "int" converter): an id from 1 to MAX_ID. Any other
    number (0, beyond what the column holds) does not match the route, so the answer is 404 like for
    any id that names nothing, and the database never sees it. `<int(min=0, max=...):n>` still says
    otherwise where a route needs it."""

    def __init__(self, map, fixed_digits: int = 0, min: Optional[int] = 1, max: Optional[int] = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)

    def to_python(self, value: str):
        if len(value) > 20:  # more digits than any integer column holds (and than int() reads quickly)
            raise ValidationError()
        return super().to_python(value)


def safe_next(target: Optional[str]) -> Optional[str]:
    """`target` if it is a path on this site, else None."""
    if not target or len(target) > 2000:
        return None
    target = target.strip()
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        # Accept absolute URLs to ourselves only as their path (e.g. a Referer header).
        from flask import request

        if parts.netloc != request.host or parts.scheme not in ("http", "https"):
            return None
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//"):
        return None
    return target.rstrip("?") or "/"
