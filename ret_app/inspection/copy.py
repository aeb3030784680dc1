"""The inspection copy: the case file as a PDF for one inspection request, built from the registered
sections (sections.py) in order. A section withheld for the request is replaced by "Weggelaten:
<reden>" (in Dutch: "Withheld: <reason>") and its render is never called; each section is followed by
its addenda. Made as an export job ("inspection-copy", params: the request's id), by the chair of the
case's region, once the right has been checked and stands; the export is audited with the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ret_app import audit, policy
from ret_app.extensions import db
from ret_app.inspection import rights, sections, services
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.models import InspectionRequest, InspectionStatus, User
from ret_app.pdf import render_pdf

KIND = "inspection-copy"
LABEL = _l("Inspection copy")


@dataclass
class Part:
    code: str
    title: Any
    blocks: list = field(default_factory=list)
    withheld: Optional[str] = None  # the reason, when withheld
    addenda: list = field(default_factory=list)


def build(request: InspectionRequest, viewer: User) -> list[Part]:
    withheld = {w.section: w.reason for w in request.withheld}
    addenda = services.addenda_of(request.case_id)
    parts = []
    for section in sections.sections():
        if section.code in withheld:
            parts.append(Part(section.code, section.title, withheld=withheld[section.code]))
            continue  # never rendered
        parts.append(Part(section.code, section.title, section.render(request.case, viewer),
                          addenda=addenda.get(section.code, [])))
    return parts


def pdf(request: InspectionRequest, viewer: User) -> bytes:
    case = request.case
    return render_pdf("pdf/inspection_copy.html", document_title=_("Inspection copy"), reference=case.reference,
                      generated_at=utcnow(), request=request, parts=build(request, viewer),
                      rule=rights.RULES.get(request.rule or "", ""))


def _request(params: dict) -> Optional[InspectionRequest]:
    request_id = params.get("request")
    if not isinstance(request_id, int) or isinstance(request_id, bool):
        return None
    return db.session.get(InspectionRequest, request_id)


def may_request(user: User, params: dict) -> bool:
    request = _request(params)
    return (request is not None and set(params) == {"request"} and policy.is_chair_of(user, request.case)
            and request.status in (InspectionStatus.CHECKED, InspectionStatus.HANDED_OVER))


def render(job, progress) -> tuple[str, str, bytes]:
    user = job.requested_by
    request = _request(job.params)
    if request is None or not may_request(user, job.params):
        raise RuleError(services.NOT_CHECKED)
    progress(20, _("Gathering the parts of the file"))
    data = pdf(request, user)
    progress(90, _("Recording the export"))
    audit.record(audit.Action.EXPORT, object_type="inspection_request", object_id=request.id,
                 case_id=request.case_id,
                 detail="inspection_copy;withheld=" + ",".join(sorted(w.section for w in request.withheld)))
    return f"{request.case.reference}-inzage.pdf", "application/pdf", data
