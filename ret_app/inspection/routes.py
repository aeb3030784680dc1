"""The chair's pages of inspection and correction requests of a case. Thin: load the case through the
policy (404 for a case that does not exist or that the user may not handle), the request of that case
(404 for another case's), validate, the service in a savepoint, respond; bad input next to its field
with everything typed kept."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.cases.access import STALE, case_or_404
from ret_app.extensions import db
from ret_app.inspection import copy, queries, rights, sections, services
from ret_app.inspection.blueprint import bp
from ret_app.inspection.forms import CorrectionForm, DecisionForm, InspectionForm, StepForm, withheld_form
from ret_app.inspection.lifecycle import INSPECTION, verdict
from ret_app.kernel import dates
from ret_app.models import CorrectionRequest, InspectionRequest, InspectionStatus
from ret_app.policy import Permission, requires


def _case(case_id: int, posted: bool, detail: str):
    return case_or_404(case_id, action=audit.Action.UPDATE if posted else audit.Action.READ, detail=detail,
                       rule=policy.is_chair_of)


def _inspection(case, request_id: int, posted: bool) -> InspectionRequest:
    found = db.session.get(InspectionRequest, request_id)
    if found is None or found.case_id != case.id:
        web.not_found(object_type="inspection_request", object_id=request_id, case_id=case.id,
                      action=audit.Action.UPDATE if posted else audit.Action.READ)
    return found


def _correction(case, correction_id: int, posted: bool) -> CorrectionRequest:
    found = db.session.get(CorrectionRequest, correction_id)
    if found is None or found.case_id != case.id:
        web.not_found(object_type="correction_request", object_id=correction_id, case_id=case.id,
                      action=audit.Action.UPDATE if posted else audit.Action.READ)
    return found


def _member_choices(case):
    return [("", _("— choose —"))] + [(m.id, f"{m.name or '—'}") for m in case.family_members]


def _section_choices():
    return [("", _("— choose —"))] + [(s.code, str(s.title)) for s in sections.sections()]


@bp.route("/casussen/<int:case_id>/inzage", methods=["GET", "POST"])
@requires(Permission.RUN_INTAKE)
def requests_page(case_id: int):
    """The case's inspection and correction requests, and the form of a new inspection request."""
    posted = request.method == "POST"
    case = _case(case_id, posted, "inspection")
    form = InspectionForm() if posted else InspectionForm(formdata=None, data={"received_on": dates.today()})
    form.family_member.choices = _member_choices(case)
    if posted:
        result = web.submit(form, lambda: services.record_inspection(
            case, current_user, kind=form.requester_kind.data, member=_member(case, form.family_member.data),
            name=form.requester_name.data or "", received_on=form.received_on.data,
            youth_objects=form.youth_objects.data, submission_key=form.submission_key.data))
        if result:
            flash(_("The inspection request has been recorded. Check the right next."), "success")
            return redirect(url_for("inspection.inspection_page", case_id=case.id, request_id=result.value.id))
    inspections, corrections = queries.of_case(case.id)
    return render_template("inspection/requests.html", case=case, form=form, inspections=inspections,
                           corrections=corrections, addenda=services.addenda_of(case.id)), (422 if posted else 200)


def _member(case, member_id):
    return next((m for m in case.family_members if m.id == member_id), None) if member_id else None


def _render_inspection(case, found, *, form=None, status=200):
    if form is None:
        data = {"withheld": [w.section for w in found.withheld],
                **{f"reason_{w.section}": w.reason for w in found.withheld}}
        form = withheld_form(sections.sections(), formdata=None, data=data)
    return render_template("inspection/request.html", case=case, r=found, verdict=verdict(found),
                           rule=rights.RULES.get(found.rule or "", None), steps=INSPECTION.available(found, current_user),
                           sections=sections.sections(), form=form, kind=copy.KIND), status


@bp.route("/casussen/<int:case_id>/inzage/<int:request_id>")
@requires(Permission.RUN_INTAKE)
def inspection_page(case_id: int, request_id: int):
    case = _case(case_id, False, "inspection")
    return _render_inspection(case, _inspection(case, request_id, False))


STEPS = ("controleren", "overhandigd")  # check the right; record the handing over


@bp.route("/casussen/<int:case_id>/inzage/<int:request_id>/<step>", methods=["POST"])
@requires(Permission.RUN_INTAKE)
def inspection_step(case_id: int, request_id: int, step: str):
    case = _case(case_id, True, "inspection")
    found = _inspection(case, request_id, True)
    if step not in STEPS:
        web.not_found(object_type="inspection_request", object_id=request_id, case_id=case.id,
                      action=audit.Action.UPDATE)
    form = StepForm()
    work = services.check if step == "controleren" else services.hand_over
    if not form.validate_on_submit():
        flash(_("The form had expired; try again."), "error")
    else:
        result = web.attempt_or_error(lambda: work(found, current_user))
        if not result:
            for reason in ([STALE] if result.conflict else result.error.reasons):
                flash(str(reason), "error")
        elif step == "controleren":
            flash(_("The right of inspection has been checked."), "success" if found.status == InspectionStatus.CHECKED
                  else "error")
        else:
            flash(_("The handing over of the inspection copy has been recorded."), "success")
    return redirect(url_for("inspection.inspection_page", case_id=case.id, request_id=found.id))


@bp.route("/casussen/<int:case_id>/inzage/<int:request_id>/weglaten", methods=["POST"])
@requires(Permission.RUN_INTAKE)
def inspection_withheld(case_id: int, request_id: int):
    case = _case(case_id, True, "inspection")
    found = _inspection(case, request_id, True)
    form = withheld_form(sections.sections())
    codes = set(sections.codes())
    result = web.submit(form, lambda: services.set_withheld(found, current_user, {
        code: getattr(form, f"reason_{code}").data or "" for code in (form.withheld.data or []) if code in codes}))
    if not result:
        if result.conflict:
            flash(str(STALE), "error")
            return redirect(url_for("inspection.inspection_page", case_id=case.id, request_id=found.id))
        return _render_inspection(case, found, form=form, status=422)
    flash(_("The parts withheld from the copy have been saved."), "success")
    return redirect(url_for("inspection.inspection_page", case_id=case.id, request_id=found.id))


@bp.route("/casussen/<int:case_id>/correctieverzoek", methods=["GET", "POST"])
@requires(Permission.RUN_INTAKE)
def correction_form(case_id: int):
    posted = request.method == "POST"
    case = _case(case_id, posted, "correction")
    form = CorrectionForm() if posted else CorrectionForm(formdata=None, data={"received_on": dates.today()})
    form.section.choices = _section_choices()
    if posted:
        result = web.submit(form, lambda: services.record_correction(
            case, current_user, kind=form.requester_kind.data, name=form.requester_name.data or "",
            received_on=form.received_on.data, section=form.section.data or "", asked=form.asked.data or "",
            submission_key=form.submission_key.data))
        if result:
            flash(_("The correction request has been recorded."), "success")
            return redirect(url_for("inspection.correction_page", case_id=case.id, correction_id=result.value.id))
    return render_template("inspection/correction_form.html", case=case, form=form), (422 if posted else 200)


@bp.route("/casussen/<int:case_id>/correctieverzoek/<int:correction_id>", methods=["GET", "POST"])
@requires(Permission.RUN_INTAKE)
def correction_page(case_id: int, correction_id: int):
    posted = request.method == "POST"
    case = _case(case_id, posted, "correction")
    found = _correction(case, correction_id, posted)
    form = DecisionForm() if posted else DecisionForm(formdata=None)
    if posted:
        result = web.submit(form, lambda: services.decide_correction(
            found, current_user, decision=form.decision.data, reason=form.reason.data or "",
            addendum=form.addendum.data or ""))
        if result:
            flash(_("The decision has been recorded."), "success")
            return redirect(url_for("inspection.correction_page", case_id=case.id, correction_id=found.id))
        if result.conflict:
            flash(str(STALE), "error")
    addenda = [a for a in services.addenda_of(case.id).get(found.section, []) if a.correction_request_id == found.id]
    return render_template("inspection/correction.html", case=case, c=found, form=form, addenda=addenda,
                           section_title=sections.title(found.section)), (422 if posted else 200)
