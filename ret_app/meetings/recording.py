"""Why nothing can be recorded on an agenda item now: the session is not running (not started yet,
cancelled, or closed) or the case is no longer open for the RET (closed, or returned to the access
team with advice). One clear sentence per situation, for decisions and for actions, saying that what
was typed is kept: the forms come back with the text in them (live_routes)."""

from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app.cases import lifecycle as case_lifecycle
from ret_app.models import Case, CaseStatus, Meeting, MeetingStatus

DECISION, ACTION = "decision", "action"

_SESSION = {
    (DECISION, MeetingStatus.PLANNED): _l(
        "The session has not started yet: decisions are recorded once it is in progress. What you typed is "
        "still in the form."),
    (ACTION, MeetingStatus.PLANNED): _l(
        "The session has not started yet: actions are recorded here once it is in progress. What you typed "
        "is still in the form."),
    (DECISION, MeetingStatus.CANCELLED): _l(
        "The session has been cancelled: no decisions can be recorded in it. What you typed is still in the "
        "form, so you can copy it."),
    (ACTION, MeetingStatus.CANCELLED): _l(
        "The session has been cancelled: no actions can be recorded in it. What you typed is still in the "
        "form, so you can copy it."),
    (DECISION, MeetingStatus.CLOSED): _l(
        "The session has been closed: no more decisions can be recorded in it. What you typed is still in "
        "the form, so you can copy it."),
    (ACTION, MeetingStatus.CLOSED): _l(
        "The session has been closed: no more actions can be recorded in it. What you typed is still in the "
        "form, so you can copy it."),
}
_SESSION[(DECISION, MeetingStatus.APPROVED)] = _SESSION[(DECISION, MeetingStatus.CLOSED)]
_SESSION[(ACTION, MeetingStatus.APPROVED)] = _SESSION[(ACTION, MeetingStatus.CLOSED)]

_CASE = {
    (DECISION, CaseStatus.CLOSED): _l(
        "This case has been closed: no decisions are recorded on it. What you typed is still in the form."),
    (ACTION, CaseStatus.CLOSED): _l(
        "This case has been closed: no new actions are recorded on it. What you typed is still in the form."),
    (DECISION, CaseStatus.RETURNED_WITH_ADVICE): _l(
        "This case was returned to the access team with advice: the RET records no decisions on it. What "
        "you typed is still in the form."),
    (ACTION, CaseStatus.RETURNED_WITH_ADVICE): _l(
        "This case was returned to the access team with advice: the RET records no new actions on it. What "
        "you typed is still in the form."),
}
_CASE_OTHER = {
    DECISION: _l("This case is not open for the RET: no decisions are recorded on it. What you typed is still "
                 "in the form."),
    ACTION: _l("This case is not open for the RET: no new actions are recorded on it. What you typed is still "
               "in the form."),
}


def session_refusal(meeting: Meeting, what: str) -> Optional[object]:
    """Why no decision or action (`what`) can be recorded in this session now, or None (it runs)."""
    if meeting.status == MeetingStatus.IN_PROGRESS:
        return None
    return _SESSION[(what, MeetingStatus(meeting.status))]


def case_refusal(case: Case, what: str) -> Optional[object]:
    """Why no decision or action (`what`) can be recorded on this case now, or None (it is open)."""
    if case.status in case_lifecycle.OPEN:
        return None
    return _CASE.get((what, CaseStatus(case.status)), _CASE_OTHER[what])
