"""How recently the signed-in user proved who they are: sensitive routes (`requires(..., fresh=True)`)
ask for the password again when the last check is older than REAUTH_MAX_AGE_MINUTES."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, redirect, request, session, url_for

from ret_app.kernel.dates import utcnow
from ret_app.urls import safe_next


def mark_authenticated() -> None:
    session["auth_at"] = utcnow().isoformat()


def needs_reauthentication() -> bool:
    at = session.get("auth_at")
    if not at:
        return True
    age = utcnow() - datetime.fromisoformat(at)
    return age > timedelta(minutes=current_app.config["REAUTH_MAX_AGE_MINUTES"])


def reauth_redirect():
    """Ask for the password again before the sensitive route; the prompt is audited (the route's
    name, held back until the user confirms)."""
    from ret_app import audit

    audit.record(audit.Action.LOGIN, outcome=audit.Outcome.DENIED, object_type="route", object_id=request.endpoint,
                 detail="reauthentication_required")
    target = request.full_path if request.method == "GET" else (request.referrer or "")
    return redirect(url_for("auth.reauthenticate", next=safe_next(target) or None))
