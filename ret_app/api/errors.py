"""Errors of the API's routes answered in JSON (the pages' error handlers answer in HTML)."""

from __future__ import annotations

from flask import Blueprint, Flask, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ret_app import audit
from ret_app.api.schemas import json_error
from ret_app.extensions import db


def register(bp: Blueprint) -> None:
    @bp.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        return json_error(code, (error.name or "error").lower().replace(" ", "_"),
                          error.description or "The request could not be answered.")

    @bp.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # The unit of work rolls back (500); the audit trail gets the route and the error's type only.
        try:
            audit.record_server_error(error)
        except Exception:  # the answer is given all the same
            db.session.rollback()
        return json_error(500, "server_error", "An unexpected error occurred. Try again later.")


def register_unrouted(app: Flask, prefix: str) -> None:
    """A path under the API's prefix that no route takes (404), or a method none of its routes takes
    (405), is answered in JSON too; everywhere else the pages' error page stays."""
    from ret_app.errors import render_error

    def unrouted(error: HTTPException):
        if request.path.startswith(prefix):
            response = json_error(error.code or 404, "not_found" if error.code == 404 else "method_not_allowed",
                                  error.description or "")
            if isinstance(error, MethodNotAllowed) and error.valid_methods:
                response.headers["Allow"] = ", ".join(error.valid_methods)
            return response
        return render_error(error.code or 404)

    app.register_error_handler(NotFound, unrouted)
    app.register_error_handler(MethodNotAllowed, unrouted)
