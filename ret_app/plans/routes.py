"""The plan page and its forms: goals (htmx: the goal's block or the goals section comes back), review
moments (the reviews section), agreeing a version, fitting help started, the agreed versions and the
plan as a PDF.

Thin: load the case through the policy (404 when it may not be seen; reads audited there), check who
may act (403 with the reason, audited), validate the form and call the service in a savepoint
(`web.submit`: every error of the form and of the rules at once, nothing typed lost), respond: the
fragment for htmx, a redirect or the whole page (with an alert leading to the form) otherwise. A
fragment that changes the plan brings the plan's state along out of band (its version, for agreeing).
"""

from __future__ import annotations

from typing import Any, Optional

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import policy, web
from ret_app.audit import Action
from ret_app.cases.access import case_or_404
from ret_app.kernel import dates
from ret_app.kernel.errors import STALE
from ret_app.caretypes import services as care_catalogue
from ret_app.models import Case, CaseStatus, Plan, PlanGoal, PlanReview
from ret_app.pdf import pdf_response
from ret_app.plans import report, services
from ret_app.plans.blueprint import bp
from ret_app.plans.forms import AgreeForm, ButtonForm, FittingHelpForm, GoalForm, ReviewPlanForm, ReviewRecordForm
from ret_app.plans.labels import GOAL_STATUS_LABELS, HELP_FITS_LABELS, VOICE_LABELS
from ret_app.policy import Permission, requires
from ret_app.templating import wants_fragment

SECTIONS = {"goals": "doelen", "reviews": "evaluaties", "state": "plan-stand", "fitting_help": "passende-hulp"}


def _plan_url(case_id: int, anchor: Optional[str] = None) -> str:
    return url_for("plans.plan_page", case_id=case_id, _anchor=anchor)


# --- forms as the page shows them ------------------------------------------------------------------

def _goal_form(case: Case, providers, goal: Optional[PlanGoal] = None, form: Optional[GoalForm] = None,
               catalogue: Optional[care_catalogue.Catalogue] = None) -> GoalForm:
    if form is not None:
        return form
    if goal is None:
        return GoalForm(formdata=None, prefix="goal", providers=providers, care_types=_care_types(case, None, catalogue))
    form = GoalForm(formdata=None, prefix=f"g{goal.id}", providers=providers,
                    care_types=_care_types(case, goal, catalogue),
                    data={"text": goal.text, "voiced_by": goal.voiced_by, "status": goal.status,
                          "care_type": goal.care_type or "", "provider_id": goal.provider_id,
                          "provider_name": goal.provider_name or "", "intended_start": goal.intended_start})
    form.version.data = str(goal.version)
    return form


def _posted_goal_form(case: Case, goal: Optional[PlanGoal]) -> GoalForm:
    prefix = f"g{goal.id}" if goal is not None else "goal"
    return GoalForm(prefix=prefix, providers=services.collective_providers(case), care_types=_care_types(case, goal))


def _care_types(case: Case, goal: Optional[PlanGoal] = None,
                catalogue: Optional[care_catalogue.Catalogue] = None) -> list[tuple[str, str]]:
    """The region's care types on offer, and the goal's own (perhaps retired since) so it is kept.
    `catalogue`: the region's catalogue read once for a page with many goals."""
    keep = [goal.care_type] if goal is not None and goal.care_type else []
    return catalogue.choices(keep) if catalogue is not None else care_catalogue.choices(case.region_id, keep)


def _review_form(review: PlanReview, form: Optional[ReviewRecordForm] = None) -> ReviewRecordForm:
    if form is not None:
        return form
    form = ReviewRecordForm(formdata=None, prefix=f"r{review.id}", data={
        # Not held yet: held today, or on the planned day when that has passed.
        "held_on": review.held_on or min(dates.today(), review.planned_on), "help_fits": review.help_fits, "own_judgement": review.own_judgement or "",
        "what_changes": review.what_changes or ""})
    form.version.data = str(review.version)
    return form


def _agree_form(case: Case, plan: Optional[Plan], decisions, form: Optional[AgreeForm] = None) -> AgreeForm:
    """The agree form, carrying the plan's version as it is now (the page shows the plan as it is now)."""
    form = form or AgreeForm(formdata=None, prefix="agree")
    form.decision_id.choices = [(None, _("— not from a session decision —"))] + [
        (d.id, f"{format_date(dates.local_date(d.item.meeting.starts_at), 'd MMMM yyyy')}: {_shorten(d.text)}")
        for d in decisions]
    if plan is not None:
        form.version.data = str(plan.version)
    return form


def _shorten(text: str, length: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


# --- what the page shows ------------------------------------------------------------------------------

def _display(name: str, value: Any, providers, care_names: Optional[dict] = None) -> str:
    """A saved value as the conflict message shows it."""
    if value in (None, ""):
        return "—"
    if name == "status":
        return str(GOAL_STATUS_LABELS.get(value, value))
    if name == "voiced_by":
        return str(VOICE_LABELS.get(value, value))
    if name == "help_fits":
        return str(HELP_FITS_LABELS.get(value, value))
    if name == "care_type":
        return care_catalogue.label(value, care_names)
    if name == "provider_id":
        return next((o.name for o in providers if str(o.id) == str(value)), str(value))
    if name in ("intended_start", "held_on"):
        from datetime import date

        return format_date(date.fromisoformat(value), "d MMMM yyyy")
    return str(value)


def _conflict_view(conflict: services.EditConflict, form, providers, care_names: Optional[dict] = None) -> dict:
    return {"fields": [(name, form[name].label.text) for name in conflict.fields],
            "saved": {name: _display(name, conflict.current.get(name), providers, care_names)
                      for name in conflict.fields}}


def _context(case: Case, plan: Optional[Plan], *, goal_forms: Optional[dict] = None,
             add_form: Optional[GoalForm] = None, review_forms: Optional[dict] = None,
             review_plan_form: Optional[ReviewPlanForm] = None, agree_form: Optional[AgreeForm] = None,
             fitting_form: Optional[FittingHelpForm] = None, conflicts: Optional[dict] = None,
             notices: Optional[dict] = None, problems: Optional[dict] = None, form_problem: Optional[dict] = None,
             open_goals=(), open_reviews=()) -> dict:
    may_keep = services.may_keep(current_user, case)
    providers = services.collective_providers(case) if may_keep else []
    goals = list(plan.goals) if plan else []
    reviews = list(plan.reviews) if plan else []
    agreed_ids = services.agreed_goal_ids(plan)
    catalogue = care_catalogue.read(case.region_id)
    care_names = catalogue.names
    goal_forms = goal_forms or {}
    review_forms = review_forms or {}
    fitting_open = may_keep and CaseStatus(case.status) in services.FITTING_HELP_FROM \
        and case.fitting_help_started_on is None
    return {
        "case": case,
        "plan": plan,
        "goals": goals,
        "reviews": reviews,
        "may_keep": may_keep,
        "read_only_reason": services.read_only_reason(case),
        "agreed_ids": agreed_ids,
        "goal_forms": {g.id: _goal_form(case, providers, g, goal_forms.get(g.id), catalogue) for g in goals}
        if may_keep else {},
        "add_form": _goal_form(case, providers, None, add_form, catalogue) if may_keep else None,
        "review_forms": {r.id: _review_form(r, review_forms.get(r.id)) for r in reviews} if may_keep else {},
        "review_plan_form": (review_plan_form or ReviewPlanForm(formdata=None, prefix="review")) if may_keep else None,
        "agree_form": _agree_form(case, plan, services.decisions_of(case), agree_form) if may_keep else None,
        "agree_problem": services.agree_problem(plan),
        # A refused form is shown again whatever the case's state, so that its input and the reason stay.
        "fitting_form": fitting_form if fitting_form is not None else (
            FittingHelpForm(formdata=None, prefix="fit") if fitting_open else None),
        "paused": case.status == "paused",
        "button_form": ButtonForm(formdata=None),
        "next_review": services.next_review(plan),
        "today": dates.today(),
        "conflicts": conflicts or {},
        "notices": notices or {},
        "problems": problems or {},
        "form_problem": form_problem,
        "open_goals": set(open_goals) | set(goal_forms),
        "open_reviews": set(open_reviews) | set(review_forms),
        "sections": SECTIONS,
        "care_type_labels": care_names,
    }


def _page(case: Case, plan: Optional[Plan], **kwargs):
    return render_template("plans/page.html", **_context(case, plan, **kwargs))


def _fragment(template: str, case: Case, plan: Optional[Plan], *, state: bool = True, **kwargs):
    """A section of the page for htmx, with the plan's state out of band (its version changed)."""
    context = _context(case, plan, **kwargs)
    body = render_template(template, **context)
    if state:
        body += render_template("plans/_state.html", oob=True, **context)
    return body


def _to_page(case: Case, anchor: str):
    """After a change that touches the whole page: the page again (htmx: a full load, as a change of
    the address's #part alone would load nothing; the message says what happened)."""
    if wants_fragment():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = _plan_url(case.id)
        return response
    return redirect(_plan_url(case.id, anchor))


def _problem(message: str, anchor: str) -> dict:
    return {"message": message, "anchor": anchor}


def _refuse(case: Case, object_type: str):
    return web.refuse(services.NOT_KEEPER, object_type=object_type, case_id=case.id)


def _refusal(case: Case, object_type: str, object_id: Any = None) -> web.Refusal:
    return web.Refusal(object_type, object_id=object_id, case_id=case.id)


def _goal_or_404(case: Case, plan: Optional[Plan], goal_id: int) -> PlanGoal:
    goal = next((g for g in (plan.goals if plan else ()) if g.id == goal_id), None)
    if goal is None:
        abort(404)
    return goal


def _review_or_404(plan: Optional[Plan], review_id: int) -> PlanReview:
    review = next((r for r in (plan.reviews if plan else ()) if r.id == review_id), None)
    if review is None:
        abort(404)
    return review


# --- the page --------------------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/plan")
@requires(Permission.WORK_ON_CASES)
def plan_page(case_id: int):
    case = case_or_404(case_id, detail="plan")
    return _page(case, services.get(case))


# --- goals -------------------------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/plan/doelen", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def goal_add(case_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="plan_goal")
    if not policy.can_keep_plan(current_user, case):
        return _refuse(case, "plan_goal")
    form = _posted_goal_form(case, None)
    result = web.submit(form, lambda: services.add_goal(case, current_user, form.values(), form.submission_key.data),
                        refusal=_refusal(case, "plan_goal"))
    plan = services.get(case)
    if result:
        notice = _("The goal has been added to the plan.")
        if wants_fragment():
            return _fragment("plans/_goals.html", case, plan, notices={"goals": notice})
        flash(notice, "success")
        return redirect(_plan_url(case.id, f"doel-{result.value.id}"))
    if wants_fragment():
        return _fragment("plans/_goals.html", case, plan, add_form=form, state=False)
    return _page(case, plan, add_form=form, form_problem=_problem(_("The goal has not been added."), "nieuw-doel"))


@bp.route("/casussen/<int:case_id>/plan/doelen/<int:goal_id>", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def goal_save(case_id: int, goal_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="plan_goal")
    plan = services.get(case)
    goal = _goal_or_404(case, plan, goal_id)
    if not policy.can_keep_plan(current_user, case):
        return _refuse(case, "plan_goal")
    form = _posted_goal_form(case, goal)
    result = web.submit(form, lambda: services.save_goal(case, current_user, goal, form.values(), form.version.data),
                        refusal=_refusal(case, "plan_goal", goal.id))
    plan = services.get(case)
    goal = _goal_or_404(case, plan, goal_id)
    if result:
        notice = _("The goal has been saved.") if result.value else _("Nothing was changed.")
        if wants_fragment():
            return _goal_fragment(case, plan, goal, notices={f"goal-{goal.id}": notice}, state=bool(result.value))
        flash(notice, "success")
        return redirect(_plan_url(case.id, f"doel-{goal.id}"))
    conflicts = {}
    if result.conflict:
        conflict = result.error.detail or _race(goal, form, services.goal_values(goal))
        form.version.data = conflict.version
        conflicts[f"goal-{goal.id}"] = _conflict_view(conflict, form, services.collective_providers(case),
                                                          care_catalogue.names(case.region_id))
    if wants_fragment():
        return _goal_fragment(case, plan, goal, goal_forms={goal.id: form}, conflicts=conflicts, state=False)
    return _page(case, plan, goal_forms={goal.id: form}, conflicts=conflicts,
                 form_problem=_problem(_("The goal has not been saved."), f"doel-{goal.id}"))


def _race(row, form, current: dict) -> services.EditConflict:
    """Someone saved between the service's check and its write (the database refused the old
    version): the fields that differ from what is saved now."""
    submitted = {name: "" if form[name].data is None else str(
        form[name].data.isoformat() if hasattr(form[name].data, "isoformat") else form[name].data).strip()
        for name in current}
    fields = [name for name in current if submitted[name] != current[name]] or list(current)
    return services.EditConflict(fields, current, str(row.version))


def _goal_fragment(case: Case, plan: Optional[Plan], goal: PlanGoal, *, state: bool = True, **kwargs):
    context = _context(case, plan, **kwargs)
    body = render_template("plans/_goal.html", goal=goal, **context)
    if state:
        body += render_template("plans/_state.html", oob=True, **context)
    return body


@bp.route("/casussen/<int:case_id>/plan/doelen/<int:goal_id>/verwijderen", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def goal_remove(case_id: int, goal_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="plan_goal")
    plan = services.get(case)
    goal = _goal_or_404(case, plan, goal_id)
    if not policy.can_keep_plan(current_user, case):
        return _refuse(case, "plan_goal")
    if not ButtonForm().validate_on_submit():
        abort(400)
    result = web.attempt_or_error(lambda: services.remove_goal(case, current_user, goal))
    plan = services.get(case)
    if result:
        notice, problem = _("The goal has been removed from the draft."), None
    else:
        notice, problem = None, str(STALE if result.conflict else result.error.message)
        _refusal(case, "plan_goal", goal_id).record(detail="refused")
    if wants_fragment():
        return _fragment("plans/_goals.html", case, plan, notices={"goals": notice} if notice else {},
                         problems={"goals": problem} if problem else {}, state=bool(result))
    flash(notice or problem, "success" if result else "error")
    return redirect(_plan_url(case.id, "doelen"))


# --- review moments ------------------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/plan/evaluaties", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def review_add(case_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="plan_review")
    if not policy.can_keep_plan(current_user, case):
        return _refuse(case, "plan_review")
    form = ReviewPlanForm(prefix="review")
    result = web.submit(form, lambda: services.plan_review(case, current_user, form.planned_on.data,
                                                          form.submission_key.data),
                        refusal=_refusal(case, "plan_review"))
    plan = services.get(case)
    if result:
        notice = _("The review moment of %(date)s is on the plan.",
                   date=format_date(result.value.planned_on, "d MMMM yyyy"))
        if wants_fragment():
            return _fragment("plans/_reviews.html", case, plan, notices={"reviews": notice})
        flash(notice, "success")
        return redirect(_plan_url(case.id, "evaluaties"))
    if wants_fragment():
        return _fragment("plans/_reviews.html", case, plan, review_plan_form=form, state=False)
    return _page(case, plan, review_plan_form=form,
                 form_problem=_problem(_("The review moment has not been planned."), "nieuwe-evaluatie"))


@bp.route("/casussen/<int:case_id>/plan/evaluaties/<int:review_id>", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def review_record(case_id: int, review_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="plan_review")
    plan = services.get(case)
    review = _review_or_404(plan, review_id)
    if not policy.can_keep_plan(current_user, case):
        return _refuse(case, "plan_review")
    form = ReviewRecordForm(prefix=f"r{review.id}")
    result = web.submit(form, lambda: services.record_review(case, current_user, review, form.values(),
                                                             form.version.data),
                        refusal=_refusal(case, "plan_review", review.id))
    plan = services.get(case)
    review = _review_or_404(plan, review_id)
    if result:
        notice = _("What was found at the review has been saved.") if result.value else _("Nothing was changed.")
        if wants_fragment():
            return _fragment("plans/_reviews.html", case, plan, notices={f"review-{review.id}": notice})
        flash(notice, "success")
        return redirect(_plan_url(case.id, f"evaluatie-{review.id}"))
    conflicts = {}
    if result.conflict:
        conflict = result.error.detail or _race(review, form, services.review_values(review))
        form.version.data = conflict.version
        conflicts[f"review-{review.id}"] = _conflict_view(conflict, form, [])
    if wants_fragment():
        return _fragment("plans/_reviews.html", case, plan, review_forms={review.id: form}, conflicts=conflicts,
                         state=False)
    return _page(case, plan, review_forms={review.id: form}, conflicts=conflicts,
                 form_problem=_problem(_("What was found at the review has not been saved."), f"evaluatie-{review.id}"))


@bp.route("/casussen/<int:case_id>/plan/evaluaties/<int:review_id>/annuleren", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def review_cancel(case_id: int, review_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="plan_review")
    plan = services.get(case)
    review = _review_or_404(plan, review_id)
    if not policy.can_keep_plan(current_user, case):
        return _refuse(case, "plan_review")
    if not ButtonForm().validate_on_submit():
        abort(400)
    result = web.attempt_or_error(lambda: services.cancel_review(case, current_user, review))
    plan = services.get(case)
    if result:
        notice, problem = _("The review moment has been taken off the plan."), None
    else:
        notice, problem = None, str(STALE if result.conflict else result.error.message)
        _refusal(case, "plan_review", review_id).record(detail="refused")
    if wants_fragment():
        return _fragment("plans/_reviews.html", case, plan, notices={"reviews": notice} if notice else {},
                         problems={"reviews": problem} if problem else {}, state=bool(result))
    flash(notice or problem, "success" if result else "error")
    return redirect(_plan_url(case.id, "evaluaties"))


# --- agreeing a version, and the agreed versions --------------------------------------------------------

@bp.route("/casussen/<int:case_id>/plan/vaststellen", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def plan_agree(case_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="plan_agree")
    if not policy.can_keep_plan(current_user, case):
        return _refuse(case, "plan_version")
    form = AgreeForm(prefix="agree")
    loaded = form.version.data  # the plan's version the page showed (the page shown again carries today's)
    result = web.submit(form, lambda: services.agree(case, current_user, loaded, form.decision_id.data),
                        refusal=_refusal(case, "plan_version"))
    if result:
        flash(_("Version %(number)s of the plan has been agreed. It stays readable as it is now; later changes "
                "make a new draft.", number=result.value.number), "success")
        return _to_page(case, "plan-stand")
    plan = services.get(case)
    if wants_fragment():
        context = _context(case, plan, agree_form=form)
        return render_template("plans/_state.html", oob=False, **context)
    return _page(case, plan, agree_form=form,
                 form_problem=_problem(_("The plan has not been agreed."), "plan-stand"))


@bp.route("/casussen/<int:case_id>/plan/versies/<int:number>")
@requires(Permission.WORK_ON_CASES)
def version_page(case_id: int, number: int):
    case = case_or_404(case_id, detail="plan_version")
    plan = services.get(case)
    version = services.version_of(plan, number)
    if version is None:
        abort(404)
    return render_template("plans/version.html", case=case, plan=plan, version=version,
                           content=report.version_content(version),
                           care_type_labels=care_catalogue.names(case.region_id))


# --- fitting help started ----------------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/plan/passende-hulp", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def fitting_help(case_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="fitting_help")
    if not policy.can_keep_plan(current_user, case):
        return _refuse(case, "plan")
    form = FittingHelpForm(prefix="fit")
    result = web.submit(form, lambda: services.record_fitting_help(case, current_user, form.started_on.data,
                                                                    form.what.data),
                        refusal=_refusal(case, "plan"))
    if result:
        flash(_("Fitting help started on %(date)s. The case is in the monitoring stage now.",
                date=format_date(case.fitting_help_started_on, "d MMMM yyyy")), "success")
        return _to_page(case, "passende-hulp")
    if result.conflict:
        form.form_errors.append(str(STALE))
    plan = services.get(case)
    if wants_fragment():
        return render_template("plans/_fitting_help.html", **_context(case, plan, fitting_form=form))
    return _page(case, plan, fitting_form=form,
                 form_problem=_problem(_("Fitting help has not been recorded."), "passende-hulp"))


# --- the plan as a PDF ---------------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/plan.pdf")
@requires(Permission.WORK_ON_CASES)
def plan_pdf(case_id: int):
    case = case_or_404(case_id, action=Action.EXPORT, detail="plan_pdf")
    plan = services.get(case)
    number = web.int_arg("versie")
    version = services.version_of(plan, number) if number is not None else None
    if number is not None and version is None:
        abort(404)
    name = f"plan-{case.reference}" + (f"-versie-{version.number}" if version else "") + ".pdf"
    return pdf_response(report.export(case, plan, version), name)

