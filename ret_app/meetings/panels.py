"""What pages show of sessions outside their own routes, for the current user: the link back to a
session (template global `session_url`), an action's row ("Mijn acties" and the case page), the
minutes panel on the session page (template global `minutes_panel`) and the case page's panel of
sessions, decisions and actions (capability.py registers them)."""

from __future__ import annotations

from datetime import date
from typing import Optional

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from ret_app import labels, policy
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.meetings import actions, minutes
from ret_app.meetings.forms import ActionStatusForm, AddendumForm
from ret_app.models import ActionStatus, Case, CaseAction, Decision, Meeting, MeetingItem, MeetingStatus


def session_url(meeting: Optional[Meeting]) -> Optional[str]:
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


# --- actions --------------------------------------------------------------------------------------

def action_row(action: CaseAction, today: date, form: Optional[ActionStatusForm] = None,
               saved: bool = False) -> dict:
    """One action as templates/actions/_row.html shows it (with the status form for who may change it)."""
    may_update = policy.can_update_action(current_user, action)
    if may_update and form is None:
        form = ActionStatusForm(formdata=None, prefix=f"action-{action.id}", status=action.status)
    meeting = action.item.meeting if action.item is not None else None
    return {
        "action": action,
        "overdue": actions.is_overdue(action, today),
        "owner": action.owner_user.name if action.owner_user else action.owner_organisation.name,
        "session_url": session_url(meeting),
        "session_day": meeting.starts_at if meeting else None,
        "form": form if may_update else None,
        "saved": saved,
    }


def sessions_panel(case: Case) -> dict:
    """What templates/meetings/_case_panel.html shows (the case page already checked and audited
    that the user sees the case)."""
    # Loaded up front: each session of the case (cancelled ones too: an action may hang off one) with
    # what decides whether the user may see it (session_url); the actions' sessions are among these.
    items = list(db.session.scalars(
        select(MeetingItem).join(MeetingItem.meeting)
        .where(MeetingItem.case_id == case.id)
        .options(contains_eager(MeetingItem.meeting).options(*actions.SESSION_LINK_LOADS))
        .order_by(Meeting.starts_at.desc())).unique())
    today = dates.today()
    sessions = []
    for item in items:
        meeting = item.meeting
        if meeting.status == MeetingStatus.CANCELLED.value:
            continue
        sessions.append({
            "meeting": meeting,
            "purpose": labels.PURPOSE_LABELS.get(item.purpose, item.purpose),
            "status": labels.MEETING_STATUS_LABELS.get(meeting.status, meeting.status),
            "url": session_url(meeting),
            "extract_url": (url_for("meetings.extract_pdf", meeting_id=meeting.id, case_id=case.id)
                            if minutes.minutes_exist(meeting) and policy.can_view_extract(current_user, meeting, case)
                            else None),
        })
    decisions = list(db.session.scalars(
        select(Decision).where(Decision.case_id == case.id)
        .options(joinedload(Decision.provider), joinedload(Decision.item).joinedload(MeetingItem.meeting))
        .order_by(Decision.recorded_at.desc())))
    case_actions = actions.actions_of_case(case, sessions_loaded=True)
    rows = [action_row(a, today) for a in case_actions]
    rows.sort(key=lambda r: (r["action"].status != ActionStatus.OPEN.value, not r["overdue"], r["action"].due_date))
    return {
        "shown": bool(sessions or decisions or case_actions),
        "sessions": sessions,
        "decisions": decisions,
        # The names of the care types committed (the case's region's catalogue); no query without any.
        "care_names": caretypes.names(case.region_id) if any(d.care_type for d in decisions) else {},
        "rows": rows,
        "status_labels": labels.DECISION_STATUS_LABELS,
        "kind_labels": labels.DECISION_KIND_LABELS,
        "badge": labels.decision_badge,
    }


# --- the minutes panel on the session page ----------------------------------------------------------

def addendum_form(meeting: Meeting, form: Optional[AddendumForm] = None) -> AddendumForm:
    form = form or AddendumForm(formdata=None, prefix="addendum")
    form.item_id.choices = [("", _("The whole session"))] + [
        (str(item.id), _("Item %(num)d: %(reference)s", num=item.position, reference=item.case.reference))
        for item in meeting.items]
    return form


def _approve_url(meeting: Meeting) -> Optional[str]:
    if "meetings.step" in current_app.view_functions:
        return url_for("meetings.step", meeting_id=meeting.id, name="approve")
    return None


def minutes_panel(meeting: Meeting, form: Optional[AddendumForm] = None) -> dict:
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
        "form": addendum_form(meeting, form) if may_add else None,
    }
