"""The words for the escalations' stored codes (status, question, result, messages)."""

from flask_babel import lazy_gettext as _l

ESCALATION_STATUS_LABELS = {
    "draft": _l("Draft"),
    "sent": _l("Sent to the network"),
    "accepted": _l("Accepted by the network"),
    "declined": _l("Declined by the network"),
    "in_progress": _l("The network is working on it"),
    "answered": _l("Answered by the network"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
}

QUESTION_KIND_LABELS = {
    "consultation": _l("Consultation and advice"),
    "network_director": _l("A network process director"),
    "placement": _l("Help organising a placement"),
    "funding": _l("Funding for a missing facility"),
    "other": _l("Other"),
}

RESULT_LABELS = {
    "advice_given": _l("Advice given"),
    "network_process_direction": _l("Network process direction"),
    "placement_found": _l("Placement found"),
    "funding_granted": _l("Funding granted"),
    "not_solved": _l("Not solved"),
}

MESSAGE_KIND_LABELS = {
    "question": _l("Question of the network"),
    "advice": _l("Advice of the network"),
    "answer": _l("Answer of the network"),
    "reply": _l("Answer of the RET"),
}

# The badge colour of a status (the words carry the meaning; the colour only repeats it).
STATUS_BADGES = {"draft": "neutral", "sent": "warn", "accepted": "warn", "in_progress": "warn",
                 "answered": "ok", "closed": "ok", "declined": "bad", "withdrawn": "neutral"}

# Each lifecycle step as the case timeline and the exchange tell it (what happened, not the button).
STEP_WORDS = {
    "send": _l("Escalated to the network"),
    "accept": _l("The network accepted the escalation"),
    "decline": _l("The network declined the escalation"),
    "start": _l("The network started working on the escalation"),
    "answer": _l("The network answered"),
    "close": _l("The network closed the escalation"),
    "withdraw": _l("Escalation withdrawn"),
}
