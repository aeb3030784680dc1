"""The demo's access log: one case of Midden-IJssel/Oost-Veluwe read, found, exported and once refused by
the people who work on it, as a day's work would record it (the audit trail's own writer)."""

from __future__ import annotations

from ret_app import audit


def seed(users: dict, case) -> None:
    chair = users["voorzitter@mijov.example"]
    member = users["retlid@mijov.example"]
    expert = users["gedragswetenschapper@mijov.example"]
    caseworker = users["toegang.apeldoorn@mijov.example"]
    provider = users["aanbieder@mijov.example"]
    other_team = users["toegang.zutphen@mijov.example"]
    for user in (caseworker, chair, member):
        audit.record(audit.Action.SEARCH, object_type="case_search_hit", object_id=case.id, case_id=case.id, user=user)
    for user, detail in ((chair, None), (member, None), (expert, "screening"), (caseworker, None),
                         (provider, "screening"), (chair, "plan")):
        audit.record(audit.Action.READ, object_type="case", object_id=case.id, case_id=case.id, user=user,
                     detail=detail)
    audit.record(audit.Action.EXPORT, object_type="case", object_id=case.id, case_id=case.id, user=chair,
                 detail="screening_report")
    audit.record(audit.Action.PRINT, object_type="case", object_id=case.id, case_id=case.id, user=member,
                 detail="plan_pdf")
    # an access team of another municipality tried the case's page: refused (404 for them)
    audit.record(audit.Action.READ, outcome=audit.Outcome.DENIED, object_type="case", object_id=case.id,
                 case_id=case.id, user=other_team)
