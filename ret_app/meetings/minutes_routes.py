"""Minutes routes: the full minutes PDF for the RET, the per-case extract for whoever sees that case,
and addenda after approval (the minutes panel on the session page: panels.py).

Thin: load the session through the policy (access.py: 404 when it may not be seen; the denial
audited), check the state, export (minutes_pdf.py renders and audits what it hands out) or call the
service in a savepoint, respond.
"""

from __future__ import annotations

from typing import Optional

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.extensions import db
from ret_app.kernel.errors import STALE
from ret_app.meetings import access, minutes, panels
from ret_app.meetings import minutes_pdf as pdf_export
from ret_app.meetings.blueprint import bp
from ret_app.meetings.forms import AddendumForm
from ret_app.models import Case, Meeting
from ret_app.pdf import pdf_response
from ret_app.policy import Permission, requires
from ret_app.templating import render_page_or_fragment, wants_fragment

NOT_YET = _l("The minutes are drafted when the chair closes the session. This session has not been closed yet.")


def _session_url(meeting: Meeting) -> Optional[str]:
    if "meetings.page" in current_app.view_functions:
        return url_for("meetings.page", meeting_id=meeting.id)
    return None


def _conflict(title: str, message: str):
    return render_page_or_fragment("errors/error.html", "errors/_error.html", code=409, title=title,
                                   message=message), 409


def _not_available(meeting: Meeting):
    web.Refusal("minutes", object_id=meeting.id, action=audit.Action.EXPORT).record(detail=f"status={meeting.status}")
    return _conflict(_("Minutes not available yet"), str(NOT_YET))


@bp.route("/<int:meeting_id>/notulen.pdf")
@requires(Permission.VIEW_SESSIONS)
def minutes_pdf(meeting_id: int):
    meeting = access.meeting_or_404(meeting_id, rule=policy.sees_full_meeting, action=audit.Action.EXPORT,
                                    detail="minutes")
    if not minutes.minutes_exist(meeting):
        return _not_available(meeting)
    data, filename = pdf_export.full(meeting)
    return pdf_response(data, filename)


@bp.route("/<int:meeting_id>/notulen/zaak/<int:case_id>.pdf")
@requires(Permission.VIEW_SESSIONS)
def extract_pdf(meeting_id: int, case_id: int):
    def may_see(user, meeting: Meeting) -> bool:
        case = db.session.get(Case, case_id)
        return (case is not None and minutes.item_of(meeting, case_id) is not None
                and policy.can_view_extract(user, meeting, case))

    meeting = access.meeting_or_404(meeting_id, rule=may_see, action=audit.Action.EXPORT, detail="minutes_extract",
                                    case_id=case_id)
    if not minutes.minutes_exist(meeting):
        return _not_available(meeting)
    data, filename = pdf_export.extract(meeting, db.session.get(Case, case_id))
    return pdf_response(data, filename)


@bp.route("/<int:meeting_id>/addenda", methods=["POST"])
@requires(Permission.VIEW_SESSIONS)
def addendum_add(meeting_id: int):
    meeting = access.meeting_or_404(meeting_id, action=audit.Action.CREATE, detail="addendum")
    form = panels.addendum_form(meeting, AddendumForm(prefix="addendum"))
    access.may_add_addendum(meeting)
    result = web.submit(form, lambda: minutes.add_addendum(
        meeting, {"text": form.text.data, "item_id": form.item_id.data,
                  "submission_key": form.submission_key.data}, current_user))
    if result:
        if wants_fragment():
            return render_page_or_fragment("meetings/addendum.html", "meetings/_minutes_panel.html",
                                           meeting=meeting, addendum_form=None,
                                           saved=_("The addendum has been added."))
        flash(_("The addendum has been added."), "success")
        return redirect(_session_url(meeting) or url_for("meetings.minutes_pdf", meeting_id=meeting.id))
    if result.conflict:
        form.form_errors.append(str(STALE))
    if result.error is not None:
        form = panels.addendum_form(meeting, form)
    # Refused input: the form again with every message (next to its field, or above the form) and the
    # text kept.
    return render_page_or_fragment("meetings/addendum.html", "meetings/_minutes_panel.html", meeting=meeting,
                                   addendum_form=form, back_url=_session_url(meeting))

