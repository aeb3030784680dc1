"""Export routes: asking for an export (a POST from the page that offers it), the job's page with its
progress (polled by htmx; a reload without JavaScript), the download, and "Mijn exports".

Thin: load (own or 404, the denial audited) -> validate -> service in a savepoint -> respond. A job
is its requester's alone: anyone else gets 404 for its page and its file."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ret_app import audit, web
from ret_app.exports import params as export_params
from ret_app.exports import queries, registry, services
from ret_app.exports.blueprint import bp
from ret_app.exports.forms import RequestForm
from ret_app.exports.responses import file_response
from ret_app.models import ExportJob, ExportStatus
from ret_app.policy import Permission, requires
from ret_app.templating import wants_fragment

STATUSES = tuple(status.value for status in ExportStatus)


def _shown_kind(kind: str) -> str:
    """The kind named in the address as the audit trail may hold it (a code, or "invalid")."""
    return kind if registry.CODE_RE.match(kind) else "invalid"


def _own_or_404(job_id: int, action: audit.Action = audit.Action.READ) -> ExportJob:
    job = services.own(current_user, job_id)
    if job is None:
        web.not_found(object_type="export_job", object_id=job_id, action=action)
    return job


@bp.route("/exports/<kind>/aanvragen", methods=["POST"])
@requires(Permission.USE_APP)
def request_export(kind: str):
    if not RequestForm().validate_on_submit():
        abort(400)
    refusal = web.Refusal("export_job", action=audit.Action.CREATE)
    try:
        given = export_params.parse(request.form)
    except export_params.BadParams:
        refusal.record(detail=f"kind={_shown_kind(kind)};bad_params")
        abort(400)
    if not services.allowed(current_user, kind, given):
        web.not_found(object_type="export_job", action=audit.Action.EXPORT, detail=f"kind={_shown_kind(kind)}")
    result = web.attempt_or_error(lambda: services.request(current_user, kind, given,
                                                           request.form.get("submission_key")))
    if not result:
        refusal.record(detail=f"kind={kind};refused")
        flash(str(getattr(result.error, "message", result.error)), "error")
        return redirect(url_for("exports.index"))
    return redirect(url_for("exports.job", job_id=result.value.id))


@bp.route("/exports/<int:job_id>")
@requires(Permission.USE_APP)
def job(job_id: int):
    job = _own_or_404(job_id)
    context = {"job": job, "label": registry.label(job.kind)}
    if wants_fragment():
        seen = request.args.get("gezien", "")
        return render_template("exports/_progress.html", **context,
                               announce=seen in STATUSES and seen != job.status)
    return render_template("exports/job.html", **context)


@bp.route("/exports/<int:job_id>/bestand")
@requires(Permission.USE_APP)
def download(job_id: int):
    job = _own_or_404(job_id, action=audit.Action.EXPORT)
    if not job.available:
        web.Refusal("export_job", object_id=job.id, action=audit.Action.EXPORT).record(
            detail=f"kind={job.kind};not_available;status={job.status}" + (";expired" if job.removed_at else ""))
        status = 410 if job.removed_at is not None else 409
        return render_template("exports/job.html", job=job, label=registry.label(job.kind),
                               not_available=True), status
    data = services.download(job, current_user)
    return file_response(data, job.filename or "export", job.mimetype or "application/octet-stream")


@bp.route("/exports")
@requires(Permission.USE_APP)
def index():
    shown = request.args.get("toon", "alle")
    shown = shown if shown in queries.SHOWN else "alle"
    kind = request.args.get("soort", "")
    kind = kind if registry.find(kind) is not None else ""
    page = queries.mine(current_user, shown=shown, kind=kind or None, page=web.int_arg("page", 1))
    query_args = {**({"toon": shown} if shown != "alle" else {}), **({"soort": kind} if kind else {})}
    template = "exports/_results.html" if wants_fragment() else "exports/index.html"
    return render_template(template, result=page, shown=shown, kind=kind, kinds=registry.kinds(),
                           label=registry.label, query_args=query_args)
