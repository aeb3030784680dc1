"""The demo's access log: one case of Midden-IJssel/Oost-Veluwe (Sara, in screening) as the people who work
on it read, found, changed, exported and once tried to open it since it was referred, day by day, each from
their organisation's network (addresses of the documentation ranges, RFC 5737: fictional). More than one
page of events, so the log's paging shows; replayed through the audit trail's own writer, so the hash
chain verifies."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from ret_app import audit
from ret_app.kernel import dates

A = audit.Action

# Who works on the case, the network they work from, and what a working day of theirs on it records.
PEOPLE = {
    "voorzitter@mijov.example": ("192.0.2.14", [(A.SEARCH, "case_search_hit", None), (A.READ, "case", None),
                                                (A.READ, "case", "screening"), (A.UPDATE, "case", "intake")]),
    "retlid@mijov.example": ("192.0.2.27", [(A.SEARCH, "case_search_hit", None), (A.READ, "case", None),
                                            (A.READ, "case", "plan")]),
    "gedragswetenschapper@mijov.example": ("192.0.2.31", [(A.READ, "case", "screening"),
                                                          (A.UPDATE, "screening", "contribution")]),
    "toegang.apeldoorn@mijov.example": ("198.51.100.8", [(A.SEARCH, "case_search_hit", None), (A.READ, "case", None),
                                                         (A.UPDATE, "case", "family")]),
    "aanbieder@mijov.example": ("203.0.113.45", [(A.READ, "case", "screening"),
                                                 (A.UPDATE, "screening", "contribution")]),
}


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(7, 30), tzinfo=timezone.utc) + timedelta(minutes=rng.randrange(0, 9 * 60))


def seed(users: dict, case) -> None:
    rng = random.Random(13)
    today = dates.today()
    start = dates.local_date(case.submitted_at) if case.submitted_at else today - timedelta(days=10)
    events = []
    day = start
    while day < today:
        if day.weekday() < 5:
            for email, (address, work) in PEOPLE.items():
                for action, object_type, detail in work:
                    if rng.random() < 0.55:
                        events.append((_moment(day, rng), users[email], address, action, object_type, detail,
                                       audit.Outcome.ALLOWED))
        day += timedelta(days=1)
    chair, member = users["voorzitter@mijov.example"], users["retlid@mijov.example"]
    last = max(start, today - timedelta(days=2))
    events += [
        (_moment(last, rng), chair, "192.0.2.14", A.EXPORT, "case", "screening_report", audit.Outcome.ALLOWED),
        (_moment(last, rng), member, "192.0.2.27", A.PRINT, "case", "plan_pdf", audit.Outcome.ALLOWED),
        # an access team of another municipality tried the case's page: refused (404 for them)
        (_moment(start + timedelta(days=1), rng), users["toegang.zutphen@mijov.example"], "198.51.100.63", A.READ,
         "case", None, audit.Outcome.DENIED),
    ]
    for at, user, address, action, object_type, detail, outcome in sorted(events, key=lambda event: event[0]):
        audit.record(action, outcome=outcome, object_type=object_type, object_id=case.id, case_id=case.id,
                     user=user, detail=detail, at=at, address=address)
