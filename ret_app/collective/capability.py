"""The collective as a capability: the region's providers and their profiles (navigation), the
capacity overview for the RET (navigation), a provider member's capacity on the start page, and the
expected access of every route."""

from flask_babel import lazy_gettext as _l

from ret_app.collective import audit_words
from ret_app.collective import overview, routes  # noqa: F401  (views registered)
from ret_app.collective.blueprint import bp
from ret_app.expected import CASE_ROLES
from ret_app.kernel.registry import Capability
from ret_app.policy import Permission

PROVIDER_MEMBER = frozenset({"provider_member"})
RET = frozenset({"chair", "ret_member"})  # process directors are RET members or the chair

capability = (
    Capability("collective")
    .blueprint(bp, "/collectief")
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .nav("collective.providers", _l("Collective"), Permission.VIEW_COLLECTIVE, "collective.", order=55)
    .nav("collective.overview", _l("Capacity"), Permission.VIEW_CAPACITY_OVERVIEW, "collective.overview", order=56)
    .start_card("my_capacity", "collective/_start_capacity.html", overview.my_capacity_card, order=25)
    .start_card("stale_capacity", "collective/_start_stale.html", overview.stale_capacity_card, order=26)
    .expected_access({
        "collective.providers": CASE_ROLES,
        "collective.provider": CASE_ROLES,
        "collective.capacity_history": CASE_ROLES,
        "collective.profile_edit": PROVIDER_MEMBER,
        "collective.contact_add": PROVIDER_MEMBER,
        "collective.contact_remove": PROVIDER_MEMBER,
        "collective.capacity_edit": PROVIDER_MEMBER,
        "collective.overview": RET,
    })
)
