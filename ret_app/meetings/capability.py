"""RET sessions as a capability: blueprints, navigation, start-page cards, the case page's panel of
sessions, decisions and actions, the template globals its pages use, timeline labels and the
expected access of its routes."""

from flask_babel import lazy_gettext as _l

from ret_app import labels
from ret_app.expected import ADMIN, CASE_ROLES, CASEWORKER, CHAIR
from ret_app.kernel.registry import Capability
from ret_app.meetings import audit_words
from ret_app.meetings import (  # noqa: F401  (views registered; planning reacts to participants)
    action_routes,
    followup_routes,
    live_routes,
    minutes_routes,
    overview,
    panels,
    planning,
    planning_routes,
)
from ret_app.meetings.blueprint import actions_bp, bp
from ret_app.policy import Permission

capability = (
    Capability("meetings")
    .blueprint(bp, "/overleggen")
    .blueprint(actions_bp, "/acties")
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .nav("meetings.index", _l("Sessions"), Permission.VIEW_SESSIONS, "meetings.", order=40)
    .nav("actions.mine", _l("My actions"), Permission.VIEW_OWN_ACTIONS, "actions.", order=50)
    .nav("meetings.followups", _l("Follow-up"), Permission.ANSWER_PROVISIONAL, "meetings.followup", order=60)
    .start_card("actions", "meetings/_start_actions.html", overview.my_actions_card, order=20)
    .start_card("sessions", "meetings/_start_sessions.html", overview.upcoming_sessions_card, order=30)
    .start_card("followups", "meetings/_start_followups.html", overview.provisional_card, order=40)
    .case_panel("sessions", "meetings/_case_panel.html", lambda case, user: panels.sessions_panel(case),
                slot="work", order=20)
    .template_global("action_status_label", labels.action_status_label)
    .template_global("session_url", panels.session_url)
    .template_global("minutes_panel", panels.minutes_panel)
    .timeline_labels({
        "session_planned": _l("Put on the agenda of a RET session"),
        "session_unplanned": _l("Taken off the agenda of a RET session"),
        "session_cancelled": _l("RET session cancelled"),
        "session_decision": _l("Decision taken in a RET session"),
        "provisional_confirmed": _l("Provisional decision confirmed by the municipality"),
        "provisional_refused": _l("Provisional decision refused by the municipality"),
        "action_created": _l("Action agreed"),
        "action_done": _l("Action done"),
        "action_open": _l("Action reopened"),
        "action_cancelled": _l("Action cancelled"),
    })
    .expected_access({
        # live
        "meetings.live": CASE_ROLES,
        "meetings.live_updates": CASE_ROLES,
        "meetings.check_in": CASE_ROLES,
        "meetings.item_activate": CHAIR,
        "meetings.item_notes": CHAIR,
        "meetings.decision_add": CHAIR,
        "meetings.action_add": CHAIR,
        # planning
        "meetings.index": CASE_ROLES,
        "meetings.new": CHAIR,
        "meetings.page": CASE_ROLES,
        "meetings.calendar_invitation": CASE_ROLES,
        "meetings.edit": CHAIR,
        "meetings.item_add": CHAIR,
        "meetings.item_remove": CHAIR,
        "meetings.item_move": CHAIR,
        "meetings.step": CHAIR,
        # minutes, actions, follow-up
        "meetings.minutes_pdf": CASE_ROLES,
        "meetings.extract_pdf": CASE_ROLES,
        "meetings.addendum_add": CASE_ROLES,
        "actions.mine": CASE_ROLES,
        "actions.set_status": CASE_ROLES,
        "meetings.followups": CASEWORKER | ADMIN,
        "meetings.followup_answer": CASEWORKER | ADMIN,
    })
)
