"""The privacy hub's section of inspection and correction requests (a card in the kernel's "privacy" slot):
the region's requests, newest first, with the case's reference, the dates, who asks (a kind, never a name),
the status or decision; nothing of the case's content. Two queries, however many requests."""

from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.inspection import queries

HUB_ROWS = 50


def section(user) -> Optional[dict]:
    region_id = policy.privacy_region(user)
    if region_id is None:
        return None
    inspections, corrections = queries.of_region(region_id, HUB_ROWS)
    return {"title": _l("Inspection and correction requests"), "inspections": inspections,
            "corrections": corrections, "limit": HUB_ROWS}
