"""The sections of a vignette built from what the case holds now: the youth and the family (roles, an age
band), the question, why it got stuck (with the help tried before), the screening, the plan's goals, the
requests to providers with their answers, the decisions of RET sessions, the escalation to the network and
how the case ended. Registered by the capability (orders 10-90; outcomes add theirs in between). Free text
of the case is quoted as it is: the generator scrubs the whole text afterwards."""

from __future__ import annotations

from datetime import date
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ret_app.escalations.labels import ESCALATION_STATUS_LABELS, QUESTION_KIND_LABELS, RESULT_LABELS
from ret_app.extensions import db
from ret_app.labels import (
    DECISION_KIND_LABELS, DECISION_STATUS_LABELS, DECLINE_REASON_LABELS, DOMAIN_LABELS, GENDER_LABELS,
    PLACEMENT_OUTCOME_LABELS, RELATION_LABELS, REQUEST_ROLE_LABELS, REQUEST_STATUS_LABELS, TRACK_LABELS,
    URGENCY_LABELS, severity_label,
)
from ret_app.models import Decision, Escalation, MeetingItem, Plan, ProviderRequest, Screening
from ret_app.plans.labels import GOAL_STATUS_LABELS, VOICE_LABELS
from ret_app.vignettes.sections import Context, Section, register_section

# Age bands instead of a birth date.
AGE_BANDS = ((0, 5), (6, 11), (12, 15), (16, 17), (18, 23))


def age_band(birth: Optional[date], on: date) -> Optional[str]:
    if birth is None:
        return None
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}–{high} jaar"
    return "23+ jaar" if age > 23 else None


def referral_day(case) -> date:
    from ret_app.kernel.dates import local_date, today

    moment = case.submitted_at or case.closed_at
    return local_date(moment) if moment else today()


def _care(ctx: Context, code: Optional[str]) -> str:
    from ret_app.caretypes import services as care_catalogue

    names = getattr(ctx, "_care_names", None)
    if names is None:
        names = care_catalogue.names(ctx.case.region_id)
        ctx._care_names = names  # type: ignore[attr-defined]
    return care_catalogue.label(code, names) if code else "—"


def _text(value: Optional[str]) -> str:
    """Free text of the case as one paragraph's worth (blank lines kept as paragraphs, no headings)."""
    lines = [line.strip().lstrip("#").strip() for line in (value or "").splitlines()]
    return "\n".join(lines).strip()


def youth_and_family(ctx: Context) -> Section:
    case = ctx.case
    band = age_band(case.youth_birth_date, referral_day(case))
    facts = [_("The youth (%(band)s) was referred to the RET in %(month)s.", band=band or _("age unknown"),
               month=ctx.month(case.submitted_at))]
    if case.youth_gender:
        facts.append(_("Gender: %(gender)s.", gender=str(GENDER_LABELS.get(case.youth_gender, "—")).lower()))
    if case.track:
        facts.append(_("Track: %(track)s; urgency: %(urgency)s.", track=str(TRACK_LABELS.get(case.track, case.track)),
                       urgency=str(URGENCY_LABELS.get(case.urgency, case.urgency)).lower()))
    if case.placement_intended:
        facts.append(_("An out-of-home placement was intended."))
    family = []
    for member in case.family_members:
        relation = str(RELATION_LABELS.get(member.relation, member.relation)).lower()
        family.append("- " + relation + (" " + _("(parental authority)") if member.parental_authority else ""))
    paragraphs = [" ".join(facts)]
    if family:
        paragraphs.append(_("The family system:") + "\n" + "\n".join(family))
    return Section(_("The youth and the family"), paragraphs)


def question(ctx: Context) -> Optional[Section]:
    text = _text(ctx.case.question)
    return Section(_("The question"), [text]) if text else None


def why_stuck(ctx: Context) -> Optional[Section]:
    case = ctx.case
    paragraphs = [_text(case.why_stuck)] if _text(case.why_stuck) else []
    tried = []
    for number, help_before in enumerate(case.prior_help, start=1):
        earlier = _("earlier provider %(number)s", number=number)
        line = f"- [{earlier}]: {help_before.help_type}"
        if help_before.from_date:
            line += ", " + _("from %(start)s to %(end)s", start=ctx.month(help_before.from_date),
                             end=ctx.month(help_before.to_date) if help_before.to_date else _("now"))
        if help_before.end_reason:
            line += "; " + _("ended because: %(reason)s", reason=" ".join(help_before.end_reason.split()))
        tried.append(line)
    if tried:
        paragraphs.append(_("Help tried before:") + "\n" + "\n".join(tried))
    return Section(_("Why it got stuck"), paragraphs) if paragraphs else None


def screening(ctx: Context) -> Optional[Section]:
    row = db.session.scalar(select(Screening).where(Screening.case_id == ctx.case.id)
                            .options(selectinload(Screening.contributions)))
    if row is None:
        return None
    paragraphs = []
    if _text(row.youth_view):
        paragraphs.append(_("In the youth's own words: %(text)s", text=_text(row.youth_view)))
    if _text(row.family_view):
        paragraphs.append(_("The family's view: %(text)s", text=_text(row.family_view)))
    by_domain: dict[str, list] = {}
    for contribution in row.contributions:
        by_domain.setdefault(contribution.domain, []).append(contribution)
    lines = []
    for domain, contributions in by_domain.items():
        highest = max(c.severity for c in contributions)
        notes = "; ".join(" ".join(c.notes.split()) for c in contributions if c.notes.strip())
        lines.append(f"- {DOMAIN_LABELS.get(domain, domain)}: {severity_label(highest)}" + (f". {notes}" if notes else ""))
    if lines:
        paragraphs.append(_("Life domains (highest concern):") + "\n" + "\n".join(lines))
    if _text(row.analysis):
        paragraphs.append(_("Analysis: %(text)s", text=_text(row.analysis)))
    if _text(row.advice):
        paragraphs.append(_("Advice: %(text)s", text=_text(row.advice)))
    return Section(_("The integrated screening"), paragraphs) if paragraphs else None


def plan_goals(ctx: Context) -> Optional[Section]:
    plan = db.session.scalar(select(Plan).where(Plan.case_id == ctx.case.id).options(selectinload(Plan.goals)))
    if plan is None or not plan.goals:
        return None
    lines = []
    for goal in plan.goals:
        voice = _("in the words of %(who)s", who=VOICE_LABELS.get(goal.voiced_by, goal.voiced_by))
        line = f"- {' '.join(goal.text.split())} ({voice}; {GOAL_STATUS_LABELS.get(goal.status, goal.status)})"
        if goal.care_type:
            line += f" — {_care(ctx, goal.care_type)}"
        if goal.provider_id or goal.provider_name:
            key = goal.provider_id or ("name", (goal.provider_name or "").lower())
            line += f", [{ctx.cast.provider(key)}]"
        lines.append(line)
    paragraphs = ["\n".join(lines)]
    if plan.fitting_help_what:
        paragraphs.append(_("Fitting help: %(text)s", text=_text(plan.fitting_help_what)))
    return Section(_("The plan's goals"), paragraphs)


def requests(ctx: Context) -> Optional[Section]:
    rows = db.session.scalars(select(ProviderRequest).where(ProviderRequest.case_id == ctx.case.id)
                              .order_by(ProviderRequest.requested_at, ProviderRequest.id)).all()
    if not rows:
        return None
    lines = []
    for row in rows:
        line = (f"- [{ctx.cast.provider(row.organisation_id)}], {str(REQUEST_ROLE_LABELS.get(row.role, row.role)).lower()}, "
                f"{_care(ctx, row.care_type)} ({ctx.month(row.requested_at)}): "
                f"{str(REQUEST_STATUS_LABELS.get(row.status, row.status)).lower()}")
        if row.decline_reason:
            line += " — " + str(DECLINE_REASON_LABELS.get(row.decline_reason, row.decline_reason)).lower()
        if row.decline_text.strip():
            line += ": " + " ".join(row.decline_text.split())
        if row.question.strip():
            line += "\n  " + _("Asked: %(text)s", text=" ".join(row.question.split()))
        lines.append(line)
    return Section(_("Requests to providers"), ["\n".join(lines)])


def decisions(ctx: Context) -> Optional[Section]:
    rows = db.session.scalars(
        select(Decision).where(Decision.case_id == ctx.case.id)
        .options(selectinload(Decision.item).selectinload(MeetingItem.meeting)).order_by(Decision.id)).all()
    if not rows:
        return None
    lines = []
    for row in rows:
        line = (f"- {ctx.month(row.item.meeting.starts_at)}, {str(DECISION_KIND_LABELS.get(row.kind, row.kind)).lower()}: "
                f"{' '.join(row.text.split())}")
        extra = []
        if row.care_type:
            extra.append(_care(ctx, row.care_type))
        if row.provider_id:
            extra.append(f"[{ctx.cast.provider(row.provider_id)}]")
        extra.append(str(DECISION_STATUS_LABELS.get(row.status, row.status)).lower())
        if row.placement_outcome:
            extra.append(str(PLACEMENT_OUTCOME_LABELS.get(row.placement_outcome, row.placement_outcome)).lower())
        line += f" ({'; '.join(extra)})"
        if row.alternatives_considered and row.alternatives_considered.strip():
            line += "\n  " + _("Alternatives considered: %(text)s", text=" ".join(row.alternatives_considered.split()))
        if row.placement_alternative and row.placement_alternative.strip():
            line += "\n  " + _("Instead of the placement: %(text)s", text=" ".join(row.placement_alternative.split()))
        lines.append(line)
    return Section(_("Decisions in RET sessions"), ["\n".join(lines)])


def escalation(ctx: Context) -> Optional[Section]:
    rows = db.session.scalars(select(Escalation).where(Escalation.case_id == ctx.case.id,
                                                       Escalation.status != "draft").order_by(Escalation.id)).all()
    if not rows:
        return None
    paragraphs = []
    for row in rows:
        facts = [_("In %(month)s the RET escalated to the supra-regional network: %(kind)s.",
                   month=ctx.month(row.sent_at or row.created_at),
                   kind=str(QUESTION_KIND_LABELS.get(row.question_kind, row.question_kind or "—")).lower())]
        if row.why_exhausted.strip():
            facts.append(_("Why the region's own options were exhausted: %(text)s", text=_text(row.why_exhausted)))
        if row.question.strip():
            facts.append(_("The question: %(text)s", text=_text(row.question)))
        status = str(ESCALATION_STATUS_LABELS.get(row.status, row.status))
        facts.append(_("Status: %(status)s.", status=status.lower()))
        if row.decline_reason.strip():
            facts.append(_("The network declined: %(text)s", text=_text(row.decline_reason)))
        if row.result:
            facts.append(_("Result: %(result)s.", result=str(RESULT_LABELS.get(row.result, row.result)).lower())
                         + (" " + _text(row.result_text) if row.result_text.strip() else ""))
        paragraphs.append("\n\n".join(facts))
    return Section(_("Escalation to the network"), paragraphs)


def ending(ctx: Context) -> Section:
    case = ctx.case
    facts = []
    if case.fitting_help_started_on:
        facts.append(_("Fitting help started in %(month)s.", month=ctx.month(case.fitting_help_started_on)))
    else:
        facts.append(_("No start of fitting help was recorded."))
    if case.closed_at:
        facts.append(_("The case was closed in %(month)s.", month=ctx.month(case.closed_at)))
    paragraphs = [" ".join(facts)]
    if case.advice and case.advice.strip():
        paragraphs.append(_("Advice to the access team: %(text)s", text=_text(case.advice)))
    return Section(_("How it ended"), paragraphs)


def register() -> None:
    for order, fn in ((10, youth_and_family), (20, question), (30, why_stuck), (40, screening), (50, plan_goals),
                      (60, requests), (70, decisions), (80, escalation), (90, ending)):
        register_section(order, fn)
