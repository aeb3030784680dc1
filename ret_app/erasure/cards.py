"""The start card (erasure requests due, a destruction list awaiting approval) and the case page's panel."""

from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ret_app import policy
from ret_app.erasure import services
from ret_app.extensions import db
from ret_app.models import Case, DestructionList, ErasureRequest, User

CARD_ROWS = 5


def start_card(user: User) -> Optional[dict]:
    region_id = policy.privacy_region(user)
    if region_id is None:
        return None
    open_requests = ErasureRequest.region_id == region_id, ErasureRequest.status == "received"
    count = db.session.scalar(select(func.count(ErasureRequest.id)).where(*open_requests)) or 0
    rows = db.session.execute(select(ErasureRequest.id, ErasureRequest.due_on, Case.reference)
                              .join(Case, Case.id == ErasureRequest.case_id).where(*open_requests)
                              .order_by(ErasureRequest.due_on, ErasureRequest.id).limit(CARD_ROWS)).all()
    drafts = db.session.scalar(select(func.count(DestructionList.id)).where(
        DestructionList.region_id == region_id, DestructionList.status == "draft")) or 0
    if not count and not drafts:
        return None
    return {"count": count, "rows": rows, "drafts": drafts, "today": services.dates.today()}


def case_panel(case: Case, user: User) -> Optional[dict]:
    if not policy.can_handle_privacy_requests(user, case.region_id):
        return None
    return {"case": case, "hold": services.active_hold(case.id),
            "retain_until": services.computed_retain_until(case)}


def hub_section(user: User) -> Optional[dict]:
    """The privacy hub's section: what the start card shows, with a link to the overview."""
    if policy.privacy_region(user) is None:
        return None
    context = start_card(user) or {"count": 0, "rows": [], "drafts": 0, "today": services.dates.today()}
    return {**context, "title": _l("Erasure requests, legal holds and the destruction list")}
