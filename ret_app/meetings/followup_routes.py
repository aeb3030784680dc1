"""Follow-up of provisional decisions ("onder voorbehoud"): the list of decisions waiting for the
municipality's answer, for mandate holders and the functional administrator, and the answer form
(confirmed / refused, the date, a note).

The administrator never sees case content: reference, municipality, care type and amount only.
"""

from __future__ import annotations


from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import exists, select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ret_app import audit, policy
from ret_app.forms import REQUIRED
from ret_app.forms import date_field, not_in_future
from ret_app.extensions import db
from ret_app import labels
from ret_app.meetings import decisions
from ret_app.meetings.blueprint import bp
from ret_app.meetings.common import RuleError, session_date
from ret_app.models import Decision, DecisionStatus, Mandate, Role, User
from ret_app.policy import Permission, requires
from ret_app.kernel import dates

ANSWER_CHOICES = [(DecisionStatus.CONFIRMED.value, _l("Confirmed: the municipality commits the help")),
                  (DecisionStatus.REFUSED.value, _l("Refused: the municipality does not commit the help"))]


class FollowupAnswerForm(FlaskForm):
    answer = RadioField(_l("The municipality's answer"), choices=ANSWER_CHOICES,
                        validators=[InputRequired(message=_l("Choose confirmed or refused."))])
    answer_date = date_field(_l("Date of the answer"), InputRequired(message=REQUIRED), not_in_future)
    answer_note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])


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
    waiting = decisions.provisional_for(current_user)
    audit.record(audit.Action.SEARCH, object_type="provisional_decisions", detail=f"count={len(waiting)}")
    return render_template("meetings/followups.html", rows=[_row(d) for d in waiting])


ANSWERED = (DecisionStatus.CONFIRMED.value, DecisionStatus.REFUSED.value)


def _could_have_answered(user: User, decision: Decision) -> bool:
    """Someone who may learn that this decision has been answered: who could have answered it — the
    functional administrator, or a holder of a mandate of its municipality (`can_answer_provisional`
    asks more: a mandate that covers it, while it waits)."""
    if not policy.can(Permission.ANSWER_PROVISIONAL, user):
        return False
    if Role(user.role) is Role.ADMIN:
        return True
    return policy.may_hold_mandate(user) and bool(db.session.scalar(select(exists().where(
        Mandate.holder_id == user.id, Mandate.municipality_id == decision.municipality_id))))


def _already_answered(decision_id: int):
    """A double submit, a resend after going back, or a colleague who answered first: not an error
    (no 404, no denial in the audit trail) but the list, saying what the answer was. None when the
    decision does not exist, is not answered, or is none of this user's business."""
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.status not in ANSWERED or not _could_have_answered(current_user, decision):
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
    decision = db.session.get(Decision, decision_id)
    if decision is None or not policy.can_answer_provisional(current_user, decision):
        audit.record(audit.Action.UPDATE, outcome=audit.Outcome.DENIED, object_type="decision",
                     object_id=decision_id, case_id=decision.case_id if decision else None)
        abort(404)
    form = FollowupAnswerForm()
    if form.validate_on_submit():
        try:
            decisions.answer(decision, {"answer": form.answer.data, "answer_date": form.answer_date.data,
                                        "answer_note": form.answer_note.data}, current_user)
            db.session.commit()
        except StaleDataError:
            # Someone answered it at the same moment (the version moved under us).
            db.session.rollback()
            answered = _already_answered(decision_id)
            if answered is not None:
                return answered
            decision = db.session.get(Decision, decision_id)
            if decision is None:
                abort(404)
            form.form_errors.append(_("Someone else changed this decision at the same moment. Try again."))
        except RuleError as error:
            db.session.rollback()
            answered = _already_answered(decision_id)
            if answered is not None:
                return answered
            decision = db.session.get(Decision, decision_id)
            field = form[error.field] if error.field in ("answer", "answer_date", "answer_note") else None
            if field is not None:
                field.errors = list(field.errors) + [str(error.message)]
            else:
                form.form_errors.append(str(error.message))
        else:
            flash(_("The answer of the municipality has been recorded: %(answer)s.",
                    answer=labels.DECISION_STATUS_LABELS[decision.status]), "success")
            return redirect(url_for("meetings.followups"))
    else:
        if form.is_submitted():
            audit.record(audit.Action.UPDATE, outcome=audit.Outcome.FAILED, object_type="decision",
                         object_id=decision.id, case_id=decision.case_id, detail="invalid")
        else:
            audit.record(audit.Action.READ, object_type="decision", object_id=decision.id,
                         case_id=decision.case_id)
    return render_template("meetings/followup_answer.html", row=_row(decision), form=form, today=dates.today())
