"""Error pages in Dutch, inside the layout, without stack traces."""

from __future__ import annotations

from flask import Flask, make_response, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from sqlalchemy.orm.exc import StaleDataError

from ret_app import audit
from ret_app.extensions import db
from ret_app.kernel.errors import Conflict
from ret_app.templating import render_page_or_fragment

MESSAGES = {
    400: (_l("The request could not be processed"),
          _l("Something in the request was not right. Go back, reload the page and try again.")),
    403: (_l("No access"),
          _l("You do not have access to this page with your role. Ask your functional administrator if you think you should.")),
    404: (_l("Page not found"),
          _l("This page does not exist, or you do not have access to it.")),
    405: (_l("Not possible this way"),
          _l("This page cannot be used this way. Go back and use the buttons on the page.")),
    409: (_l("Changed by someone else"),
          _l("Someone else changed this at the same moment. Nothing of your last action was saved; check the "
             "page and try again.")),
    413: (_l("File or form too large"),
          _l("What you sent is larger than allowed. Make the file smaller or send fewer files at once.")),
    429: (_l("Too many attempts"),
          _l("There were too many attempts in a short time. Wait a moment and try again.")),
    500: (_l("Something went wrong"),
          _l("An unexpected error occurred. Nothing was saved of the last action. Try again; if it keeps happening, contact your functional administrator.")),
    503: (_l("Temporarily unavailable"),
          _l("RET is temporarily unavailable because of maintenance. Try again later.")),
}


def render_error(code: int, message: str | None = None):
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    return render_page_or_fragment("errors/error.html", "errors/_error.html", code=code, title=title,
                                   message=message or default_message), code


def conflict_response(conflict: Conflict):
    """Someone else changed the same thing first: 409 with what to do, nothing of this request kept."""
    response = make_response(*render_error(409, str(conflict.message)))
    return response


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        audit.record_csrf_refusal(error.description)
        return render_error(400, str(_l(
            "The form has expired or was not sent from RET itself. Reload the page and try again; "
            "what you typed may need to be entered again.")))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 500:
            # An error Flask caught outside the view (e.g. in the commit) arrives wrapped.
            _audit_server_error(getattr(error, "original_exception", None) or error)
        return render_error(error.code if error.code in MESSAGES else 500)

    @app.errorhandler(Conflict)
    def conflict_error(error: Conflict):
        return conflict_response(error)

    @app.errorhandler(StaleDataError)
    def stale_error(error: StaleDataError):
        # An optimistic-locking version that no longer matched, not caught on its way: a Conflict.
        return conflict_response(Conflict())

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # The unit of work rolls back (the status is 500). Log the type and the route's name only:
        # exception messages can contain personal data, and a URL can carry an activation link's token.
        app.logger.error("unhandled %s at %s %s", type(error).__name__, request.method, request.endpoint,
                         exc_info=app.debug)
        _audit_server_error(error)
        return render_error(500)

    def _audit_server_error(error: BaseException) -> None:
        try:
            audit.record_server_error(error)
        except Exception as failure:  # the error page is shown all the same
            db.session.rollback()
            app.logger.error("auditing a server error failed: %s", type(failure).__name__)
