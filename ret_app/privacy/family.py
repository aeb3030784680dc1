"""The family's "who looked at my file" PDF (NEN 7513) as an export job: organisation, role, action and
date of every access to the case by a person; the staff member's name only when the region chose so
(`RegionNorms.access_log_shows_names`, the administrator's norms page). The chair or the privacy officer
of the case's region asks for it on the case's access log."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ret_app import audit, policy
from ret_app.exports import registry as exports
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.errors import RuleError
from ret_app.models import Case, ExportJob, RegionNorms, User
from ret_app.pdf import render_pdf
from ret_app.privacy import access_log

KIND = "access-log-family"


def shows_names(region_id: int) -> bool:
    norms = db.session.get(RegionNorms, region_id)
    return bool(norms is not None and norms.access_log_shows_names)


def may_request(user: User, params: dict) -> bool:
    """The same rule as the access log: the chair or the privacy officer of the case's region."""
    case_id = params.get("case_id")
    case = db.session.get(Case, case_id) if isinstance(case_id, int) else None
    return policy.can_see_access_log(user, case)


def render(job: ExportJob, progress) -> tuple[str, str, bytes]:
    case = db.session.get(Case, job.params.get("case_id"))
    if case is None or case.region_id != job.region_id:
        raise RuleError(_("This case is not of your region."))
    progress(20, _("Reading the access log"))
    with_names = shows_names(case.region_id)
    rows = access_log.family_rows(case.id, with_names=with_names)
    audit.record(audit.Action.EXPORT, object_type="access_log_family", object_id=case.id, case_id=case.id,
                 detail="names=yes" if with_names else "names=no")
    progress(60, _("Making the PDF"))
    data = render_pdf("pdf/access_log_family.html", document_title=_("Who looked at your file"),
                      reference=case.reference, case=case, rows=rows, with_names=with_names,
                      kinds=access_log.KINDS, made_on=dates.today())
    return f"inzage-log-{case.reference}.pdf", "application/pdf", data


exports.register(KIND, render, may_request, _l("Who looked at the file (for the family)"))
