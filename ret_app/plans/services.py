"""The plan's business rules: goals with the agreed help, review moments, agreeing a version, and
fitting help started (which moves the case to monitoring through the case lifecycle).

Who: the case's process director, or the chair of its region (`policy.can_keep_plan`). When: while
the case is in process direction or monitoring (or paused in one of them); fitting help started only
in process direction. Every refusal of one form comes at once (`RuleError.many`, each message next
to its field). Edits of a goal or a review carry the version the form was loaded with: when someone
else saved it in the meantime, nothing is written and a Conflict names the fields that differ from
what is saved now (`EditConflict`; the page keeps the user's input and shows the saved values).

Services flush, never commit; every change emits one event (audited with codes and field names only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Optional

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ret_app import policy
from ret_app.cases import lifecycle
from ret_app.extensions import db
from ret_app.forms import NOT_IN_FUTURE
from ret_app.kernel import dates, events, submissions
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.caretypes import services as care_catalogue
from ret_app.models import (
    Case,
    CaseStatus,
    Decision,
    GoalStatus,
    HelpFits,
    Meeting,
    MeetingItem,
    Organisation,
    OrganisationKind,
    Plan,
    PlanGoal,
    PlanReview,
    PlanVersion,
    User,
    Voice,
)
from ret_app.plans import events as plan_events

# Process direction and monitoring: the plan is worked on (derived from the lifecycle's table).
WRITABLE = lifecycle.CASE.sources("start_monitoring") | lifecycle.CASE.targets("start_monitoring")
# Fitting help is recorded in process direction: the step that ends it.
FITTING_HELP_FROM = lifecycle.CASE.sources("start_monitoring")

GOAL_FIELDS = ("text", "voiced_by", "status", "care_type", "provider_id", "provider_name", "intended_start")
REVIEW_FIELDS = ("held_on", "help_fits", "own_judgement", "what_changes")
# A date further ahead than this is a typing error (a year 2062 for 2026).
FAR_AHEAD = timedelta(days=2 * 366)

NOT_KEEPER = _l("Only the process director or the chair keeps the plan.")
FAR = _l("This date lies more than two years ahead: check the year.")


@dataclass
class EditConflict:
    """What a Conflict of a goal or review edit carries: someone else saved it after the form was
    loaded. `fields` differ between the user's input and what is saved now (`current`); `version` is
    what the form carries from now on, so that saving again replaces what is saved knowingly."""

    fields: list[str]
    current: dict
    version: str


# --- reading ------------------------------------------------------------------------------------

def _loaded():
    return (selectinload(Plan.goals).joinedload(PlanGoal.provider),
            selectinload(Plan.reviews).joinedload(PlanReview.recorded_by),
            selectinload(Plan.versions).joinedload(PlanVersion.agreed_by),
            selectinload(Plan.versions).joinedload(PlanVersion.decision),
            joinedload(Plan.changed_by), joinedload(Plan.fitting_help_recorded_by))


def get(case: Case) -> Optional[Plan]:
    """The case's plan with everything the page shows of it loaded up front (None: not started)."""
    return db.session.scalar(select(Plan).where(Plan.case_id == case.id).options(*_loaded()))


def stage(case: Case) -> CaseStatus:
    """The stage the plan is in: for a paused case, the one it was paused in."""
    status = CaseStatus(case.status)
    if status is CaseStatus.PAUSED and case.status_before_pause:
        return CaseStatus(case.status_before_pause)
    return status


def is_writable(case: Case) -> bool:
    return stage(case) in WRITABLE


def read_only_reason(case: Case) -> Optional[Any]:
    """Why the plan cannot be changed now (None: it can)."""
    if is_writable(case):
        return None
    if CaseStatus(case.status) is CaseStatus.CLOSED:
        return _l("The case has been closed; the plan can no longer be changed.")
    return _l("The plan is made in process direction, after the screening.")


def may_keep(user: User, case: Case) -> bool:
    """May this user change the plan now?"""
    return is_writable(case) and policy.can_keep_plan(user, case)


def start_day(case: Case) -> Optional[date]:
    """The day the RET took the case in (dates of the plan cannot lie before it)."""
    moment = case.intake_at or case.submitted_at
    return dates.local_date(moment) if moment else None


def agreed_goal_ids(plan: Optional[Plan]) -> set[int]:
    """The goals that are part of an agreed version (they stay: their status can become "dropped")."""
    if plan is None:
        return set()
    return {goal.get("id") for version in plan.versions for goal in version.content.get("goals", ())}


def next_review(plan: Optional[Plan]) -> Optional[PlanReview]:
    return next((r for r in (plan.reviews if plan else ()) if r.held_on is None), None)


def collective_providers(case: Case) -> list[Organisation]:
    """The active providers of the case's region's collective: whom the plan's help can name."""
    return list(db.session.scalars(select(Organisation).where(
        Organisation.kind == OrganisationKind.PROVIDER.value, Organisation.collective_member.is_(True),
        Organisation.active.is_(True), Organisation.region_id == case.region_id).order_by(Organisation.name)))


def decisions_of(case: Case) -> list[Decision]:
    """The session decisions on this case, newest first (an agreed version may come from one)."""
    return list(db.session.scalars(
        select(Decision).join(MeetingItem, MeetingItem.id == Decision.item_id)
        .join(Meeting, Meeting.id == MeetingItem.meeting_id)
        .where(Decision.case_id == case.id)
        .options(joinedload(Decision.item).joinedload(MeetingItem.meeting))
        .order_by(Meeting.starts_at.desc(), Decision.id.desc())))


def goal_values(goal: Optional[PlanGoal]) -> dict:
    """A goal as its form holds it (text), for comparing and for filling the form."""
    if goal is None:
        return {"text": "", "voiced_by": Voice.FAMILY.value, "status": GoalStatus.OPEN.value, "care_type": "",
                "provider_id": "", "provider_name": "", "intended_start": ""}
    return {"text": goal.text or "", "voiced_by": goal.voiced_by, "status": goal.status,
            "care_type": goal.care_type or "", "provider_id": str(goal.provider_id or ""),
            "provider_name": goal.provider_name or "",
            "intended_start": goal.intended_start.isoformat() if goal.intended_start else ""}


def review_values(review: PlanReview) -> dict:
    return {"held_on": review.held_on.isoformat() if review.held_on else "", "help_fits": review.help_fits or "",
            "own_judgement": review.own_judgement or "", "what_changes": review.what_changes or ""}


def _as_text(data: dict, names) -> dict:
    out = {}
    for name in names:
        value = data.get(name)
        if isinstance(value, date):
            value = value.isoformat()
        out[name] = "" if value is None else str(value).strip()
    return out


# --- writing: the common part ---------------------------------------------------------------------

def _require_keeper(case: Case, actor: User) -> None:
    if not policy.can_keep_plan(actor, case):
        raise RuleError(NOT_KEEPER)
    reason = read_only_reason(case)
    if reason is not None:
        raise RuleError(reason)


def _open_plan(case: Case, actor: User) -> Plan:
    """The case's plan, started on its first change (two people starting it at once share one)."""
    plan = get(case)
    if plan is not None:
        return plan
    plan = Plan(case_id=case.id, changed_since_agreed=True)
    try:
        with db.session.begin_nested():
            db.session.add(plan)
            db.session.flush()
    except IntegrityError:
        return get(case)
    events.emit(plan_events.PlanStarted(actor=actor, case=case, object_id=plan.id))
    return plan


def _changed(plan: Plan, actor: User) -> None:
    """What is agreed with the family changed (the goals and their help): a new draft after an agreed
    version; the plan's version moves on. Review moments are dates to meet, not a change of what was
    agreed."""
    plan.changed_at = dates.utcnow()
    plan.changed_by_id = actor.id
    plan.changed_since_agreed = True


def _day(value: date) -> str:
    return format_date(value, "d MMMM yyyy")


def _date_problem(value: Optional[date], case: Case, *, missing: Any, future: bool, past: bool = True,
                  before_start: Any = None) -> Optional[Any]:
    """What is wrong with a date of the plan (None: nothing). `future`: may it lie after today;
    `past`: may it lie before today."""
    today = dates.today()
    if value is None:
        return missing
    if not future and value > today:
        return NOT_IN_FUTURE
    if not past and value < today:
        return _l("This date lies in the past; choose today or a later day.")
    if value > today + FAR_AHEAD:
        return FAR
    first = start_day(case)
    if first is not None and value < first:
        return (before_start or _l("This date lies before the RET took the case in (%(date)s).")) % {
            "date": _day(first)}
    return None


def _stale(row, loaded_version: Optional[str], current: dict, submitted: dict) -> list[str]:
    """The fields to write; a Conflict when someone else saved the row after the form was loaded and
    the user's input differs from what is saved now."""
    differ = [name for name in current if submitted.get(name, "") != current[name]]
    if (loaded_version or "") != str(row.version) and differ:
        raise Conflict(detail=EditConflict(differ, dict(current), str(row.version)))
    return differ


# --- goals ----------------------------------------------------------------------------------------

def goal_problems(case: Case, data: dict, current: Optional[PlanGoal] = None) -> dict:
    """Every objection to a goal's input at once (field -> message)."""
    values = _as_text(data, GOAL_FIELDS)
    errors: dict[Optional[str], Any] = {}
    if not values["text"]:
        errors["text"] = _l("Write the goal down, in the family's own words where possible.")
    if values["voiced_by"] not in set(Voice):
        errors["voiced_by"] = _l("Choose whose words these are.")
    if values["status"] not in set(GoalStatus):
        errors["status"] = _l("Choose a status.")
    kept = goal_values(current)
    if values["care_type"]:  # an active type of the region's catalogue, or the goal's own
        try:
            care_catalogue.validate(case.region_id, values["care_type"], "care_type", keep=[kept["care_type"]])
        except RuleError as refused:
            errors.update(refused.errors)
    if values["provider_id"] and values["provider_id"] != kept["provider_id"] and values["provider_id"] not in {
            str(o.id) for o in collective_providers(case)}:
        errors["provider_id"] = _l("Choose a provider of the collective in this region, or name one outside it.")
    if values["provider_id"] and values["provider_name"]:
        errors["provider_name"] = _l("Choose a provider of the collective or name one outside it, not both.")
    start = data.get("intended_start")
    if start is not None:
        problem = _date_problem(start, case, missing=None, future=True, before_start=_l(
            "The intended start lies before the RET took the case in (%(date)s)."))
        if problem is not None:
            errors["intended_start"] = problem
    return errors


def _apply_goal(goal: PlanGoal, data: dict) -> None:
    values = _as_text(data, GOAL_FIELDS)
    goal.text = values["text"]
    goal.voiced_by = values["voiced_by"]
    goal.status = values["status"]
    goal.care_type = values["care_type"] or None
    goal.provider_id = int(values["provider_id"]) if values["provider_id"] else None
    goal.provider_name = values["provider_name"] or None
    goal.intended_start = data.get("intended_start")


def add_goal(case: Case, actor: User, data: dict, submission_key: Optional[str] = None) -> PlanGoal:
    """A new goal (status open unless given) at the end of the plan; the same form sent twice (its
    `submission_key`) adds one."""
    _require_keeper(case, actor)
    key = submissions.clean(submission_key)
    done = submissions.find(PlanGoal, key)
    if done is not None and done.plan.case_id == case.id:
        return done
    data = {"status": GoalStatus.OPEN.value, "voiced_by": Voice.FAMILY.value, **data}
    errors = goal_problems(case, data)
    if errors:
        raise RuleError.many(errors)
    plan = _open_plan(case, actor)
    goal = PlanGoal(plan_id=plan.id, position=max((g.position for g in plan.goals), default=0) + 1,
                    submission_key=key)
    _apply_goal(goal, data)
    goal, created = submissions.add_once(PlanGoal, key, lambda: goal, PlanGoal.plan_id == plan.id)
    if not created:
        return goal
    _changed(plan, actor)
    db.session.flush()
    db.session.expire(plan, ["goals"])
    events.emit(plan_events.GoalAdded(actor=actor, case=case, object_id=goal.id, status=goal.status,
                                      voiced_by=goal.voiced_by))
    return goal


def save_goal(case: Case, actor: User, goal: PlanGoal, data: dict, loaded_version: Optional[str]) -> list[str]:
    """Change a goal; returns the changed fields (empty: nothing changed). A Conflict (detail:
    EditConflict) when someone else saved it since the form was loaded."""
    _require_keeper(case, actor)
    errors = goal_problems(case, data, goal)
    if errors:
        raise RuleError.many(errors)
    changed = _stale(goal, loaded_version, goal_values(goal), _as_text(data, GOAL_FIELDS))
    if not changed:
        return []
    _apply_goal(goal, data)
    _changed(goal.plan, actor)
    db.session.flush()
    db.session.expire(goal, ["provider"])  # the page shows the provider the id now names
    events.emit(plan_events.GoalChanged(actor=actor, case=case, object_id=goal.id, fields=tuple(changed)))
    return changed


def remove_goal(case: Case, actor: User, goal: PlanGoal) -> None:
    """Remove a goal from the draft; a goal of an agreed version stays (it can be dropped)."""
    _require_keeper(case, actor)
    plan = goal.plan
    if goal.id in agreed_goal_ids(plan):
        raise RuleError(_l("This goal is part of an agreed version and stays in the plan; set its status to "
                           "dropped instead."))
    goal_id = goal.id
    db.session.delete(goal)
    _changed(plan, actor)
    db.session.flush()
    db.session.expire(plan, ["goals"])
    events.emit(plan_events.GoalRemoved(actor=actor, case=case, object_id=goal_id))


# --- review moments -------------------------------------------------------------------------------

def plan_review(case: Case, actor: User, planned_on: Optional[date], submission_key: Optional[str] = None) -> PlanReview:
    """A review moment on a day from today on; the same form sent twice (its `submission_key`) plans one."""
    _require_keeper(case, actor)
    key = submissions.clean(submission_key)
    done = submissions.find(PlanReview, key)
    if done is not None and done.plan.case_id == case.id:
        return done
    problem = _date_problem(planned_on, case, missing=_l("Enter the date of the review moment."), future=True,
                            past=False)
    if problem is not None:
        raise RuleError(problem, "planned_on")
    plan = _open_plan(case, actor)
    review = PlanReview(plan_id=plan.id, planned_on=planned_on, planned_by_id=actor.id, submission_key=key)
    # a date to meet, not a change of what was agreed: no new draft
    review, created = submissions.add_once(PlanReview, key, lambda: review, PlanReview.plan_id == plan.id)
    if not created:
        return review
    db.session.expire(plan, ["reviews"])
    events.emit(plan_events.ReviewPlanned(actor=actor, case=case, object_id=review.id))
    return review


def review_problems(case: Case, data: dict) -> dict:
    """Every objection to what is recorded at a review moment, at once."""
    values = _as_text(data, REVIEW_FIELDS)
    errors: dict[Optional[str], Any] = {}
    problem = _date_problem(data.get("held_on"), case, missing=_l("Enter the day the review was held."),
                            future=False)
    if problem is not None:
        errors["held_on"] = problem
    if values["help_fits"] not in set(HelpFits):
        errors["help_fits"] = _l("Choose whether the help fits.")
    if not values["own_judgement"]:
        errors["own_judgement"] = _l("Write down the judgement of the youth or the family, in their own words.")
    if values["help_fits"] in (HelpFits.PARTLY, HelpFits.NO) and not values["what_changes"]:
        errors["what_changes"] = _l("Say what changes, now that the help does not fully fit.")
    return errors


def record_review(case: Case, actor: User, review: PlanReview, data: dict, loaded_version: Optional[str]) -> list[str]:
    """Record (or correct) what was found at a review moment; returns the changed fields."""
    _require_keeper(case, actor)
    errors = review_problems(case, data)
    if errors:
        raise RuleError.many(errors)
    changed = _stale(review, loaded_version, review_values(review), _as_text(data, REVIEW_FIELDS))
    if not changed:
        return []
    first = review.held_on is None
    values = _as_text(data, REVIEW_FIELDS)
    review.held_on = data.get("held_on")
    review.help_fits = values["help_fits"]
    review.own_judgement = values["own_judgement"]
    review.what_changes = values["what_changes"] or None
    if first:
        review.recorded_by_id = actor.id
        review.recorded_at = dates.utcnow()
    db.session.flush()
    db.session.expire(review, ["recorded_by"])  # loaded (empty) with the page: read it again
    events.emit(plan_events.ReviewRecorded(actor=actor, case=case, object_id=review.id, help_fits=review.help_fits,
                                           fields=tuple(changed), first=first))
    return changed


def cancel_review(case: Case, actor: User, review: PlanReview) -> None:
    """A planned review moment is taken off the plan; one that was held stays on record."""
    _require_keeper(case, actor)
    if review.held_on is not None:
        raise RuleError(_l("This review moment was held; what was found stays on record."))
    plan = review.plan
    review_id = review.id
    db.session.delete(review)
    db.session.flush()
    db.session.expire(plan, ["reviews"])
    events.emit(plan_events.ReviewCancelled(actor=actor, case=case, object_id=review_id))


# --- agreed versions ------------------------------------------------------------------------------

def snapshot(plan: Plan) -> dict:
    """The plan as it stands, with the names of the moment (the read-only copy of an agreed version)."""
    case = plan.case
    return {
        "goals": [{"id": g.id, "position": g.position, "text": g.text, "voiced_by": g.voiced_by, "status": g.status,
                   "care_type": g.care_type, "provider": g.provider.name if g.provider else g.provider_name,
                   "in_collective": g.provider_id is not None,
                   "intended_start": g.intended_start.isoformat() if g.intended_start else None}
                  for g in plan.goals],
        "reviews": [{"planned_on": r.planned_on.isoformat(), "held_on": r.held_on.isoformat() if r.held_on else None,
                     "help_fits": r.help_fits, "own_judgement": r.own_judgement, "what_changes": r.what_changes}
                    for r in plan.reviews],
        "fitting_help": ({"started_on": case.fitting_help_started_on.isoformat(), "what": plan.fitting_help_what}
                         if case.fitting_help_started_on else None),
    }


def agree_problem(plan: Optional[Plan]) -> Optional[Any]:
    """Why this plan cannot be agreed as it stands (None: it can)."""
    if plan is None or not plan.goals:
        return _l("Add at least one goal before agreeing the plan.")
    if not plan.changed_since_agreed:
        return _l("Nothing has changed since version %(number)s was agreed.", number=plan.agreed_number)
    return None


def agree(case: Case, actor: User, loaded_version: Optional[str], decision_id: Optional[int] = None) -> PlanVersion:
    """Freeze the plan as the user saw it as the next agreed version (who, when, and the session
    decision it came from, if any)."""
    _require_keeper(case, actor)
    plan = get(case)
    errors: dict[Optional[str], Any] = {}
    problem = agree_problem(plan)
    if problem is not None:
        errors[None] = problem
    elif (loaded_version or "") != str(plan.version):
        errors[None] = _l("The plan was changed after you opened this page. Check what it says now and agree "
                          "again.")
    decision = db.session.get(Decision, decision_id) if decision_id else None
    if decision_id and (decision is None or decision.case_id != case.id):
        errors["decision_id"] = _l("Choose a decision taken on this case.")
    if errors:
        raise RuleError.many(errors)
    number = (plan.agreed_number or 0) + 1
    version = PlanVersion(plan_id=plan.id, number=number, agreed_by_id=actor.id, agreed_at=dates.utcnow(),
                          decision_id=decision.id if decision else None, content=snapshot(plan))
    db.session.add(version)
    plan.agreed_number = number
    plan.changed_since_agreed = False
    db.session.flush()
    db.session.expire(plan, ["versions"])
    events.emit(plan_events.PlanAgreed(actor=actor, case=case, object_id=version.id, number=number,
                                       decision_id=version.decision_id))
    return version


def version_of(plan: Optional[Plan], number: int) -> Optional[PlanVersion]:
    return next((v for v in (plan.versions if plan else ()) if v.number == number), None)


# --- fitting help started -------------------------------------------------------------------------

def fitting_help_problems(case: Case, started_on: Optional[date], what: Optional[str]) -> dict:
    """Every objection to recording fitting help started, at once."""
    errors: dict[Optional[str], Any] = {}
    status = CaseStatus(case.status)
    if case.fitting_help_started_on is not None or status is CaseStatus.MONITORING:
        errors[None] = _l("Fitting help has already been recorded for this case.")
    elif status is CaseStatus.PAUSED and stage(case) in FITTING_HELP_FROM:
        errors[None] = _l("The case is paused: resume it before recording that fitting help started.")
    elif status not in FITTING_HELP_FROM:
        errors[None] = _l("Fitting help is recorded while the case is in process direction.")
    problem = _date_problem(started_on, case, missing=_l("Enter the day fitting help started."), future=False,
                            before_start=_l("Fitting help cannot have started before the RET took the case in "
                                            "(%(date)s)."))
    if problem is not None:
        errors["started_on"] = problem
    if not (what or "").strip():
        errors["what"] = _l("Say what started: which help, by whom.")
    return errors


def record_fitting_help(case: Case, actor: User, started_on: Optional[date], what: Optional[str]) -> None:
    """Fitting help started on `started_on`: stored on the case (for "days to fitting help"), what
    started on the plan; the case moves to monitoring (the lifecycle's step, whose guard asks for
    this date)."""
    if not policy.can_keep_plan(actor, case):
        raise RuleError(NOT_KEEPER)
    errors = fitting_help_problems(case, started_on, what)
    if errors:
        raise RuleError.many(errors)
    plan = _open_plan(case, actor)
    case.fitting_help_started_on = started_on
    plan.fitting_help_what = what.strip()
    plan.fitting_help_recorded_by_id = actor.id
    plan.fitting_help_recorded_at = dates.utcnow()
    db.session.flush()
    events.emit(plan_events.FittingHelpStarted(actor=actor, case=case, object_id=plan.id, what=plan.fitting_help_what))
    lifecycle.apply(case, actor, "start_monitoring")
