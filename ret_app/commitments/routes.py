"""The pages of requests and commitments: the case's requests (with the suggestions, an htmx partial
that follows the care type chosen), one request (the provider answers it; the process director
withdraws it; either side records the start and end of a commitment), and a provider member's lists of
requests waiting for their organisation and of its commitments. Thin: load through the policy ->
validate -> service in a savepoint -> respond; bad input next to its field with everything typed kept;
a conflict says what changed, the input kept."""

from __future__ import annotations

from typing import Optional

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.cases.access import case_or_404
from ret_app.collective import care_types
from ret_app.commitments import queries, services, suggestions
from ret_app.commitments.access import request_or_404
from ret_app.commitments.blueprint import bp
from ret_app.commitments.forms import AnswerForm, EndForm, RequestForm, StartForm, WithdrawForm
from ret_app.commitments.lifecycle import REQUEST
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.labels import DOMAIN_LABELS
from ret_app.policy import Permission, requires
from ret_app.templating import render_page_or_fragment


def _version(text: Optional[str]) -> Optional[int]:
    return int(text) if text and text.isdigit() and len(text) <= 12 else None


# --- the case's requests ---------------------------------------------------------------------------

def _request_form(case, *, posted: bool) -> RequestForm:
    if posted:
        form = RequestForm()
    else:
        form = RequestForm(formdata=None, data={"reply_by": services.default_reply_by(case),
                                                "submission_key": services.new_submission_key()})
    form.care_type.choices = [("", "—")] + care_types.choices(case.region_id)
    return form


def _care_type_arg(case, value: Optional[str]) -> str:
    return value if value and care_types.is_known(case.region_id, value) else ""


@bp.route("/casussen/<int:case_id>/verzoeken", methods=["GET", "POST"])
@requires(Permission.WORK_ON_CASES)
def case_requests(case_id: int):
    posted = request.method == "POST"
    case = case_or_404(case_id, action=audit.Action.CREATE if posted else audit.Action.READ, detail="requests")
    may_ask = policy.can_make_requests(current_user, case)
    if posted and not may_ask:
        return web.refuse(_("Only the process director or the chair asks providers of the collective."),
                          object_type="provider_request", case_id=case.id, action=audit.Action.CREATE)
    form = _request_form(case, posted=posted) if may_ask else None
    if posted:
        result = web.submit(form, lambda: services.make_requests(case, current_user, form.data),
                            refusal=web.Refusal("provider_request", case_id=case.id, action=audit.Action.CREATE))
        if result:
            made, created = result.value
            if created:
                flash(_("The request has been sent to: %(names)s.",
                        names=", ".join(r.organisation.name for r in made)), "success")
            return redirect(url_for("commitments.case_requests", case_id=case.id))
    care_type = _care_type_arg(case, form.care_type.data if form is not None else None)
    rows = [r for r in queries.case_requests(case) if policy.can_view_request(current_user, r)]
    return render_template(
        "commitments/case_requests.html", case=case, form=form, rows=rows, today=dates.today(),
        suggestions=suggestions.rank(case, care_type) if may_ask else [], care_type=care_type,
        chosen={str(v) for v in (form.providers.data or [])} if form is not None else set(),
        rule=suggestions.RULE, domains=suggestions.serious_domains(case) if may_ask else {}, domain_labels=DOMAIN_LABELS,
        care_type_names=care_types.names(case.region_id), crisis_backup=queries.crisis_backup(case),
        default_reply_by=services.default_reply_by(case), reply_days=services.reply_days(case.region_id, case.urgency))


@bp.route("/casussen/<int:case_id>/verzoeken/suggesties")
@requires(Permission.WORK_ON_CASES)
def suggestions_list(case_id: int):
    """The ranked providers for the care type chosen (htmx swaps the list in the request form)."""
    case = case_or_404(case_id, detail="suggestions", rule=policy.can_see_suggestions)
    care_type = _care_type_arg(case, request.args.get("care_type"))
    chosen = set(request.args.getlist("providers"))
    context = dict(case=case, suggestions=suggestions.rank(case, care_type), care_type=care_type, chosen=chosen,
                   rule=suggestions.RULE, domains=suggestions.serious_domains(case), domain_labels=DOMAIN_LABELS, form=_request_form(case, posted=False),
                   care_type_names=care_types.names(case.region_id))
    return render_page_or_fragment("commitments/suggestions_page.html", "commitments/_suggestions.html", **context)


# --- one request -----------------------------------------------------------------------------------

def _answer_form(req, *, posted: bool) -> AnswerForm:
    if posted:
        return AnswerForm()
    return AnswerForm(formdata=None, data={"answer_key": services.new_submission_key(), "version": str(req.version)})


def _render_request(req, *, answer_form=None, withdraw_form=None, start_form=None, end_form=None, conflict=None,
                    status=200):
    may_answer = policy.can_answer_request(current_user, req) and req.status == "requested"
    may_withdraw = policy.can_withdraw_request(current_user, req) and req.status == "requested"
    may_run = policy.can_run_commitment(current_user, req)
    version = {"version": str(req.version)}
    return render_template(
        "commitments/request.html", req=req, case=req.case, today=dates.today(), conflict=conflict,
        past=services.is_past_reply_by(req), care_type_names=care_types.names(req.case.region_id),
        age=_age(req.case), ret_side=current_user.role != "provider_member",
        answer_form=answer_form or (_answer_form(req, posted=False) if may_answer else None),
        withdraw_form=withdraw_form or (WithdrawForm(formdata=None, data=version) if may_withdraw else None),
        start_form=start_form or (StartForm(formdata=None, data={**version, "started_on": dates.today()})
                                  if may_run and req.status == "accepted" else None),
        end_form=end_form or (EndForm(formdata=None, data={**version, "ended_on": dates.today()})
                              if may_run and req.status in ("accepted", "started") else None),
    ), status


def _age(case):
    from ret_app.cases import consent

    return consent.age_on(case.youth_birth_date, dates.today()) if case.youth_birth_date else None


def _conflict(result) -> Optional[dict]:
    if result.conflict:
        db.session.expire_all()
        return {"message": str(result.error.message)}
    return None


@bp.route("/verzoeken/<int:request_id>", methods=["GET", "POST"])
@requires(Permission.WORK_ON_CASES)
def request_page(request_id: int):
    posted = request.method == "POST"
    req = request_or_404(request_id, action=audit.Action.UPDATE if posted else audit.Action.READ)
    if not posted:
        return _render_request(req)
    if not policy.can_answer_request(current_user, req):
        return web.refuse(_("Only a member of the provider that was asked answers this request."),
                          object_type="provider_request", object_id=req.id, case_id=req.case_id)
    form = _answer_form(req, posted=True)
    decision = request.form.get("decision", "")
    result = web.submit(form, lambda: services.answer(req, current_user, decision, form.data,
                                                      _version(form.version.data)),
                        refusal=web.Refusal("provider_request", object_id=req.id, case_id=req.case_id))
    if result:
        _req, answered = result.value
        if answered:
            flash(str(REQUEST.by_name[decision].done), "success")
        return redirect(url_for("commitments.request_page", request_id=req.id))
    conflict = _conflict(result)
    if conflict:
        req = db.session.get(type(req), request_id)
        form.version.data = str(req.version)
    if req.status != "requested":  # withdrawn or answered meanwhile: nothing left to answer, say why
        conflict = conflict or {"message": str(result.error.message) if result.error else ""}
    return _render_request(req, answer_form=form if req.status == "requested" else None, conflict=conflict)


@bp.route("/verzoeken/<int:request_id>/intrekken", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def request_withdraw(request_id: int):
    req = request_or_404(request_id, action=audit.Action.UPDATE, rule=policy.can_withdraw_request)
    form = WithdrawForm()
    result = web.submit(form, lambda: services.withdraw(req, current_user, form.withdraw_text.data,
                                                        _version(form.version.data)),
                        refusal=web.Refusal("provider_request", object_id=req.id, case_id=req.case_id))
    if result:
        flash(str(REQUEST.by_name["withdraw"].done), "success")
        return redirect(url_for("commitments.case_requests", case_id=req.case_id))
    conflict = _conflict(result)
    if conflict:
        req = db.session.get(type(req), request_id)
    return _render_request(req, withdraw_form=form, conflict=conflict)


def _commitment_step(request_id: int, name: str, form_class, run):
    req = request_or_404(request_id, action=audit.Action.UPDATE, rule=policy.can_run_commitment)
    form = form_class()
    result = web.submit(form, lambda: run(req, form), refusal=web.Refusal("provider_request", object_id=req.id,
                                                                        case_id=req.case_id))
    if result:
        flash(str(REQUEST.by_name[name].done), "success")
        return redirect(url_for("commitments.request_page", request_id=req.id))
    conflict = _conflict(result)
    if conflict:
        req = db.session.get(type(req), request_id)
    return _render_request(req, conflict=conflict, **{f"{name}_form": form})


@bp.route("/verzoeken/<int:request_id>/gestart", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def commitment_start(request_id: int):
    return _commitment_step(request_id, "start", StartForm, lambda req, form: services.start(
        req, current_user, form.started_on.data, _version(form.version.data)))


@bp.route("/verzoeken/<int:request_id>/beeindigd", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def commitment_end(request_id: int):
    return _commitment_step(request_id, "end", EndForm, lambda req, form: services.end(
        req, current_user, form.ended_on.data, _version(form.version.data)))


# --- a provider member's lists -----------------------------------------------------------------------

@bp.route("/verzoeken")
@requires(Permission.KEEP_PROVIDER_PROFILE)
def waiting():
    result = queries.waiting_for_my_organisation(current_user, page=web.int_arg("page", 1))
    return render_page_or_fragment("commitments/waiting.html", "commitments/_waiting_rows.html", result=result,
                                   today=dates.today(), care_type_names=care_types.names(policy.region_of(current_user)))


@bp.route("/toezeggingen")
@requires(Permission.KEEP_PROVIDER_PROFILE)
def my_commitments():
    result = queries.my_commitments(current_user, page=web.int_arg("page", 1))
    return render_page_or_fragment("commitments/commitments.html", "commitments/_commitment_rows.html",
                                   result=result, care_type_names=care_types.names(policy.region_of(current_user)))
