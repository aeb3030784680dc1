"""My account as a capability: pages, navigation, the start page's account card and warning."""

from flask_babel import lazy_gettext as _l

from ret_app.account import audit_words
from ret_app.account import overview, routes  # noqa: F401  (views registered)
from ret_app.account.blueprint import bp
from ret_app.expected import EVERYONE
from ret_app.kernel.registry import Capability
from ret_app.policy import Permission

capability = (
    Capability("account")
    .blueprint(bp, "/account")
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .nav("account.overview", _l("My account"), Permission.USE_APP, "account.", order=130)
    .start_card("recovery", "account/_start_recovery.html", overview.recovery_alert, slot="alerts", order=30)
    .start_card("account", "account/_start_account.html", overview.account_card, order=80)
    .expected_access({
        "account.overview": EVERYONE,
        "account.end_session": EVERYONE,
        "account.end_other_sessions": EVERYONE,
        "account.change_password": EVERYONE,
        "account.new_recovery_codes": EVERYONE,
    })
)
