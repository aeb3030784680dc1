"""The RET's pages of an escalation: the form (the draft, and escalating it), the escalation with its whole
exchange, and the chair's follow-up (a reminder, a new expected date with its reason, withdrawing) and the
RET's answer to a question of the network. Thin: load through the policy -> validate -> service in a
savepoint -> respond; bad input next to its field with everything typed kept; a conflict says what
changed, the input kept. The escalation dossier (PDF and JSON) is downloaded here by the RET and by the
liaison of the escalation's network alike. (The network liaison's pages: liaison_routes.py.)"""

from __future__ import annotations

from typing import Optional

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.cases.access import case_or_404
from ret_app.escalations import cards, dossier, services
from ret_app.escalations.access import escalation_or_404
from ret_app.escalations.blueprint import bp
from ret_app.escalations.forms import EscalationForm, NewDateForm, ReminderForm, ReplyForm, WithdrawForm
from ret_app.escalations.lifecycle import ESCALATION, FOLLOW_UP, admission_age_refused, network_consent_message
from ret_app.escalations.services import TRIED_GROUPS
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.errors import RuleError
from ret_app.models import Escalation, EscalationStatus
from ret_app.policy import Permission, requires


def _version(text: Optional[str]) -> Optional[int]:
    return int(text) if text and text.isdigit() and len(text) <= 12 else None


# --- the form: the draft, and escalating it ---------------------------------------------------------

def _form(case, draft: Optional[Escalation], *, posted: bool) -> EscalationForm:
    if posted:
        form = EscalationForm()
    elif draft is not None:
        form = EscalationForm(formdata=None, data={
            "why_exhausted": draft.why_exhausted, "question_kind": draft.question_kind or "",
            "question": draft.question, "urgency": draft.urgency, "expected_answer_date": draft.expected_answer_date,
            "tried": [f"{t.kind}:{t.object_id}" for t in draft.tried],
            "submission_key": services.new_submission_key(), "version": str(draft.version)})
    else:
        form = EscalationForm(formdata=None, data={
            "urgency": case.urgency, "expected_answer_date": services.default_expected_date(services.network_of(case)),
            "submission_key": services.new_submission_key()})
    return form


def _blockers(case, existing: Optional[Escalation]) -> list:
    """What stands in the way of escalating now, said before the form is filled in."""
    out = []
    if not services.escalation_possible(case):
        out.append(_("This case is closed (or not taken on by the RET): it cannot be escalated."))
    if services.network_of(case) is None:
        out.append(str(services.NO_NETWORK))
    if existing is not None and existing.status != EscalationStatus.DRAFT:
        out.append(str(services.ONE_OPEN))
    for reason in (network_consent_message(case), admission_age_refused(case)):
        if reason is not None:
            out.append(str(reason))
    return out


@bp.route("/casussen/<int:case_id>/escalatie", methods=["GET", "POST"])
@requires(Permission.WORK_ON_CASES)
def escalation_form(case_id: int):
    posted = request.method == "POST"
    case = case_or_404(case_id, action=audit.Action.CREATE if posted else audit.Action.READ, detail="escalation",
                       rule=policy.can_prepare_escalation)
    existing = services.open_escalation(case)
    if existing is not None and existing.status != EscalationStatus.DRAFT:
        return redirect(url_for("escalations.escalation_page", escalation_id=existing.id))
    draft = existing
    form = _form(case, draft, posted=posted)
    options = services.tried_options(case)
    form.tried.choices = [(o.key, o.label) for o in options]
    conflict = None
    if posted:
        send = request.form.get("action") == "send"
        result = web.submit(form, lambda: services.save(
            case, current_user, {**form.data, "tried": form.tried.data or []}, escalation=draft, send=send,
            loaded_version=_version(form.version.data)),
            refusal=web.Refusal("escalation", object_id=draft.id if draft else None, case_id=case.id,
                                action=audit.Action.UPDATE if draft else audit.Action.CREATE))
        if result:
            escalation, recorded = result.value
            if recorded:
                flash(str(ESCALATION.by_name["send"].done) if escalation.status == EscalationStatus.SENT
                      else _("The draft of the escalation has been saved."), "success")
            return redirect(url_for("cases.case_page", case_id=case.id) + "#escalation-panel")
        if result.conflict:
            db.session.expire_all()
            conflict = {"message": str(result.error.message)}
            draft = services.open_escalation(case)
            if draft is not None:
                form.version.data = str(draft.version)
    network = draft.network if draft is not None else services.network_of(case)
    groups: dict[str, list] = {}
    for option in options:
        groups.setdefault(option.kind, []).append(option)
    return render_template(
        "escalations/form.html", case=case, form=form, draft=draft, network=network, conflict=conflict,
        groups=[(TRIED_GROUPS[kind], items) for kind, items in groups.items()],
        chosen=set(form.tried.data or []), blockers=_blockers(case, existing),
        may_send=policy.is_chair_of(current_user, case), answer_days=services.answer_days(network))


# --- one escalation: the exchange and the RET's follow-up ------------------------------------------------

def _render(escalation: Escalation, *, reminder_form=None, date_form=None, withdraw_form=None, reply_forms=None,
            conflict=None):
    chair = policy.can_send_escalation(current_user, escalation)
    follow_up = escalation.status in {s.value for s in FOLLOW_UP}
    version = {"version": str(escalation.version)}
    questions = services.open_questions(escalation) if policy.can_reply_for_ret(current_user, escalation) else []
    reply_forms = dict(reply_forms or {})
    for question in questions:
        reply_forms.setdefault(question.id, ReplyForm(formdata=None, prefix=f"q{question.id}",
                                                      data={"submission_key": services.new_submission_key()}))
    may_withdraw = policy.can_withdraw_escalation(current_user, escalation) and \
        escalation.status in {s.value for s in ESCALATION.sources("withdraw")}
    return render_template(
        "escalations/page.html", escalation=escalation, case=escalation.case, conflict=conflict,
        today=dates.today(), p=cards.summary(escalation),
        questions=questions, reply_forms=reply_forms,
        reminder_form=reminder_form or (ReminderForm(formdata=None, data={
            "submission_key": services.new_submission_key()}) if chair and follow_up else None),
        date_form=date_form or (NewDateForm(formdata=None, data=version) if chair and follow_up else None),
        withdraw_form=withdraw_form or (WithdrawForm(formdata=None, data=version) if may_withdraw else None),
        may_edit=escalation.status == EscalationStatus.DRAFT and policy.can_prepare_escalation(current_user,
                                                                                             escalation.case),
        dossier_available=dossier.available(escalation),
    )


def _conflict(result, escalation_id: int):
    if result.conflict:
        db.session.expire_all()
        return {"message": str(result.error.message)}, escalation_or_404(escalation_id, action=audit.Action.UPDATE)
    return None, None


@bp.route("/escalaties/<int:escalation_id>")
@requires(Permission.WORK_ON_CASES)
def escalation_page(escalation_id: int):
    return _render(escalation_or_404(escalation_id))


def _refusal(escalation: Escalation) -> web.Refusal:
    return web.Refusal("escalation", object_id=escalation.id, case_id=escalation.case_id)


@bp.route("/escalaties/<int:escalation_id>/herinnering", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def escalation_remind(escalation_id: int):
    escalation = escalation_or_404(escalation_id, action=audit.Action.UPDATE, rule=policy.can_send_escalation)
    form = ReminderForm()
    result = web.submit(form, lambda: services.remind(escalation, current_user, form.note.data,
                                                      form.submission_key.data), refusal=_refusal(escalation))
    if result:
        if result.value[1]:
            flash(_("The reminder has been recorded."), "success")
        return redirect(url_for("escalations.escalation_page", escalation_id=escalation.id))
    return _render(escalation, reminder_form=form)


@bp.route("/escalaties/<int:escalation_id>/nieuwe-datum", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def escalation_new_date(escalation_id: int):
    escalation = escalation_or_404(escalation_id, action=audit.Action.UPDATE, rule=policy.can_send_escalation)
    form = NewDateForm()
    result = web.submit(form, lambda: services.move_date(escalation, current_user, form.new_date.data,
                                                         form.date_reason.data, _version(form.version.data)),
                        refusal=_refusal(escalation))
    if result:
        flash(_("The new expected answer date has been recorded."), "success")
        return redirect(url_for("escalations.escalation_page", escalation_id=escalation.id))
    conflict, fresh = _conflict(result, escalation_id)
    if fresh is not None:
        escalation = fresh
        form.version.data = str(escalation.version)
    return _render(escalation, date_form=form, conflict=conflict)


@bp.route("/escalaties/<int:escalation_id>/intrekken", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def escalation_withdraw(escalation_id: int):
    escalation = escalation_or_404(escalation_id, action=audit.Action.UPDATE, rule=policy.can_withdraw_escalation)
    form = WithdrawForm()
    result = web.submit(form, lambda: services.withdraw(escalation, current_user, form.reason.data,
                                                        _version(form.version.data)), refusal=_refusal(escalation))
    if result:
        flash(str(ESCALATION.by_name["withdraw"].done), "success")
        return redirect(url_for("cases.case_page", case_id=escalation.case_id) + "#escalation-panel")
    conflict, fresh = _conflict(result, escalation_id)
    if fresh is not None:
        escalation = fresh
        form.version.data = str(escalation.version)
    return _render(escalation, withdraw_form=form, conflict=conflict)


@bp.route("/escalaties/<int:escalation_id>/vragen/<int:question_id>/antwoord", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def escalation_reply(escalation_id: int, question_id: int):
    escalation = escalation_or_404(escalation_id, action=audit.Action.UPDATE, rule=policy.can_reply_for_ret)
    form = ReplyForm(prefix=f"q{question_id}")
    result = web.submit(form, lambda: services.reply(escalation, current_user, question_id, form.text.data,
                                                     form.submission_key.data), refusal=_refusal(escalation))
    if result:
        if result.value[1]:
            flash(_("Your answer has been sent to the network."), "success")
        return redirect(url_for("escalations.escalation_page", escalation_id=escalation.id))
    return _render(escalation, reply_forms={question_id: form})


# --- the escalation dossier (the RET and the network's liaison) ------------------------------------------

def _dossier(escalation_id: int, download):
    """The dossier through the policy (404 for whoever may not see the escalation, the denial audited);
    without standing network consent there is none: the RET is told so on the escalation's page, anyone
    else gets 404."""
    escalation = escalation_or_404(escalation_id, action=audit.Action.EXPORT)
    try:
        return download(escalation)
    except RuleError as refused:
        if not policy.sees_escalations(current_user):
            web.not_found(object_type="escalation", object_id=escalation.id, case_id=escalation.case_id,
                          action=audit.Action.EXPORT, detail="dossier unavailable")
        dossier.unavailable(escalation)
        flash(str(refused.message), "error")
        return redirect(url_for("escalations.escalation_page", escalation_id=escalation.id))


@bp.route("/escalaties/<int:escalation_id>/dossier.pdf")
@requires(Permission.USE_APP)
def dossier_pdf(escalation_id: int):
    return _dossier(escalation_id, dossier.pdf_download)


@bp.route("/escalaties/<int:escalation_id>/dossier.json")
@requires(Permission.USE_APP)
def dossier_json(escalation_id: int):
    return _dossier(escalation_id, dossier.json_download)
