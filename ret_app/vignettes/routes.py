"""The pages of learning vignettes: generating one of a closed case (the chair, from the case page), the
region's list, one vignette (the chair reviews, edits, approves or withdraws it; RET members read the
approved ones), its PDF (only once approved: before that a clear refusal, audited) and the learning-session
pack (several approved vignettes in one PDF). Thin: load through the policy -> validate -> service in a
savepoint -> respond; bad input next to its field with everything typed kept."""

from __future__ import annotations

from typing import Optional

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.cases.access import case_or_404
from ret_app.exports import services as exports
from ret_app.extensions import db
from ret_app.kernel.errors import RuleError
from ret_app.models import LearningVignette, VignetteStatus
from ret_app.paging import paginate
from ret_app.pdf import pdf_response
from ret_app.policy import Permission, region_of, requires
from ret_app.vignettes import report, services
from ret_app.vignettes.access import vignette_or_404
from ret_app.vignettes.blueprint import bp
from ret_app.vignettes.forms import ApproveForm, GenerateForm, TextForm, WithdrawForm
from ret_app.vignettes.lifecycle import STATUS_LABELS, VIGNETTE
from ret_app.vignettes.queries import region_list
from ret_app.vignettes.text import blocks

PER_PAGE = 25
PACK_FIELD = "leerverhaal"


def _version(text: Optional[str]) -> Optional[int]:
    return int(text) if text and text.isdigit() and len(text) <= 12 else None


# --- generating ---------------------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/leerverhaal", methods=["POST"])
@requires(Permission.KEEP_VIGNETTES)
def generate(case_id: int):
    case = case_or_404(case_id, action=audit.Action.CREATE, detail="vignette", rule=policy.can_generate_vignette)
    form = GenerateForm()
    result = web.submit(form, lambda: services.generate(case, current_user),
                        refusal=web.Refusal("vignette", case_id=case.id, action=audit.Action.CREATE))
    if result:
        vignette, replaced = result.value
        flash(ngettext("The vignette has been generated as a draft; %(num)d value was replaced by a role or kind. "
                       "Review it before you approve it.",
                       "The vignette has been generated as a draft; %(num)d values were replaced by a role or kind. "
                       "Review it before you approve it.", len(replaced)), "success")
        return redirect(url_for("vignettes.page", vignette_id=vignette.id))
    message = form.form_errors[0] if form.form_errors else _("The vignette could not be generated.")
    flash(str(message), "error")
    existing = services.current_vignette(case)
    if existing is not None:
        return redirect(url_for("vignettes.page", vignette_id=existing.id))
    return redirect(url_for("cases.case_page", case_id=case.id) + "#vignette-panel")


# --- the region's list ----------------------------------------------------------------------------------

@bp.route("/leerverhalen")
@requires(Permission.READ_VIGNETTES)
def index():
    status = request.args.get("status", "")
    keeps = policy.can_keep_vignettes_of(current_user, region_of(current_user))
    if status not in STATUS_LABELS or not keeps:
        status = ""
    page = paginate(region_list(current_user, status or None), web.int_arg("page", 1), PER_PAGE)
    services.record_read("list")
    return render_template("vignettes/list.html", result=page, status=status, keeps=keeps,
                           status_labels=STATUS_LABELS, label=report.label,
                           query_args={"status": status} if status else {})


# --- one vignette -------------------------------------------------------------------------------------------

def _render(vignette: LearningVignette, *, text_form: Optional[TextForm] = None,
            approve_form: Optional[ApproveForm] = None, withdraw_form: Optional[WithdrawForm] = None,
            replaced=None, conflict=None, status: int = 200):
    keeps = policy.can_keep_vignette(current_user, vignette)
    version = {"version": str(vignette.version)}
    draft = vignette.status == VignetteStatus.DRAFT.value
    options = {o.name: o for o in VIGNETTE.available(vignette, current_user)} if keeps else {}
    return render_template(
        "vignettes/page.html", vignette=vignette, label=report.label(vignette), blocks=blocks(vignette.text),
        keeps=keeps, status_labels=STATUS_LABELS, replaced=replaced, conflict=conflict,
        text_form=text_form or (TextForm(formdata=None, data={"title": vignette.title, "text": vignette.text,
                                                              **version}) if keeps and draft else None),
        approve_form=approve_form or (ApproveForm(formdata=None, data=version) if "approve" in options else None),
        approve_blocked=options["approve"].blocked if "approve" in options else None,
        withdraw_form=withdraw_form or (WithdrawForm(formdata=None, data=version) if "withdraw" in options else None),
    ), status


def _conflict(result, vignette_id: int):
    if result.conflict:
        db.session.expire_all()
        return {"message": str(result.error.message)}, vignette_or_404(vignette_id, action=audit.Action.UPDATE)
    return None, None


def _refusal(vignette: LearningVignette) -> web.Refusal:
    return web.Refusal("vignette", object_id=vignette.id, case_id=vignette.case_id)


@bp.route("/leerverhalen/<int:vignette_id>")
@requires(Permission.READ_VIGNETTES)
def page(vignette_id: int):
    return _render(vignette_or_404(vignette_id))


@bp.route("/leerverhalen/<int:vignette_id>/tekst", methods=["POST"])
@requires(Permission.KEEP_VIGNETTES)
def save(vignette_id: int):
    vignette = vignette_or_404(vignette_id, action=audit.Action.UPDATE, rule=policy.can_keep_vignette)
    form = TextForm()
    result = web.submit(form, lambda: services.save_text(vignette, current_user, form.title.data, form.text.data,
                                                         _version(form.version.data)), refusal=_refusal(vignette))
    if result:
        saved = result.value
        if saved.replaced:
            flash(ngettext("Saved. %(num)d value in your text was replaced: see below what and by what.",
                           "Saved. %(num)d values in your text were replaced: see below what and by what.",
                           len(saved.replaced)), "warning")
        else:
            flash(_("Saved.") if saved.changed else _("Nothing changed."), "success")
        # The page itself answers (not a redirect): what was replaced is shown once, to the chair, and never stored.
        return _render(saved.vignette, replaced=saved.replaced)
    conflict, fresh = _conflict(result, vignette_id)
    if fresh is not None:
        vignette = fresh
        form.version.data = str(vignette.version)
    return _render(vignette, text_form=form, conflict=conflict)


@bp.route("/leerverhalen/<int:vignette_id>/goedkeuren", methods=["POST"])
@requires(Permission.KEEP_VIGNETTES)
def approve(vignette_id: int):
    vignette = vignette_or_404(vignette_id, action=audit.Action.UPDATE, rule=policy.can_keep_vignette)
    form = ApproveForm()
    result = web.submit(form, lambda: services.approve(vignette, current_user, _version(form.version.data)),
                        refusal=_refusal(vignette))
    if result:
        flash(str(VIGNETTE.by_name["approve"].done), "success")
        return redirect(url_for("vignettes.page", vignette_id=vignette.id))
    conflict, fresh = _conflict(result, vignette_id)
    if fresh is not None:
        vignette = fresh
        form.version.data = str(vignette.version)
    return _render(vignette, approve_form=form, conflict=conflict)


@bp.route("/leerverhalen/<int:vignette_id>/intrekken", methods=["POST"])
@requires(Permission.KEEP_VIGNETTES)
def withdraw(vignette_id: int):
    vignette = vignette_or_404(vignette_id, action=audit.Action.UPDATE, rule=policy.can_keep_vignette)
    form = WithdrawForm()
    result = web.submit(form, lambda: services.withdraw(vignette, current_user, form.reason.data,
                                                        _version(form.version.data)), refusal=_refusal(vignette))
    if result:
        flash(str(VIGNETTE.by_name["withdraw"].done), "success")
        return redirect(url_for("vignettes.page", vignette_id=vignette.id))
    conflict, fresh = _conflict(result, vignette_id)
    if fresh is not None:
        vignette = fresh
        form.version.data = str(vignette.version)
    return _render(vignette, withdraw_form=form, conflict=conflict)


# --- downloads ------------------------------------------------------------------------------------------

@bp.route("/leerverhalen/<int:vignette_id>/leerverhaal.pdf")
@requires(Permission.READ_VIGNETTES)
def pdf(vignette_id: int):
    vignette = vignette_or_404(vignette_id, action=audit.Action.EXPORT)
    if vignette.status != VignetteStatus.APPROVED.value:
        services.refuse_download(vignette)
        return web.refuse(services.NOT_APPROVED, object_type="vignette", object_id=vignette.id,
                          case_id=vignette.case_id, action=audit.Action.EXPORT, detail="pdf")
    data = report.vignette_pdf(vignette)
    services.record_download(vignette, "pdf")
    return pdf_response(data, f"leerverhaal-{report.label(vignette)}.pdf")


def _pack_page(chosen: list[int], error: Optional[str] = None, status: int = 200):
    region_id = region_of(current_user)
    return render_template("vignettes/pack.html", vignettes=services.approved_of_region(region_id), chosen=set(chosen),
                           error=error, label=report.label, field=PACK_FIELD, max_pack=services.MAX_PACK), status


@bp.route("/leerverhalen/pakket", methods=["GET"])
@requires(Permission.READ_VIGNETTES)
def pack():
    services.record_read("pack choice")
    return _pack_page([])


@bp.route("/leerverhalen/pakket", methods=["POST"])
@requires(Permission.READ_VIGNETTES)
def pack_request():
    """The pack's choice: valid -> the export job is asked for and the user follows it on its page (the
    PDF of many vignettes takes a while); a bad choice -> the choice page again, the message next to the
    field and the ticked vignettes kept."""
    raw = request.form.getlist(PACK_FIELD)
    chosen = [value for value in (web.int_arg(PACK_FIELD, source={PACK_FIELD: r}) for r in raw[:200]) if value]
    try:
        if len(chosen) != len(raw):
            raise RuleError(_("Choose the vignettes from the list."), "vignettes")
        vignettes = services.pack_selection(region_of(current_user), chosen)
        job = exports.request(current_user, report.PACK_KIND, report.pack_params(vignettes),
                              request.form.get("submission_key"))
    except RuleError as refused:
        services.record_pack_refused(len(raw))
        return _pack_page(chosen, str(refused.message), status=400 if raw else 200)
    return redirect(url_for("exports.job", job_id=job.id))
