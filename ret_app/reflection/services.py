"""The reflection report's rules and reads: the period asked for, the page's read (audited: which
access team or municipality, which period — no personal data), and the PDF as an export job
(`exports.register("reflection-report", ...)`; the exports package audits its request, making and
download)."""

from __future__ import annotations

from datetime import date
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ret_app import audit, policy
from ret_app.exports import registry as exports
from ret_app.kernel import dates
from ret_app.kernel.errors import RuleError
from ret_app.models import ExportJob, User
from ret_app.reflection import report
from ret_app.stats.periods import Period, PeriodKind

KIND = "reflection-report"


def period_of(kind: str, year: Optional[int], number: Optional[int], today: Optional[date] = None) -> Period:
    """The month, quarter or year asked for; RuleError (next to the field) when it is not one that has
    begun."""
    period_kind = PeriodKind(kind)
    if period_kind is PeriodKind.YEAR:
        period = Period(date(year, 1, 1), period_kind)
    else:
        most = 12 if period_kind is PeriodKind.MONTH else 4
        if number is None or not 1 <= number <= most:
            message = (_("Enter the month as a number from 1 to 12.") if period_kind is PeriodKind.MONTH
                       else _("Enter the quarter as a number from 1 to 4."))
            raise RuleError(message, "number")
        period = Period(date(year, (number - 1) * period_kind.months + 1, 1), period_kind)
    if period.start > (today or dates.today()):
        raise RuleError(_("This period has not begun yet. Choose a period up to today."),
                        "year" if period_kind is PeriodKind.YEAR else "number")
    return period


def read(subject: report.Subject, period: Period) -> report.Report:
    """The report for the page (audited as the analyst's page is)."""
    audit.record(audit.Action.READ, object_type="reflection_report", object_id=subject.code,
                 detail=f"region={subject.region_id};period={period.key}")
    return report.build(subject, period)


def export_params(subject: report.Subject, period: Period) -> dict:
    return {**subject.params, "kind": period.kind.value, "start": period.start.isoformat()}


def _from_params(params: dict) -> tuple[Optional[report.Subject], Optional[Period]]:
    kinds = [kind for kind in (report.TEAM, report.MUNICIPALITY) if kind in params]
    if len(kinds) != 1 or not isinstance(params[kinds[0]], int):
        return None, None
    subject = report.find_subject(kinds[0], params[kinds[0]])
    try:
        period = Period(date.fromisoformat(str(params.get("start"))), PeriodKind(params.get("kind")))
    except (ValueError, TypeError):
        return subject, None
    return subject, period


def may_request(user: User, params: dict) -> bool:
    """The same rule as the page: an access team or municipality of the user's own region, a period."""
    subject, period = _from_params(params)
    return (subject is not None and period is not None and period.start <= dates.today()
            and policy.can_read_reflection(user, subject.region_id))


def render(job: ExportJob, progress) -> tuple[str, str, bytes]:
    subject, period = _from_params(job.params)
    if subject is None or period is None or subject.region_id != job.region_id:
        raise RuleError(_("This access team or municipality is not of your region."))
    progress(20, _("Counting the cases"))
    built = report.build(subject, period)
    if not built.has_data:
        raise RuleError(_("The RET saw nothing of %(name)s in %(period)s: there is no report to make. "
                          "Choose another period.", name=subject.name, period=period.label), "period")
    progress(60, _("Making the PDF"))
    return report.filename(built), "application/pdf", report.pdf(built)


exports.register(KIND, render, may_request, _l("Reflection report"))
