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
    target = request.full_path if request.method == "GET" else (request.referrer or "")
    return redirect(url_for("auth.reauthenticate", next=safe_next(target) or None))
