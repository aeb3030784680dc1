"""RET sessions ("RET-overleg"): planning, chairing live, decisions with the mandate check,
actions, minutes. Two blueprints: `meetings` (/overleggen) and `actions` (/acties, "Mijn acties")."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
actions_bp = Blueprint("actions", __name__)

from ret_app.meetings import labels  # noqa: E402

for _filter in (labels.purpose_label, labels.meeting_status_label, labels.finding_text, labels.action_status_label):
    bp.add_app_template_filter(_filter)
bp.add_app_template_global(labels.action_status_label)

from ret_app.meetings import (  # noqa: E402,F401
    action_routes,
    followup_routes,
    live_routes,
    minutes_routes,
    planning_routes,
)
