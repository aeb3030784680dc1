"""The minutes as PDF: the full minutes for the RET and the per-case extract. Each export renders the
document (approved full minutes: once, then served from minutes_file while they show the same; see
ret_app/stored_pdf.py) and then records in the audit trail what was handed out (ids only, never names)."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _

from ret_app import labels, stored_pdf
from ret_app.caretypes import services as caretypes
from ret_app.kernel.dates import utcnow
from ret_app.meetings import minutes
from ret_app.models import Case, Meeting, MeetingStatus, MinutesFile
from ret_app.pdf import render_pdf

TEMPLATE = "pdf/minutes.html"


def _context(record: minutes.Minutes) -> dict:
    return {
        "minutes": record,
        "care_names": caretypes.names(record.meeting.region_id),
        "purpose_labels": labels.PURPOSE_LABELS,
        "decision_kind_labels": labels.DECISION_KIND_LABELS,
        "decision_status_labels": labels.DECISION_STATUS_LABELS,
        "finding_labels": labels.FINDING_LABELS,
        "placement_outcome_labels": labels.PLACEMENT_OUTCOME_LABELS,
        "action_status_labels": labels.ACTION_STATUS_LABELS,
        "minutes_time": minutes.minutes_time,
        "draft_notice": (_("these minutes have not been approved by the chair yet; their content can still change.")
                         if record.draft else None),
    }


def full(meeting: Meeting) -> tuple[bytes, str]:
    """The full minutes (PDF bytes, file name); the export is audited per case on the agenda, every time.
    Approved minutes are rendered once and then served from their stored file while what they show stays
    the same (ret_app/stored_pdf.py: an addendum or a later status renders them again); a draft's are
    rendered each time."""
    record = minutes.full_minutes(meeting)
    day = record.session_day
    context = dict(document_title=_("Minutes of the RET session"),
                   reference=_("RET session of %(date)s", date=format_date(day, "d MMMM yyyy")),
                   reference_label=_("Session"), **_context(record))
    if meeting.status == MeetingStatus.APPROVED and meeting.approved_at is not None:
        data = stored_pdf.stored_or_rendered(MinutesFile, "meeting_id", meeting.id, TEMPLATE, context,
                                             meeting.approved_at)
    else:
        data = render_pdf(TEMPLATE, generated_at=utcnow(), **context)
    minutes.audit_full_export(meeting)
    return data, f"notulen-ret-overleg-{day.isoformat()}.pdf"


def extract(meeting: Meeting, case: Case) -> tuple[bytes, str]:
    """The extract of one case (PDF bytes, file name); the export is audited with that case."""
    record = minutes.case_extract(meeting, case)
    day = record.session_day
    data = render_pdf(TEMPLATE, document_title=_("Extract of the minutes of the RET session"),
                      reference=case.reference, generated_at=utcnow(), **_context(record))
    minutes.audit_extract_export(meeting, case)
    return data, f"notulen-uittreksel-{case.reference}-{day.isoformat()}.pdf"
