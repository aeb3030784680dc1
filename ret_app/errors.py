"""Error pages in Dutch, inside the layout, without stack traces."""

from __future__ import annotations

from flask import Flask, g, make_response, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm.exc import StaleDataError

from ret_app import audit
from ret_app.extensions import db, login_manager
from ret_app.kernel.errors import Conflict, database_unavailable
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

DATABASE_UNAVAILABLE = (
    _l("Temporarily unavailable"),
    _l("RET cannot reach its database at the moment. Nothing of your last action was saved. Wait a "
       "minute and try again."))
# Seconds a client (or the load balancer) is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30


def render_error(code: int, message: str | None = None):
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    return render_page_or_fragment("errors/error.html", "errors/_error.html", code=code, title=title,
                                   message=message or default_message), code


def conflict_response(conflict: Conflict):
    """Someone else changed the same thing first: 409 with what to do, nothing of this request kept."""
    response = make_response(*render_error(409, str(conflict.message)))
    return response


def database_unavailable_response():
    """503 with a page that needs no database: no signed-in user, navigation or form in it (the
    layout's header would read them from the database). htmx gets the fragment."""
    title, message = DATABASE_UNAVAILABLE
    html = render_page_or_fragment("errors/unavailable.html", "errors/_error.html", code=503, title=title,
                                   message=message)
    response = make_response(html, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register(app: Flask) -> None:
    def raise_session_database_error():
        # The session could not be read (sessions.py keeps the error): the request fails with 503
        # before anything else runs, instead of going on as if nobody were signed in.
        # Static files (the error page's own style sheets) need no session.
        error = getattr(session, "database_error", None)
        if error is not None and request.endpoint != "static":
            raise error

    app.before_request_funcs.setdefault(None, []).insert(0, raise_session_database_error)

    def database_error(error: BaseException):
        # The type only: a driver's message can quote the statement's values.
        app.logger.error("database unavailable (%s) at %s %s", type(getattr(error, "orig", None) or error).__name__,
                         request.method, request.endpoint)
        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the pool replaces it (pre-ping) on the next checkout
            pass
        if "_login_user" not in g:
            g._login_user = login_manager.anonymous_user()  # the user cannot be read now
        try:
            session.database_error = error  # nor is the session written back (sessions.py)
        except AssertionError:  # no session was opened
            pass
        if not _unreachable(error):
            _audit_server_error(error)  # the database answers (a deadlock, a lost connection): audited
        return database_unavailable_response()

    def _unreachable(error: BaseException) -> bool:
        """No connection could be made (refused, timed out, no server; the pool had none free):
        then auditing would only wait for the same failure again."""
        if isinstance(error, sa_exc.TimeoutError):
            return True
        orig = getattr(error, "orig", None)
        return (isinstance(error, sa_exc.DBAPIError) and not error.connection_invalidated
                and getattr(orig, "sqlstate", "") is None)

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
            original = getattr(error, "original_exception", None)
            if original is not None and database_unavailable(original):
                return database_error(original)
            _audit_server_error(original or error)
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
        if database_unavailable(error):
            return database_error(error)
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
