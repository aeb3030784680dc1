"""The inspection copy's sections of the case core (referral, family system, consent, screening, plan,
session decisions and actions, escalations, outcome, timeline), registered at import. Each reads the
models below it (no sibling capability's code) with a query or two; each returns [] when the case has
nothing of it yet."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ret_app.cases import timeline
from ret_app.escalations.labels import ESCALATION_STATUS_LABELS
from ret_app.extensions import db
from ret_app.inspection.sections import register_section
from ret_app.kernel import dates
from ret_app.labels import (
    CASE_STATUS_LABELS,
    DECISION_KIND_LABELS,
    DECISION_STATUS_LABELS,
    DOMAIN_LABELS,
    RELATION_LABELS,
    SCOPE_LABELS,
    severity_label,
)
from ret_app.outcomes.labels import RESULT_LABELS as OUTCOME_LABELS
from ret_app.models import (
    CaseAction,
    CaseOutcome,
    Decision,
    Escalation,
    Plan,
    PlanGoal,
    Screening,
    ScreeningContribution,
)


def _d(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "hour"):
        value = dates.local_date(value)
    return value.strftime("%d-%m-%Y")


def referral(case, viewer):
    return [(_("Reference"), case.reference),
            (_("Youth"), f"{case.youth_first_name} {case.youth_last_name}".strip() or "—"),
            (_("Birth date"), _d(case.youth_birth_date)),
            (_("Municipality"), case.municipality.name),
            (_("Status"), str(CASE_STATUS_LABELS.get(case.status, case.status))),
            (_("Submitted"), _d(case.submitted_at)),
            (_("Question for help"), case.question or "—"),
            (_("Why it is stuck"), case.why_stuck or "—")]


def family(case, viewer):
    authority = _("parental authority")
    return [(str(RELATION_LABELS.get(m.relation, m.relation)),
             (m.name or "—") + (" · " + authority if m.parental_authority else ""))
            for m in case.family_members]


def consent_part(case, viewer):
    out = []
    for c in case.consents:
        who = c.family_member.name if c.family_member is not None else _("The youth")
        state = _("withdrawn on %(day)s", day=_d(c.withdrawn_on)) if c.withdrawn_on else _("standing")
        out.append((str(SCOPE_LABELS.get(c.scope, c.scope)), f"{who}: {_d(c.given_on)} · {state}"))
    return out


def screening(case, viewer):
    s = db.session.scalar(select(Screening).where(Screening.case_id == case.id))
    if s is None:
        return []
    out = [(_("Finalised"), _d(s.finalised_at)), (_("In the youth's own words"), s.youth_view or "—"),
           (_("The family's view"), s.family_view or "—")]
    for c in db.session.scalars(select(ScreeningContribution).where(ScreeningContribution.screening_id == s.id)
                                .order_by(ScreeningContribution.domain, ScreeningContribution.id)):
        out.append((str(DOMAIN_LABELS.get(c.domain, c.domain)), f"{severity_label(c.severity)}. {c.notes}".strip()))
    out += [(_("Analysis"), s.analysis or "—"), (_("Advice"), s.advice or "—")]
    out += [(_("Addendum of %(day)s", day=_d(a.at)), a.text) for a in s.addenda]
    return out


def plan(case, viewer):
    p = db.session.scalar(select(Plan).where(Plan.case_id == case.id))
    if p is None:
        return []
    out = [(_("Agreed version"), str(p.agreed_number or "—"))]
    for g in db.session.scalars(select(PlanGoal).where(PlanGoal.plan_id == p.id).order_by(PlanGoal.position)):
        out.append((_("Goal %(n)d", n=g.position), g.text + (f" · {g.provider_name}" if g.provider_name else "")))
    if p.fitting_help_what:
        out.append((_("Fitting help"), p.fitting_help_what))
    return out


def decisions(case, viewer):
    out = []
    for d in db.session.scalars(select(Decision).where(Decision.case_id == case.id).order_by(Decision.recorded_at)):
        out.append((f"{_d(d.recorded_at)} · {DECISION_KIND_LABELS.get(d.kind, d.kind)}",
                    f"{d.text} ({DECISION_STATUS_LABELS.get(d.status, d.status)})"))
    for a in db.session.scalars(select(CaseAction).where(CaseAction.case_id == case.id).order_by(CaseAction.due_date)):
        out.append((_("Action, due %(day)s", day=_d(a.due_date)), a.description))
    return out


def escalations(case, viewer):
    return [(_d(e.sent_at or e.created_at), f"{e.question or '—'} ({ESCALATION_STATUS_LABELS.get(e.status, e.status)})")
            for e in db.session.scalars(select(Escalation).where(Escalation.case_id == case.id)
                                        .order_by(Escalation.created_at))]


def outcome(case, viewer):
    o = db.session.scalar(select(CaseOutcome).where(CaseOutcome.case_id == case.id))
    if o is None:
        return []
    return [(_("Recorded"), _d(o.recorded_at)), (_("Outcome"), str(OUTCOME_LABELS.get(o.result, o.result))),
            (_("Note"), o.placement_note or "—")]


def history(case, viewer):
    out = []
    for e in reversed(timeline.history(case, viewer)):
        what = e.label if e.label else (str(CASE_STATUS_LABELS.get(e.transition[1], e.transition[1]))
                                        if e.transition else "")
        out.append((_d(e.at), " · ".join(str(x) for x in (what, e.note) if x) or "—"))
    return out


register_section(10, "referral", _l("Referral"), referral)
register_section(20, "family", _l("Family system"), family)
register_section(30, "consent", _l("Consent"), consent_part)
register_section(40, "screening", _l("Screening"), screening)
register_section(50, "plan", _l("Plan"), plan)
register_section(60, "decisions", _l("Session decisions and actions"), decisions)
register_section(70, "escalations", _l("Escalations"), escalations)
register_section(80, "outcome", _l("Outcome"), outcome)
register_section(90, "timeline", _l("Timeline"), history)
