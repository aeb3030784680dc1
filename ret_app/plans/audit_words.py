"""The audit trail's details of the plan in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key, form_labels
from ret_app.plans.forms import AgreeForm, FittingHelpForm, GoalForm, ReviewPlanForm, ReviewRecordForm
from ret_app.plans.labels import GOAL_STATUS_LABELS, HELP_FITS_LABELS, VOICE_LABELS

WORDS = {
    "case": {
        # The parts of the plan that were opened or changed (case_or_404's detail).
        "plan": _l("process direction plan"),
        "plan_goal": _l("goal of the plan"),
        "plan_review": _l("review moment of the plan"),
        "plan_agree": _l("agree the plan"),
        "plan_version": _l("agreed version of the plan"),
        "fitting_help": _l("fitting help started"),
        "plan_pdf": _l("the plan as a PDF"),
    },
    "plan": {
        "fitting_help_started": _l("fitting help started; the case moves to monitoring"),
        "version": Key(_l("Agreed version")),
        "concept": _l("draft, not agreed"),
        "agreed": _l("as agreed"),
        "fields": Key(_l("Fields"), form_labels(FittingHelpForm), many=True),
    },
    "plan_goal": {
        "status": Key(_l("Status"), GOAL_STATUS_LABELS),
        "voice": Key(_l("In the words of"), VOICE_LABELS),
        "fields": Key(_l("Fields"), form_labels(GoalForm), many=True),
    },
    "plan_review": {
        "recorded": _l("held and recorded"),
        "corrected": _l("what was recorded corrected"),
        "fits": Key(_l("Does the help fit?"), HELP_FITS_LABELS),
        "fields": Key(_l("Fields"), {**form_labels(ReviewRecordForm), **form_labels(ReviewPlanForm)}, many=True),
    },
    "plan_version": {
        "number": Key(_l("Version")),
        "decision": Key(_l("Session decision")),
        "fields": Key(_l("Fields"), form_labels(AgreeForm), many=True),
    },
}

NAMES = {
    "plan": _l("Process direction plan"),
    "plan_goal": _l("Goal of the plan"),
    "plan_review": _l("Review moment"),
    "plan_version": _l("Agreed version of the plan"),
}
