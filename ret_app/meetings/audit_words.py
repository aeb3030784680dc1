"""The audit trail's details of RET sessions in words (ret_app/audit_words.py): the session's steps
with the session machine's labels, the agenda, attendance, decisions, actions and the minutes."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import YES_NO, Key, form_labels, transition_labels
from ret_app.labels import ACTION_STATUS_LABELS, DECISION_STATUS_LABELS, MEETING_STATUS_LABELS, PURPOSE_LABELS
from ret_app.meetings.lifecycle import MEETING
from ret_app.meetings.live_forms import ActionForm, DecisionForm
from ret_app.meetings.planning_forms import MeetingForm

# The session's stored details (planning.DETAIL_FIELDS) with the planning form's labels.
DETAIL_LABELS = form_labels(MeetingForm, starts_at=_l("Date and time"))

# What a request opened (meeting_or_404's and the live page's detail).
PAGES = {
    "meeting_page": _l("session page"),
    "meeting_edit": _l("change the details"),
    "item_add": _l("put a case on the agenda"),
    "item_move": _l("move an agenda item"),
    "item_remove": _l("take a case off the agenda"),
    "calendar": _l("calendar file"),
    "live": _l("live session page"),
    "live_updates": _l("live session updates"),
    "meeting_live": _l("live session page"),
    "meeting_live_update": _l("live session updates"),
    "minutes": _l("minutes"),
    "minutes_extract": _l("extract of the minutes"),
    "addendum": _l("addendum to the minutes"),
}

WORDS = {
    "meeting": {
        **PAGES,
        "step": Key(_l("Step"), transition_labels(MEETING)),
        "fields": Key(_l("Fields"), DETAIL_LABELS, many=True),
        # "agenda;item=5": the session page showed this item; "agenda=0": it showed none.
        "agenda": Key(_l("Agenda items shown"), alone=_l("agenda")),
    },
    "case": {**PAGES},
    "meeting_item": {
        "purpose": Key(_l("Purpose"), PURPOSE_LABELS),
        "move": Key(_l("Moved"), {"up": _l("up"), "down": _l("down")}),
        "discussing": _l("now under discussion"),
        "notes": _l("notes"),
    },
    "meeting_attendance": {
        "present": Key(_l("Present"), YES_NO),
        "self": _l("checked in themselves"),
    },
    "meeting_invitation": {
        "added": Key(_l("Invited (users)"), many=True),
        "removed": Key(_l("No longer invited (users)"), many=True),
    },
    "decision": {
        "status": Key(_l("Status"), DECISION_STATUS_LABELS),
        "mandate": Key(_l("Mandate")),
        "answer": Key(_l("Answer of the municipality"), {"confirmed": _l("confirmed"), "refused": _l("refused")}),
        "fields": Key(_l("Fields"), form_labels(DecisionForm), many=True),
    },
    "case_action": {
        "status": Key(_l("Status"), ACTION_STATUS_LABELS),
        "fields": Key(_l("Fields"), form_labels(ActionForm), many=True),
    },
    "minutes": {
        "draft": _l("draft"),
        "approved": _l("approved"),
        "status": Key(_l("Status of the session"), MEETING_STATUS_LABELS),
    },
    "minutes_extract": {"draft": _l("draft"), "approved": _l("approved")},
    "my_actions": {"all": _l("all actions"), "open": _l("open actions")},
}

NAMES = {
    "meeting": _l("RET session"),
    "meeting_item": _l("Agenda item"),
    "meeting_attendance": _l("Attendance"),
    "meeting_invitation": _l("Invitations"),
    "meeting_list": _l("Session list"),
    "decision": _l("Decision"),
    "case_action": _l("Action"),
    "minutes": _l("Minutes"),
    "minutes_extract": _l("Extract of the minutes"),
    "minutes_addendum": _l("Addendum to the minutes"),
    "my_actions": _l("My actions"),
    "provisional_decisions": _l("Provisional decisions"),
}
