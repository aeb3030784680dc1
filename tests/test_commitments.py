"""Requests to providers of the collective and commitments, through their services:

* the lifecycle: requested -> accepted / declined / withdrawn, the past-reply-by flag, a commitment
  started and ended; the accepting provider becomes a participant of the case;
* the reply-by date in working days (over a weekend and a Dutch holiday; the region's own norm; a
  crisis case);
* the guards: collective consent, providers of the region's collective only, the reply-by date, only
  the process director or the chair asks; every objection at once, each next to its field;
* answering twice is recorded once; a withdrawn request cannot be accepted; a stale version is a
  conflict;
* collective consent withdrawn: the provider's access to the case and its requests ends at once.
(The pages: tests/test_commitments_pages.py; the suggestions: tests/test_commitments_suggestions.py;
the policy's SQL twins: tests/test_commitments_policy.py.)
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ret_app import policy
from ret_app.commitments import services
from ret_app.commitments.lifecycle import REQUEST
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.models import (
    AuditEvent,
    Case,
    CaseParticipant,
    Organisation,
    ProviderRequest,
    RegionNorms,
    User,
)

TODAY = dates.today()


@pytest.fixture
def w(make_world, factory, app):
    w = make_world(aliases={"mun": "municipality"})
    w.case_id = director_case(factory, w)
    return w


def director_case(factory, w, *, consent_collective: bool = True, status: str = "process_direction", **fields) -> int:
    case_id = factory.case(w.caseworker, w.mun, status=status, consent_ret=True,
                           consent_collective=consent_collective, track="process_direction",
                           process_director_id=w.director.id, submitted_at=utcnow(), intake_at=utcnow(), **fields)
    with factory.app.app_context():
        db.session.add(CaseParticipant(case_id=case_id, role="ret_member", user_id=w.director.id,
                                       invited_by_id=w.chair.id))
        db.session.commit()
    return case_id


def get(model, id_):
    return db.session.get(model, id_)


def ask(w, *providers, case_id=None, role="lead_provider", reply_by=None, key=None, actor=None, **extra):
    case = get(Case, case_id or w.case_id)
    data = {"submission_key": key or services.new_submission_key(), "providers": [p.id for p in providers],
            "role": role, "care_type": "ambulatory", "question": "Kunt u de behandeling oppakken?",
            "reply_by": reply_by or TODAY + timedelta(days=3), **extra}
    made, created = services.make_requests(case, get(User, (actor or w.director).id), data)
    return made


def accept_data(**extra):
    return {"answer_key": services.new_submission_key(), "contact_name": "Mevrouw De Wit",
            "contact_phone": "038-1234567", "intended_start": TODAY + timedelta(days=7), **extra}


def decline_data(**extra):
    return {"answer_key": services.new_submission_key(), "decline_reason": "no_capacity",
            "decline_text": "Wachtlijst van tien weken.", **extra}


def audit_count(object_type="provider_request") -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.object_type == object_type))


# --- the reply-by date ------------------------------------------------------------------------------

def test_the_default_reply_by_date_counts_working_days_over_a_weekend_and_a_dutch_holiday(ctx, w):
    case = get(Case, w.case_id)
    friday = date(2026, 3, 13)
    assert services.default_reply_by(case, friday) == date(2026, 3, 18)  # Mon, Tue, Wed
    # King's Day 2026 falls on Monday 27 April: Tue, Wed, Thu.
    assert services.default_reply_by(case, date(2026, 4, 24)) == date(2026, 4, 30)
    case.urgency = "crisis"
    assert services.default_reply_by(case, date(2026, 4, 24)) == date(2026, 4, 28)  # 1 working day
    assert services.default_reply_by(case, date(2026, 3, 13)) == date(2026, 3, 16)


def test_the_region_sets_its_own_reply_norms(ctx, w):
    db.session.add(RegionNorms(region_id=w.region.id, request_reply_days=5, request_reply_days_crisis=2))
    db.session.flush()
    case = get(Case, w.case_id)
    assert services.default_reply_by(case, date(2026, 3, 13)) == date(2026, 3, 20)
    case.urgency = "crisis"
    assert services.default_reply_by(case, date(2026, 3, 13)) == date(2026, 3, 17)


# --- the lifecycle ----------------------------------------------------------------------------------

def test_accepted_request_makes_the_provider_a_participant_and_becomes_a_commitment(ctx, w):
    request = ask(w, w.provider)[0]
    member = get(User, w.provider_member.id)
    assert request.status == "requested" and request.requested_by_id == w.director.id
    assert not policy.can_view_case(member, request.case)  # asked, not yet taking part
    assert policy.can_view_request(member, request)
    services.answer(request, member, "accept", accept_data(), request.version)
    assert request.status == "accepted" and request.is_commitment
    assert request.contact_name == "Mevrouw De Wit" and request.answered_by_id == member.id
    db.session.expire(request.case, ["participants"])
    assert policy.can_view_case(member, request.case)  # a participant now, like an invited provider
    assert any(p.organisation_id == w.provider.id and p.role == "provider" and p.invited_by_id == w.director.id
               for p in request.case.participants)
    services.start(request, member, TODAY, request.version)
    assert request.status == "started" and request.started_on == TODAY
    services.end(request, get(User, w.director.id), TODAY, request.version)
    assert request.status == "ended" and request.ended_on == TODAY


def test_a_decline_keeps_its_reason_code_and_text(ctx, w):
    request = ask(w, w.provider)[0]
    services.answer(request, get(User, w.provider_member.id), "decline", decline_data(), None)
    assert request.status == "declined" and request.decline_reason == "no_capacity"
    assert request.decline_text == "Wachtlijst van tien weken." and not request.is_commitment
    db.session.expire(request.case, ["participants"])
    assert not any(p.organisation_id == w.provider.id for p in request.case.participants)


def test_a_decline_needs_a_reason_from_the_list_and_a_text(ctx, w):
    request = ask(w, w.provider)[0]
    with pytest.raises(RuleError) as refused:
        services.answer(request, get(User, w.provider_member.id), "decline",
                        decline_data(decline_reason="bored", decline_text=" "), None)
    assert set(refused.value.errors) == {"decline_reason", "decline_text"}
    assert request.status == "requested"


def test_an_acceptance_needs_a_contact_and_a_start_that_is_not_past(ctx, w):
    request = ask(w, w.provider)[0]
    with pytest.raises(RuleError) as refused:
        services.answer(request, get(User, w.provider_member.id), "accept",
                        accept_data(contact_name="", intended_start=TODAY - timedelta(days=1)), None)
    assert set(refused.value.errors) == {"contact_name", "intended_start"}
    assert "verleden" in str(refused.value.errors["intended_start"]) or "past" in str(refused.value.errors["intended_start"])


def test_the_process_director_withdraws_an_open_request_and_then_it_cannot_be_accepted(ctx, w):
    request = ask(w, w.provider)[0]
    services.withdraw(request, get(User, w.director.id), "Niet meer nodig.", request.version)
    assert request.status == "withdrawn" and request.withdrawn_by_id == w.director.id
    with pytest.raises(RuleError) as refused:
        services.answer(request, get(User, w.provider_member.id), "accept", accept_data(), None)
    assert refused.value.message == services.ALREADY_WITHDRAWN
    with pytest.raises(RuleError):
        services.withdraw(request, get(User, w.director.id), "", None)


def test_only_the_provider_answers_and_only_the_director_or_chair_withdraws(ctx, w):
    request = ask(w, w.provider)[0]
    for who in (w.other_provider_member, w.director, w.chair, w.caseworker):
        with pytest.raises(RuleError):
            services.answer(request, get(User, who.id), "accept", accept_data(), None)
    for who in (w.provider_member, w.member, w.caseworker):
        with pytest.raises(RuleError):
            services.withdraw(request, get(User, who.id), "", None)
    services.withdraw(request, get(User, w.chair.id), "", None)  # the chair may
    assert request.status == "withdrawn"


def test_the_chair_asks_too_and_a_ret_member_who_does_not_direct_the_case_does_not(ctx, w):
    assert ask(w, w.provider, actor=w.chair)[0].requested_by_id == w.chair.id
    with pytest.raises(RuleError):
        ask(w, w.other_provider, actor=w.member)


def test_requests_past_their_reply_by_date_are_flagged_in_python_and_in_sql(ctx, w, factory):
    late, on_time, answered = ask(w, w.provider, w.other_provider, role="consultation")[0], None, None
    on_time = ask(w, w.other_provider, role="co_provider", reply_by=TODAY)[0]
    answered = ask(w, w.provider, role="screening")[0]
    services.answer(answered, get(User, w.provider_member.id), "decline", decline_data(), None)
    late.reply_by = TODAY - timedelta(days=1)  # asked earlier, not answered
    answered.reply_by = TODAY - timedelta(days=2)
    db.session.flush()
    flagged = set(db.session.scalars(select(ProviderRequest.id).where(
        ProviderRequest.case_id == w.case_id, services.past_reply_by_clause(TODAY))))
    assert flagged == {late.id}
    assert [services.is_past_reply_by(r, TODAY) for r in (late, on_time, answered)] == [True, False, False]
    assert services.request_due(get(Case, w.case_id)) == (late.reply_by, "request_reply")
    # The batch a region's refresh asks agrees with the source, and leaves out cases without open requests.
    other = factory.case(w.caseworker, w.mun, status="process_direction", consent_collective=True)
    assert services.request_due_batch([w.case_id, other]) == {w.case_id: (late.reply_by, "request_reply")}


def test_request_due_is_none_without_open_requests(ctx, w):
    assert services.request_due(get(Case, w.case_id)) is None


# --- guards -----------------------------------------------------------------------------------------

def test_without_collective_consent_no_provider_can_be_asked(ctx, w, factory):
    case_id = director_case(factory, w, consent_collective=False)
    with pytest.raises(RuleError) as refused:
        ask(w, w.provider, case_id=case_id)
    assert refused.value.errors == {"providers": services.NO_CONSENT}


def test_every_bad_input_is_refused_at_once_next_to_its_field(ctx, w):
    with pytest.raises(RuleError) as refused:
        ask(w, w.outsider, role="boss", care_type="nonsense", question="  ", reply_by=TODAY - timedelta(days=1))
    assert set(refused.value.errors) == {"providers", "role", "care_type", "question", "reply_by"}
    assert "vandaag" in str(refused.value.errors["reply_by"]) or "today" in str(refused.value.errors["reply_by"])
    assert db.session.scalar(select(func.count(ProviderRequest.id)).where(ProviderRequest.case_id == w.case_id)) == 0


@pytest.mark.parametrize("who", ["outsider", "elsewhere_provider", "team"])
def test_only_providers_of_the_regions_collective_can_be_asked(ctx, w, who):
    organisation = w.elsewhere.provider if who == "elsewhere_provider" else getattr(w, who)
    with pytest.raises(RuleError) as refused:
        ask(w, organisation)
    assert set(refused.value.errors) == {"providers"}


def test_a_provider_is_not_asked_twice_for_the_same_role(ctx, w):
    ask(w, w.provider)
    with pytest.raises(RuleError) as refused:
        ask(w, w.provider, w.other_provider)
    assert w.provider.name in str(refused.value.errors["providers"])
    assert len(ask(w, w.provider, role="crisis_backup")) == 1  # another role is another request


def test_the_same_request_form_sent_twice_makes_its_requests_once(ctx, w):
    key = services.new_submission_key()
    first = ask(w, w.provider, w.other_provider, key=key)
    again = ask(w, w.provider, w.other_provider, key=key)
    assert sorted(r.id for r in again) == sorted(r.id for r in first)
    assert db.session.scalar(select(func.count(ProviderRequest.id)).where(ProviderRequest.case_id == w.case_id)) == 2


# --- answering twice ----------------------------------------------------------------------------------

def test_answering_twice_with_the_same_form_is_recorded_once(ctx, w):
    request = ask(w, w.provider)[0]
    member = get(User, w.provider_member.id)
    data = accept_data()
    before = audit_count()
    _, answered = services.answer(request, member, "accept", data, request.version)
    version = request.version
    _, again = services.answer(request, member, "accept", data, version - 1)  # the retry carries the old version
    assert (answered, again) == (True, False)
    assert audit_count() == before + 1 and request.version == version
    participants = [p for p in request.case.participants if p.organisation_id == w.provider.id]
    assert len(participants) == 1
    with pytest.raises(RuleError) as refused:  # another form (another member, a second tab)
        services.answer(request, member, "decline", decline_data(), None)
    assert refused.value.message == services.ALREADY_ANSWERED


def test_a_stale_version_is_a_conflict(ctx, w):
    request = ask(w, w.provider)[0]
    with pytest.raises(Conflict):
        services.answer(request, get(User, w.provider_member.id), "accept", accept_data(), request.version + 1)
    with pytest.raises(Conflict):
        services.withdraw(request, get(User, w.director.id), "", request.version + 1)
    assert request.status == "requested"


def test_start_and_end_dates_are_checked(ctx, w):
    request = ask(w, w.provider)[0]
    member = get(User, w.provider_member.id)
    services.answer(request, member, "accept", accept_data(), None)
    with pytest.raises(RuleError) as refused:
        services.start(request, member, TODAY + timedelta(days=1), None)
    assert set(refused.value.errors) == {"started_on"}
    services.start(request, member, TODAY - timedelta(days=2), None)
    with pytest.raises(RuleError) as refused:
        services.end(request, member, TODAY - timedelta(days=3), None)
    assert set(refused.value.errors) == {"ended_on"}
    with pytest.raises(RuleError):  # started once
        services.start(request, member, TODAY, None)


# --- consent withdrawn ------------------------------------------------------------------------------

def test_withdrawn_collective_consent_ends_the_providers_access_at_once(ctx, w):
    accepted, waiting = ask(w, w.provider, role="lead_provider")[0], ask(w, w.provider, role="crisis_backup")[0]
    member = get(User, w.provider_member.id)
    services.answer(accepted, member, "accept", accept_data(), None)
    case = get(Case, w.case_id)
    assert policy.can_view_case(member, case) and policy.can_view_request(member, waiting)
    case.consent_collective = False  # what consent.refresh_flags stores after a withdrawal
    db.session.flush()
    assert not policy.can_view_case(member, case)
    assert not policy.can_view_request(member, accepted) and not policy.can_answer_request(member, waiting)
    visible = set(db.session.scalars(select(ProviderRequest.id).where(policy.visible_requests_clause(member))))
    assert visible.isdisjoint({accepted.id, waiting.id})
    with pytest.raises(RuleError):
        services.answer(waiting, member, "accept", accept_data(), None)
    # The RET still sees both (and the page says "consent withdrawn").
    director = get(User, w.director.id)
    assert policy.can_view_request(director, accepted) and policy.can_view_request(director, waiting)


def test_the_lifecycle_offers_the_right_steps(ctx, w):
    request = ask(w, w.provider)[0]
    names = lambda who: [o.name for o in REQUEST.available(request, get(User, who.id))]  # noqa: E731
    assert names(w.provider_member) == ["accept", "decline"]
    assert names(w.director) == ["withdraw"]
    assert names(w.other_provider_member) == []


# --- who holds the reply ----------------------------------------------------------------------------

def test_the_providers_asked_first_hold_the_cases_next_due_item_by_name(ctx, w):
    """The case's next due item is the reply of the request due first: its holder is that provider by
    name (both, when two are due that day), and it is the provider member's own turn, nobody else's."""
    from ret_app.cases import waiting

    ask(w, w.provider, reply_by=TODAY + timedelta(days=2))
    ask(w, w.other_provider, reply_by=TODAY + timedelta(days=4), role="co_provider")
    case = get(Case, w.case_id)
    assert (case.next_deadline, case.next_due_kind) == (TODAY + timedelta(days=2), "request_reply")
    held = waiting.holders([case])[case.id]
    assert str(held) == get(Organisation, w.provider.id).name
    assert held.is_held_by(get(User, w.provider_member.id))
    assert not held.is_held_by(get(User, w.other_provider_member.id))
    assert not held.is_held_by(get(User, w.chair.id))

    ask(w, w.other_provider, reply_by=TODAY + timedelta(days=2), role="consultation")
    names = sorted(get(Organisation, o.id).name for o in (w.provider, w.other_provider))
    assert str(waiting.holders([case])[case.id]) == ", ".join(names)
    assert waiting.holders([case])[case.id].is_held_by(get(User, w.other_provider_member.id))

    # Answered: the next request's provider holds it, then nobody (the norm clock's holder again).
    first = list(db.session.scalars(select(ProviderRequest).where(
        ProviderRequest.case_id == w.case_id, ProviderRequest.reply_by == TODAY + timedelta(days=2))))
    assert len(first) == 2
    for request in first:
        member = w.provider_member if request.organisation_id == w.provider.id else w.other_provider_member
        services.answer(request, get(User, member.id), "decline", decline_data(), request.version)
    db.session.flush()
    assert [r.status for r in first] == ["declined", "declined"]
    assert case.next_due_kind == "request_reply" and case.next_deadline == TODAY + timedelta(days=4)
    assert str(waiting.holders([case])[case.id]) == get(Organisation, w.other_provider.id).name
