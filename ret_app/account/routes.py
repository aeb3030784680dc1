"""My account: active sessions, password change, recovery codes.

The routes never commit: the unit of work commits at the end of the request (below 400) and the
services write the audit events."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from ret_app.forms import FlaskForm

from ret_app.account import services
from ret_app.account.blueprint import bp
from ret_app.account.forms import ChangePasswordForm
from ret_app.auth import services as auth_services
from ret_app.policy import Permission, requires


@bp.route("/")
@requires(Permission.USE_APP)
def overview():
    return render_template(
        "account/overview.html",
        sessions=services.live_sessions(current_user),
        current_row_id=getattr(session, "row_id", None),
        recovery_left=auth_services.remaining_recovery_codes(current_user),
    )


@bp.route("/sessies/<int:session_id>/beeindigen", methods=["POST"])
@requires(Permission.USE_APP)
def end_session(session_id: int):
    if session_id == getattr(session, "row_id", None):
        auth_services.record_sign_out(current_user)
        session.end("ended_by_user")  # type: ignore[attr-defined]
        return redirect(url_for("auth.login", uitgelogd=1))
    if not services.end_own_session(current_user, session_id):
        abort(404)
    flash(_("The session has been ended."), "success")
    return redirect(url_for("account.overview"))


@bp.route("/sessies/andere-beeindigen", methods=["POST"])
@requires(Permission.USE_APP)
def end_other_sessions():
    count = services.end_other_sessions(current_user, getattr(session, "row_id", None))
    flash(ngettext("%(num)d other session has been ended.", "%(num)d other sessions have been ended.", count), "success")
    return redirect(url_for("account.overview"))


@bp.route("/wachtwoord", methods=["GET", "POST"])
@requires(Permission.USE_APP)
def change_password():
    form = ChangePasswordForm()
    form.password_email = current_user.email
    if form.validate_on_submit():
        if auth_services.change_password(current_user, form.current_password.data, form.new_password.data,
                                         keep_session_row=getattr(session, "row_id", None)):
            auth_services.mark_authenticated()
            flash(_("Your password has been changed. Your other sessions have been ended."), "success")
            return redirect(url_for("account.overview"))
        form.current_password.errors.append(_("This password is not correct."))
    return render_template("account/change_password.html", form=form)


@bp.route("/herstelcodes", methods=["POST"])
@requires(Permission.USE_APP, fresh=True)
def new_recovery_codes():
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    codes = services.new_recovery_codes(current_user)
    # Shown in this response only: recovery codes are never stored in readable form.
    return render_template("account/recovery_codes.html", codes=codes, next_url=url_for("account.overview"))
