"""Meldingen: the user's own notifications (filtered and paged), opening one (marks it read, then
goes where the user acts), marking read or unread, all read at once; and the choice per kind under
My account. Only the user's own: someone else's notification answers 404.

Thin: load (own or 404) -> validate -> service in a savepoint -> respond. Every change is a POST with
the CSRF token."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ret_app import web
from ret_app.notifications import kinds, mail, queries, services
from ret_app.notifications.blueprint import bp
from ret_app.notifications.forms import BackForm, MarkForm, preferences_form
from ret_app.policy import Permission, requires
from ret_app.templating import render_page_or_fragment
from ret_app.urls import safe_next

SHOWN_WORDS = {"unread": "ongelezen", "read": "gelezen", "all": "alle"}
SHOWN_OF_WORD = {word: code for code, word in SHOWN_WORDS.items()}


def _filters() -> tuple[str, str]:
    shown = SHOWN_OF_WORD.get(request.args.get("toon", ""), "unread")
    kind = request.args.get("soort", "")
    return shown, (kind if kind in {k.code for k in kinds.all_kinds()} else "")


def _own_or_404(notification_id: int):
    row = services.own(current_user, notification_id)
    if row is None:
        abort(404)
    return row


@bp.route("/meldingen")
@requires(Permission.USE_APP)
def inbox():
    shown, kind = _filters()
    page = queries.inbox(current_user, shown=shown, kind=kind or None, page=web.int_arg("page", 1))
    query_args = {"toon": SHOWN_WORDS[shown], **({"soort": kind} if kind else {})}
    return render_page_or_fragment(
        "notifications/inbox.html", "notifications/_results.html", result=page, shown=shown, kind=kind,
        kinds=kinds.all_kinds(), label=kinds.label, query_args=query_args, shown_words=SHOWN_WORDS,
        here=url_for("notifications.inbox", **query_args, **({"page": page.page} if page.page > 1 else {})),
        unread=queries.unread_count(current_user), about=queries.about(current_user, page.items))


@bp.route("/meldingen/<int:notification_id>/openen", methods=["POST"])
@requires(Permission.USE_APP)
def open_one(notification_id: int):
    row = _own_or_404(notification_id)
    if not BackForm().validate_on_submit():
        abort(400)
    web.attempt_or_error(lambda: services.mark_read(row))
    return redirect(safe_next(row.link) or url_for("notifications.inbox"))


@bp.route("/meldingen/<int:notification_id>/gelezen", methods=["POST"])
@requires(Permission.USE_APP)
def mark(notification_id: int):
    row = _own_or_404(notification_id)
    form = MarkForm()
    if not form.validate_on_submit():
        abort(400)
    read = form.read.data != "0"
    web.attempt_or_error(lambda: services.mark_read(row, read))
    flash(_("Marked as read.") if read else _("Marked as unread."), "success")
    return redirect(safe_next(form.next.data) or url_for("notifications.inbox"))


@bp.route("/meldingen/alles-gelezen", methods=["POST"])
@requires(Permission.USE_APP)
def mark_all():
    form = BackForm()
    if not form.validate_on_submit():
        abort(400)
    result = web.attempt_or_error(lambda: services.mark_all_read(current_user))
    count = result.value or 0
    flash(ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", count),
          "success")
    return redirect(safe_next(form.next.data) or url_for("notifications.inbox"))


@bp.route("/account/meldingen", methods=["GET", "POST"])
@requires(Permission.USE_APP)
def preferences():
    current = services.preferences(current_user)
    form = preferences_form(current)
    if request.method == "POST":
        result = web.submit(form, lambda: services.save_preferences(
            current_user, {code: form[code].data for code in form.kind_codes}))
        if result:
            flash(_("Your choices have been saved.") if result.value else _("Nothing was changed."), "success")
            return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form, kinds=kinds.choosable(),
                           locked=[k for k in kinds.all_kinds() if k.locked], mail_enabled=mail.enabled())
