"""The process direction plan as a capability: its blueprint, the case page's plan panel, timeline
labels, audit words, the plan's due dates for the norms, and the expected access of its routes."""

from collections import Counter

from flask_babel import lazy_gettext as _l

from ret_app.expected import CASE_ROLES
from ret_app.kernel import dates
from ret_app.kernel.registry import Capability
from ret_app.plans import audit_words, deadlines  # noqa: F401  (the review moments' due dates registered)
from ret_app.plans import routes, services  # noqa: F401  (views registered)
from ret_app.plans.blueprint import bp
from ret_app.plans.labels import GOAL_STATUS_BADGES, GOAL_STATUS_LABELS, HELP_FITS_BADGES, HELP_FITS_LABELS, VOICE_LABELS


def _case_panel(case, user):
    """The plan in short: its state, the goals per status, the next review moment, fitting help.
    Shown once the case is in process direction (or has a plan)."""
    plan = services.get(case)
    if plan is None and not services.is_writable(case):
        return None
    counts = Counter(g.status for g in plan.goals) if plan else Counter()
    return {
        "plan": plan,
        "goal_counts": [(status, label, counts[status]) for status, label in GOAL_STATUS_LABELS.items()
                        if counts[status]],
        "next_review": services.next_review(plan),
        "may_keep": services.may_keep(user, case),
        "fitting_help_what": plan.fitting_help_what if plan else None,
        "today": dates.today(),
    }


capability = (
    Capability("plans")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .case_panel("plan", "plans/_case_panel.html", _case_panel, slot="work", order=15)
    .template_global("goal_status_labels", GOAL_STATUS_LABELS)
    .template_global("goal_status_badges", GOAL_STATUS_BADGES)
    .template_global("voice_labels", VOICE_LABELS)
    .template_global("help_fits_labels", HELP_FITS_LABELS)
    .template_global("help_fits_badges", HELP_FITS_BADGES)
    .timeline_labels({
        "plan_agreed": _l("Version of the plan agreed"),
        "plan_review_held": _l("Review moment held"),
        "fitting_help_started": _l("Fitting help started"),
    })
    .expected_access({
        "plans.plan_page": CASE_ROLES,
        "plans.goal_add": CASE_ROLES,
        "plans.goal_save": CASE_ROLES,
        "plans.goal_remove": CASE_ROLES,
        "plans.review_add": CASE_ROLES,
        "plans.review_record": CASE_ROLES,
        "plans.review_cancel": CASE_ROLES,
        "plans.plan_agree": CASE_ROLES,
        "plans.version_page": CASE_ROLES,
        "plans.fitting_help": CASE_ROLES,
        "plans.plan_pdf": CASE_ROLES,
    })
)
