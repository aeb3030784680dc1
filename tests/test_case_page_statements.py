"""The case page's statements (issue 14: the case page cost 55-60 statements at national scale, each under
0.2 ms on the server; the count and the rendering were the cost). On a case with everything its panels
show — sessions (one approved, one cancelled), decisions with a care type, actions, requests with a crisis
back-up, an outcome — the chair's case page reads nothing twice: the sessions panel's actions reuse the
sessions it loaded, the header's municipality, referrer and region with its network come with the case,
and the region's care-type names and the case's requests are read once for every panel that shows them
(kernel.request_cache). The page's statement count is held to a ceiling."""

from __future__ import annotations

import re
import secrets
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import Case, Meeting, MeetingItem, ProviderRequest, User
from tests.test_meeting_minutes import _approve, _client, world  # noqa: F401  (the fixture)

# The chair's case page on this world (42 on SQLite and on PostgreSQL; 52 on the national data set at
# 15c705b): gone are three loads of the actions' sessions again, four lazy loads of the header's relations
# and the escalations panel's region and network, a care-type lookup per panel, the crisis back-up's own
# query (picked from the case's requests, read once), and one existence check of the audit chain's head per
# seal (PostgreSQL).
CEILING = 42
# Statements that may repeat: the audit chain's sealing loop (it looks for pending events until none is
# left) and the audit trail's own writes.
REPEATS_ALLOWED = re.compile(r"\b(audit_head|audit_event|web_session)\b")


def _normalised(statement: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\((\s*(\?|%\([^)]*\)s(::\w+)?)\s*,?)+\)", "(…)", statement)).strip()


@pytest.mark.counts_queries("cases.case_page")
def test_the_case_page_reads_nothing_twice(app, world, factory, count_queries):  # noqa: F811
    w = world
    _approve(app, w)
    other = factory.meeting(w.chair, status="cancelled", cases=(w.case1,))
    with app.app_context():
        db.session.add_all([
            ProviderRequest(case_id=w.case1, organisation_id=w.provider.id, role=role, care_type="ambulatory",
                            question="Kunt u helpen?", reply_by=date.today() + timedelta(days=3), status=status,
                            requested_by_id=w.chair.id, submission_key=secrets.token_hex(8),
                            answered_by_id=w.px.id if status == "accepted" else None)
            for role, status in (("crisis_backup", "accepted"), ("lead_provider", "requested"))])
        db.session.commit()
        assert db.session.scalar(select(Meeting.status).where(Meeting.id == other)) == "cancelled"
        assert db.session.scalar(select(MeetingItem.id).where(MeetingItem.meeting_id == other)) is not None
    client = _client(app, w.chair)
    assert client.get(f"/casussen/{w.case1}").status_code == 200
    with count_queries() as statements:
        response = client.get(f"/casussen/{w.case1}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    # What the page shows of each panel that reads the care types and the sessions.
    assert "Ambulante" in body or "ambulant" in body.lower()
    assert w.ref1 in body and "Kennismaking plannen met het gezin." in body
    selects = [_normalised(s) for s in statements if s.lstrip().upper().startswith("SELECT")]
    twice = {s: n for s, n in Counter(selects).items() if n > 1 and not REPEATS_ALLOWED.search(s.split(" FROM ")[1])}
    assert not twice, twice
    assert sum(1 for s in selects if re.search(r"\bFROM care_type\b", s)) == 1
    assert sum(1 for s in selects if re.search(r"\bFROM provider_request\b", s)) == 1
    assert len(statements) <= CEILING, (len(statements), statements)


def test_remembered_settings_are_read_again_after_a_change(app, world):  # noqa: F811
    """The care-type names remembered in a request are forgotten when a care type is written in it."""
    from ret_app.caretypes import services as caretypes
    from ret_app.models import CareType

    with app.test_request_context():
        region_id = db.session.get(Case, world.case1).region_id
        before = caretypes.names(region_id)
        care_type = db.session.scalar(select(CareType).where(CareType.region_id == region_id,
                                                             CareType.code == "ambulatory"))
        care_type.name = "Ambulant, hernoemd"
        assert caretypes.names(region_id)["ambulatory"] == "Ambulant, hernoemd"  # unflushed: read again
        db.session.flush()
        assert caretypes.names(region_id)["ambulatory"] == "Ambulant, hernoemd"
        db.session.rollback()
        assert caretypes.names(region_id) == before
        assert db.session.get(User, world.chair.id) is not None
