"""Redirect targets: only local paths, never another host."""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit


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
