"""Raw request input no page can use, dealt with before any route reads it.

A NUL character (\\x00) is never typed by a person, and PostgreSQL text cannot hold one (a query
with it fails). Form fields refuse it with a message next to the field (ret_app/forms.py, every
form's base). Here, for what no form reads, the NUL is dropped in the outermost WSGI layer, before
anything (CSRF, the session, a page, the access log's URL) reads the request:

* from the query string (a search term of an old bookmark, a filter, a page number, the id of a kept
  search): nothing there is saved as typed, and a page reads it as if it had been sent without the
  NUL (the case list's search term already drops it the same way when it is POSTed);
* from header values and the client address (the user agent and the address end up in the session
  and audit rows): headers are not typed by anyone.

A URL-encoded form is held to the limit of a multipart form's text (Flask's MAX_FORM_MEMORY_SIZE,
500 kB): werkzeug reads such a body whole and applies only MAX_CONTENT_LENGTH (20 MB, there for
attachments), so a text field sent URL-encoded could otherwise be 40 times as long as the same field
sent as multipart. Over the limit the answer is 413 (the Dutch error page), before any form reads it.

What reaches the database without a form (a service called by a job, the CLI, an import, or a value a
form does not read as text) is checked once more where every change passes: a flush that would write a
NUL into a text or JSON column is refused with a RuleError (HAS_NUL, next to the attribute's name), on
SQLite as on PostgreSQL, instead of failing in PostgreSQL's driver.

Integers from outside that the database cannot hold are dealt with where they are read: ids in paths
by the URL converter (ret_app/urls.py), query parameters by `web.int_arg`, form choices by
`forms.coerce_optional_int` and `forms.IdField`.
"""

from __future__ import annotations

from itertools import chain
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

NUL = "\x00"
# Percent-decoding is one pass from left to right, so a query string decodes to text with a NUL
# exactly when it holds "%00" (or a raw NUL byte, which no client should send).
_ENCODED_NUL = ("%00", "\x00")


def register(app: Flask) -> None:
    app.wsgi_app = DropNul(app.wsgi_app)  # type: ignore[method-assign]
    app.request_class = AppRequest
    if not event.contains(Session, "before_flush", refuse_nul_on_flush):
        event.listen(Session, "before_flush", refuse_nul_on_flush)


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_holds_nul(v) for v in value)
    return False


def refuse_nul_on_flush(session, flush_context, instances) -> None:
    """Before a flush: no new or changed text (or JSON) value holds a NUL; else RuleError, nothing written
    (the caller's savepoint rolls back as for any refusal). Only the attributes changed are looked at."""
    from ret_app.forms import HAS_NUL
    from ret_app.kernel.errors import RuleError

    for obj in chain(session.new, session.dirty):
        state = inspect(obj)
        keys = state.mapper.column_attrs.keys() if state.key is None else state.committed_state.keys()
        for key in keys:
            if key in state.mapper.column_attrs and _holds_nul(state.dict.get(key)):
                raise RuleError(HAS_NUL, key)


class AppRequest(Request):
    """The app's request: a URL-encoded body larger than MAX_FORM_MEMORY_SIZE is 413, as a multipart
    form's text field is (werkzeug parses URL-encoded bodies without that limit)."""

    def _load_form_data(self) -> None:
        if "form" not in self.__dict__ and self.mimetype == "application/x-www-form-urlencoded":
            limit, length = self.max_form_memory_size, self.content_length
            if limit is not None and length is not None and length > limit:
                raise RequestEntityTooLarge()
        super()._load_form_data()


def query_without_nul(query: str) -> str:
    """`query` (a WSGI QUERY_STRING: latin-1 text of the bytes sent) without NUL characters in any
    name or value; unchanged when it has none."""
    if not any(nul in query for nul in _ENCODED_NUL):
        return query
    pairs = parse_qsl(query.encode("latin-1").decode("utf-8", "replace"), keep_blank_values=True,
                      errors="replace")
    return urlencode([(name.replace(NUL, ""), value.replace(NUL, "")) for name, value in pairs])


class DropNul:
    """WSGI middleware, outermost (before a proxy's X-Forwarded-For becomes the client address): no
    header value, client address or query parameter carries a NUL into the app."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        for key, value in list(environ.items()):
            if (key.startswith("HTTP_") or key == "REMOTE_ADDR") and isinstance(value, str) and NUL in value:
                environ[key] = value.replace(NUL, "")
        query = environ.get("QUERY_STRING")
        if query:
            environ["QUERY_STRING"] = query_without_nul(query)
        return self.wsgi_app(environ, start_response)
