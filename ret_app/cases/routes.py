"""Case list, case page, lifecycle steps and the chair's intake.

Each route: load through the policy (cases/access.py: 404 when the case may not be seen, reads and
denials audited) -> validate -> call the service in a savepoint (web.submit) -> respond. The unit of
work commits at the end of the request."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ret_app import policy, web
from ret_app.audit import Action
from ret_app.cases import lifecycle, norms, queries, search_terms, services, timeline, waiting
from ret_app.cases.access import STALE, case_or_404
from ret_app.cases.blueprint import bp
from ret_app.cases.forms import AdviceForm, IntakeDecisionForm, StepForm
from ret_app.kernel.registry import build_panels
from ret_app.labels import CLOCK_LABELS, DUE_KIND_LABELS
from ret_app.models import Case, CaseStatus, Region, Track, Urgency
from ret_app.policy import Permission, requires
from ret_app.templating import render_page_or_fragment, wants_fragment

PAGE_SIZE = 25
SEARCH_ID = "zoek"  # the URL parameter with the id of a search term kept in the session
INTAKE_PAGE_SIZE = 50


def _filters_from_request() -> queries.CaseFilters:
    """The filters from the posted search form, or from the URL, where the search term is only the
    id it is kept under in the session (search_terms.py: no names in URLs)."""
    args = request.form if request.method == "POST" else request.args
    status, track, urgency = args.get("status", ""), args.get("track", ""), args.get("urgency", "")
    return queries.CaseFilters(
        overdue=args.get("overdue") == "1",
        due_kind=args.get("due_kind", "") if args.get("due_kind", "") in DUE_KIND_LABELS else "",
        mine=args.get("mine") == "1",
        flag=args.get("flag", "") if args.get("flag", "") in queries.list_flags() else "",
        status=status if status in set(CaseStatus) or status == queries.ALL_STATUSES else "",
        municipality_id=web.int_arg("municipality", source=args),
        track=track if track in set(Track) else "",
        urgency=urgency if urgency in set(Urgency) else "",
        q=_clean_term(args["q"]) if "q" in args else search_terms.recall(args.get(SEARCH_ID, "")) or "",
    )


def _clean_term(term: str) -> str:
    return term.replace("\x00", "").strip()[:100]


def _sort_from_request() -> str:
    sort = (request.form if request.method == "POST" else request.args).get("sort", "")
    return sort if sort in queries.SORTS else ""


def _list_args(filters: queries.CaseFilters, search_id: str, sort: str = "") -> dict:
    """The list's URL parameters: the filters, which carry no names, the order and the search term's id."""
    args = {"status": filters.status, "municipality": filters.municipality_id, "track": filters.track,
            "urgency": filters.urgency, "overdue": "1" if filters.overdue else "", "due_kind": filters.due_kind,
            "mine": "1" if filters.mine else "", "flag": filters.flag, "sort": sort,
            SEARCH_ID: search_id}
    return {name: value for name, value in args.items() if value}


@bp.route("/casussen", methods=["GET", "POST"])
@requires(Permission.WORK_ON_CASES)
def case_list():
    filters = _filters_from_request()
    sort = _sort_from_request()
    push_url = None
    if request.method == "POST" or "q" in request.args:
        # A typed term never goes into a URL: the form is POSTed, the term kept in the session, and
        # the list's URL (address bar, history, access log) carries its id. A `?q=` of an old
        # bookmark is moved out of the address the same way.
        search_id = search_terms.keep(filters.q) if filters.q else ""
        list_url = url_for("cases.case_list", **_list_args(filters, search_id, sort))
        if request.method == "GET" or not wants_fragment():
            return redirect(list_url)
        push_url = list_url
    else:
        search_id = request.args.get(SEARCH_ID, "") if filters.q else ""
    asked = queries.PageAsked(after=request.args.get("na"), before=request.args.get("voor"),
                              last=request.args.get("pagina") == "laatste")
    result = queries.search(current_user, filters, asked, PAGE_SIZE, sort)
    response = make_response(render_page_or_fragment(
        "cases/list.html", "cases/_list_results.html", result=result, filters=filters, sort=sort,
        overdue_ids={c.id for c in result.items if norms.is_overdue(c)},
        municipalities=queries.region_municipalities(current_user), due_kinds=DUE_KIND_LABELS,
        flags=queries.list_flags(),
        query_args=_list_args(filters, search_id, sort),
        term_forgotten=bool(request.args.get(SEARCH_ID)) and not filters.q))
    if push_url:
        response.headers["HX-Push-Url"] = push_url
    return response


# The header's municipality and referrer, and the region with its network (the escalations panel): in
# the case's own statement rather than one lazy load each while the page renders.
CASE_PAGE_HEADER = (joinedload(Case.municipality), joinedload(Case.submitting_organisation),
                    joinedload(Case.region).joinedload(Region.network))


@bp.route("/casussen/<int:case_id>")
@requires(Permission.WORK_ON_CASES)
def case_page(case_id: int):
    case = case_or_404(case_id, detail="case_page", load=queries.WITH_CASE_PAGE + CASE_PAGE_HEADER)
    return render_template("cases/page.html", case=case, options=lifecycle.available(case, current_user),
                           intake_steps=lifecycle.INTAKE_STEPS,
                           may_decide_intake=lifecycle.may_decide_intake(current_user, case),
                           clocks=norms.case_clocks(case), clock_labels=CLOCK_LABELS,
                           days_open=norms.working_days_open(case), history=timeline.history(case, current_user),
                           holders=waiting.holders([case]),
                           can_edit_referral=policy.can_edit_referral(current_user, case),
                           panels={slot: build_panels(slot, case, current_user) for slot in ("header", "work", "details")})


@bp.route("/casussen/<int:case_id>/stap/<name>", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def case_step(case_id: int, name: str):
    case = case_or_404(case_id, action=Action.UPDATE, detail=f"step={name}")
    if name not in lifecycle.BY_NAME or name in lifecycle.INTAKE_STEPS:
        abort(404)  # the intake decision has its own form
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    result = web.attempt_or_error(lambda: lifecycle.apply(case, current_user, name, reason=form.reason.data))
    if not result:
        for reason in ([STALE] if result.conflict else result.error.reasons):
            flash(str(reason), "error")
    else:
        flash(str(lifecycle.BY_NAME[name].done), "success")  # what happened, in a sentence
    return redirect(url_for("cases.case_page", case_id=case_id))


@bp.route("/intake")
@requires(Permission.RUN_INTAKE)
def intake_queue():
    overdue = request.args.get("overdue") == "1"
    result = queries.intake_page(current_user, web.int_arg("page", 1), INTAKE_PAGE_SIZE,
                                 overdue=overdue)
    return render_template("cases/intake_queue.html", cases=result.items, result=result, overdue=overdue,
                           counts=queries.intake_counts(current_user),
                           overdue_ids={c.id for c in result.items if norms.is_overdue(c)},
                           query_args={"overdue": "1"} if overdue else {})


@bp.route("/casussen/<int:case_id>/intake", methods=["GET", "POST"])
@requires(Permission.RUN_INTAKE)
def intake_decision(case_id: int):
    case = case_or_404(case_id, detail="intake", rule=policy.is_chair_of, load=queries.WITH_PRIOR_HELP)
    if not lifecycle.may_decide_intake(current_user, case):
        flash(_("This case is not waiting for an intake decision."), "warning")
        return redirect(url_for("cases.case_page", case_id=case_id))
    form = IntakeDecisionForm(prefix="accept")
    advice_form = AdviceForm(prefix="advice")
    form.process_director_id.choices = [(None, _("— choose —"))] + [
        (u.id, u.name) for u in services.process_director_candidates(case)]
    if request.method == "GET":
        form.urgency.data = case.urgency
        form.track.data = case.track or ("placement_review" if case.placement_intended else "")
    decision = request.form.get("decision")
    if decision == "accept":
        result = web.submit(form, lambda: services.accept_into_track(
            case, current_user, track=form.track.data, urgency=form.urgency.data,
            process_director_id=form.process_director_id.data, reason=form.reason.data))
        if result:
            flash(str(lifecycle.BY_NAME["accept"].done), "success")
            return redirect(url_for("cases.case_page", case_id=case_id))
    elif decision == "advice":
        result = web.submit(advice_form, lambda: services.return_with_advice(case, current_user,
                                                                             advice_form.advice.data))
        if result:
            flash(str(lifecycle.BY_NAME["return_with_advice"].done), "success")
            return redirect(url_for("cases.case_page", case_id=case_id))
    else:
        result = None
    if result is not None and result.conflict:
        (advice_form if decision == "advice" else form).form_errors.append(str(STALE))
    return render_template("cases/intake.html", case=case, form=form, advice_form=advice_form,
                           panels={"intake": build_panels("intake", case, current_user)})
