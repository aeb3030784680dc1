"""Raw request input no page can use, dealt with before any route reads it.

A NUL character (\\x00) is never typed by a person, and PostgreSQL text cannot hold one (a query
with it fails). Form fields refuse it with a message next to the field (ret_app/forms.py, every
form's base). Here, for what no form reads:

* a query string with a NUL (a search term, a filter) is a bad request: 400, like other malformed
  requests, before any page reads it;
* a header value with a NUL (the user agent and the client address end up in the session and audit
  rows) loses the NUL: headers are not typed, and refusing them would leave nothing to answer with.

Integers from outside that the database cannot hold are dealt with where they are read: ids in paths
by the URL converter (ret_app/urls.py), query parameters by `web.int_arg`, form choices by
`forms.coerce_optional_int` and `forms.IdField`.
"""

from __future__ import annotations

from flask import Flask, abort, request

NUL = "\x00"


def register(app: Flask) -> None:
    app.before_request(check_request)


def check_request() -> None:
    environ = request.environ
    for key, value in list(environ.items()):
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            environ[key] = value.replace(NUL, "")
    if request.remote_addr and NUL in request.remote_addr:
        request.remote_addr = request.remote_addr.replace(NUL, "")
    if any(NUL in key or any(NUL in value for value in values) for key, values in request.args.lists()):
        abort(400)
