"""Functional management as a capability: pages, navigation, the start page's management card."""

from flask_babel import lazy_gettext as _l

from ret_app.admin import audit_words
from ret_app.admin import overview, routes  # noqa: F401  (views registered)
from ret_app.admin.blueprint import bp
from ret_app.audit_words import describe_event, object_name
from ret_app.expected import ADMIN
from ret_app.kernel.registry import Capability
from ret_app.policy import Permission

capability = (
    Capability("admin")
    .blueprint(bp, "/beheer")
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .template_filter("audit_detail", describe_event)
    .template_filter("audit_object_name", object_name)
    .nav("admin.users", _l("Users"), Permission.MANAGE_USERS, "admin.user", order=80)
    .nav("admin.organisations", _l("Organisations"), Permission.MANAGE_REFERENCE_DATA, "admin.organisation", order=90)
    .nav("admin.regions", _l("Regions"), Permission.MANAGE_REFERENCE_DATA, "admin.region", order=100)
    .nav("admin.mandates", _l("Mandates"), Permission.MANAGE_MANDATES, "admin.mandate", order=110)
    .nav("admin.audit", _l("Audit trail"), Permission.VIEW_AUDIT, "admin.audit", order=120)
    .start_card("management", "admin/_start_management.html", overview.management_card, order=10)
    .expected_access({name: ADMIN for name in (
        "admin.index", "admin.networks", "admin.network_edit", "admin.regions", "admin.region_edit",
        "admin.region_norms", "admin.municipalities", "admin.municipality_edit", "admin.organisations",
        "admin.organisation_edit", "admin.users", "admin.user_new", "admin.user_edit", "admin.user_deactivate",
        "admin.user_reactivate", "admin.user_reset_2fa", "admin.user_activation_link", "admin.mandates",
        "admin.mandate_new", "admin.mandate_detail", "admin.audit")})
)
