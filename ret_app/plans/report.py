"""The plan as a PDF for the conversation with the family (the conventions of every PDF export:
pdf/base.html, tagged PDF/UA in Dutch, reference, "Vertrouwelijk" and "pagina X van Y" on every
page), either the plan as it stands now (marked as draft while it differs from the last agreed
version) or an agreed version as it was agreed. Every export is audited."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Optional

from flask_babel import gettext as _

from ret_app import audit
from ret_app.kernel.dates import utcnow
from ret_app.caretypes import services as care_catalogue
from ret_app.models import Case, Plan, PlanVersion
from ret_app.pdf import render_pdf
from ret_app.plans import services
from ret_app.plans.labels import GOAL_STATUS_LABELS, HELP_FITS_LABELS, VOICE_LABELS


def _day(value: Optional[str]) -> Optional[date]:
    return date.fromisoformat(value) if value else None


def version_content(version: PlanVersion) -> SimpleNamespace:
    """An agreed version's frozen content in the shape the templates read (dates as dates)."""
    content = version.content or {}
    goals = [SimpleNamespace(**{**g, "intended_start": _day(g.get("intended_start"))}) for g in content.get("goals", ())]
    reviews = [SimpleNamespace(**{**r, "planned_on": _day(r.get("planned_on")), "held_on": _day(r.get("held_on"))})
               for r in content.get("reviews", ())]
    fitting = content.get("fitting_help")
    fitting = SimpleNamespace(started_on=_day(fitting.get("started_on")), what=fitting.get("what")) if fitting else None
    return SimpleNamespace(goals=goals, reviews=reviews, fitting_help=fitting)


def current_content(case: Case, plan: Optional[Plan]) -> SimpleNamespace:
    """The plan as it stands, in the same shape as an agreed version's content."""
    goals = [SimpleNamespace(id=g.id, position=g.position, text=g.text, voiced_by=g.voiced_by, status=g.status,
                             care_type=g.care_type, provider=g.provider.name if g.provider else g.provider_name,
                             in_collective=g.provider_id is not None, intended_start=g.intended_start)
             for g in (plan.goals if plan else ())]
    reviews = list(plan.reviews) if plan else []
    fitting = (SimpleNamespace(started_on=case.fitting_help_started_on, what=plan.fitting_help_what if plan else None)
               if case.fitting_help_started_on else None)
    return SimpleNamespace(goals=goals, reviews=reviews, fitting_help=fitting)


def labels(region_id: int) -> dict:
    return {"goal_status_labels": GOAL_STATUS_LABELS, "voice_labels": VOICE_LABELS,
            "help_fits_labels": HELP_FITS_LABELS, "care_type_labels": care_catalogue.names(region_id)}


def export(case: Case, plan: Optional[Plan], version: Optional[PlanVersion] = None) -> bytes:
    """The plan (or an agreed version of it) as a tagged PDF; the export is audited."""
    if version is not None:
        content, draft_notice = version_content(version), None
    else:
        content = current_content(case, plan)
        draft_notice = None
        if plan is None or plan.agreed_number is None:
            draft_notice = _("this plan has not been agreed yet; its content can still change.")
        elif plan.changed_since_agreed:
            draft_notice = _("this plan has changed since version %(number)s was agreed; the changes have not been "
                             "agreed yet.", number=plan.agreed_number)
    # The agreed version the document speaks of: the one asked for, or the last one.
    agreed = version
    if agreed is None and plan is not None and plan.agreed_number:
        agreed = services.version_of(plan, plan.agreed_number)
    data = render_pdf("pdf/plan.html", document_title=_("Process direction plan"), reference=case.reference,
                      generated_at=utcnow(), case=case, plan=plan, content=content, version=version,
                      agreed=agreed, draft_notice=draft_notice, **labels(case.region_id))
    audit.record(audit.Action.EXPORT, object_type="plan", object_id=plan.id if plan else None, case_id=case.id,
                 detail=f"version={version.number}" if version else ("concept" if draft_notice else "agreed"))
    return data
