"""Loading sessions, agenda items, actions and decisions for a request through the policy: 404 when
the user may not see them (so their existence does not leak), 403 with the reason when they see
them but may not do this — each denial audited — and the reads of what a page shows audited (ids
only). Changes are audited by the events of the services that make them."""

from __future__ import annotations

from typing import Callable, Optional, Sequence

from flask import abort, make_response
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.errors import render_error
from ret_app.extensions import db
from ret_app.models import CaseAction, Decision, DecisionStatus, Meeting, MeetingItem, MeetingStatus
from ret_app.templating import render_page_or_fragment

ANSWERED = (DecisionStatus.CONFIRMED.value, DecisionStatus.REFUSED.value)


def meeting_or_404(meeting_id: int, *, action: audit.Action = audit.Action.READ, detail: Optional[str] = None,
                   rule: Callable = policy.can_view_meeting, case_id: Optional[int] = None,
                   options: Sequence = ()) -> Meeting:
    """The session, if `rule` (by default: the user may see it) lets the current user at it;
    otherwise 404, the denial audited. `options`: relations the page reads, loaded up front."""
    meeting = db.session.get(Meeting, meeting_id, options=list(options))
    if meeting is None or not rule(current_user, meeting):
        web.not_found(object_type="meeting", object_id=meeting_id, case_id=case_id, action=action, detail=detail)
    return meeting


def plannable_meeting(meeting_id: int, detail: str, options: Sequence = ()) -> Meeting:
    """A session the current user may plan and run: 404 when not visible, 403 with the reason when
    visible but not theirs to plan (both audited)."""
    meeting = meeting_or_404(meeting_id, action=audit.Action.UPDATE, detail=detail, options=options)
    if not policy.can_run_meeting(current_user, meeting):
        abort(make_response(*web.refuse(_("Only a chair of the session's region plans and runs it."),
                                        object_type="meeting", object_id=meeting.id, detail=detail)))
    return meeting


def item_or_404(meeting: Meeting, item_id: Optional[int], action: audit.Action = audit.Action.READ) -> MeetingItem:
    """An item of this session whose case the user may see; otherwise 404 (the denial audited)."""
    item = db.session.get(MeetingItem, item_id) if item_id else None
    if item is None or item.meeting_id != meeting.id or item not in policy.visible_items(current_user, meeting):
        web.not_found(object_type="meeting_item", object_id=item_id, action=action, detail=f"meeting={meeting.id}",
                      case_id=item.case_id if item is not None and item.meeting_id == meeting.id else None)
    return item


def audit_agenda_read(meeting: Meeting, items: list[MeetingItem]) -> None:
    """The session page was shown: one read per case on it (ids only), or one for the session when
    it shows none."""
    if not items:
        audit.record(audit.Action.READ, object_type="meeting", object_id=meeting.id, detail="agenda=0")
    for item in items:
        audit.record(audit.Action.READ, object_type="meeting", object_id=meeting.id, case_id=item.case_id,
                     detail=f"agenda;item={item.id}")


def audit_item_read(item: Optional[MeetingItem], meeting: Meeting, detail: str) -> None:
    """The live page showed this item's case (or, without an item, only the session)."""
    if item is None:
        audit.record(audit.Action.READ, object_type="meeting", object_id=meeting.id, detail=detail)
    else:
        audit.record(audit.Action.READ, object_type="case", object_id=item.case_id, case_id=item.case_id,
                     detail=f"{detail};meeting={meeting.id};item={item.id}")


def may_add_addendum(meeting: Meeting) -> None:
    """Stop unless the current user may add an addendum now (the denial audited): 409 for the RET
    while the minutes are a draft (the chair corrects those), 403 for everyone else."""
    if policy.can_add_addendum(current_user, meeting):
        return
    audit.record(audit.Action.CREATE, outcome=audit.Outcome.DENIED, object_type="minutes_addendum",
                 object_id=meeting.id)
    if meeting.status != MeetingStatus.APPROVED and policy.sees_full_meeting(current_user, meeting):
        abort(make_response(render_page_or_fragment(
            "errors/error.html", "errors/_error.html", code=409, title=_("Minutes not approved yet"),
            message=_("Addenda are added once the minutes have been approved. Until then the chair corrects the "
                      "minutes themselves.")), 409))
    abort(make_response(*render_error(403, _("Only the RET of the region adds addenda to the minutes."))))


# --- actions and decisions ------------------------------------------------------------------------

def action_or_404(action_id: int) -> CaseAction:
    """An action of a case the user sees; 404 otherwise (the denial audited)."""
    action = db.session.get(CaseAction, action_id)
    if action is None or not policy.can_view_case(current_user, action.case):
        web.not_found(object_type="case_action", object_id=action_id, action=audit.Action.UPDATE,
                      case_id=action.case_id if action else None)
    return action


def answered_decision(decision_id: int) -> Optional[Decision]:
    """The decision if it has been answered and the user may learn that (whoever could have answered
    it); None otherwise — nothing audited: not an error, and nothing of the case is shown. Read
    fresh, so that an answer someone else saved a moment ago counts."""
    decision = db.session.get(Decision, decision_id, populate_existing=True)
    if decision is None or decision.status not in ANSWERED or not policy.may_learn_answer(current_user, decision):
        return None
    return decision


def decision_to_answer_or_404(decision_id: int, *, read: bool) -> Decision:
    """A provisional decision the user may answer; 404 otherwise (the denial audited). `read`: the
    answer form is shown, which is audited as a read of the decision."""
    decision = db.session.get(Decision, decision_id)
    if decision is None or not policy.can_answer_provisional(current_user, decision):
        web.not_found(object_type="decision", object_id=decision_id, action=audit.Action.UPDATE,
                      case_id=decision.case_id if decision else None)
    if read:
        audit.record(audit.Action.READ, object_type="decision", object_id=decision.id, case_id=decision.case_id)
    return decision
