"""Running a RET session live: one page (attendance, the agenda with timing, the item under discussion
with its case summary, screening advice, the help tried before, open actions, the mandate holders
present, notes, decisions and actions recorded inline), kept current by polling.

Built for chairing on a wide screen: the agenda and the attendance in a side column, the item under
discussion in the main column with the decision and action forms right after the case summary; the
screening advice, the help tried before, the placement-review fields and the attendance list are
collapsible, so the chair opens what they need; the notes follow the forms.

How two people with the page open see each other's changes without losing their own: every change
bumps `Meeting.revision`; the page polls `live_updates` with the revision it shows. Nothing changed:
204, and nothing is swapped. Something changed: out-of-band swaps of the read-only regions only
(never a form someone may be typing in), and the poller itself with the new revision. Writes answer
with the form they came from plus the same out-of-band regions.

Thin: load the session and item through the policy (access.py: 404 when they may not be seen; reads
and denials audited), check who may act (403 with the reason, audited), validate the form, call the
service in a savepoint (web.submit / web.attempt_or_error), respond. The unit of work commits at the
end of the request.
"""

from __future__ import annotations

from typing import Optional

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ret_app import audit, policy, web
from ret_app.caretypes import services as caretypes
from ret_app.cases.consent import age_on
from ret_app.extensions import db
from ret_app.kernel.errors import STALE, RuleError
from ret_app.labels import PLACEMENT_OUTCOME_LABELS, finding_text, meeting_status_label, purpose_label
from ret_app.meetings import access, attendance, decisions, lifecycle, mandate_check, notes, timing
from ret_app.meetings import actions as action_services
from ret_app.meetings.blueprint import bp
from ret_app.meetings.common import current_revision, session_date
from ret_app.meetings.minutes import minutes_time
from ret_app.meetings.live_forms import (
    DECISION_KIND_LABELS,
    ActionForm,
    ActivateForm,
    DecisionForm,
    NotesForm,
    PresenceForm,
)
from ret_app.models import (
    Case,
    CaseParticipant,
    Decision,
    DecisionStatus,
    ItemPurpose,
    Mandate,
    Meeting,
    MeetingAttendance,
    MeetingInvitation,
    MeetingItem,
    MeetingStatus,
    Organisation,
    OrganisationKind,
    Screening,
    User,
)
from ret_app.policy import Permission, requires
from ret_app.sessions import background_poll
from ret_app.templating import wants_fragment

WORKSPACE_ID = "live-workspace"
# The chair's steps the live page offers (the others are on the session page).
LIVE_STEPS = ("close", "unstart")

# What the live page reads of the session, loaded up front so that its query count does not grow with
# the agenda or the attendance: the agenda's cases (the side column lists them; who sees which item
# depends on their participants), the attendance and the invitees with their organisations.
LIVE_LOADS = (
    selectinload(Meeting.items).joinedload(MeetingItem.case).options(
        joinedload(Case.municipality),
        # the participants with their organisations: the action form offers them as owners
        selectinload(Case.participants).options(joinedload(CaseParticipant.user).joinedload(User.organisation),
                                                joinedload(CaseParticipant.organisation))),
    selectinload(Meeting.attendances).joinedload(MeetingAttendance.user).joinedload(User.organisation),
    selectinload(Meeting.invitations).joinedload(MeetingInvitation.user).joinedload(User.organisation),
    joinedload(Meeting.chair),
)


def elapsed(seconds: int) -> str:
    """Time spent on an item, with its unit ("24 min"), as the minutes say it."""
    return minutes_time(max(int(seconds), 0))


# --- loading through the policy -------------------------------------------------------------------

def _meeting_or_404(meeting_id: int, action: audit.Action = audit.Action.READ) -> Meeting:
    """The session if the user may see it; otherwise 404 (the denial audited)."""
    return access.meeting_or_404(meeting_id, action=action, detail="live", options=LIVE_LOADS)


def _default_item(meeting: Meeting) -> Optional[MeetingItem]:
    """The item under discussion if the user may see it, else their first item."""
    items = policy.visible_items(current_user, meeting)
    current = timing.current_item(meeting)
    if current is not None and current in items:
        return current
    return items[0] if items else None


def _refuse(meeting: Meeting, item: Optional[MeetingItem], object_type: str, message: str):
    """The user sees the session but may not do this: 403 with the reason (the denial audited)."""
    return web.refuse(message, object_type=object_type, object_id=item.id if item else meeting.id,
                      case_id=item.case_id if item else None, detail=f"meeting={meeting.id}")


def _invalid(object_type: str, item: MeetingItem) -> web.Refusal:
    """How a refused decision or action is audited: the fields with errors (names only)."""
    return web.Refusal(object_type, object_id=item.id, case_id=item.case_id, action=audit.Action.CREATE,
                       detail=lambda fields: "invalid fields=" + ",".join(fields))


# --- page assembly --------------------------------------------------------------------------------

def _providers(meeting: Meeting) -> list[Organisation]:
    """Provider organisations of the region's collective: who a decision can commit help from."""
    return list(db.session.scalars(select(Organisation).where(
        Organisation.kind == OrganisationKind.PROVIDER.value, Organisation.collective_member.is_(True),
        Organisation.active.is_(True), Organisation.region_id == meeting.region_id).order_by(Organisation.name)))


def _care_types(item: MeetingItem, form: Optional[DecisionForm] = None) -> list[tuple[str, str]]:
    """The care types a decision can commit: those on offer in the case's region (a code sent back
    with a refused form stays a choice, so the form shows what was picked)."""
    kept = (form.care_type.data,) if form is not None and form.care_type.data else ()
    return caretypes.choices(item.case.region_id, keep=kept)


def _decision_form(item: MeetingItem, form: Optional[DecisionForm] = None) -> DecisionForm:
    if form is None:
        form = DecisionForm(formdata=None, providers=_providers(item.meeting), care_types=_care_types(item),
                            placement=item.purpose == ItemPurpose.PLACEMENT_REVIEW, prefix=f"d{item.id}")
    return form


def _posted_decision_form(item: MeetingItem) -> DecisionForm:
    form = DecisionForm(providers=_providers(item.meeting), placement=item.purpose == ItemPurpose.PLACEMENT_REVIEW,
                        prefix=f"d{item.id}")
    form.care_type.choices = [form.care_type.choices[0], *_care_types(item, form)]
    return form


def _owner_choices(item: MeetingItem) -> dict:
    people, organisations = action_services.owner_candidates(item.case)
    choices: dict = {None: [("", _("— choose —"))]}
    if people:
        choices[_("People")] = [(f"{action_services.USER_PREFIX}{u.id}",
                                 f"{u.name} ({u.organisation.name})" if u.organisation else u.name) for u in people]
    if organisations:
        choices[_("Organisations")] = [(f"{action_services.ORGANISATION_PREFIX}{o.id}", o.name)
                                       for o in organisations]
    return choices


def _action_form(item: MeetingItem, form: Optional[ActionForm] = None) -> ActionForm:
    form = form or ActionForm(formdata=None, prefix=f"a{item.id}")
    form.owner.choices = _owner_choices(item)
    return form


def _notes_form(item: MeetingItem, form: Optional[NotesForm] = None) -> NotesForm:
    if form is None:
        form = NotesForm(formdata=None, prefix=f"n{item.id}")
        form.notes.data = item.notes or ""
        form.version.data = str(item.version)
        form.loaded.data = notes.fingerprint(item.notes)
    return form


def _decisions(item: MeetingItem) -> list[Decision]:
    """The item's decisions with what each shows (the provider, the municipality, the mandate's holder) loaded
    up front, not per decision."""
    return list(db.session.scalars(
        select(Decision).where(Decision.item_id == item.id)
        .options(joinedload(Decision.provider), joinedload(Decision.municipality),
                 joinedload(Decision.mandate).joinedload(Mandate.holder))
        .order_by(Decision.id)))


def _panel(meeting: Meeting, item: MeetingItem, *, decision_form=None, action_form=None, notes_form=None,
           notes_conflict=None, notices: Optional[dict] = None) -> dict:
    """Everything shown about the selected item."""
    case = item.case
    is_chair = policy.can_run_meeting(current_user, meeting)
    running = meeting.status == MeetingStatus.IN_PROGRESS
    current = timing.current_item(meeting)
    following = timing.next_item(meeting) if current is not None and current.id == item.id else None
    open_actions = [a for a in action_services.actions_of_case(case) if a.status == "open"]
    return {
        "item": item,
        "case": case,
        "age": age_on(case.youth_birth_date, session_date(meeting)) if case.youth_birth_date else None,
        "screening": db.session.scalar(select(Screening).where(Screening.case_id == case.id)),
        "open_actions": open_actions,
        "overdue": {a.id for a in open_actions if action_services.is_overdue(a)},
        "holders": mandate_check.holders_present(meeting, case),
        # Ceilings and care types of mandates are for the RET and the holder (as the mandate register).
        "mandate_details": policy.sees_full_meeting(current_user, meeting),
        "decisions": _decisions(item),
        "is_current": current is not None and current.id == item.id,
        "next_item": following,
        "may_activate": is_chair and running,
        # A form sent back with errors is always shown again (nothing typed is lost, even when the
        # session moved on meanwhile); a fresh one only while it can be used.
        "decision_form": (_decision_form(item, decision_form)
                          if decision_form is not None or (is_chair and running) else None),
        "action_form": _action_form(item, action_form) if action_form is not None or (is_chair and running) else None,
        "notes_form": (_notes_form(item, notes_form)
                       if notes_form is not None or notes.refusal(item, current_user) is None else None),
        "notes_conflict": notes_conflict,
        "notices": notices or {},
    }


def _banner(meeting: Meeting, selected: Optional[MeetingItem], items: list[MeetingItem]) -> Optional[dict]:
    """When the item under discussion is not the one shown: say so, with a link (never jump)."""
    current = timing.current_item(meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS or current is None or selected is None or current.id == selected.id:
        return None
    return {"item": current if current in items else None}


def _live_steps(meeting: Meeting, is_chair: bool) -> list:
    """The steps the chair can take from the live page now (blocked ones are explained on the session
    page): close the session; put it back to planned while nothing has been recorded in it. The page
    shows them as forms; the live updates never carry a form, so they say in the status line whether
    going back is still possible (`data-unstart`), and the page hides that button once it is not."""
    if not is_chair or meeting.status != MeetingStatus.IN_PROGRESS or "meetings.step" not in current_app.view_functions:
        return []
    return [option for option in lifecycle.available(meeting, current_user)
            if option.name in LIVE_STEPS and not option.blocked]


def _context(meeting: Meeting, item: Optional[MeetingItem], **panel_kwargs) -> dict:
    revision = current_revision(meeting.id)  # first: data read after it is at least this new
    items = policy.visible_items(current_user, meeting)
    steps = current_app.view_functions
    is_chair = policy.can_run_meeting(current_user, meeting)
    return {
        "meeting": meeting,
        "revision": revision,
        "agenda_items": items,
        "selected": item,
        "panel": _panel(meeting, item, **panel_kwargs) if item is not None else None,
        "banner": _banner(meeting, item, items),
        "seconds": {i.id: timing.seconds_spent(i) for i in items},
        "rows": attendance.rows(meeting, current_user),
        "is_chair": is_chair,
        "may_check_in": policy.can_check_in(current_user, meeting),
        "page_url": (url_for("meetings.page", meeting_id=meeting.id) if "meetings.page" in steps else None),
        "live_steps": (live_steps := _live_steps(meeting, is_chair)),
        "may_unstart": any(step.name == "unstart" for step in live_steps),
        "purpose_label": purpose_label,
        "status_label": meeting_status_label,
        "finding_text": finding_text,
        "elapsed": elapsed,
        "kind_labels": DECISION_KIND_LABELS,
        "outcome_labels": PLACEMENT_OUTCOME_LABELS,
        "care_names": caretypes.names(meeting.region_id),
        "DecisionStatus": DecisionStatus,
    }


def _live_url(meeting: Meeting, item: Optional[MeetingItem], anchor: Optional[str] = None) -> str:
    return url_for("meetings.live", meeting_id=meeting.id, item=item.id if item else None, _anchor=anchor)


def _render_updates(context: dict) -> str:
    return render_template("meetings/_live_updates.html", **context)


def _render_workspace(context: dict) -> str:
    """The main column for another item (htmx), with the agenda of the side column out of band (which
    item is shown and which one is under discussion) and the status line (moving on records time, after
    which the session can no longer go back to planned)."""
    return (render_template("meetings/_live_workspace.html", **context)
            + render_template("meetings/_live_agenda.html", oob=True, **context)
            + render_template("meetings/_live_status.html", oob=True, **context))


def _with_updates(template: str, context: dict):
    """A form fragment (swapped into its own place) followed by the out-of-band read-only regions."""
    return render_template(template, **context) + _render_updates(context)


def _workspace_request() -> bool:
    return (wants_fragment() and request.headers.get("HX-Target") == WORKSPACE_ID
            and request.headers.get("HX-History-Restore-Request") != "true")


# --- the page and its updates ----------------------------------------------------------------------

@bp.route("/<int:meeting_id>/live")
@requires(Permission.VIEW_SESSIONS)
def live(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    item_id = web.int_arg("item")
    item = access.item_or_404(meeting, item_id) if "item" in request.args else _default_item(meeting)
    access.audit_item_read(item, meeting, "meeting_live")
    context = _context(meeting, item)
    if _workspace_request():
        return _render_workspace(context)
    return render_template("meetings/live.html", **context)


def _may_see_cheaply(meeting_id: int) -> Optional[int]:
    """The revision of a session the user may see (the policy's SQL twin), or None; one query."""
    return db.session.scalar(select(Meeting.revision).where(Meeting.id == meeting_id,
                                                            policy.visible_meetings_clause(current_user)))


@bp.route("/<int:meeting_id>/live/updates")
@requires(Permission.VIEW_SESSIONS)
@background_poll
def live_updates(meeting_id: int):
    seen = _may_see_cheaply(meeting_id)
    if seen is None:
        web.not_found(object_type="meeting", object_id=meeting_id, detail="live_updates")
    if request.args.get("rev", type=int) == seen:
        return make_response("", 204)  # nothing changed: nothing to swap, nothing read
    meeting = _meeting_or_404(meeting_id)
    item, gone = _polled_item(meeting)
    access.audit_item_read(item, meeting, "meeting_live_update")
    context = _context(meeting, item)
    if gone:
        # The page still shows an item that is no longer there for this user: say so (with a link to
        # the live page), and poll on without it. `gone=1` keeps the notice until the user moves on.
        context["banner"] = {"gone": True}
        context["poll_gone"] = True
    return _render_updates(context)


def _polled_item(meeting: Meeting) -> tuple[Optional[MeetingItem], bool]:
    """The item a polling page shows, and whether the page shows one that has gone.

    The chair may take an undiscussed item off the agenda while the session runs, and a case can
    become invisible to someone: the poll then answers without that item instead of 404 (htmx swaps
    no 404, so the poller would stay stuck on the same URL, denied every 3 seconds). Nothing of the
    item is shown or audited; the session itself may be seen (checked before)."""
    if request.args.get("gone") == "1" and not request.args.get("item"):
        return None, True
    item_id = web.int_arg("item")
    if not request.args.get("item"):
        return None, False
    item = db.session.get(MeetingItem, item_id) if item_id else None
    if item is None or item.meeting_id != meeting.id or item not in policy.visible_items(current_user, meeting):
        return None, True
    return item, False


# --- attendance ----------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/aanwezigheid", methods=["POST"])
@requires(Permission.VIEW_SESSIONS)
def check_in(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, audit.Action.UPDATE)
    form = PresenceForm()
    if not form.validate_on_submit():
        return _presence_problem(meeting, form, _("Choose present or absent."))
    user: Optional[User] = current_user
    if form.user_id.data and form.user_id.data != current_user.id:
        if not policy.can_run_meeting(current_user, meeting):
            return _refuse(meeting, None, "meeting_attendance", _("Only the chair records the attendance of others."))
        user = db.session.get(User, form.user_id.data)
        if user is None:
            return _presence_problem(meeting, form, _("Only invited people can be marked present or absent."))
    result = web.attempt_or_error(lambda: attendance.set_presence(meeting, user, form.is_present, current_user))
    if not result:
        return _presence_problem(meeting, form, str(STALE if result.conflict else result.error.message))
    item = _shown_item(meeting, form.item.data)
    if wants_fragment():
        return _render_updates(_context(meeting, item))
    return redirect(_live_url(meeting, item, "aanwezigheid"))


def _shown_item(meeting: Meeting, item_id: Optional[int]) -> Optional[MeetingItem]:
    """The item the page shows (sent along by the attendance buttons), if the user may see it."""
    if not item_id:
        return None
    item = db.session.get(MeetingItem, item_id)
    return item if item is not None and item in policy.visible_items(current_user, meeting) else None


def _presence_problem(meeting: Meeting, form: PresenceForm, message: str):
    web.Refusal("meeting_attendance", object_id=meeting.id).record(detail="refused")
    item = _shown_item(meeting, form.item.data)
    if wants_fragment():
        context = _context(meeting, item)
        context["attendance_error"] = message
        return _render_updates(context)
    flash(message, "error")
    return redirect(_live_url(meeting, item, "aanwezigheid"))


# --- the item under discussion ----------------------------------------------------------------------

@bp.route("/<int:meeting_id>/agenda/<int:item_id>/bespreken", methods=["POST"])
@requires(Permission.PLAN_SESSIONS)
def item_activate(meeting_id: int, item_id: int):
    meeting = _meeting_or_404(meeting_id, audit.Action.UPDATE)
    item = access.item_or_404(meeting, item_id, audit.Action.UPDATE)
    if not policy.can_run_meeting(current_user, meeting):
        return _refuse(meeting, item, "meeting_item", _("Only the chair decides which item is discussed."))
    if not ActivateForm().validate_on_submit():
        abort(400)
    result = web.attempt_or_error(lambda: timing.activate(meeting, item, current_user))
    problem = None
    if result.conflict:
        problem = _("Someone else changed the agenda at the same moment. Try again.")
    elif not result:
        problem = str(result.error.message)
    access.audit_item_read(item, meeting, "meeting_live")
    if _workspace_request() or wants_fragment():
        context = _context(meeting, item)
        context["workspace_problem"] = problem
        return _render_workspace(context)
    if problem:
        flash(problem, "error")
    return redirect(_live_url(meeting, item))


# --- notes ----------------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/agenda/<int:item_id>/notities", methods=["POST"])
@requires(Permission.PLAN_SESSIONS)
def item_notes(meeting_id: int, item_id: int):
    meeting = _meeting_or_404(meeting_id, audit.Action.UPDATE)
    item = access.item_or_404(meeting, item_id, audit.Action.UPDATE)
    why_not = notes.refusal(item, current_user)
    if why_not and not policy.can_run_meeting(current_user, meeting):
        return _refuse(meeting, item, "meeting_item", str(why_not))
    form = NotesForm(prefix=f"n{item.id}")
    conflict = None
    if form.validate_on_submit():
        result = web.attempt_or_error(lambda: notes.save(item, form.notes.data or "", current_user,
                                                         form.version_number, form.loaded.data or ""))
        if result:
            notice = _("The notes have been saved.") if result.value else _("Nothing was changed.")
            if not wants_fragment():
                flash(notice, "success")
                return redirect(_live_url(meeting, item, "notities"))
            return _with_updates("meetings/_live_notes_form.html",
                                 _context(meeting, item, notices={"notes": notice}))
        if result.conflict:
            if result.error.detail is None:  # changed between the check and the write
                db.session.refresh(item)
            conflict = result.error.detail or notes.saved_notes(item)
        else:
            error = result.error
            (form.notes.errors if error.field == "notes" else form.form_errors).append(str(error.message))
    refusal = web.Refusal("meeting_item", object_id=item.id, case_id=item.case_id)
    if conflict is not None:
        refusal.record(detail="notes conflict")
        # Keep the user's text; point the form at what is saved now, so that saving again is a choice.
        form.version.data = str(conflict.version)
        form.loaded.data = conflict.fingerprint
    else:
        refusal.record(detail="notes invalid")
    context = _context(meeting, item, notes_form=form, notes_conflict=conflict)
    if wants_fragment():
        return _with_updates("meetings/_live_notes_form.html", context)
    return render_template("meetings/live.html", **context)


# --- decisions ------------------------------------------------------------------------------------

def _decision_notice(decision) -> str:
    status = decision.status
    if status == DecisionStatus.BINDING:
        return _("The decision has been recorded as binding (mandate of %(holder)s).",
                 holder=decision.mandate.holder.name if decision.mandate else "—")
    if status == DecisionStatus.PROVISIONAL:
        return _("The decision has been recorded onder voorbehoud: it is up to the municipality of %(municipality)s.",
                 municipality=decision.municipality.name)
    return _("The decision has been recorded.")


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/besluiten", methods=["POST"])
@requires(Permission.PLAN_SESSIONS)
def decision_add(meeting_id: int, item_id: int):
    meeting = _meeting_or_404(meeting_id, audit.Action.UPDATE)
    item = access.item_or_404(meeting, item_id, audit.Action.UPDATE)
    if not policy.can_run_meeting(current_user, meeting):
        return _refuse(meeting, item, "decision", _("Only the chair records decisions."))
    form = _posted_decision_form(item)
    form.validate_on_submit()
    # The rules run in the service, all at once; input the form could not read keeps its own message.
    unreadable = {field.short_name: " ".join(map(str, field.errors)) for field in form if field.errors}
    result = web.attempt_or_error(lambda: decisions.record(item, form.values(), current_user, unreadable=unreadable))
    if result:
        notice = _decision_notice(result.value[0])
        if not wants_fragment():
            flash(notice, "success")
            return redirect(_live_url(meeting, item, "besluiten"))
        return _with_updates("meetings/_live_decision_form.html",
                             _context(meeting, item, notices={"decision": notice}))
    if result.conflict:
        form.form_errors.append(str(STALE))
    else:
        _show_rule_errors(form, result.error)
    _invalid("decision", item).record(form)
    context = _context(meeting, item, decision_form=form)
    if wants_fragment():
        return render_template("meetings/_live_decision_form.html", **context)
    return render_template("meetings/live.html", **context)


def _show_rule_errors(form, error: RuleError) -> None:
    """The rules' objections next to their fields; a field whose input could not be read keeps the
    form's message only."""
    for name, message in error.errors.items():
        if name and name in form:
            if not form[name].errors:
                form[name].errors = list(form[name].errors) + [str(message)]
        else:
            form.form_errors.append(str(message))


# --- actions --------------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/agenda/<int:item_id>/acties", methods=["POST"])
@requires(Permission.PLAN_SESSIONS)
def action_add(meeting_id: int, item_id: int):
    meeting = _meeting_or_404(meeting_id, audit.Action.UPDATE)
    item = access.item_or_404(meeting, item_id, audit.Action.UPDATE)
    if not policy.can_run_meeting(current_user, meeting):
        return _refuse(meeting, item, "case_action", _("Only the chair records actions in the session."))
    form = _action_form(item, ActionForm(prefix=f"a{item.id}"))
    result = web.submit(form, lambda: action_services.create(item.case, form.values(), current_user, item=item),
                        refusal=_invalid("case_action", item))
    if result:
        notice = _("The action has been recorded.")
        if not wants_fragment():
            flash(notice, "success")
            return redirect(_live_url(meeting, item, "acties"))
        return _with_updates("meetings/_live_action_form.html",
                             _context(meeting, item, notices={"action": notice}))
    if result.conflict:
        form.form_errors.append(str(STALE))
    context = _context(meeting, item, action_form=form)
    if wants_fragment():
        return render_template("meetings/_live_action_form.html", **context)
    return render_template("meetings/live.html", **context)
