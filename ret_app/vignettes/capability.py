"""Learning vignettes as a capability: the region's list ("Leerverhalen") in the navigation of the chair
and RET members, the chair's panel on the case page (generate once the case is closed), timeline labels,
the sections of the case (case_sections.py) and the expected access of every route.

Who: the chair generates, edits, approves and withdraws (KEEP_VIGNETTES); RET members read and download
the approved vignettes of their region and make packs of them (READ_VIGNETTES). Caseworkers, providers,
network liaisons, analysts and the administrator have no vignettes (403)."""

from flask_babel import lazy_gettext as _l

from ret_app.expected import CHAIR
from ret_app.kernel.registry import Capability
from ret_app.policy import Permission
from ret_app.exports import registry as exports
from ret_app.vignettes import audit_words, case_sections, cards, report
from ret_app.vignettes import routes  # noqa: F401  (views registered)
from ret_app.vignettes.blueprint import bp
from ret_app.vignettes.lifecycle import STATUS_BADGES, STATUS_LABELS

case_sections.register()
# The learning-session pack is made as an export job (ret_app/exports); single vignette PDFs stay direct.
exports.register(report.PACK_KIND, report.render_pack, report.may_request_pack, report.PACK_LABEL)

RET = frozenset({"chair", "ret_member"})

capability = (
    Capability("vignettes")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .nav("vignettes.index", _l("Learning vignettes"), Permission.READ_VIGNETTES, "vignettes.", order=60)
    .case_panel("vignette", "vignettes/_case_panel.html", cards.case_panel, slot="work", order=90)
    .timeline_labels({
        "vignette_generated": _l("Learning vignette generated"),
        "vignette_approve": _l("Learning vignette approved"),
        "vignette_withdraw": _l("Learning vignette withdrawn"),
    })
    .template_filter("vignette_status_label", lambda code: STATUS_LABELS.get(code, code))
    .template_filter("vignette_badge", lambda code: STATUS_BADGES.get(code, "neutral"))
    .expected_access({endpoint: CHAIR for endpoint in (
        "vignettes.generate", "vignettes.save", "vignettes.approve", "vignettes.withdraw")})
    .expected_access({endpoint: RET for endpoint in (
        "vignettes.index", "vignettes.page", "vignettes.pdf", "vignettes.pack", "vignettes.pack_request")})
)
