"""The services that keep what people type, called directly with random and hostile text (markup, SQL,
control characters, a NUL, huge texts, unicode): each either keeps the text as given (trimmed, and cut
where the service cuts it) or refuses it with a RuleError — never another exception, on SQLite and on
PostgreSQL (which cannot hold a NUL: the flush refuses one, ret_app/inputs.py). The forms in front of
them are fuzzed over HTTP in tests/test_hostile_input.py (test_random_and_hostile_values_in_every_form),
where the pages showing the stored text are checked to show it escaped, and in Chromium in
tests/browser/test_stored_markup.py.

Each service has an explicit plain example that must be kept (the control: the actor may do it, the
object is in a state that allows it). Examples run in a savepoint of the module's transaction; the
examples are derandomized, so that runs are stable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.kernel.errors import RuleError
from ret_app.models import Case, Meeting, MeetingItem, User
from tests import test_access_policy as matrix
from tests import test_hostile_input as hostile

objects = matrix.objects
role_sessions = matrix.role_sessions
extra = hostile.extra

PLAIN = "Gewone tekst van een gebruiker"
TEXT = st.one_of(st.sampled_from(hostile.HOSTILE_TEXT), st.text(max_size=200),
                 st.builds(lambda a, b: a + b, st.sampled_from(hostile.MARKUP), st.text(max_size=20)))
EXAMPLES = 12


@dataclass
class Kept:
    """What a service call stored: the row's class, id and the attribute that holds the text."""

    model: type
    id: int
    attribute: str


def _get(model, id_):
    return db.session.get(model, id_)


def _chair(o, x) -> User:
    return _get(User, db.session.scalar(select(Meeting.chair_id).where(Meeting.id == o.meeting_id)))


def _referral(o, x, text):
    from ret_app.referrals import services

    case = _get(Case, o.concept_id)
    services.save_referral(case, _get(User, o.target.id), {"question": text, "youth_first_name": "Noor"})
    return Kept(Case, case.id, "question")


def _family_member(o, x, text):
    from ret_app.referrals import services

    member = services.add_family_member(_get(Case, o.concept_id), _get(User, o.target.id),
                                        {"relation": "mother", "name": "Moeder", "living_situation": text})
    return Kept(type(member), member.id, "living_situation")


def _screening_texts(o, x, text):
    from ret_app.screening import services

    case = _get(Case, x.screening_case_id)
    screening = services.get(case)
    services.save_texts(case, screening, _chair(o, x), "analysis", {"analysis": text, "advice": "Advies"},
                        services.version_of(screening), None)
    return Kept(type(screening), screening.id, "analysis")


def _screening_addendum(o, x, text):
    from ret_app.screening import services

    case = _get(Case, x.finalised_case_id)
    addendum = services.add_addendum(case, services.get(case), _chair(o, x), text)
    return Kept(type(addendum), addendum.id, "text")


def _plan_goal(o, x, text):
    from ret_app.plans import services

    goal = services.add_goal(_get(Case, x.plan_case_id), _chair(o, x), {"text": text})
    return Kept(type(goal), goal.id, "text")


def _decision(o, x, text):
    from ret_app.meetings import decisions

    item = _get(MeetingItem, o.item_id)
    decision, _created = decisions.record(item, {"text": text, "submission_key": uuid.uuid4().hex,
                                                 "kind": "general"}, _chair(o, x))
    return Kept(type(decision), decision.id, "text")


def _request_withdrawal(o, x, text):
    from ret_app.commitments import services
    from ret_app.models import ProviderRequest

    request = _get(ProviderRequest, x.request_id)
    services.withdraw(request, _chair(o, x), text, request.version)
    return Kept(ProviderRequest, request.id, "withdraw_text")


def _escalation_withdrawal(o, x, text):
    from ret_app.escalations import services
    from ret_app.models import Escalation

    escalation = _get(Escalation, x.escalation_id)
    services.withdraw(escalation, _chair(o, x), text, escalation.version)
    return Kept(Escalation, escalation.id, "withdraw_reason")


def _signal_response(o, x, text):
    from ret_app.models import GapSignal
    from ret_app.signals import services

    response = services.respond(_get(GapSignal, o.signal_id), _chair(o, x), {"text": text})
    return Kept(type(response), response.id, "text")


def _correction_request(o, x, text):
    from ret_app.inspection import services

    correction = services.record_correction(_get(Case, x.inspection_case_id), _chair(o, x), kind="youth",
                                            name="Jeugdige", received_on=date.today(), section="plan", asked=text)
    return Kept(type(correction), correction.id, "asked")


def _erasure_request(o, x, text):
    from ret_app.erasure import services

    request = services.record_request(_get(Case, x.inspection_case_id), _chair(o, x), requester_kind="youth",
                                      requester_name=text, received_on=date.today())
    return Kept(type(request), request.id, "requester_name")


def _legal_hold(o, x, text):
    from ret_app.erasure import services

    hold = services.place_hold(_get(Case, x.plan_case_id), _chair(o, x), text)
    return Kept(type(hold), hold.id, "reason")


SERVICES: dict[str, Callable[[Any, Any, str], Kept]] = {
    "referral": _referral, "family member": _family_member, "screening addendum": _screening_addendum,
    "plan goal": _plan_goal, "decision": _decision, "request withdrawal": _request_withdrawal,
    "escalation withdrawal": _escalation_withdrawal, "signal response": _signal_response,
    "correction request": _correction_request, "screening texts": _screening_texts,
    "erasure request": _erasure_request, "legal hold": _legal_hold,
}


def _kept_as_given(stored: Any, text: str) -> bool:
    """Stored as typed: trimmed, maybe cut at the service's maximum length; or nothing for an empty text."""
    given = text.strip()
    if stored is None or stored == "":
        return not given
    return bool(stored) and given.startswith(stored) and (stored == given or len(stored) >= 200)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_service_keeps_hostile_text_as_given_or_refuses_it(app, objects, extra, _module_transaction, name):
    call = SERVICES[name]
    outcomes = {"kept": 0, "refused": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @example(text=PLAIN)
    @example(text="a\x00b")
    @given(text=TEXT)
    def call_one(text):
        with _module_transaction.savepoint(), app.test_request_context():
            try:
                kept = call(objects, extra, text)
                db.session.flush()
            except RuleError as refusal:
                assert text != PLAIN, (name, refusal.errors)  # the control is kept
                outcomes["refused"] += 1
                return
            if "\x00" in text:
                pytest.fail(f"{name}: a NUL was not refused")
            db.session.expire_all()
            stored = getattr(_get(kept.model, kept.id), kept.attribute)
            assert _kept_as_given(stored, text), (name, text[:80], (stored or "")[:80])
            outcomes["kept"] += 1

    call_one()
    assert outcomes["kept"] >= 1 and outcomes["refused"] >= 1, outcomes
