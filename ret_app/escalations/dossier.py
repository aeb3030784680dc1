"""The escalation dossier: what the supra-regional network needs of an escalated case, and nothing more,
built once (`build`) and handed out in two forms: a PDF with the conventions of every PDF export
(`export_pdf`, templates/pdf/escalation_dossier.html) and a JSON document (`export_json`) that follows the
versioned JSON Schema docs/schemas/escalation-dossier-v1.json (described in docs/escalation-dossier.md).
Every export is audited.

What it holds (data minimisation, docs/escalation-dossier.md says why each part is there):
* the youth as the network consent covers it: first and last name, birth date and age, the municipality
  (code and name); never the BSN, gender, daytime activity or the referral's free texts;
* the family members whose own consent for the network stands (given and not withdrawn): name, relation,
  whether they hold parental authority; a member who withdrew or never gave it is left out;
* on what the sharing rests (consent, or a recorded legal ground);
* the escalation: why the regional options are exhausted, the question, urgency, expected answer date,
  the network's side (process director, decline reason, result);
* only the items of the case the escalation names as tried, each with what the network needs of it
  (the screening as a summary: the highest severity per life domain, the analysis and the advice);
* the region, its RET and the contact: the organisation of the chair who escalated (no one's private
  details);
* the exchange so far (steps, messages, reminders, new dates), each with its side and organisation.

Without standing network consent (or a legal ground) there is no dossier (`build` refuses with
UNAVAILABLE): nobody may hand the network data it does not cover. A fixed number of queries, whatever the numbers of items.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any, Optional

from flask import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ret_app import audit
from ret_app.caretypes import services as care_catalogue
from ret_app.cases import consent
from ret_app.escalations.labels import (
    ESCALATION_STATUS_LABELS,
    MESSAGE_KIND_LABELS,
    QUESTION_KIND_LABELS,
    RESULT_LABELS,
    STEP_WORDS,
)
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.labels import (
    DECISION_KIND_LABELS,
    DECLINE_REASON_LABELS,
    DOMAIN_LABELS,
    RELATION_LABELS,
    REQUEST_ROLE_LABELS,
    REQUEST_STATUS_LABELS,
    URGENCY_LABELS,
    severity_label,
)
from ret_app.models import (
    ConsentScope,
    Decision,
    Escalation,
    EscalationStatus,
    LifeDomain,
    Meeting,
    MeetingItem,
    Organisation,
    Plan,
    PlanGoal,
    PlanVersion,
    PriorHelp,
    ProviderRequest,
    Screening,
    ScreeningContribution,
    TriedKind,
    User,
)
from ret_app.pdf import pdf_response, render_pdf
from ret_app.plans.labels import GOAL_STATUS_LABELS

SCHEMA_VERSION = "1.0"
SCHEMA_ID = "https://ret.invalid/schemas/escalation-dossier-v1.json"

# The lifecycle steps the network takes (the others are the RET's).
NETWORK_STEPS = frozenset({"accept", "decline", "start", "answer", "close"})


UNAVAILABLE = _l("There is no dossier for the network: the consent for the network (or a legal ground for "
                  "it) does not stand, so the network may not receive the case's data.")


def _coded(code: Optional[str], labels: dict) -> Optional[dict]:
    if code is None or code == "":
        return None
    return {"code": code, "label": str(labels.get(code, code))}


def _day(moment: Optional[datetime]) -> Optional[date]:
    return dates.local_date(moment) if moment is not None else None


def _utc(moment: Optional[datetime]) -> Optional[datetime]:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


# --- the parts --------------------------------------------------------------------------------

def _youth(case, today: date) -> dict:
    birth = case.youth_birth_date
    return {
        "first_name": case.youth_first_name or "",
        "last_name": case.youth_last_name or "",
        "birth_date": birth,
        "age": consent.age_on(birth, today) if birth else None,
        "municipality": {"name": case.municipality.name, "cbs_code": case.municipality.cbs_code},
    }


def _family(case, today: date) -> list[dict]:
    return [{"name": m.name or "", "relation": _coded(m.relation, RELATION_LABELS),
             "parental_authority": bool(m.parental_authority)}
            for m in consent.consenting_members(case, ConsentScope.NETWORK, today)]


def _chosen(escalation: Escalation) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {k.value: [] for k in TriedKind}
    for item in escalation.tried:
        out.setdefault(item.kind, []).append(item.object_id)
    return out


def _goal(text, status, care_type, provider, intended_start, care_names) -> dict:
    return {"text": text or "", "status": _coded(status, GOAL_STATUS_LABELS),
            "care_type": _coded(care_type, care_names), "provider": provider or None,
            "intended_start": intended_start}


def _tried(escalation: Escalation, care_names: dict) -> dict:
    """The items the escalation names as tried, kind by kind; one query per kind that has items (an item
    since removed from the case is left out)."""
    case_id = escalation.case_id
    chosen = _chosen(escalation)
    out: dict[str, Any] = {"prior_help": [], "screening": None, "plan_versions": [], "plan_goals": [],
                           "provider_requests": [], "decisions": []}
    if ids := chosen[TriedKind.PRIOR_HELP.value]:
        out["prior_help"] = [
            {"provider": h.provider, "help_type": h.help_type, "from_date": h.from_date, "to_date": h.to_date,
             "end_reason": h.end_reason or None}
            for h in db.session.scalars(select(PriorHelp).where(PriorHelp.case_id == case_id, PriorHelp.id.in_(ids))
                                        .order_by(PriorHelp.from_date, PriorHelp.id))]
    if ids := chosen[TriedKind.SCREENING.value]:
        screening = db.session.scalar(select(Screening).where(Screening.case_id == case_id, Screening.id.in_(ids)))
        if screening is not None:
            highest = dict(db.session.execute(
                select(ScreeningContribution.domain, func.max(ScreeningContribution.severity))
                .where(ScreeningContribution.screening_id == screening.id).group_by(ScreeningContribution.domain)).all())
            out["screening"] = {
                "finalised_on": _day(screening.finalised_at),
                "domains": [{"code": d.value, "label": str(DOMAIN_LABELS[d.value]),
                             "highest_severity": highest.get(d.value),
                             "severity_label": severity_label(highest[d.value]) if d.value in highest else None}
                            for d in LifeDomain],
                "analysis": screening.analysis or "",
                "advice": screening.advice or "",
            }
    if ids := chosen[TriedKind.PLAN_VERSION.value]:
        for version in db.session.scalars(select(PlanVersion).join(Plan, Plan.id == PlanVersion.plan_id)
                                          .where(Plan.case_id == case_id, PlanVersion.id.in_(ids))
                                          .order_by(PlanVersion.number)):
            goals = [_goal(g.get("text"), g.get("status"), g.get("care_type"), g.get("provider"),
                           date.fromisoformat(g["intended_start"]) if g.get("intended_start") else None, care_names)
                     for g in (version.content or {}).get("goals", ())]
            out["plan_versions"].append({"number": version.number, "agreed_on": _day(version.agreed_at),
                                         "goals": goals})
    if ids := chosen[TriedKind.PLAN_GOAL.value]:
        out["plan_goals"] = [
            _goal(g.text, g.status, g.care_type, g.provider.name if g.provider else g.provider_name, g.intended_start,
                  care_names)
            for g in db.session.scalars(select(PlanGoal).join(Plan, Plan.id == PlanGoal.plan_id)
                                        .where(Plan.case_id == case_id, PlanGoal.id.in_(ids))
                                        .options(joinedload(PlanGoal.provider))
                                        .order_by(PlanGoal.position, PlanGoal.id))]
    if ids := chosen[TriedKind.PROVIDER_REQUEST.value]:
        out["provider_requests"] = [
            {"organisation": r.organisation.name, "role": _coded(r.role, REQUEST_ROLE_LABELS),
             "care_type": _coded(r.care_type, care_names), "requested_on": _day(r.requested_at),
             "status": _coded(r.status, REQUEST_STATUS_LABELS),
             "decline_reason": _coded(r.decline_reason, DECLINE_REASON_LABELS) if r.status == "declined" else None,
             "decline_text": (r.decline_text or None) if r.status == "declined" else None}
            for r in db.session.scalars(select(ProviderRequest)
                                        .where(ProviderRequest.case_id == case_id, ProviderRequest.id.in_(ids))
                                        .options(joinedload(ProviderRequest.organisation))
                                        .order_by(ProviderRequest.requested_at, ProviderRequest.id))]
    if ids := chosen[TriedKind.DECISION.value]:
        out["decisions"] = [
            {"session_date": _day(starts_at), "kind": _coded(decision.kind, DECISION_KIND_LABELS),
             "text": decision.text}
            for decision, starts_at in db.session.execute(
                select(Decision, Meeting.starts_at).join(MeetingItem, MeetingItem.id == Decision.item_id)
                .join(Meeting, Meeting.id == MeetingItem.meeting_id)
                .where(Decision.case_id == case_id, Decision.id.in_(ids)).order_by(Meeting.starts_at, Decision.id))]
    return out


def _exchange(escalation: Escalation) -> list[dict]:
    """The exchange in the order it happened: steps (the answer shows as its message), messages, reminders
    and new expected dates, each with its side and the organisation of who wrote it (one query for the
    organisations)."""
    people = {s.actor_id for s in escalation.steps} | {m.author_id for m in escalation.messages} \
        | {r.sent_by_id for r in escalation.reminders} | {c.changed_by_id for c in escalation.date_changes}
    organisation_of = dict(db.session.execute(
        select(User.id, Organisation.name).join(Organisation, Organisation.id == User.organisation_id)
        .where(User.id.in_(people))).all()) if people else {}
    entries = []
    for s in escalation.steps:
        if s.name == "answer":
            continue
        entries.append({"at": s.at, "type": "step", "code": s.name, "label": str(STEP_WORDS.get(s.name, s.name)),
                        "side": "network" if s.name in NETWORK_STEPS else "ret",
                        "organisation": organisation_of.get(s.actor_id, ""), "text": s.reason or ""})
    for m in escalation.messages:
        entries.append({"at": m.at, "type": "message", "code": m.kind,
                        "label": str(MESSAGE_KIND_LABELS.get(m.kind, m.kind)), "side": m.side,
                        "organisation": organisation_of.get(m.author_id, ""), "text": m.text})
    for r in escalation.reminders:
        entries.append({"at": r.at, "type": "reminder", "code": "reminder",
                        "label": _("Reminder sent to the network"), "side": "ret",
                        "organisation": organisation_of.get(r.sent_by_id, ""), "text": r.note or ""})
    for c in escalation.date_changes:
        entries.append({"at": c.at, "type": "new_date", "code": "new_date",
                        "label": _("New expected answer date: %(day)s", day=c.new_date.strftime("%d-%m-%Y")),
                        "side": "ret", "organisation": organisation_of.get(c.changed_by_id, ""), "text": c.reason,
                        "new_date": c.new_date})
    entries.sort(key=lambda e: _utc(e["at"]))
    for entry in entries:
        entry["at"] = _utc(entry["at"])
    return entries


# --- the whole dossier -----------------------------------------------------------------------------

def available(escalation: Escalation, today: Optional[date] = None) -> bool:
    """Whether the network may have the case's data now: network consent under the age rules, or a
    recorded legal ground for the network."""
    return consent.scope_status(escalation.case, ConsentScope.NETWORK, today or dates.today()).stands


def build(escalation: Escalation, *, today: Optional[date] = None, now: Optional[datetime] = None) -> dict:
    """The dossier's content: plain values (dates as dates) that the PDF template shows and `as_json`
    writes. Refuses (RuleError UNAVAILABLE) when the network consent (or a legal ground) does not stand."""
    today = today or dates.today()
    case = escalation.case
    status = consent.scope_status(case, ConsentScope.NETWORK, today)
    if not status.stands:
        raise RuleError(UNAVAILABLE)
    region = case.region
    # The contact: the organisation (the RET) of the chair who escalated it (of who drafted it, before).
    contact = (escalation.sent_by or escalation.created_by).organisation
    care_names = care_catalogue.names(case.region_id)
    network_director = ({"name": escalation.network_director_name,
                         "organisation": escalation.network_director_organisation}
                        if escalation.network_director_name else None)
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": _utc(now or utcnow()),
        "case_reference": case.reference,
        "escalation": {
            "id": escalation.id,
            "status": _coded(escalation.status, ESCALATION_STATUS_LABELS),
            "network": {"name": escalation.network.name, "short_name": escalation.network.short_name},
            "sent_at": _utc(escalation.sent_at),
            "why_exhausted": escalation.why_exhausted or "",
            "question_kind": _coded(escalation.question_kind, QUESTION_KIND_LABELS),
            "question": escalation.question or "",
            "urgency": _coded(escalation.urgency, URGENCY_LABELS),
            "expected_answer_date": escalation.expected_answer_date,
            "network_director": network_director,
            "decline_reason": (escalation.decline_reason or "") if escalation.status == EscalationStatus.DECLINED
            else None,
            "result": ({**_coded(escalation.result, RESULT_LABELS), "text": escalation.result_text or ""}
                       if escalation.result else None),
        },
        "legal_basis": "legal_ground" if status.by_legal_ground else "consent",
        "youth": _youth(case, today),
        "family_members": _family(case, today),
        "tried": _tried(escalation, care_names),
        "region": {"name": region.name},
        "contact": {"organisation": contact.name},
        "exchange": _exchange(escalation),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return _utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_json(content: dict) -> dict:
    """The dossier as the JSON document of docs/schemas/escalation-dossier-v1.json."""
    return {"$schema": SCHEMA_ID, **_plain(content)}


# --- the exports (audited) --------------------------------------------------------------------------

def _audit(escalation: Escalation, form: str) -> None:
    audit.record(audit.Action.EXPORT, object_type="escalation", object_id=escalation.id,
                 case_id=escalation.case_id, detail=f"dossier={form}")


def filename(escalation: Escalation, suffix: str) -> str:
    return f"opschalingsdossier-{escalation.case.reference}.{suffix}"


def export_pdf(escalation: Escalation) -> bytes:
    content = build(escalation)
    draft_notice = _("this escalation has not been sent to the network yet; its content can still change.") \
        if escalation.status == EscalationStatus.DRAFT else None
    data = render_pdf("pdf/escalation_dossier.html", document_title=_("Escalation dossier"),
                      reference=escalation.case.reference, generated_at=content["generated_at"], d=content,
                      draft_notice=draft_notice)
    _audit(escalation, "pdf")
    return data


def export_json(escalation: Escalation) -> bytes:
    document = as_json(build(escalation))
    _audit(escalation, "json")
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def pdf_download(escalation: Escalation) -> Response:
    return pdf_response(export_pdf(escalation), filename(escalation, "pdf"))


def json_download(escalation: Escalation) -> Response:
    """A download of the JSON document; never cached, never sniffed."""
    response = Response(export_json(escalation), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(escalation, "json")}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def unavailable(escalation: Escalation) -> None:
    """Someone asked for the dossier while the network consent does not stand: recorded, nothing handed out."""
    audit.record(audit.Action.READ, object_type="escalation", object_id=escalation.id, case_id=escalation.case_id,
                 detail="dossier unavailable")
