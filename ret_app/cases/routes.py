"""Case list, case page, lifecycle steps and the chair's intake."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ret_app import audit, policy
from ret_app.paging import Page, paginate
from ret_app.cases import history, lifecycle, norms, queries, services
from ret_app.cases.access import case_or_404
from ret_app.cases.blueprint import bp
from ret_app.cases.forms import AdviceForm, IntakeDecisionForm, NewReferralForm, StepForm
from ret_app.cases.lifecycle import TransitionError
from ret_app.cases.referral_routes import STALE
from ret_app.cases.referrals import new_concept
from ret_app.extensions import db
from ret_app.models import CaseStatus, Municipality
from ret_app.policy import Permission, requires
from ret_app.templating import render_page_or_fragment

PAGE_SIZE = 25



def _filters_from_request() -> queries.CaseFilters:
    args = request.args
    status = args.get("status", "")
    return queries.CaseFilters(
        overdue=args.get("overdue") == "1",
        status=status if status in {s.value for s in CaseStatus} else "",
        municipality_id=args.get("municipality", type=int),
        track=args.get("track", "") if args.get("track") in ("consultation", "process_direction", "placement_review") else "",
        urgency=args.get("urgency", "") if args.get("urgency") in ("regular", "urgent", "crisis") else "",
        q=args.get("q", "").strip()[:100],
    )


@bp.route("/casussen")
@requires(Permission.WORK_ON_CASES)
def case_list():
    filters = _filters_from_request()
    page = request.args.get("page", 1, type=int)
    # Audited (and committed) first, so the cases below are loaded once for the page.
    audit.record(audit.Action.SEARCH, object_type="case_list",
                 detail="filters=" + ",".join(k for k, v in vars(filters).items() if v), commit=True)
    stmt = queries.visible_cases(current_user, filters)
    is_overdue = norms.overdue_checker()
    if filters.overdue:
        # Deadlines depend on working days and pauses, so they are computed, not queried.
        overdue = [c for c in db.session.scalars(stmt) if is_overdue(c)]
        result = Page(overdue[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page, PAGE_SIZE, len(overdue) > page * PAGE_SIZE)
        overdue_ids = {c.id for c in result.items}
    else:
        result = paginate(stmt, page, PAGE_SIZE)
        overdue_ids = {c.id for c in result.items if is_overdue(c)}
    query_args = {k: v for k, v in request.args.items() if k != "page"}
    return render_page_or_fragment("cases/list.html", "cases/_list_results.html", result=result, filters=filters,
                                   overdue_ids=overdue_ids, municipalities=_region_municipalities(),
                                   query_args=query_args)


def _region_municipalities() -> list[Municipality]:
    """The municipalities of the user's region (all of them for a user without a region)."""
    stmt = select(Municipality).order_by(Municipality.name)
    if current_user.organisation.region_id:
        stmt = stmt.where(Municipality.region_id == current_user.organisation.region_id)
    return list(db.session.scalars(stmt))


@bp.route("/casussen/nieuw", methods=["GET", "POST"])
@requires(Permission.MAKE_REFERRALS)
def referral_new():
    form = NewReferralForm()
    options = _region_municipalities()
    form.municipality_id.choices = [(None, _("— choose —"))] + [(m.id, m.name) for m in options]
    if request.method == "GET" and current_user.organisation.municipality_id:
        form.municipality_id.data = current_user.organisation.municipality_id
    if form.validate_on_submit():
        if form.municipality_id.data not in {m.id for m in options}:
            form.municipality_id.errors.append(_("Choose a municipality of your region."))
        else:
            case = new_concept(current_user, form.municipality_id.data)
            db.session.commit()
            flash(_("Referral %(ref)s has been started as a concept. You can complete it later.", ref=case.reference), "success")
            return redirect(url_for("cases.referral_edit", case_id=case.id))
    return render_template("cases/new.html", form=form)


@bp.route("/casussen/<int:case_id>")
@requires(Permission.WORK_ON_CASES)
def case_page(case_id: int):
    case = case_or_404(case_id, detail="case_page")
    options = lifecycle.available(case, current_user)
    return render_template("cases/page.html", case=case, options=options, clocks=norms.case_clocks(case),
                           history=history.history(case),
                           clock_labels=norms.CLOCK_LABELS, days_open=norms.working_days_open(case),
                           can_edit_referral=policy.can_edit_referral(current_user, case),
                           is_chair=policy.is_chair_of(current_user, case))


@bp.route("/casussen/<int:case_id>/stap/<name>", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def case_step(case_id: int, name: str):
    case = case_or_404(case_id, action=audit.Action.UPDATE, detail=f"step={name}")
    if name not in lifecycle.BY_NAME or name in ("accept", "return_with_advice"):
        abort(404)  # the intake decision has its own form
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        lifecycle.apply(case, current_user, name, reason=form.reason.data)
        db.session.commit()
    except TransitionError as error:
        db.session.rollback()
        for reason in error.reasons:
            flash(str(reason), "error")
        return redirect(url_for("cases.case_page", case_id=case_id))
    except StaleDataError:
        # Someone else moved the case on at the same moment: nothing of this step was saved.
        db.session.rollback()
        flash(str(STALE), "error")
        return redirect(url_for("cases.case_page", case_id=case_id))
    flash(_("Done: %(step)s.", step=lifecycle.BY_NAME[name].label), "success")
    return redirect(url_for("cases.case_page", case_id=case_id))


@bp.route("/intake")
@requires(Permission.RUN_INTAKE)
def intake_queue():
    cases = db.session.scalars(queries.intake_queue(current_user)).all()
    audit.record(audit.Action.SEARCH, object_type="intake_queue", commit=True)
    return render_template("cases/intake_queue.html", cases=cases)


@bp.route("/casussen/<int:case_id>/intake", methods=["GET", "POST"])
@requires(Permission.RUN_INTAKE)
def intake_decision(case_id: int):
    case = case_or_404(case_id, detail="intake", rule=policy.is_chair_of)
    if case.status not in (CaseStatus.SUBMITTED, CaseStatus.INTAKE):
        flash(_("This case is not waiting for an intake decision."), "warning")
        return redirect(url_for("cases.case_page", case_id=case_id))
    form = IntakeDecisionForm(prefix="accept")
    advice_form = AdviceForm(prefix="advice")
    form.process_director_id.choices = [(None, _("— choose —"))] + [
        (u.id, u.name) for u in services.process_director_candidates(case)]
    if request.method == "GET":
        form.urgency.data = case.urgency
        form.track.data = case.track or ("placement_review" if case.placement_intended else "")
    try:
        if request.form.get("decision") == "accept" and form.validate_on_submit():
            if case.status == CaseStatus.SUBMITTED:
                lifecycle.apply(case, current_user, "start_intake")
            services.accept_into_track(case, current_user, track=form.track.data, urgency=form.urgency.data,
                                       process_director_id=form.process_director_id.data, reason=form.reason.data)
            db.session.commit()
            flash(_("The case has been accepted; the screening can start."), "success")
            return redirect(url_for("cases.case_page", case_id=case_id))
        if request.form.get("decision") == "advice" and advice_form.validate_on_submit():
            services.return_with_advice(case, current_user, advice_form.advice.data)
            db.session.commit()
            flash(_("The case has been answered with advice and returned to the access team."), "success")
            return redirect(url_for("cases.case_page", case_id=case_id))
    except TransitionError as error:
        db.session.rollback()
        case = case_or_404(case_id, action=audit.Action.UPDATE, rule=policy.is_chair_of)
        for reason in error.reasons:
            form.form_errors.append(str(reason))
    except StaleDataError:
        db.session.rollback()
        case = case_or_404(case_id, action=audit.Action.UPDATE, rule=policy.is_chair_of)
        form.form_errors.append(str(STALE))
    return render_template("cases/intake.html", case=case, form=form, advice_form=advice_form)
