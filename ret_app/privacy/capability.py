"""Privacy as a capability: the privacy hub (navigation; other capabilities add sections as start
cards in the "privacy" slot), a case's access log with the family's PDF (an export kind, registered by family.py
on import), the register of processing, the privacy officer's start card and the audit words."""

from flask_babel import lazy_gettext as _l

from ret_app.kernel.registry import Capability
from ret_app import policy
from ret_app.policy import Permission
from ret_app.privacy import audit_words, cards, family  # noqa: F401  (the export kind)
from ret_app.privacy import routes  # noqa: F401  (views registered)
from ret_app.privacy.blueprint import bp



def _case_panel(case, user):
    """The way to the case's access log, for whoever may read it."""
    return {"case_id": case.id} if policy.can_see_access_log(user, case) else None


capability = (
    Capability("privacy")
    .blueprint(bp)
    .nav("privacy.hub", _l("Privacy"), Permission.VIEW_PRIVACY_HUB, "privacy.", order=85)
    .case_panel("access_log", "privacy/_case_panel.html", _case_panel, slot="details", order=90)
    .start_card("privacy", "privacy/_start_card.html", cards.start_card, order=10)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .expected_access({
        "privacy.hub": frozenset({"chair", "privacy_officer"}),
        "privacy.access_log_page": frozenset({"chair", "privacy_officer"}),
        "privacy.processing_register": frozenset({"privacy_officer", "admin"}),
    })
)


@capability.on_install
def _commands(app) -> None:
    @app.cli.command("processing-register")
    def processing_register_command() -> None:
        """Print docs/processing-register.md (the register of processing, in English)."""
        from flask_babel import force_locale

        from ret_app.privacy import register

        with app.test_request_context(), force_locale("en"):
            print(register.markdown(), end="")
