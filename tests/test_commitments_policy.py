"""The commitments policy: each object rule agrees with its SQL twin, over every person of a region
(and the other region's) and requests on cases with and without collective consent, to providers of
the collective, of another provider and of the other region."""

from __future__ import annotations

import secrets
from datetime import date

import pytest
from sqlalchemy import select

from ret_app import policy
from ret_app.extensions import db
from ret_app.models import ProviderRequest, User
from tests.worlds import PEOPLE

RULES = [
    (policy.can_view_request, policy.visible_requests_clause),
    (policy.can_answer_request, policy.answerable_requests_clause),
    (policy.watches_request, policy.overdue_watch_clause),
]


@pytest.fixture
def w(make_world, factory, app):
    w = make_world(aliases={"mun": "municipality"})
    consented = factory.case(w.caseworker, w.mun, status="process_direction", consent_collective=True,
                             process_director_id=w.director.id)
    withdrawn = factory.case(w.caseworker, w.mun, status="process_direction", consent_collective=False,
                             process_director_id=w.director.id)
    concept = factory.case(w.caseworker, w.mun, status="concept", consent_collective=True)
    there = factory.case(w.elsewhere.caseworker, w.elsewhere.municipality, status="process_direction",
                         consent_collective=True)
    with app.app_context():
        rows = []
        for case_id, org in ((consented, w.provider), (consented, w.other_provider), (consented, w.outsider),
                             (withdrawn, w.provider), (concept, w.provider), (there, w.elsewhere.provider)):
            rows.append(ProviderRequest(case_id=case_id, organisation_id=org.id, role="co_provider",
                                        care_type="ambulatory", question="Vraag", reply_by=date.today(),
                                        requested_by_id=w.director.id, submission_key=secrets.token_hex(8)))
        db.session.add_all(rows)
        db.session.commit()
        w.request_ids = [r.id for r in rows]
    return w


def test_each_rule_agrees_with_its_sql_twin(ctx, w):
    people = [getattr(w, name) for name in PEOPLE] + [w.elsewhere.chair, w.elsewhere.member,
                                                        w.elsewhere.provider_member]
    requests = [db.session.get(ProviderRequest, i) for i in w.request_ids]
    some_true = set()
    for person in people:
        user = db.session.get(User, person.id)
        for rule, twin in RULES:
            in_sql = set(db.session.scalars(select(ProviderRequest.id).where(
                ProviderRequest.id.in_(w.request_ids), twin(user))))
            in_python = {r.id for r in requests if rule(user, r)}
            assert in_sql == in_python, (rule.__name__, user.role, in_sql, in_python)
            if in_python:
                some_true.add(rule.__name__)
    assert some_true == {rule.__name__ for rule, _twin in RULES}  # the comparison is not vacuous
