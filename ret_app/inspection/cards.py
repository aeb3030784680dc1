"""The case page's panel of inspection and correction requests and the addenda (the chair sees the
requests; everyone who sees the case sees the addenda with the part they correct): a constant number
of queries."""

from __future__ import annotations

from datetime import date
from typing import Optional

from dateutil.relativedelta import relativedelta

from ret_app import policy
from ret_app.inspection import queries, sections, services
from ret_app.kernel import dates
from ret_app.models import Role


def case_panel(case, user) -> Optional[dict]:
    addenda = services.addenda_of(case.id)
    chair = policy.is_chair_of(user, case)
    inspections, corrections = queries.of_case(case.id) if chair else ([], [])
    if not chair and not addenda:
        return None
    return {"case": case, "chair": chair, "inspections": inspections, "corrections": corrections,
            "addenda": [(sections.title(code), items) for code, items in
                        sorted(addenda.items(), key=lambda kv: sections.codes().index(kv[0])
                               if kv[0] in sections.codes() else 99)]}


CARD_ROWS = 5


def answer_due(received_on: date) -> date:
    """GDPR art. 12(3): a request of the person concerned is answered within one month of its receipt."""
    return received_on + relativedelta(months=1)


def start_card(user) -> Optional[dict]:
    """Open inspection and correction requests of the region, the oldest first with the date the answer is due,
    for the chair and the privacy officer (four queries, however many requests). The chair's rows open the
    request; the privacy officer, who sees no case content, goes to the privacy hub."""
    region_id = policy.privacy_region(user)
    if region_id is None:
        return None
    inspections, corrections = queries.open_of_region(region_id, CARD_ROWS)
    if not inspections.count and not corrections.count:
        return None
    return {"inspections": inspections, "corrections": corrections, "today": dates.today(),
            "chair": policy.has_role(user, Role.CHAIR), "due": answer_due}
