"""The network liaison's pages: the escalations sent to their own network (a list by status and age) and
one escalation as far as the network consent covers it — what the escalation holds (why the region's
options are exhausted, what was tried as the case shows it, the question, urgency, expected date) and the
whole exchange; nothing else of the case — with the network's forms: accept or decline (a reason), start
working on it, name a network process director, send advice or a question to the RET, answer, close with
a result.

Thin: load through the policy (404 for a liaison of another network, and at once when the case's network
consent is withdrawn) -> validate -> service in a savepoint -> respond. Bad input next to its field with
everything typed kept; a conflict (someone changed the escalation meanwhile) shows what it says now with
the input kept; the same form sent twice is recorded once (its key)."""

from __future__ import annotations

from typing import Optional

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.escalations import cards, liaison_queries, services
from ret_app.escalations.access import escalation_or_404
from ret_app.escalations.blueprint import bp
from ret_app.escalations.lifecycle import ESCALATION, EXCHANGE_OPEN
from ret_app.escalations.liaison_forms import (
    AnswerForm,
    CloseForm,
    DeclineForm,
    DirectorForm,
    NetworkMessageForm,
    StepForm,
)
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import Escalation, EscalationStatus
from ret_app.policy import Permission, requires
from ret_app.templating import render_page_or_fragment

S = EscalationStatus
STEP_FORMS = {"accept": StepForm, "start": StepForm, "decline": DeclineForm}
# Each form's prefix: several forms on one page, every field id unique.
PREFIXES = {"accept": "accept", "start": "start", "decline": "decline", "director": "director", "message": "msg",
            "answer": "ans", "close": "close"}


def _version(text: Optional[str]) -> Optional[int]:
    return int(text) if text and text.isdigit() and len(text) <= 12 else None


# --- the list -------------------------------------------------------------------------------------

@bp.route("/netwerk/opschalingen")
@requires(Permission.ANSWER_FOR_NETWORK)
def network_list():
    status = request.args.get("status", "")
    status = status if status in liaison_queries.STATUS_FILTERS else ""
    sort = request.args.get("sort", "")
    sort = sort if sort in liaison_queries.SORTS else "status"
    result = liaison_queries.network_escalations(current_user, status=status, sort=sort,
                                                 page=web.int_arg("page", 1))
    return render_page_or_fragment(
        "escalations/liaison/list.html", "escalations/liaison/_rows.html", result=result,
        filters={"status": status, "sort": sort}, statuses=liaison_queries.STATUS_FILTERS,
        sorts=liaison_queries.SORTS, network=liaison_queries.network_of_liaison(current_user))


# --- one escalation -------------------------------------------------------------------------------

def _fresh_forms(escalation: Escalation) -> dict:
    """The forms the network's next steps need, each with a fresh key and the version loaded."""
    data = {"submission_key": services.new_submission_key(), "version": str(escalation.version)}
    offered = {o.name for o in ESCALATION.available(escalation, current_user)}
    forms = {}
    for name in ("accept", "decline", "start"):
        if name in offered:
            forms[name] = STEP_FORMS[name](formdata=None, prefix=PREFIXES[name], data=dict(data))
    if escalation.status in (S.ACCEPTED, S.IN_PROGRESS):
        forms["director"] = DirectorForm(formdata=None, prefix=PREFIXES["director"], data={
            **data, "director_name": escalation.network_director_name,
            "director_organisation": escalation.network_director_organisation})
    if escalation.status in {s.value for s in EXCHANGE_OPEN}:
        forms["message"] = NetworkMessageForm(formdata=None, prefix=PREFIXES["message"], data=dict(data))
    if "answer" in offered:
        forms["answer"] = AnswerForm(formdata=None, prefix=PREFIXES["answer"], data=dict(data))
    if "close" in offered:
        forms["close"] = CloseForm(formdata=None, prefix=PREFIXES["close"], data=dict(data))
    return forms


def _render(escalation: Escalation, *, posted: Optional[tuple[str, object]] = None, conflict=None):
    forms = _fresh_forms(escalation)
    if posted is not None:
        name, form = posted
        if conflict is not None:
            form.version.data = str(escalation.version)  # the input kept; sent again, it goes with what it says now
        forms[name] = form
    blocked = {o.name: o.blocked_by for o in ESCALATION.available(escalation, current_user) if o.blocked_by}
    return render_template("escalations/liaison/page.html", escalation=escalation, p=cards.summary(escalation),
                           forms=forms, blocked=blocked, conflict=conflict, today=dates.today())


def _load(escalation_id: int, action: audit.Action = audit.Action.UPDATE) -> Escalation:
    return escalation_or_404(escalation_id, action=action, rule=policy.can_act_for_network)


def _refusal(escalation: Escalation) -> web.Refusal:
    return web.Refusal("escalation", object_id=escalation.id, case_id=escalation.case_id)


def _respond(escalation_id: int, escalation: Escalation, name: str, form, result, done: str):
    """After a network form: back to the escalation with what was done, or the form again with its
    input and what refused it (a conflict: what the escalation says now, the input kept)."""
    if result:
        flash(done, "success")
        return redirect(url_for("escalations.network_page", escalation_id=escalation_id))
    conflict = None
    if result.conflict:
        db.session.expire_all()
        conflict = {"message": str(result.error.message)}
        escalation = _load(escalation_id)
    return _render(escalation, posted=(name, form), conflict=conflict)


@bp.route("/netwerk/opschalingen/<int:escalation_id>")
@requires(Permission.ANSWER_FOR_NETWORK)
def network_page(escalation_id: int):
    return _render(_load(escalation_id, audit.Action.READ))


@bp.route("/netwerk/opschalingen/<int:escalation_id>/stap/<name>", methods=["POST"])
@requires(Permission.ANSWER_FOR_NETWORK)
def network_step(escalation_id: int, name: str):
    """Accept, decline (with a reason) or start working on the escalation."""
    escalation = _load(escalation_id)
    if name not in STEP_FORMS:
        web.not_found(object_type="escalation", object_id=escalation_id, action=audit.Action.UPDATE,
                      case_id=escalation.case_id)
    form = STEP_FORMS[name](prefix=PREFIXES[name])
    version, key = _version(form.version.data), form.submission_key.data
    work = {
        "accept": lambda: services.accept(escalation, current_user, version, key=key),
        "start": lambda: services.start(escalation, current_user, version, key=key),
        "decline": lambda: services.decline(escalation, current_user, form.reason.data, version, key=key),
    }[name]
    result = web.submit(form, work, refusal=_refusal(escalation))
    return _respond(escalation_id, escalation, name, form, result, str(ESCALATION.by_name[name].done))


@bp.route("/netwerk/opschalingen/<int:escalation_id>/procesregisseur", methods=["POST"])
@requires(Permission.ANSWER_FOR_NETWORK)
def network_director(escalation_id: int):
    escalation = _load(escalation_id)
    form = DirectorForm(prefix=PREFIXES["director"])
    result = web.submit(form, lambda: services.assign_director(
        escalation, current_user, form.director_name.data, form.director_organisation.data,
        _version(form.version.data), key=form.submission_key.data), refusal=_refusal(escalation))
    return _respond(escalation_id, escalation, "director", form, result,
                    _("The network process director has been recorded."))


@bp.route("/netwerk/opschalingen/<int:escalation_id>/bericht", methods=["POST"])
@requires(Permission.ANSWER_FOR_NETWORK)
def network_message(escalation_id: int):
    escalation = _load(escalation_id)
    form = NetworkMessageForm(prefix=PREFIXES["message"])
    result = web.submit(form, lambda: services.add_message(escalation, current_user, form.kind.data, form.text.data,
                                                           form.submission_key.data), refusal=_refusal(escalation))
    return _respond(escalation_id, escalation, "message", form, result, _("Your message has been sent to the RET."))


@bp.route("/netwerk/opschalingen/<int:escalation_id>/antwoord", methods=["POST"])
@requires(Permission.ANSWER_FOR_NETWORK)
def network_answer(escalation_id: int):
    escalation = _load(escalation_id)
    form = AnswerForm(prefix=PREFIXES["answer"])
    result = web.submit(form, lambda: services.answer(escalation, current_user, form.text.data,
                                                      form.submission_key.data, _version(form.version.data)),
                        refusal=_refusal(escalation))
    return _respond(escalation_id, escalation, "answer", form, result, str(ESCALATION.by_name["answer"].done))


@bp.route("/netwerk/opschalingen/<int:escalation_id>/afsluiten", methods=["POST"])
@requires(Permission.ANSWER_FOR_NETWORK)
def network_close(escalation_id: int):
    escalation = _load(escalation_id)
    form = CloseForm(prefix=PREFIXES["close"])
    result = web.submit(form, lambda: services.close(escalation, current_user, form.result.data, form.result_text.data,
                                                     _version(form.version.data), key=form.submission_key.data),
                        refusal=_refusal(escalation))
    return _respond(escalation_id, escalation, "close", form, result, str(ESCALATION.by_name["close"].done))
