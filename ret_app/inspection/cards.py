"""The case page's panel of inspection and correction requests and the addenda (the chair sees the
requests; everyone who sees the case sees the addenda with the part they correct): a constant number
of queries."""

from __future__ import annotations

from typing import Optional

from ret_app import policy
from ret_app.inspection import queries, sections, services


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
