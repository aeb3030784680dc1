"""Planning RET sessions: the list, a new session, its page with the agenda, the details, agenda
items (add, remove, move) and the lifecycle steps.

Thin: load the session through the policy (access.py: 404 when it may not be seen, 403 with the
reason when it is not the user's to plan; denials and reads audited), validate the form, call the
service in a savepoint (web.submit / web.attempt_or_error), respond — the agenda fragment for htmx,
the page or a redirect otherwise. Bad input comes back next to its field with everything typed
kept. The unit of work commits at the end of the request.
"""

from __future__ import annotations

from typing import Any, Optional

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ret_app import audit, policy, web
from ret_app.extensions import db
from ret_app.meetings import access, calendar, lifecycle, planning
from ret_app.meetings.blueprint import bp
from ret_app.meetings.planning_forms import (
    ConfirmForm,
    ItemForm,
    MeetingForm,
    MoveForm,
    StepForm,
)
from ret_app.models import Meeting, MeetingAttendance, MeetingItem, MeetingStatus
from ret_app.policy import Permission, requires
from ret_app.templating import local_datetime, wants_fragment
from ret_app.urls import base_host, external_url

PAGE_SIZE = 20
UPCOMING_LIMIT = 100
STALE_MEETING = _l("Someone else changed this session at the same moment. Nothing of your last action was saved; "
                   "check the page and try again.")


# --- loading ------------------------------------------------------------------------------------

def _item_or_404(meeting: Meeting, item_id: int) -> MeetingItem:
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


def _attach_errors(form, errors: dict[str, Any]) -> Optional[str]:
    """Put rule errors next to their fields; return a message without a field (or None)."""
    general = None
    for name, message in errors.items():
        if name and name in form:
            if not form[name].errors:  # input the form could not read keeps the form's message only
                form[name].errors = list(form[name].errors) + [str(message)]
        else:
            general = str(message)
    return general


# --- page assembly ------------------------------------------------------------------------------

def live_url(meeting: Meeting) -> Optional[str]:
    """The live page while the session runs; after it, the same page shows what was recorded (and
    the chair corrects notes there until the minutes are approved)."""
    if meeting.status in lifecycle.HELD:
        return url_for("meetings.live", meeting_id=meeting.id)
    return None


def _item_form(meeting: Meeting, form: Optional[ItemForm] = None) -> ItemForm:
    form = form or ItemForm(formdata=None)
    form.case_id.choices = [("", _("— choose —"))] + [
        (case.id, f"{case.reference} · {case.youth_name}" if case.youth_name else case.reference)
        for case in planning.plannable_cases(meeting, current_user)]
    return form


def _context(meeting: Meeting, *, item_form: Optional[ItemForm] = None, notice: Optional[str] = None,
             problem: Optional[str] = None, step_errors: Optional[dict] = None, step_reason: str = "") -> dict:
    may_plan = policy.can_run_meeting(current_user, meeting)
    agenda_open = may_plan and meeting.status in planning.AGENDA_STATUSES
    items = policy.visible_items(current_user, meeting)
    sees_full = policy.sees_full_meeting(current_user, meeting)
    present_ids = set(db.session.scalars(select(MeetingAttendance.user_id).where(
        MeetingAttendance.meeting_id == meeting.id, MeetingAttendance.present.is_(True)))) if sees_full else set()
    return {
        "meeting": meeting,
        "agenda_items": items,
        "sees_full": sees_full,
        "invitations": sorted(meeting.invitations, key=lambda i: i.user.name.lower()) if sees_full else [],
        "present_ids": present_ids,
        "may_plan": may_plan,
        "agenda_open": agenda_open,
        "item_form": _item_form(meeting, item_form) if agenda_open else None,
        "removal": {item.id: planning.removal_problem(item) for item in items} if agenda_open else {},
        "steps": lifecycle.available(meeting, current_user),
        "step_errors": step_errors or {},
        "step_reason": step_reason,
        "live_url": live_url(meeting),
        "ends_at": planning.ends_at(meeting),
        "notice": notice,
        "problem": problem,
    }


def _render_page(meeting: Meeting, status: int = 200, **kwargs):
    context = _context(meeting, **kwargs)
    access.audit_agenda_read(meeting, context["agenda_items"])
    return render_template("meetings/page.html", **context), status


def _agenda_response(meeting: Meeting, *, notice: Optional[str] = None, problem: Optional[str] = None,
                     item_form: Optional[ItemForm] = None):
    """After an agenda change or refusal: the agenda fragment for htmx; without JavaScript a
    redirect to the page (done) or the page with the message next to the field (refused)."""
    if wants_fragment():
        return render_template("meetings/_agenda_changed.html",
                               **_context(meeting, item_form=item_form, notice=notice, problem=problem))
    if problem is None and item_form is None:
        if notice:
            flash(notice, "success")
        return redirect(url_for("meetings.page", meeting_id=meeting.id, _anchor="agenda"))
    return _render_page(meeting, item_form=item_form, problem=problem)


# --- the list and a new session -----------------------------------------------------------------

@bp.route("/")
@requires(Permission.VIEW_SESSIONS)
def index():
    page = web.int_arg("page", 1)
    found = planning.session_list(current_user, page, page_size=PAGE_SIZE, upcoming_limit=UPCOMING_LIMIT)
    return render_template("meetings/index.html", upcoming=found.upcoming, result=found.past, counts=found.counts,
                           query_args={}, may_plan=policy.can(Permission.PLAN_SESSIONS))


def _chair_choices(form: MeetingForm, region_id: Optional[int]) -> None:
    form.chair_id.choices = [(u.id, u.name) for u in planning.chair_candidates(region_id)]


@bp.route("/nieuw", methods=["GET", "POST"])
@requires(Permission.PLAN_SESSIONS)
def new():
    region_id = policy.region_of(current_user)
    form = MeetingForm()
    _chair_choices(form, region_id)
    problem = None if region_id else _("Your organisation belongs to no region, so you cannot plan a session. "
                                       "Ask your functional administrator.")
    if request.method == "GET":
        form.chair_id.data = current_user.id
    elif region_id:
        result = web.submit(form, lambda: planning.create(form.data, current_user), show=False)
        if result:
            flash(_("The session has been planned. Put cases on the agenda: the invitations follow."), "success")
            return redirect(url_for("meetings.page", meeting_id=result.value.id))
        if result.error is not None:
            problem = (str(STALE_MEETING) if result.conflict else _attach_errors(form, result.error.errors)) or problem
    else:
        form.validate_on_submit()
    return render_template("meetings/form.html", form=form, meeting=None, problem=problem, conflict=None)


# --- the session page and its details -----------------------------------------------------------

@bp.route("/<int:meeting_id>")
@requires(Permission.VIEW_SESSIONS)
def page(meeting_id: int):
    meeting = access.meeting_or_404(meeting_id, detail="meeting_page", options=planning.PAGE_LOADS)
    return _render_page(meeting)


@bp.route("/<int:meeting_id>/uitnodiging.ics")
@requires(Permission.VIEW_SESSIONS)
def calendar_invitation(meeting_id: int):
    """The session for the user's own calendar: date, place and link, no case data."""
    meeting = access.meeting_or_404(meeting_id, action=audit.Action.EXPORT, detail="calendar")
    page_url = external_url("meetings.page", meeting_id=meeting.id)
    title = _("RET session of %(date)s", date=local_datetime(meeting.starts_at, "d MMMM yyyy"))
    body = calendar.export(meeting, title=title, page_url=page_url, host=base_host())
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="ret-overleg-{meeting.id}.ics"'
    return response


def _form_from_meeting(meeting: Meeting) -> MeetingForm:
    day, start = planning.local_parts(meeting)
    form = MeetingForm(formdata=None, data={
        "date": day, "start_time": start, "duration_minutes": meeting.duration_minutes,
        "location": meeting.location, "online_url": meeting.online_url, "chair_id": meeting.chair_id,
        "version": str(meeting.version)})
    return form


@bp.route("/<int:meeting_id>/bewerken", methods=["GET", "POST"])
@requires(Permission.PLAN_SESSIONS)
def edit(meeting_id: int):
    meeting = access.plannable_meeting(meeting_id, "meeting_edit")
    if meeting.status != MeetingStatus.PLANNED:
        flash(_("The details can only be changed while the session is planned."), "warning")
        return redirect(url_for("meetings.page", meeting_id=meeting.id))
    if request.method == "GET":
        form = _form_from_meeting(meeting)
        _chair_choices(form, meeting.region_id)
        return render_template("meetings/form.html", form=form, meeting=meeting, problem=None, conflict=None)
    form = MeetingForm()
    _chair_choices(form, meeting.region_id)
    problem, conflict = None, None
    loaded = int(form.version.data) if (form.version.data or "").isdigit() else None
    result = web.submit(form, lambda: planning.update_details(meeting, form.data, current_user, loaded), show=False)
    if result:
        flash(_("The session's details have been saved.") if result.value else _("Nothing was changed."), "success")
        return redirect(url_for("meetings.page", meeting_id=meeting.id))
    if result.conflict:
        if result.error.detail is not None:  # changed since the form was loaded
            problem, conflict = str(result.error.message), result.error.detail
        else:  # changed between the check and the write
            db.session.refresh(meeting)
            problem, conflict = str(STALE_MEETING), planning.saved_details(meeting)
        # Saving again is now a deliberate choice over what is saved; the input stays as typed.
        form.version.data = str(meeting.version)
        web.Refusal("meeting", object_id=meeting.id).record(detail="conflict")
    elif result.error is not None:
        problem = _attach_errors(form, result.error.errors)
    return render_template("meetings/form.html", form=form, meeting=meeting, problem=problem, conflict=conflict)


# --- the agenda ---------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/agenda", methods=["POST"])
@requires(Permission.PLAN_SESSIONS)
def item_add(meeting_id: int):
    meeting = access.plannable_meeting(meeting_id, "item_add", options=planning.PAGE_LOADS)
    form = ItemForm()
    result = web.submit(form, lambda: planning.add_item(meeting, form.data, current_user), show=False)
    if not result:
        problem = None
        if result.error is not None:
            problem = str(STALE_MEETING) if result.conflict else _attach_errors(form, result.error.errors)
        return _agenda_response(meeting, item_form=form, problem=problem)
    return _agenda_response(meeting, notice=_("%(reference)s has been put on the agenda.",
                                              reference=result.value.case.reference))


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/verwijderen", methods=["POST"])
@requires(Permission.PLAN_SESSIONS)
def item_remove(meeting_id: int, item_id: int):
    meeting = access.plannable_meeting(meeting_id, "item_remove", options=planning.PAGE_LOADS)
    item = _item_or_404(meeting, item_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    reference = item.case.reference
    result = web.attempt_or_error(lambda: planning.remove_item(meeting, item, current_user))
    if not result:
        return _agenda_response(meeting, problem=str(STALE_MEETING if result.conflict else result.error.message))
    return _agenda_response(meeting, notice=_("%(reference)s has been taken off the agenda.", reference=reference))


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/verplaatsen", methods=["POST"])
@requires(Permission.PLAN_SESSIONS)
def item_move(meeting_id: int, item_id: int):
    meeting = access.plannable_meeting(meeting_id, "item_move", options=planning.PAGE_LOADS)
    item = _item_or_404(meeting, item_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _agenda_response(meeting, problem=_("Choose whether to move the item up or down."))
    reference = item.case.reference
    result = web.attempt_or_error(lambda: planning.move_item(meeting, item, form.direction.data, current_user))
    if not result:
        return _agenda_response(meeting, problem=str(STALE_MEETING if result.conflict else result.error.message))
    if not result.value:
        return _agenda_response(meeting, notice=_("%(reference)s is already at that end of the agenda.",
                                                  reference=reference))
    return _agenda_response(meeting, notice=_("%(reference)s has been moved.", reference=reference))


# --- lifecycle steps ----------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/stap/<name>", methods=["POST"])
@requires(Permission.PLAN_SESSIONS)
def step(meeting_id: int, name: str):
    if name not in lifecycle.STEP_BY_NAME:  # before anything is audited: the name is the user's text
        abort(404)
    meeting = access.plannable_meeting(meeting_id, f"step={name}", options=planning.PAGE_LOADS)
    form = StepForm()
    reason = form.reason.data or ""
    if not form.validate_on_submit():
        return _render_page(meeting, step_errors={name: " ".join(form.reason.errors) or _("Reload the page and try again.")},
                            step_reason=reason)
    result = web.attempt_or_error(lambda: lifecycle.apply(meeting, name, current_user, reason=reason,
                                                          confirmed=bool(form.confirm.data)))
    if not result:
        if result.conflict:
            flash(str(STALE_MEETING), "error")
        elif result.error.field in ("reason", "confirm"):
            # Keep the page (and anything typed) and put the message next to the reason field, or the
            # question (starting before the session's day) next to the box that confirms it.
            return _render_page(meeting, step_errors={name: str(result.error.message)}, step_reason=reason)
        else:
            flash(str(result.error.message), "error")
        return redirect(url_for("meetings.page", meeting_id=meeting_id))
    flash(str(lifecycle.STEP_BY_NAME[name].done), "success")
    if name == "start":
        return redirect(live_url(meeting) or url_for("meetings.page", meeting_id=meeting_id))
    return redirect(url_for("meetings.page", meeting_id=meeting_id))
