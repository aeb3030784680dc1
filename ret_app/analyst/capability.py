"""The analyst's view as a capability: the aggregates page (navigation), the analyst's start-page card
and the audit words of their reads. Only the analyst: suppressed aggregates of their own region."""

from flask_babel import lazy_gettext as _l

from ret_app.analyst import audit_words, cards
from ret_app.analyst import routes  # noqa: F401  (views registered)
from ret_app.analyst import refresh, stored  # noqa: F401  (the jobs and the erasure's subscriber registered)
from ret_app.analyst.blueprint import bp
from ret_app.kernel.registry import Capability
from ret_app.policy import Permission

ANALYST = frozenset({"analyst"})

capability = (
    Capability("analyst")
    .blueprint(bp)
    .nav("analyst.aggregates_page", _l("Figures"), Permission.VIEW_AGGREGATES, "analyst.", order=80)
    .start_card("analyst", "analyst/_start_card.html", cards.start_card, order=10)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .expected_access({"analyst.aggregates_page": ANALYST})
)
