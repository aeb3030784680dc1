"""Erasure, legal holds, retention and the destruction list: the chair of the region (and its privacy
officer). Load -> the region's rule (404 for whoever does not handle the region: a case's existence does
not leak) -> validate -> service in a savepoint -> respond. The pages show a case's reference, status,
closing month and retention only: no case content."""

from __future__ import annotations

from typing import Optional

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ret_app import audit, policy, web
from ret_app.erasure import purge, services
from ret_app.erasure.blueprint import bp
from ret_app.erasure.forms import DecisionForm, HoldForm, LiftForm, RequestForm, RetentionForm, TakeOffForm
from ret_app.extensions import db
from ret_app.paging import paginate
from ret_app.models import (
    Case, CaseStatus, DestructionEntry, DestructionList, ErasureRecord, ErasureRequest, LegalHold,
)
from ret_app.policy import Permission, requires


def _case_or_404(case_id: int, action=audit.Action.READ) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or case.status == CaseStatus.CONCEPT or not policy.can_handle_privacy_requests(current_user, case.region_id):
        web.not_found(object_type="case", object_id=case_id, case_id=case.id if case else None, action=action,
                      detail="erasure")
    return case


def _case_page(case: Case, *, request_form=None, hold_form=None, lift_form=None, retention_form=None,
               status: int = 200):
    hold = services.active_hold(case.id)
    requests = list(db.session.scalars(select(ErasureRequest).where(ErasureRequest.case_id == case.id)
                                       .order_by(ErasureRequest.id.desc())))
    holds = list(db.session.scalars(select(LegalHold).options(selectinload(LegalHold.placed_by))
                                    .where(LegalHold.case_id == case.id).order_by(LegalHold.id.desc())))
    record = db.session.scalar(select(ErasureRecord).where(ErasureRecord.case_id == case.id))
    services.shown("retention", case.id, case.id)
    return render_template(
        "erasure/case.html", case=case, hold=hold, holds=holds, requests=requests, record=record,
        years=services.retention_years(case.region_id), computed=services.computed_retain_until(case),
        request_form=request_form or RequestForm(formdata=None), hold_form=hold_form or HoldForm(formdata=None),
        lift_form=lift_form or LiftForm(formdata=None),
        retention_form=retention_form or RetentionForm(formdata=None, until=case.retention_extended_until)), status


@bp.route("/casussen/<int:case_id>/bewaren-en-verwijderen")
@requires(Permission.HANDLE_ERASURE)
def case_privacy(case_id: int):
    return _case_page(_case_or_404(case_id))


@bp.route("/casussen/<int:case_id>/verwijderverzoeken", methods=["POST"])
@requires(Permission.HANDLE_ERASURE)
def request_record(case_id: int):
    case = _case_or_404(case_id, audit.Action.CREATE)
    form = RequestForm()
    result = web.submit(form, lambda: services.record_request(
        case, current_user, requester_kind=form.requester_kind.data, requester_name=form.requester_name.data,
        received_on=form.received_on.data, submission_key=form.submission_key.data))
    if not result:
        return _case_page(case, request_form=form, status=200)
    flash(_("The erasure request has been recorded. Decide it before %(day)s.",
            day=result.value.due_on.strftime("%d-%m-%Y")), "success")
    return redirect(url_for("erasure.request_page", request_id=result.value.id))


@bp.route("/casussen/<int:case_id>/bewaring", methods=["POST"])
@requires(Permission.HANDLE_ERASURE)
def hold_place(case_id: int):
    case = _case_or_404(case_id, audit.Action.CREATE)
    form = HoldForm()
    result = web.submit(form, lambda: services.place_hold(case, current_user, form.reason.data))
    if not result:
        return _case_page(case, hold_form=form, status=200)
    flash(_("The case is on legal hold: it will not be removed until the hold is lifted."), "success")
    return redirect(url_for("erasure.case_privacy", case_id=case.id))


@bp.route("/casussen/<int:case_id>/bewaring/<int:hold_id>/opheffen", methods=["POST"])
@requires(Permission.HANDLE_ERASURE)
def hold_lift(case_id: int, hold_id: int):
    case = _case_or_404(case_id, audit.Action.UPDATE)
    hold = db.session.get(LegalHold, hold_id)
    if hold is None or hold.case_id != case.id:
        web.not_found(object_type="legal_hold", object_id=hold_id, case_id=case.id, action=audit.Action.UPDATE)
    form = LiftForm()
    result = web.submit(form, lambda: services.lift_hold(hold, current_user, form.reason.data))
    if not result:
        return _case_page(case, lift_form=form, status=200)
    flash(_("The legal hold has been lifted."), "success")
    return redirect(url_for("erasure.case_privacy", case_id=case.id))


@bp.route("/casussen/<int:case_id>/bewaartermijn", methods=["POST"])
@requires(Permission.HANDLE_ERASURE)
def retention_extend(case_id: int):
    case = _case_or_404(case_id, audit.Action.UPDATE)
    form = RetentionForm()
    result = web.submit(form, lambda: services.extend_retention(case, current_user, form.until.data,
                                                                form.reason.data))
    if not result:
        return _case_page(case, retention_form=form, status=200)
    flash(_("The retention period has been changed."), "success")
    return redirect(url_for("erasure.case_privacy", case_id=case.id))


def _request_or_404(request_id: int, action=audit.Action.READ) -> ErasureRequest:
    request = db.session.get(ErasureRequest, request_id)
    if request is None or not policy.can_handle_privacy_requests(current_user, request.region_id):
        web.not_found(object_type="erasure_request", object_id=request_id, action=action)
    return request


@bp.route("/verwijderverzoeken/<int:request_id>", methods=["GET", "POST"])
@requires(Permission.HANDLE_ERASURE)
def request_page(request_id: int):
    request = _request_or_404(request_id)
    case = db.session.get(Case, request.case_id)
    form = DecisionForm()
    status = 200
    if form.is_submitted():
        def decide():
            if form.decision.data == "grant":
                return services.grant_request(request, current_user)
            return services.refuse_request(request, current_user, ground=form.ground.data or "",
                                           reason=form.reason.data or "")
        result = web.submit(form, decide)
        if result:
            flash(_("The case has been erased.") if form.decision.data == "grant"
                  else _("The request has been refused."), "success")
            return redirect(url_for("erasure.request_page", request_id=request.id))
        status = 200
    else:
        services.shown("erasure_request", request.id, case.id)
    return render_template("erasure/request.html", request=request, case=case, form=form,
                           hold=services.active_hold(case.id)), status


@bp.route("/privacy/verwijdering")
@requires(Permission.HANDLE_ERASURE)
def overview():
    region_id = policy.privacy_region(current_user)
    requests = list(db.session.scalars(select(ErasureRequest).options(selectinload(ErasureRequest.case))
                                       .where(ErasureRequest.region_id == region_id,
                                              ErasureRequest.status == "received")
                                       .order_by(ErasureRequest.due_on, ErasureRequest.id)))
    holds = list(db.session.scalars(select(LegalHold).join(Case, Case.id == LegalHold.case_id)
                                    .options(selectinload(LegalHold.placed_by))
                                    .where(Case.region_id == region_id, LegalHold.lifted_at.is_(None))
                                    .order_by(LegalHold.placed_at)))
    hold_cases = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_([h.case_id for h in holds])))}
    lists = list(db.session.scalars(select(DestructionList).options(selectinload(DestructionList.entries))
                                    .where(DestructionList.region_id == region_id)
                                    .order_by(DestructionList.id.desc()).limit(10)))
    records = list(db.session.scalars(select(ErasureRecord).where(ErasureRecord.region_id == region_id)
                                      .order_by(ErasureRecord.erased_at.desc()).limit(20)))
    services.shown("erasure_overview", region_id)
    return render_template("erasure/overview.html", requests=requests, holds=holds, hold_cases=hold_cases,
                           lists=lists, records=records, years=services.retention_years(region_id),
                           today=services.dates.today())


def _list_or_404(list_id: int, action=audit.Action.READ) -> DestructionList:
    destruction_list = db.session.get(DestructionList, list_id)
    if destruction_list is None or not policy.can_handle_privacy_requests(current_user, destruction_list.region_id):
        web.not_found(object_type="destruction_list", object_id=list_id, action=action)
    return destruction_list


ENTRIES_PER_PAGE = 50


def _list_page(destruction_list: DestructionList, *, take_off_form=None, failed_entry: Optional[int] = None,
               status: int = 200):
    """A page of the list's entries (paged in SQL: a region's first list can hold years of cases), with the
    list's totals in one query."""
    result = paginate(select(DestructionEntry).options(selectinload(DestructionEntry.case))
                      .where(DestructionEntry.list_id == destruction_list.id).order_by(DestructionEntry.id),
                      web.int_arg("page", 1), ENTRIES_PER_PAGE)
    held = {h.case_id for h in db.session.scalars(select(LegalHold).where(
        LegalHold.case_id.in_([e.case_id for e in result.items]), LegalHold.lifted_at.is_(None)))}
    services.shown("destruction_list", destruction_list.id)
    return render_template(
        "erasure/list.html", destruction_list=destruction_list, entries=result.items, result=result,
        query_args={"list_id": destruction_list.id}, totals=services.list_totals(destruction_list.id), held=held,
        take_off_form=take_off_form or TakeOffForm(formdata=None), failed_entry=failed_entry,
        may_approve=policy.can_approve_destruction(current_user, destruction_list.region_id)), status


@bp.route("/vernietigingslijsten/<int:list_id>")
@requires(Permission.HANDLE_ERASURE)
def list_page(list_id: int):
    return _list_page(_list_or_404(list_id))


@bp.route("/vernietigingslijsten/<int:list_id>/regels/<int:entry_id>/afvoeren", methods=["POST"])
@requires(Permission.HANDLE_ERASURE)
def entry_take_off(list_id: int, entry_id: int):
    destruction_list = _list_or_404(list_id, audit.Action.UPDATE)
    entry = db.session.get(DestructionEntry, entry_id)
    if entry is None or entry.list_id != destruction_list.id:
        web.not_found(object_type="destruction_entry", object_id=entry_id, action=audit.Action.UPDATE)
    form = TakeOffForm()
    result = web.submit(form, lambda: services.take_off(entry, current_user, form.reason.data))
    if not result:
        return _list_page(destruction_list, take_off_form=form, failed_entry=entry.id, status=200)
    flash(_("The case has been taken off the list: it will not be destroyed."), "success")
    return redirect(url_for("erasure.list_page", list_id=destruction_list.id, page=web.int_arg("page", 1)))


@bp.route("/vernietigingslijsten/<int:list_id>/goedkeuren", methods=["POST"])
@requires(Permission.HANDLE_ERASURE)
def list_approve(list_id: int):
    destruction_list = _list_or_404(list_id, audit.Action.UPDATE)
    form = TakeOffForm(formdata=None)
    result = web.submit(form, lambda: purge.approve_and_purge(destruction_list, current_user), validate=False)
    if not result:
        return _list_page(destruction_list, take_off_form=form, status=200)
    flash(_("The list has been approved: its cases are being destroyed."), "success")
    return redirect(url_for("erasure.list_page", list_id=destruction_list.id))
