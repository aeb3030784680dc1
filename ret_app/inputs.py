"""Raw request input no page can use, dealt with before any route reads it.

A NUL character (\\x00) is never typed by a person, and PostgreSQL text cannot hold one (a query
with it fails). Form fields refuse it with a message next to the field (ret_app/forms.py, every
form's base). Here, for what no form reads:

* a query string with a NUL (a search term, a filter) is a bad request: 400, like other malformed
  requests, before any page reads it;
* a header value with a NUL (the user agent and the client address end up in the session and audit
  rows) loses the NUL before the app sees the request (nothing reads it first, CSRF refusals and the
  session included): headers are not typed by anyone.

Integers from outside that the database cannot hold are dealt with where they are read: ids in paths
by the URL converter (ret_app/urls.py), query parameters by `web.int_arg`, form choices by
`forms.coerce_optional_int` and `forms.IdField`.
"""

from __future__ import annotations

from flask import Flask, abort, request

NUL = "\x00"


def register(app: Flask) -> None:
    app.wsgi_app = DropNulFromHeaders(app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(refuse_nul_in_query)


class DropNulFromHeaders:
    """WSGI middleware, outermost (before a proxy's X-Forwarded-For becomes the client address): no
    header value and no client address carries a NUL into the app."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        for key, value in list(environ.items()):
            if (key.startswith("HTTP_") or key == "REMOTE_ADDR") and isinstance(value, str) and NUL in value:
                environ[key] = value.replace(NUL, "")
        return self.wsgi_app(environ, start_response)


def refuse_nul_in_query() -> None:
    if any(NUL in key or any(NUL in value for value in values) for key, values in request.args.lists()):
        abort(400)
