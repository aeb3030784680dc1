"""The privacy hub, a case's access log and the register of processing. Thin: load -> policy (a case
of another region: 404, audited) -> validate the filters (Dutch messages next to the fields, the input
kept) -> read (audited) -> respond. No case content is read here: the case row gives its region and
reference only."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ret_app import policy, web
from ret_app.extensions import db
from ret_app.models import Case
from ret_app.policy import Permission, requires
from ret_app.kernel.registry import build_cards
from ret_app.privacy import access_log, family, register
from ret_app.privacy.blueprint import bp
from ret_app.privacy.forms import AccessLogFilterForm, FindCaseForm

MAX_QUERY = 2000  # characters of query string the page reads
FIELDS = ("kind", "who", "date_from", "date_to")


@bp.route("/privacy")
@requires(Permission.VIEW_PRIVACY_HUB)
def hub():
    region_id = policy.privacy_region(current_user)
    if region_id is None:
        return render_template("privacy/hub.html", sections=[], no_region=True, form=None)
    form = FindCaseForm(request.args if len(request.query_string) <= MAX_QUERY else MultiDict())
    if form.reference.data and form.validate():
        case_id = register.find_case(region_id, form.reference.data)
        if case_id is not None:
            return redirect(url_for("privacy.access_log_page", case_id=case_id))
        form.reference.errors.append(_("No case of your region has this reference."))
    register.record_hub_read(region_id)
    return render_template("privacy/hub.html", sections=build_cards("privacy", current_user),
                           no_region=False, form=form)


@bp.route("/casussen/<int:case_id>/toegangslog")
@requires(Permission.VIEW_ACCESS_LOG)
def access_log_page(case_id: int):
    case = db.session.get(Case, case_id)
    if case is None or not policy.can_see_access_log(current_user, case):
        web.not_found(object_type="access_log", object_id=case_id, case_id=case.id if case else None)
    args = request.args if len(request.query_string) <= MAX_QUERY else MultiDict()
    form = AccessLogFilterForm(MultiDict({k: v for k, v in args.items() if k in FIELDS}))
    form.kind.choices = [("", _("Every kind"))] + [(code, str(label)) for code, label in access_log.KINDS.items()]
    result = None
    if form.validate():
        filters = access_log.Filters(kind=form.kind.data or "", who=(form.who.data or "").strip(),
                                     date_from=form.date_from.data, date_to=form.date_to.data)
        result = access_log.page(case.id, filters, web.int_arg("page", 1))
    query_args = {"case_id": case.id, **{k: v for k, v in args.items() if k in FIELDS and v}}
    return render_template("privacy/access_log.html", case=case, form=form, result=result, query_args=query_args,
                           export_kind=family.KIND, kinds=access_log.KINDS,
                           shows_names=family.shows_names(case.region_id))


@bp.route("/privacy/verwerkingsregister")
@requires(Permission.VIEW_PROCESSING_REGISTER)
def processing_register():
    register.record_register_read()
    return render_template("privacy/register.html", register=register.REGISTER)
