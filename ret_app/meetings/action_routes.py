"""Actions ("acties"): "Mijn acties" (owned by me or my organisation, overdue first) and changing an
action's status (htmx row swap, full-page fallback). The rows and the case page's panel of sessions,
decisions and actions: panels.py.

Thin: load the action through the policy (access.py: 404 when its case may not be seen, the denial
audited), check who may change it (403, audited), call the service in a savepoint, respond."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ret_app import policy, web
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.meetings import access, actions, panels
from ret_app.meetings.blueprint import actions_bp
from ret_app.meetings.forms import ActionStatusForm
from ret_app.policy import Permission, requires
from ret_app.templating import render_page_or_fragment, wants_fragment
from ret_app.urls import safe_next

CONFLICT = _l("Someone else changed this action at the same moment. Check its status and try again.")


@actions_bp.route("/")
@requires(Permission.VIEW_OWN_ACTIONS)
def mine():
    include_closed = request.args.get("alle") == "1"
    today = dates.today()
    rows = [panels.action_row(a, today)
            for a in actions.my_actions(current_user, include_closed=include_closed, today=today)]
    return render_page_or_fragment("actions/mine.html", "actions/_results.html", rows=rows,
                                   include_closed=include_closed,
                                   overdue_count=sum(1 for r in rows if r["overdue"]))


@actions_bp.route("/<int:action_id>/status", methods=["POST"])
@requires(Permission.VIEW_OWN_ACTIONS)
def set_status(action_id: int):
    action = access.action_or_404(action_id)
    if not policy.can_update_action(current_user, action):
        return web.refuse(_("Only the owner, the process director or the chair changes this action."),
                          object_type="case_action", object_id=action.id, case_id=action.case_id)
    form = ActionStatusForm(prefix=f"action-{action.id}")
    back = safe_next(form.next.data) or url_for("actions.mine")
    show_case = request.form.get("view") != "case"  # the row on the case page has no case column
    result = web.submit(form, lambda: actions.set_status(action, form.status.data, current_user), show=False)
    if result:
        if wants_fragment():
            return render_page_or_fragment("actions/mine.html", "actions/_row.html",
                                           row=panels.action_row(action, dates.today(), saved=True),
                                           show_case=show_case)
        flash(_("The status of the action has been changed."), "success")
        return redirect(back)
    if result.conflict:
        db.session.refresh(action)  # show what is saved now
    if result.error is not None:
        form.status.errors = list(form.status.errors) + [str(CONFLICT if result.conflict else result.error.message)]
    if wants_fragment():
        return render_page_or_fragment("actions/mine.html", "actions/_row.html",
                                       row=panels.action_row(action, dates.today(), form=form), show_case=show_case)
    for message in form.status.errors:
        flash(str(message), "error")
    return redirect(back)
