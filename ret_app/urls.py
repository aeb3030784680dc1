"""Links, hosts and ids in paths: redirect targets only to local paths, absolute links only from the
configured base URL, requests only for trusted hosts, ids in paths only within what the database holds.

A link RET hands out (an activation link an administrator passes on, the session page in a calendar
file) is built from BASE_URL (RET_BASE_URL), never from the Host or X-Forwarded-Host the request came
with: a forged header must not put someone else's address into a link. In production a request for
a host that is not BASE_URL's (or one of RET_TRUSTED_HOSTS) is refused before the app sees it.
"""

from __future__ import annotations

import logging
from typing import Any, Optional
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, url_for
from werkzeug.exceptions import SecurityError
from werkzeug.routing import IntegerConverter, ValidationError
from werkzeug.wrappers import Response
from werkzeug.wsgi import get_host

from ret_app.kernel.ids import MAX_ID

log = logging.getLogger(__name__)


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


def base_host() -> str:
    """The host name of BASE_URL (e.g. for a calendar event's UID)."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link to a route for handing out: BASE_URL's scheme and host with the route's path.
    Works outside a request too (a CLI command)."""
    base = urlsplit(current_app.config["BASE_URL"])
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        adapter = current_app.url_map.bind(base.netloc, script_name="/", url_scheme=base.scheme)
        path = adapter.build(endpoint, values)
    return f"{base.scheme}://{base.netloc}{path}"


class TrustedHostCheck:
    """WSGI middleware: with TRUSTED_HOSTS configured, a request whose Host (after the trusted
    proxies' X-Forwarded-Host) is not among them answers a plain 400 before the app runs — no
    session, no page, no link. Flask checks TRUSTED_HOSTS as well, but only when it builds the
    request's URL adapter, after which an error page could not be rendered."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        trusted = self.app.config.get("TRUSTED_HOSTS")
        if trusted:
            try:
                get_host(environ, trusted)
            except SecurityError:
                # Never the host itself in the log: it is whatever the sender chose to write.
                log.warning("request for an untrusted host refused")
                response = Response("Unknown host.\n", status=400, mimetype="text/plain")
                response.headers["X-Content-Type-Options"] = "nosniff"
                response.headers["Cache-Control"] = "no-store"
                return response(environ, start_response)
        return self.wsgi_app(environ, start_response)
