"""The region's gap signals (the chair and RET members read; the chair acts), the gap overview and the
signal report.

Thin: load through the policy (a signal of another region: 404) -> validate -> the service in a
savepoint -> respond. Every signal page shown (it lists case references) and every report is audited."""

from __future__ import annotations

from typing import Optional

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.caretypes import services as caretypes
from ret_app.exports import services as exports
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import GapCategory, GapSignal, SignalOwner
from ret_app.policy import Permission, requires
from ret_app.signals import overview as gap_overview
from ret_app.signals import queries, report, services
from ret_app.signals.blueprint import bp
from ret_app.signals.forms import ReportForm, ResponseForm
from ret_app.signals.labels import (
    DECLINE_LABELS,
    EVIDENCE_LABELS,
    GAP_DECLINES,
    OWNER_LABELS,
    STATUS_BADGES,
    STATUS_LABELS,
)
from ret_app.signals.lifecycle import SIGNAL
from ret_app.escalations.labels import RESULT_LABELS as ESCALATION_RESULT_LABELS
from ret_app.stats.periods import PeriodKind
from ret_app.templating import render_page_or_fragment
from sqlalchemy import select


def _categories(region_id: Optional[int]) -> list[GapCategory]:
    if region_id is None:
        return []
    return list(db.session.scalars(select(GapCategory).where(GapCategory.region_id == region_id)
                                   .order_by(GapCategory.position, GapCategory.name)))


# --- the list ----------------------------------------------------------------------------------------------

@bp.route("/signalen")
@requires(Permission.VIEW_SIGNALS)
def signal_list():
    region_id = policy.signals_region(current_user)
    names = caretypes.names(region_id) if region_id else {}
    status = request.args.get("status", queries.OPEN)
    owner = request.args.get("owner", "")
    sort = request.args.get("sort", "newest")
    care_type = request.args.get("care_type", "")
    filters = queries.SignalFilters(
        status=status if status in ({queries.OPEN, ""} | set(STATUS_LABELS)) else queries.OPEN,
        owner=owner if owner in ({"none"} | set(OWNER_LABELS)) else "",
        category_id=web.int_arg("category"), care_type=care_type if care_type in names else "",
        sort=sort if sort in queries.SORTS else "newest")
    result = queries.signals_page(current_user, filters, page=web.int_arg("page", 1))
    return render_page_or_fragment(
        "signals/list.html", "signals/_rows.html", result=result, filters=filters, care_names=names,
        categories=_categories(region_id), today=dates.today(), status_labels=STATUS_LABELS,
        status_badges=STATUS_BADGES, owner_labels=OWNER_LABELS, sorts=_sort_labels())


def _sort_labels() -> dict:
    return {"newest": _("Newest first"), "oldest": _("Oldest first"), "count": _("Most cases first"),
            "status": _("By status"), "category": _("By category")}


# --- one signal --------------------------------------------------------------------------------------------

def _signal_or_404(signal_id: int, action: audit.Action) -> GapSignal:
    signal = services.signal_for_page(signal_id)
    if signal is None or not policy.can_view_signal(current_user, signal):
        web.not_found(object_type="gap_signal", object_id=signal_id, action=action)
    return signal


def _response_form(signal: GapSignal, posted: bool) -> ResponseForm:
    form = ResponseForm() if posted else ResponseForm(formdata=None, data={"version": str(signal.version)})
    owners = [(o.value, str(OWNER_LABELS[o.value])) for o in SignalOwner]
    form.owner.choices = ([("", _("— not chosen yet —"))] if signal.owner is None
                          else [("", _("— unchanged —"))]) + owners
    options = SIGNAL.available(signal, current_user)
    form.step.choices = [("", _("— no step —"))] + [(o.name, str(o.label)) for o in options]
    return form


def _version(text: Optional[str]) -> Optional[int]:
    return int(text) if text and text.isdigit() and len(text) <= 9 else None


@bp.route("/signalen/<int:signal_id>", methods=["GET", "POST"])
@requires(Permission.VIEW_SIGNALS)
def signal_page(signal_id: int):
    posted = request.method == "POST"
    signal = _signal_or_404(signal_id, audit.Action.UPDATE if posted else audit.Action.READ)
    acts = policy.can_act_on_signal(current_user, signal)
    if posted and not acts:
        return web.refuse(services.NOT_YOURS, object_type="gap_signal", object_id=signal.id)
    form = _response_form(signal, posted) if acts else None
    if posted:
        result = web.submit(form, lambda: services.respond(signal, current_user, form.data, _version(form.version.data)),
                            refusal=web.Refusal("gap_signal", object_id=signal.id))
        if result:
            flash(_("Your response has been saved."), "success")
            return redirect(url_for("signals.signal_page", signal_id=signal.id))
        if result.conflict:
            db.session.expire_all()
            signal = services.signal_for_page(signal_id)
            form.version.data = str(signal.version)
            form.form_errors.append(str(services.CHANGED_MEANWHILE))
    else:
        services.shown(signal)
    rows = services.evidence_rows(signal)
    return render_template(
        "signals/page.html", signal=signal, rows=rows, form=form, acts=acts,
        cases=sorted({r.evidence.case.reference for r in rows if r.evidence.kind == "gap"}),
        care_names=caretypes.names(signal.region_id), status_labels=STATUS_LABELS, status_badges=STATUS_BADGES,
        owner_labels=OWNER_LABELS, evidence_labels=EVIDENCE_LABELS, decline_labels=DECLINE_LABELS,
        escalation_results=ESCALATION_RESULT_LABELS, step_labels={t.name: t.label for t in SIGNAL.transitions},
        options=SIGNAL.available(signal, current_user) if acts else [], today=dates.today())


# --- the gap overview ---------------------------------------------------------------------------------------

def _overview_filters(region_id: Optional[int], names: dict) -> gap_overview.OverviewFilters:
    try:
        kind = PeriodKind(request.args.get("period", "quarter"))
    except ValueError:
        kind = PeriodKind.QUARTER
    count = web.int_arg("count", gap_overview.DEFAULT_COUNTS[kind])
    care_type = request.args.get("care_type", "")
    municipality_id = web.int_arg("municipality")
    return gap_overview.OverviewFilters(kind=kind, count=min(count, gap_overview.MAX_COUNT),
                                        municipality_id=municipality_id, care_type=care_type if care_type in names else "")


def _report_form(posted: bool) -> ReportForm:
    # The prefix keeps its fields apart from the overview's own filter form on the same page ("period").
    form = (ReportForm(prefix="report") if posted
            else ReportForm(formdata=None, prefix="report", data={"period": report.default_period().key}))
    form.period.choices = [(p.key, p.label) for p in report.report_periods()]
    return form


def _overview_page(report_form: ReportForm, status: int = 200):
    region_id = policy.signals_region(current_user)
    names = caretypes.names(region_id) if region_id else {}
    filters = _overview_filters(region_id, names)
    data = gap_overview.build(region_id or 0, filters)
    if filters.municipality_id and filters.municipality_id not in {m.id for m in data.municipalities}:
        filters = gap_overview.OverviewFilters(kind=filters.kind, count=filters.count, care_type=filters.care_type)
        data = gap_overview.build(region_id or 0, filters)
    return render_template(
        "signals/overview.html", data=data, filters=filters, care_names=names, chart=gap_overview.trend_chart(data),
        decline_labels=[DECLINE_LABELS[c] for c in GAP_DECLINES], escalation_results=ESCALATION_RESULT_LABELS,
        period_kinds={k.value: k.label for k in PeriodKind}, report_form=report_form), status


@bp.route("/signalen/hiaten")
@requires(Permission.VIEW_SIGNALS)
def overview():
    return _overview_page(_report_form(posted=False))


# --- the signal report (an export job) ---------------------------------------------------------------------

@bp.route("/signalen/rapport", methods=["POST"])
@requires(Permission.VIEW_SIGNALS)
def report_request():
    """The report form: valid -> the export job is asked for and the user follows it on its page; bad
    input -> the overview again with the message next to the field and the choice kept."""
    region_id = policy.signals_region(current_user)
    if region_id is None:  # a user of no region's RET: there is no report of theirs (404, audited)
        web.not_found(object_type="signal_report", action=audit.Action.EXPORT)
    form = _report_form(posted=True)
    if form.validate_on_submit():
        given = report.params(region_id, report.parse_period(form.period.data), form.format.data)
        result = web.attempt_or_error(lambda: exports.request(current_user, report.KIND, given,
                                                             form.submission_key.data))
        if result:
            return redirect(url_for("exports.job", job_id=result.value.id))
        form.form_errors.append(str(getattr(result.error, "message", result.error)))
    web.Refusal("signal_report", action=audit.Action.EXPORT).record(form)
    return _overview_page(form)
