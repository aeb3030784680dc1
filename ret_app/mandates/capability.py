"""Mandates as a capability: a holder's own mandates (page, navigation, start-page card and
warnings) and the chair's warning about the region's mandates that expire soon."""

from flask_babel import lazy_gettext as _l

from ret_app.expected import CASEWORKER
from ret_app.kernel.registry import Capability
from ret_app.mandates import audit_words
from ret_app.mandates import overview, routes  # noqa: F401  (views registered)
from ret_app.mandates.blueprint import bp
from ret_app.policy import Permission

capability = (
    Capability("mandates")
    .blueprint(bp, "/mandaten")
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .nav("mandates.mine", _l("My mandates"), Permission.VIEW_OWN_MANDATES, "mandates.", order=70)
    .start_card("expiring", "mandates/_start_expiring.html", overview.expiring_alert, slot="alerts", order=10)
    .start_card("region_expiring", "mandates/_start_region_expiring.html", overview.region_expiring_alert,
                slot="alerts", order=20)
    .start_card("mine", "mandates/_start_mine.html", overview.my_mandates_card, order=50)
    .expected_access({"mandates.mine": CASEWORKER})
)
