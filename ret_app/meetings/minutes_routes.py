"""Minutes routes: the full minutes PDF for the RET, the per-case extract for whoever sees that case,
addenda after approval, and the minutes panel on the session page.

Thin: load the session through the policy (404 when it may not be seen; the denial audited), check
the state, render, audit the export, respond.
"""

from __future__ import annotations

from typing import Optional

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from ret_app import audit, policy
from ret_app.forms import REQUIRED
from ret_app.extensions import db
from ret_app import labels
from ret_app.meetings import minutes
from ret_app.meetings.blueprint import bp
from ret_app.meetings.common import RuleError
from ret_app.models import Case, Meeting, MeetingStatus
from ret_app.kernel.dates import utcnow
from ret_app.pdf import pdf_response, render_pdf
from ret_app.policy import Permission, requires
from ret_app.templating import render_page_or_fragment, wants_fragment

NOT_YET = _l("The minutes are drafted when the chair closes the session. This session has not been closed yet.")


class AddendumForm(FlaskForm):
    text = TextAreaField(_l("Correction or addition"),
                         validators=[DataRequired(message=REQUIRED), Length(max=minutes.MAX_ADDENDUM)])
    item_id = SelectField(_l("About"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                          validate_choice=False)


def _addendum_form(meeting: Meeting, form: Optional[AddendumForm] = None) -> AddendumForm:
    form = form or AddendumForm(formdata=None, prefix="addendum")
    form.item_id.choices = [("", _("The whole session"))] + [
        (str(item.id), _("Item %(num)d: %(reference)s", num=item.position, reference=item.case.reference))
        for item in meeting.items]
    return form


def _session_url(meeting: Meeting) -> Optional[str]:
    if "meetings.page" in current_app.view_functions:
        return url_for("meetings.page", meeting_id=meeting.id)
    return None


def _approve_url(meeting: Meeting) -> Optional[str]:
    if "meetings.step" in current_app.view_functions:
        return url_for("meetings.step", meeting_id=meeting.id, name="approve")
    return None


@bp.app_template_global("minutes_panel")
def minutes_panel(meeting: Meeting, addendum_form: Optional[AddendumForm] = None) -> dict:
    """What templates/meetings/_minutes_panel.html shows to the current user."""
    user = current_user
    full = policy.sees_full_meeting(user, meeting)
    visible = policy.visible_items(user, meeting)
    visible_ids = {item.id for item in visible}
    may_add = policy.can_add_addendum(user, meeting)
    return {
        "shown": minutes.minutes_exist(meeting) and policy.can_view_meeting(user, meeting),
        "draft": minutes.is_draft(meeting),
        "full": full,
        "extracts": [item for item in visible if policy.can_view_extract(user, meeting, item.case)],
        "may_approve": (meeting.status == MeetingStatus.CLOSED and policy.can_run_meeting(user, meeting)
                        and _approve_url(meeting) is not None),
        "approve_url": _approve_url(meeting),
        "addenda": [a for a in meeting.addenda if full or (a.item_id is not None and a.item_id in visible_ids)],
        "may_add": may_add,
        "form": _addendum_form(meeting, addendum_form) if may_add else None,
    }


def _meeting_or_404(meeting_id: int, rule, *, detail: str, case_id: Optional[int] = None,
                    action: audit.Action = audit.Action.EXPORT) -> Meeting:
    """The session if `rule` lets the current user at it; otherwise 404 (its existence does not
    leak), the denial audited and committed at once."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not rule(current_user, meeting):
        audit.record(action, outcome=audit.Outcome.DENIED, object_type="meeting", object_id=meeting_id, case_id=case_id,
                     detail=detail)
        abort(404)
    return meeting


def _conflict(title: str, message: str):
    return render_page_or_fragment("errors/error.html", "errors/_error.html", code=409, title=title,
                                   message=message), 409


def _not_available(meeting: Meeting):
    audit.record(audit.Action.EXPORT, outcome=audit.Outcome.FAILED, object_type="minutes", object_id=meeting.id,
                 detail=f"status={meeting.status}")
    return _conflict(_("Minutes not available yet"), str(NOT_YET))


def _pdf_context(record: minutes.Minutes) -> dict:
    return {
        "minutes": record,
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


@bp.route("/<int:meeting_id>/notulen.pdf")
@requires(Permission.VIEW_SESSIONS)
def minutes_pdf(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, policy.sees_full_meeting, detail="minutes")
    if not minutes.minutes_exist(meeting):
        return _not_available(meeting)
    record = minutes.full_minutes(meeting)
    day = record.session_day
    data = render_pdf("pdf/minutes.html", document_title=_("Minutes of the RET session"),
                      reference=_("RET session of %(date)s", date=_format_day(day)), generated_at=utcnow(),
                      reference_label=_("Session"), **_pdf_context(record))
    minutes.audit_full_export(meeting)
    db.session.commit()
    return pdf_response(data, f"notulen-ret-overleg-{day.isoformat()}.pdf")


@bp.route("/<int:meeting_id>/notulen/zaak/<int:case_id>.pdf")
@requires(Permission.VIEW_SESSIONS)
def extract_pdf(meeting_id: int, case_id: int):
    def may_see(user, meeting: Meeting) -> bool:
        case = db.session.get(Case, case_id)
        return (case is not None and minutes.item_of(meeting, case_id) is not None
                and policy.can_view_extract(user, meeting, case))

    meeting = _meeting_or_404(meeting_id, may_see, detail="minutes_extract", case_id=case_id)
    if not minutes.minutes_exist(meeting):
        return _not_available(meeting)
    case = db.session.get(Case, case_id)
    record = minutes.case_extract(meeting, case)
    day = record.session_day
    data = render_pdf("pdf/minutes.html", document_title=_("Extract of the minutes of the RET session"),
                      reference=case.reference, generated_at=utcnow(), **_pdf_context(record))
    audit.record(audit.Action.EXPORT, object_type="minutes_extract", object_id=meeting.id, case_id=case.id,
                 detail=f"meeting={meeting.id};{'draft' if minutes.is_draft(meeting) else 'approved'}")
    db.session.commit()
    return pdf_response(data, f"notulen-uittreksel-{case.reference}-{day.isoformat()}.pdf")


def _format_day(day) -> str:
    from flask_babel import format_date

    return format_date(day, "d MMMM yyyy")


@bp.route("/<int:meeting_id>/addenda", methods=["POST"])
@requires(Permission.VIEW_SESSIONS)
def addendum_add(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, policy.can_view_meeting, detail="addendum", action=audit.Action.CREATE)
    form = _addendum_form(meeting, AddendumForm(prefix="addendum"))
    if not policy.can_add_addendum(current_user, meeting):
        audit.record(audit.Action.CREATE, outcome=audit.Outcome.DENIED, object_type="minutes_addendum",
                     object_id=meeting.id)
        from ret_app.errors import render_error

        if meeting.status != MeetingStatus.APPROVED and policy.sees_full_meeting(current_user, meeting):
            return _conflict(_("Minutes not approved yet"),
                             _("Addenda are added once the minutes have been approved. Until then the chair "
                               "corrects the minutes themselves."))
        return render_error(403, _("Only the RET of the region adds addenda to the minutes."))
    if form.validate_on_submit():
        try:
            minutes.add_addendum(meeting, {"text": form.text.data, "item_id": form.item_id.data}, current_user)
            db.session.commit()
        except RuleError as error:
            db.session.rollback()
            meeting = db.session.get(Meeting, meeting_id)
            target = form[error.field] if error.field in ("text", "item_id") else form.text
            target.errors = list(target.errors) + [str(error.message)]
            form = _addendum_form(meeting, form)
        else:
            if wants_fragment():
                return render_page_or_fragment("meetings/addendum.html", "meetings/_minutes_panel.html",
                                               meeting=meeting, addendum_form=None,
                                               saved=_("The addendum has been added."))
            flash(_("The addendum has been added."), "success")
            return redirect(_session_url(meeting) or url_for("meetings.minutes_pdf", meeting_id=meeting.id))
    # Refused input: the form again with the message next to the field and the text kept.
    return render_page_or_fragment("meetings/addendum.html", "meetings/_minutes_panel.html", meeting=meeting,
                                   addendum_form=form, back_url=_session_url(meeting))
