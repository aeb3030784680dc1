"""The screening report (PDF): what it shows, and its export (audited)."""

from __future__ import annotations

from flask_babel import gettext as _

from ret_app import audit, stored_pdf
from ret_app.cases import participants
from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.labels import DOMAIN_LABELS, SEVERITY_LABELS, TRACK_LABELS, URGENCY_LABELS, severity_label
from ret_app.models import Case, Screening, ScreeningReportFile, User
from ret_app.pdf import render_pdf
from ret_app.screening import services


def report_context(case: Case, screening: Screening) -> dict:
    """What templates/pdf/screening_report.html shows (also used by the tests)."""
    by_domain = services.contributions_by_domain(screening)
    return {
        "case": case,
        "screening": screening,
        "finalised_by": db.session.get(User, screening.finalised_by_id) if screening.finalised_by_id else None,
        "domains": [(d, DOMAIN_LABELS[d], by_domain[d], services.highest_severity(by_domain[d]))
                    for d in services.DOMAINS],
        "severity_label": severity_label,
        "severity_labels": SEVERITY_LABELS,
        "track_labels": TRACK_LABELS,
        "urgency_labels": URGENCY_LABELS,
        "participant_rows": [(p, participants.describe(p)) for p in case.participants],
    }


TEMPLATE = "pdf/screening_report.html"


def export(case: Case, screening: Screening) -> bytes:
    """The report as a tagged PDF; the export is audited (finalised or concept), every time. A finalised
    screening's report is rendered once and then served from its stored file while what it shows stays
    the same (ret_app/stored_pdf.py); a concept's is rendered each time."""
    context = dict(document_title=_("Screening report"), reference=case.reference, **report_context(case, screening),
                   draft_notice=None if screening.finalised_at else _(
                       "this screening has not been finalised; its content can still change."))
    if screening.finalised_at:
        data = stored_pdf.stored_or_rendered(ScreeningReportFile, "screening_id", screening.id, TEMPLATE, context,
                                             screening.finalised_at)
    else:
        data = render_pdf(TEMPLATE, generated_at=utcnow(), **context)
    audit.record(audit.Action.EXPORT, object_type="screening_report", object_id=screening.id, case_id=case.id,
                 detail="finalised" if screening.finalised_at else "concept")
    return data


def unavailable(case: Case) -> None:
    """Someone asked for the report of a screening that has not started: the case was shown."""
    audit.record(audit.Action.READ, object_type="case", object_id=case.id, case_id=case.id,
                 detail="screening_report unavailable")
