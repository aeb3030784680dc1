"""Errors of the API's routes answered in JSON (the pages' error handlers answer in HTML)."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from ret_app import audit
from ret_app.api.spec import json_error
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
