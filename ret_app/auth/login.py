"""What happens when a page needs a signed-in user and there is none."""

from __future__ import annotations

from flask import flash, make_response, redirect, request, session, url_for
from flask_babel import gettext as _

from ret_app.extensions import htmx
from ret_app.urls import safe_next

NEXT_KEY = "login_next"


def unauthorized():
    """Not signed in: htmx gets HX-Redirect (never a login page inside a fragment)."""
    expired = getattr(session, "expired", False)
    target = url_for("auth.login")
    if request.method == "GET" and not htmx:
        nxt = safe_next(request.full_path)
        if nxt and nxt != "/":
            session[NEXT_KEY] = nxt
    if expired:
        flash(_("Your session has ended. Sign in again to continue."), "warning")
    if htmx:
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)
