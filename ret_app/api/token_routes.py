"""The administrator's pages for the API's tokens (/beheer/api-sleutels): the list, issuing one (its
secret shown once, on the answer to the form itself: never in a URL, a session or a log), rotating
and revoking.

Thin: load (a token of an organisation outside the administrator's regions is 404) -> validate ->
the service in a savepoint -> respond. The services emit the events the audit trail records."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import audit, web
from ret_app.api import services
from ret_app.api.blueprint import tokens_bp
from ret_app.api.forms import TokenActionForm, TokenForm
from ret_app.kernel import dates, submissions
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import STALE
from ret_app.policy import Permission, requires


def _secret_page(issued: services.Issued, rotated: bool):
    """The one page that shows a secret: never cached, never stored."""
    response = make_response(render_template("api/token_secret.html", token=issued.token, secret=issued.secret,
                                             rotated=rotated, expires_on=services.expires_on(issued.token)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _token_or_404(token_id: int):
    token = services.administered_token(current_user, token_id)
    if token is None:
        web.not_found(object_type="api_token", object_id=token_id)
    return token


@tokens_bp.route("/api-sleutels")
@requires(Permission.MANAGE_REFERENCE_DATA)
def tokens():
    return render_template("api/tokens.html", result=services.tokens_for(current_user, web.int_arg("page", 1)),
                           query_args={}, now=utcnow(), expires_on=services.expires_on, form=TokenActionForm())


@tokens_bp.route("/api-sleutels/nieuw", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA, fresh=True)
def token_new():
    form = TokenForm()
    form.organisation_id.choices = [("", _("— choose —"))] + services.holder_choices(current_user)
    if not form.is_submitted():
        form.submission_key.data = submissions.new_key()
        form.expires_on.data = dates.today() + timedelta(days=services.DEFAULT_VALIDITY_DAYS)
    result = web.submit(form, lambda: services.issue(current_user, form.organisation_id.data, form.name.data or "",
                                                     form.expires_on.data, form.submission_key.data),
                        refusal=web.Refusal("api_token", action=audit.Action.CREATE) if form.is_submitted() else None)
    if result:
        if result.value is None:
            flash(_("This token was issued already; its secret was shown then and cannot be shown again. "
                    "Renew the token if the secret was not saved."), "warning")
            return redirect(url_for("api_tokens.tokens"))
        return _secret_page(result.value, rotated=False)
    return render_template("api/token_new.html", form=form)


@tokens_bp.route("/api-sleutels/<int:token_id>/vernieuwen", methods=["POST"])
@requires(Permission.MANAGE_REFERENCE_DATA, fresh=True)
def token_rotate(token_id: int):
    token = _token_or_404(token_id)
    form = TokenActionForm()
    result = web.submit(form, lambda: services.rotate(token, current_user),
                        refusal=web.Refusal("api_token", object_id=token.id), show=False)
    if result:
        return _secret_page(result.value, rotated=True)
    _flash_failure(result)
    return redirect(url_for("api_tokens.tokens"))


@tokens_bp.route("/api-sleutels/<int:token_id>/intrekken", methods=["POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def token_revoke(token_id: int):
    token = _token_or_404(token_id)
    form = TokenActionForm()
    result = web.submit(form, lambda: services.revoke(token, current_user),
                        refusal=web.Refusal("api_token", object_id=token.id), show=False)
    if result:
        flash(_("The token has been revoked: the monitor can no longer use it.") if result.value
              else _("This token was revoked already."), "success")
    else:
        _flash_failure(result)
    return redirect(url_for("api_tokens.tokens"))


def _flash_failure(result: web.Result) -> None:
    if result.conflict:
        flash(str(STALE), "error")
    elif result.error is not None:
        flash(str(result.error.message), "error")
    else:
        flash(_("The form has expired. Reload the page and try again."), "error")
