"""Actions ("acties"): "Mijn acties" (owned by me or my organisation, overdue first), changing an
action's status (htmx row swap, full-page fallback), and the case page's panel of sessions,
decisions and actions of that case."""

from __future__ import annotations

from datetime import date
from typing import Optional

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired

from ret_app import audit, policy
from ret_app.forms import REQUIRED
from ret_app.extensions import db
from ret_app import labels
from ret_app.meetings import actions, minutes
from ret_app.meetings.blueprint import actions_bp
from ret_app.meetings.common import RuleError
from ret_app.models import ActionStatus, Case, CaseAction, Decision, Meeting, MeetingItem, MeetingStatus
from ret_app.policy import Permission, requires
from ret_app.templating import render_page_or_fragment, wants_fragment
from ret_app.urls import safe_next
from ret_app.kernel import dates

STATUS_CHOICES = [(s.value, labels.ACTION_STATUS_LABELS[s.value]) for s in ActionStatus]
CONFLICT = _l("Someone else changed this action at the same moment. Check its status and try again.")


class ActionStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validators=[InputRequired(message=REQUIRED)],
                         validate_choice=False)
    next = HiddenField()


@actions_bp.app_template_global("session_url")
def session_link(meeting: Optional[Meeting]) -> Optional[str]:
    """Where an action or decision links back to its session: the live page while it runs, the
    session page otherwise (when those routes exist and the user may see the session)."""
    if meeting is None or not policy.can_view_meeting(current_user, meeting):
        return None
    views = current_app.view_functions
    if meeting.status == MeetingStatus.IN_PROGRESS and "meetings.live" in views:
        return url_for("meetings.live", meeting_id=meeting.id)
    if "meetings.page" in views:
        return url_for("meetings.page", meeting_id=meeting.id)
    return None


def _row(action: CaseAction, today: date, form: Optional[ActionStatusForm] = None, saved: bool = False) -> dict:
    may_update = policy.can_update_action(current_user, action)
    if may_update and form is None:
        form = ActionStatusForm(formdata=None, prefix=f"action-{action.id}", status=action.status)
    meeting = action.item.meeting if action.item is not None else None
    return {
        "action": action,
        "overdue": actions.is_overdue(action, today),
        "owner": action.owner_user.name if action.owner_user else action.owner_organisation.name,
        "session_url": session_link(meeting),
        "session_day": meeting.starts_at if meeting else None,
        "form": form if may_update else None,
        "saved": saved,
    }


@actions_bp.route("/")
@requires(Permission.VIEW_OWN_ACTIONS)
def mine():
    include_closed = request.args.get("alle") == "1"
    today = dates.today()
    audit.record(audit.Action.SEARCH, object_type="my_actions", detail="all" if include_closed else "open")
    rows = [_row(a, today) for a in db.session.scalars(
        actions.my_actions_query(current_user, include_closed=include_closed, today=today))]
    return render_page_or_fragment("actions/mine.html", "actions/_results.html", rows=rows,
                                   include_closed=include_closed,
                                   overdue_count=sum(1 for r in rows if r["overdue"]))


@actions_bp.route("/<int:action_id>/status", methods=["POST"])
@requires(Permission.VIEW_OWN_ACTIONS)
def set_status(action_id: int):
    action = db.session.get(CaseAction, action_id)
    if action is None or not policy.can_view_case(current_user, action.case):
        audit.record(audit.Action.UPDATE, outcome=audit.Outcome.DENIED, object_type="case_action",
                     object_id=action_id, case_id=action.case_id if action else None)
        abort(404)
    if not policy.can_update_action(current_user, action):
        from ret_app.errors import render_error

        audit.record(audit.Action.UPDATE, outcome=audit.Outcome.DENIED, object_type="case_action",
                     object_id=action.id, case_id=action.case_id)
        return render_error(403, _("Only the owner, the process director or the chair changes this action."))
    form = ActionStatusForm(prefix=f"action-{action.id}")
    back = safe_next(form.next.data) or url_for("actions.mine")
    show_case = request.form.get("view") != "case"  # the row on the case page has no case column
    if form.validate_on_submit():
        try:
            actions.set_status(action, form.status.data, current_user)
            db.session.commit()
        except RuleError as error:
            db.session.rollback()
            action = db.session.get(CaseAction, action_id)
            form.status.errors = list(form.status.errors) + [str(error.message)]
        except StaleDataError:
            db.session.rollback()
            action = db.session.get(CaseAction, action_id)
            form.status.errors = list(form.status.errors) + [str(CONFLICT)]
        else:
            if wants_fragment():
                return render_page_or_fragment("actions/mine.html", "actions/_row.html",
                                               row=_row(action, dates.today(), saved=True), show_case=show_case)
            flash(_("The status of the action has been changed."), "success")
            return redirect(back)
    if wants_fragment():
        return render_page_or_fragment("actions/mine.html", "actions/_row.html",
                                       row=_row(action, dates.today(), form=form), show_case=show_case)
    for message in form.status.errors:
        flash(str(message), "error")
    return redirect(back)


# --- the case page: sessions, decisions and actions of this case ----------------------------------

def sessions_panel(case: Case) -> dict:
    """What templates/cases/_sessions_panel.html shows (the case page already checked and audited
    that the user sees the case)."""
    items = list(db.session.scalars(
        select(MeetingItem).join(MeetingItem.meeting)
        .where(MeetingItem.case_id == case.id, Meeting.status != MeetingStatus.CANCELLED.value)
        .order_by(Meeting.starts_at.desc())))
    today = dates.today()
    sessions = []
    for item in items:
        meeting = item.meeting
        sessions.append({
            "meeting": meeting,
            "purpose": labels.PURPOSE_LABELS.get(item.purpose, item.purpose),
            "status": labels.MEETING_STATUS_LABELS.get(meeting.status, meeting.status),
            "url": session_link(meeting),
            "extract_url": (url_for("meetings.extract_pdf", meeting_id=meeting.id, case_id=case.id)
                            if minutes.minutes_exist(meeting) and policy.can_view_extract(current_user, meeting, case)
                            else None),
        })
    decisions = list(db.session.scalars(select(Decision).where(Decision.case_id == case.id)
                                        .order_by(Decision.recorded_at.desc())))
    case_actions = actions.actions_of_case(case)
    rows = [_row(a, today) for a in case_actions]
    rows.sort(key=lambda r: (r["action"].status != ActionStatus.OPEN.value, not r["overdue"], r["action"].due_date))
    return {
        "shown": bool(sessions or decisions or case_actions),
        "sessions": sessions,
        "decisions": decisions,
        "rows": rows,
        "status_labels": labels.DECISION_STATUS_LABELS,
        "kind_labels": labels.DECISION_KIND_LABELS,
        "badge": labels.decision_badge,
    }
