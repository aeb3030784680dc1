"""Outcomes as a capability: the outcome page of a case and its panel on the case page (the RET side
only), the administrator's gap taxonomy per region (reached from the region list), timeline labels,
audit words, template filters and the expected access of every route.

The outcome's working days follow the case's lifecycle steps (services.py subscribes to them); learning
vignettes get the outcome's section (vignette.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.expected import ADMIN, CASE_ROLES
from ret_app.kernel.registry import Capability
from ret_app.outcomes import audit_words, cards, services  # noqa: F401  (the days follow the lifecycle)
from ret_app.outcomes import routes  # noqa: F401  (views registered)
from ret_app.outcomes import vignette
from ret_app.outcomes.blueprint import bp
from ret_app.outcomes.labels import PLACEMENT_RESULT_LABELS, RESULT_BADGES, RESULT_LABELS

vignette.register()  # the outcome's section of a learning vignette and its providers in the vignette's cast

capability = (
    Capability("outcomes")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .case_panel("outcome", "outcomes/_case_panel.html", cards.case_panel, slot="work", order=50)
    .timeline_labels({
        "outcome_recorded": _l("Outcome recorded"),
        "outcome_changed": _l("Outcome corrected"),
    })
    .template_filter("outcome_result_label", lambda code: RESULT_LABELS.get(code, code or "—"))
    .template_filter("outcome_badge", lambda code: RESULT_BADGES.get(code, "neutral"))
    .template_filter("placement_result_label", lambda code: PLACEMENT_RESULT_LABELS.get(code, code or "—"))
    # The page itself decides per case: the chair and RET members of its region (404 for everyone else).
    .expected_access({"outcomes.outcome_page": CASE_ROLES})
    .expected_access({name: ADMIN for name in ("outcomes.taxonomy_page", "outcomes.category_edit",
                                               "outcomes.category_retire", "outcomes.category_reactivate")})
)
