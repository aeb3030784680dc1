"""The administrator's page of the job runner's health (GET /beheer/taken)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ret_app.jobs import health
from ret_app.policy import Permission, requires

bp = Blueprint("jobs", __name__)


@bp.get("/beheer/taken")
@requires(Permission.MANAGE_REFERENCE_DATA)
def jobs_page():
    health.shown()
    return render_template("jobs/health.html", jobs=health.jobs(), tasks=health.tasks())
