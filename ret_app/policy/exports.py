"""Export jobs: an export is its requester's alone. Whoever else asks for it (their job page, their
download, another user's id in the address) gets 404: its existence does not leak. Who may request
an export of a kind is that kind's own rule (`may_request`, registered with the kind)."""

from __future__ import annotations

from typing import Any

from ret_app.models import ExportJob


def owns_export(user: Any, job: ExportJob) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and job.requested_by_id == user.id


def own_exports_clause(user: Any):
    """The SQL twin of owns_export."""
    return ExportJob.requested_by_id == user.id
