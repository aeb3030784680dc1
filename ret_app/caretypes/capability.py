"""The care-type catalogue as a capability: the administrator's pages under /beheer (reached from the
region list), the template filter that names a stored code, and the expected access of its routes.

Other capabilities ask `caretypes.services` (choices, names, validate); this package imports none of
them."""

from ret_app.caretypes import audit_words, services
from ret_app.caretypes import routes  # noqa: F401  (views registered)
from ret_app.caretypes.blueprint import bp
from ret_app.expected import ADMIN
from ret_app.kernel.registry import Capability

capability = (
    Capability("caretypes")
    .blueprint(bp, "/beheer")
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    # {{ code|care_type_label(care_names) }} with care_names = services.names(region_id) from the page.
    .template_filter("care_type_label", services.label)
    .expected_access({name: ADMIN for name in (
        "caretypes.catalogue", "caretypes.edit", "caretypes.retire", "caretypes.reactivate", "caretypes.remove")})
)
