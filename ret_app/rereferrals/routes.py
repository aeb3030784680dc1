"""The chair's decision on an earlier case of the same youth (from the case page or the intake page).

Load the case through the policy (404 for whoever may not decide it), the link of that case (404 for
another case's link), validate, decide in a savepoint, go back to the page it was taken on."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.cases.access import STALE, case_or_404
from ret_app.extensions import db
from ret_app.models import CaseLink
from ret_app.policy import Permission, requires
from ret_app.rereferrals import services
from ret_app.rereferrals.blueprint import bp
from ret_app.rereferrals.forms import DecisionForm

MESSAGES = {"confirm": lambda: _("Confirmed: the case is a re-referral of the same youth."),
            "dismiss": lambda: _("Dismissed: the earlier case is not linked to this case.")}


@bp.route("/casussen/<int:case_id>/eerdere-casussen/<int:link_id>", methods=["POST"])
@requires(Permission.RUN_INTAKE)
def decide(case_id: int, link_id: int):
    case = case_or_404(case_id, action=audit.Action.UPDATE, detail="rereferral",
                       rule=policy.can_decide_rereferral)
    link = db.session.get(CaseLink, link_id)
    if link is None or link.case_id != case.id:
        web.not_found(object_type="case_link", object_id=link_id, case_id=case.id, action=audit.Action.UPDATE)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    result = web.attempt_or_error(lambda: services.decide(link, current_user, form.decision.data))
    if not result:
        for reason in ([STALE] if result.conflict else result.error.reasons):
            flash(str(reason), "error")
    else:
        flash(MESSAGES[form.decision.data](), "success")
    if form.back.data == "intake":
        return redirect(url_for("cases.intake_decision", case_id=case.id) + "#rereferrals")
    return redirect(url_for("cases.case_page", case_id=case.id) + "#rereferrals")
