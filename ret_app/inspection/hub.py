"""The privacy hub's section of inspection and correction requests (ret_app/privacy_hub): the region's
requests, newest first, with the case's reference, the dates, who asks (a kind, never a name), the status
or decision; nothing of the case's content. Two queries, however many requests."""

from __future__ import annotations

from flask import render_template

from ret_app.inspection import queries

HUB_ROWS = 50


def render(user, region_id: int) -> str:
    inspections, corrections = queries.of_region(region_id, HUB_ROWS)
    return render_template("inspection/_hub.html", inspections=inspections, corrections=corrections,
                           limit=HUB_ROWS)
