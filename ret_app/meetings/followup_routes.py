"""Follow-up of provisional decisions ("onder voorbehoud"): the list of decisions waiting for the
municipality's answer, for mandate holders and the functional administrator, and the answer form
(confirmed / refused, the date, a note).

The administrator never sees case content: reference, municipality, care type and amount only.
Who may answer is the policy's one rule (`can_answer_provisional`); who may learn that a decision has
been answered, `may_learn_answer`. Thin: load through access.py (denials and reads audited), call the
service in a savepoint, respond.
"""

from __future__ import annotations


from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ret_app import labels, policy, web
from ret_app.caretypes import services as caretypes
from ret_app.kernel import dates
from ret_app.meetings import access, decisions
from ret_app.meetings.blueprint import bp
from ret_app.meetings.common import session_date
from ret_app.meetings.forms import FollowupAnswerForm
from ret_app.models import Decision
from ret_app.policy import Permission, requires


def _row(decision: Decision) -> dict:
    """What the list and the form show of a decision: case content only for who sees the case."""
    meeting = decision.item.meeting
    return {
        "decision": decision,
        "reference": decision.case.reference,
        "municipality": decision.municipality.name,
        "session_day": session_date(meeting),
        "why": labels.FINDING_LABELS.get(decision.mandate_finding or "", _l("No mandate covered this decision.")),
        "sees_case": policy.can_view_case(current_user, decision.case),
    }


@bp.route("/voorbehoud")
@requires(Permission.ANSWER_PROVISIONAL)
def followups():
    waiting = decisions.followup_list(current_user)
    return render_template("meetings/followups.html", rows=[_row(d) for d in waiting],
                           care_names=caretypes.names_for(d.case.region_id for d in waiting))


def _already_answered(decision_id: int):
    """A double submit, a resend after going back, or a colleague who answered first: not an error
    (no 404, no denial in the audit trail) but the list, saying what the answer was. None when the
    decision does not exist, is not answered, or is none of this user's business."""
    decision = access.answered_decision(decision_id)
    if decision is None:
        return None
    flash(_("This decision has already been answered (%(answer)s).",
            answer=labels.DECISION_STATUS_LABELS[decision.status]), "info")
    return redirect(url_for("meetings.followups"))


@bp.route("/voorbehoud/<int:decision_id>", methods=["GET", "POST"])
@requires(Permission.ANSWER_PROVISIONAL)
def followup_answer(decision_id: int):
    answered = _already_answered(decision_id)
    if answered is not None:
        return answered
    decision = access.decision_to_answer_or_404(decision_id, read=request.method == "GET")
    form = FollowupAnswerForm()
    if form.is_submitted():
        # The form's checks and the rules together: every error at once, next to its field.
        result = web.submit(form, lambda: decisions.answer(
            decision, {"answer": form.answer.data, "answer_date": form.answer_date.data,
                       "answer_note": form.answer_note.data}, current_user))
        if result:
            flash(_("The answer of the municipality has been recorded: %(answer)s.",
                    answer=labels.DECISION_STATUS_LABELS[decision.status]), "success")
            return redirect(url_for("meetings.followups"))
        if result.invalid:
            web.Refusal("decision", object_id=decision.id, case_id=decision.case_id).record(detail="invalid")
        else:
            # Someone answered it at the same moment (the version moved under us), or a rule refused it.
            answered = _already_answered(decision_id)
            if answered is not None:
                return answered
            if result.conflict:
                form.form_errors.append(_("Someone else changed this decision at the same moment. Try again."))
    return render_template("meetings/followup_answer.html", row=_row(decision), form=form, today=dates.today(),
                           care_names=caretypes.names(decision.case.region_id))
