"""Sign-in (password, then TOTP or a recovery code), sign-out, activation, re-authentication.

The routes never commit: the unit of work commits at the end of every answer below 400, so what a
step must keep (a failure counted by the throttle, a code used up, the password set, the sign-in
itself) is saved with the page or redirect that follows it; a refused request (4xx) keeps nothing
but its audit events. The services write the audit events."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_user

from ret_app.auth.blueprint import bp
from ret_app.auth.login import NEXT_KEY
from ret_app.auth import services, totp
from ret_app.auth.forms import (
    ActivationPasswordForm,
    ConfirmPasswordForm,
    EnrolForm,
    LoginForm,
    RecoveryCodeForm,
    TotpForm,
)
from ret_app.models import ActivationPurpose
from ret_app.policy import Permission, public, requires
from ret_app.urls import safe_next

NEUTRAL_LOGIN_ERROR = _l("Signing in did not succeed. Check your e-mail address and password, or try again later.")


def _finish_sign_in(user) -> str:
    """Both factors passed: a fresh session id, then the page the user wanted."""
    nxt = session.get(NEXT_KEY)
    lang = user.locale or session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    services.mark_authenticated()
    session.rotate()  # type: ignore[attr-defined]
    return safe_next(nxt) or url_for("main.start")


@bp.route("/inloggen", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.start"))
    form = LoginForm()
    if request.method == "GET":
        nxt = safe_next(request.args.get("next"))
        if nxt:
            session[NEXT_KEY] = nxt
    error = None
    if form.validate_on_submit():
        user = services.check_password_step(form.email.data, form.password.data)
        if user is not None:
            services.start_pending_second_factor(user)
            return redirect(url_for("auth.second_factor"))
        error = str(NEUTRAL_LOGIN_ERROR)
        form.password.data = ""
    return render_template("auth/login.html", form=form, error=error)


def _second_factor_step(form, *, recovery: bool, template: str, wrong_code_message: str):
    """The second sign-in step, with a TOTP code or a recovery code."""
    user = services.pending_user()
    if user is None:
        flash(_("Sign in with your e-mail address and password first."), "warning")
        return redirect(url_for("auth.login"))
    if form.validate_on_submit():
        result = services.check_second_factor(user, form.code.data, recovery=recovery)
        if result.ok:
            target = _finish_sign_in(user)
            remaining = services.remaining_recovery_codes(user) if recovery else None
            if recovery:
                flash(ngettext("You signed in with a recovery code. You have %(num)d code left; make new ones under My account.",
                               "You signed in with a recovery code. You have %(num)d codes left; make new ones under My account.",
                               remaining), "warning")
            return redirect(target)
        if result.locked:
            services.clear_pending()
            flash(str(NEUTRAL_LOGIN_ERROR), "error")
            return redirect(url_for("auth.login"))
        form.code.errors.append(wrong_code_message)
    return render_template(template, form=form)


@bp.route("/inloggen/verificatie", methods=["GET", "POST"])
@public
def second_factor():
    return _second_factor_step(
        TotpForm(), recovery=False, template="auth/second_factor.html",
        wrong_code_message=_("This code is not correct or has already been used. Wait for the next code and try again."))


@bp.route("/inloggen/herstelcode", methods=["GET", "POST"])
@public
def recovery_code():
    return _second_factor_step(
        RecoveryCodeForm(), recovery=True, template="auth/recovery_code.html",
        wrong_code_message=_("This recovery code is not correct or has already been used."))


@bp.route("/uitloggen", methods=["POST"])
@public
def logout():
    if current_user.is_authenticated:
        services.record_sign_out(current_user)
    session.end("logout")  # type: ignore[attr-defined]
    response = redirect(url_for("auth.login", uitgelogd=1))
    return response


@bp.route("/herbevestigen", methods=["GET", "POST"])
@requires(Permission.USE_APP)
def reauthenticate():
    form = ConfirmPasswordForm()
    nxt = safe_next(request.args.get("next")) or url_for("main.start")
    if form.validate_on_submit():
        if services.reauthenticate(current_user, form.password.data):
            return redirect(nxt)
        form.password.errors.append(_("This password is not correct."))
    return render_template("auth/reauthenticate.html", form=form)


# --- activation ---------------------------------------------------------------------

ENROL_KEY = "enrol"


@bp.route("/activeren/<token>", methods=["GET", "POST"])
@public
def activate(token: str):
    act, problem = services.check_activation(token)
    if problem is not None:
        # The browser that used this link comes back to it (the back button): it continues there.
        pending, pending_problem = services.pending_enrolment(*_enrol_ids())
        if pending_problem is None and services.is_link_of(pending, token):
            return redirect(url_for("auth.enrol"))
        services.record_invalid_activation(act, f"link_{problem}")
        return render_template("auth/activation_invalid.html"), 404
    if current_user.is_authenticated and current_user.id != act.user_id:
        flash(_("Sign out first: this link is for another account."), "warning")
        return redirect(url_for("main.start"))
    reset = act.purpose == ActivationPurpose.RESET_2FA.value
    if reset:
        form = ConfirmPasswordForm()
        if form.validate_on_submit():
            if services.confirm_activation_password(act, form.password.data):
                return _start_enrolment(act)
            if act.used_at is not None:  # another request used the link first
                return render_template("auth/activation_invalid.html"), 404
            form.password.errors.append(_("This password is not correct."))
    else:
        form = ActivationPasswordForm()
        form.password_email = act.user.email
        if form.validate_on_submit():
            if not services.set_activation_password(act, form.new_password.data):
                return render_template("auth/activation_invalid.html"), 404
            return _start_enrolment(act)
    return render_template("auth/activate.html", form=form, act=act, reset=reset)


def _enrol_ids() -> tuple:
    state = session.get(ENROL_KEY) or {}
    return state.get("activation_id"), state.get("user_id")


def _start_enrolment(act):
    """The link is used up now; the second factor is enrolled in this browser session only (the
    activation's id and the new secret are kept in the server-side session)."""
    session[ENROL_KEY] = {"activation_id": act.id, "secret": totp.new_secret(), "user_id": act.user_id}
    return redirect(url_for("auth.enrol"))


@bp.route("/activeren/tweede-factor", methods=["GET", "POST"])
@public
def enrol():
    act, problem = services.pending_enrolment(*_enrol_ids())
    if problem is not None:
        session.pop(ENROL_KEY, None)
        services.record_invalid_activation(act, problem)
        return render_template("auth/activation_invalid.html"), 404
    state = session[ENROL_KEY]
    secret = state["secret"]
    form = EnrolForm()
    if form.validate_on_submit():
        codes = services.complete_enrolment(act, secret, form.code.data)
        if codes is not None:
            session.pop(ENROL_KEY, None)
            target = _finish_sign_in(act.user)
            # Shown in this response only: recovery codes are never stored in readable form.
            return render_template("account/recovery_codes.html", codes=codes, next_url=target)
        form.code.errors.append(_("This code is not correct. Check that the time on your phone is right and enter the current code."))
    uri = totp.provisioning_uri(secret, act.user.email, current_app.config["TOTP_ISSUER"])
    return render_template("auth/enrol.html", form=form, qr=totp.qr_svg_data_uri(uri), secret=secret, act=act)
