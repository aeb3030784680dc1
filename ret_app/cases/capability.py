"""The case core as a capability: its blueprint, navigation, timeline labels and expected access."""

from flask_babel import lazy_gettext as _l

from ret_app.cases import audit_words, consent_ages
from ret_app.cases import norms, overview, routes, timeline, waiting  # noqa: F401  (views; subscribers)
from ret_app.cases.blueprint import bp
from ret_app.expected import CASE_ROLES, CHAIR
from ret_app.kernel.registry import Capability
from ret_app.policy import Permission

capability = (
    Capability("cases")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .nav("cases.intake_queue", _l("Intake"), Permission.RUN_INTAKE, "cases.intake", order=20)
    .nav("cases.case_list", _l("Cases"), Permission.WORK_ON_CASES, "cases.case", order=30)
    .start_card("intake", "cases/_start_intake.html", overview.intake_card, order=15)
    .start_card("overdue", "cases/_start_overdue.html", overview.overdue_card, order=16)
    .start_card("my_cases", "cases/_start_my_cases.html", overview.my_cases_card, order=17)
    .template_filter("case_overdue", norms.is_overdue)
    .timeline_labels({
        "intake_decision": _l("Intake decision taken"),
        "participant_invited": _l("Participant invited"),
        "participant_removed": _l("Participant removed"),
        **consent_ages.TIMELINE_LABELS,
    })
    .expected_access({
        "cases.case_list": CASE_ROLES,
        "cases.case_page": CASE_ROLES,
        "cases.case_step": CASE_ROLES,
        "cases.intake_queue": CHAIR,
        "cases.intake_decision": CHAIR,
    })
)
