"""Escalations to the supra-regional network, through their services and the lifecycle:

* the state machine: every step from every state (allowed only from its sources) and who may take it
  (the chair sends and withdraws; a process director prepares and may drop a draft; a liaison of the
  escalation's network takes the network's steps; nobody else);
* the guards: network consent under the age rules (a youth of 12–15: the youth and every holder of
  parental authority; 16 and over: the youth alone; exactly who is missing is said), a recorded legal
  ground, the age limits (20 may be escalated, 21 not; an escalation running continues at 22, not at
  23), a closed case, one open escalation per case, a duplicate submit recorded once; bad input next
  to its field, every objection at once;
* the watchdog: overdue exactly after the expected date (default: the network's answer time in working
  days), in Python and in SQL; a reminder; a new expected date with its reason; the expected date as the
  case's due item held by the network; every step on the timeline and in the audit trail;
* the policy: the RET side and a liaison of that network while network consent stands, with SQL twins.
(The pages: tests/test_escalations_pages.py.)
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import lazy_gettext
from sqlalchemy import func, select

from ret_app import policy
from ret_app.cases import clock, consent, waiting
from ret_app.escalations import services
from ret_app.escalations.lifecycle import ESCALATION
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.models import (
    AuditEvent,
    Case,
    CaseEvent,
    CaseParticipant,
    Consent,
    Escalation,
    EscalationStatus,
    LegalGround,
    Network,
    PriorHelp,
    ProviderRequest,
    User,
)

TODAY = dates.today()
S = EscalationStatus


def years_ago(years: int, days: int = 30) -> date:
    """A birth date `years` full years (and `days` days) before today."""
    try:
        day = TODAY.replace(year=TODAY.year - years)
    except ValueError:  # 29 February
        day = TODAY.replace(year=TODAY.year - years, day=28)
    return day - timedelta(days=days)


@pytest.fixture
def w(make_world, factory, app):
    w = make_world(network=True)
    with app.app_context():
        w.network_answer_days = db.session.get(Network, w.network.id).answer_days
    other = factory.network("BEN")
    w.other_liaison = factory.user("network_liaison", factory.organisation("network", network_id=other.id).id)
    w.case_id = network_case(factory, w)
    return w


def network_case(factory, w, *, age: int = 14, consent_for=("youth", "mother"), status: str = "process_direction",
                 legal_ground: bool = False) -> int:
    """A case in process direction directed by w.director, a youth of `age` with a mother holding
    parental authority, help tried before and a declined request; network consent from `consent_for`."""
    case_id = factory.case(w.caseworker, w.municipality, status=status, birth_date=years_ago(age),
                           family=(("mother", True),), consent_ret=True, track="process_direction",
                           process_director_id=w.director.id, submitted_at=utcnow(), intake_at=utcnow())
    with factory.app.app_context():
        case = db.session.get(Case, case_id)
        mother = case.family_members[0]
        mother.name = "Moeder Test"
        for who in consent_for:
            db.session.add(Consent(case_id=case_id, scope="network", family_member_id=mother.id if who == "mother" else None,
                                   given_by_role="parent" if who == "mother" else "youth", given_on=TODAY,
                                   form="written", recorded_by_id=w.caseworker.id))
        if legal_ground:
            db.session.add(LegalGround(case_id=case_id, scope="network", reason="Veiligheid van de jeugdige",
                                       recorded_by_id=w.chair.id))
        case.prior_help.append(PriorHelp(provider="Jeugdhulp Oost", help_type="Ambulante hulp"))
        db.session.add(CaseParticipant(case_id=case_id, role="ret_member", user_id=w.director.id,
                                       invited_by_id=w.chair.id))
        db.session.add(ProviderRequest(case_id=case_id, organisation_id=w.provider.id, role="lead_provider",
                                       care_type="ambulatory", question="Kunt u helpen?", reply_by=TODAY,
                                       status="declined", decline_reason="no_capacity", decline_text="Vol",
                                       requested_by_id=w.director.id, submission_key=services.new_submission_key()))
        db.session.flush()
        db.session.expire(case)
        consent.refresh_flags(db.session.get(Case, case_id))
        db.session.commit()
    return case_id


def get(model, id_):
    return db.session.get(model, id_)


def form_data(case: Case, **extra) -> dict:
    options = services.tried_options(case)
    return {"submission_key": services.new_submission_key(), "why_exhausted": "Geen passende plek in de regio.",
            "tried": [o.key for o in options], "question_kind": "placement",
            "question": "Kunt u helpen een plek te organiseren?", "urgency": "urgent",
            "expected_answer_date": services.default_expected_date(case.region.network), **extra}


def escalate(w, case_id=None, *, actor=None, send=True, **extra) -> Escalation:
    case = get(Case, case_id or w.case_id)
    escalation, _recorded = services.save(case, get(User, (actor or w.chair).id), form_data(case, **extra), send=send)
    return escalation


def at_state(w, state: S, case_id=None) -> Escalation:
    """An escalation brought to `state` through the lifecycle itself."""
    e = escalate(w, case_id, send=state is not S.DRAFT)
    liaison = get(User, w.network_liaison.id)
    path = {S.DRAFT: [], S.SENT: [], S.ACCEPTED: ["accept"], S.DECLINED: ["decline"],
            S.IN_PROGRESS: ["accept", "start"], S.ANSWERED: ["accept", "start", "answer"],
            S.CLOSED: ["accept", "start", "answer", "close"], S.WITHDRAWN: ["withdraw"]}[state]
    for name in path:
        if name == "accept":
            services.accept(e, liaison)
        elif name == "decline":
            services.decline(e, liaison, "Past niet bij ons netwerk.")
        elif name == "start":
            services.start(e, liaison)
        elif name == "answer":
            services.answer(e, liaison, "Ons advies: ...", services.new_submission_key())
        elif name == "close":
            services.close(e, liaison, "advice_given")
        elif name == "withdraw":
            services.withdraw(e, get(User, w.chair.id), "Toch in de regio opgelost.", None)
    assert e.status == state
    return e


# --- the state machine: every step from every state ---------------------------------------------

STEP_ACTOR = {"send": "chair", "withdraw": "chair", "accept": "network_liaison", "decline": "network_liaison",
              "start": "network_liaison", "answer": "network_liaison", "close": "network_liaison"}


def take(w, e: Escalation, name: str, who: str):
    user = get(User, getattr(w, who).id)
    reason = "Een reden." if ESCALATION.by_name[name].reason_required else None
    return ESCALATION.apply(e, user, name, reason=reason)


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("name", [t.name for t in ESCALATION.transitions])
def test_every_step_is_possible_from_its_sources_only(ctx, w, state, name):
    e = at_state(w, state)
    transition = ESCALATION.by_name[name]
    if state in transition.sources:
        step = take(w, e, name, STEP_ACTOR[name])
        assert e.status == transition.target and step.source == state
        assert e.steps[-1].name == name and e.steps[-1].actor_id == getattr(w, STEP_ACTOR[name]).id
    else:
        with pytest.raises(RuleError) as refused:
            take(w, e, name, STEP_ACTOR[name])
        assert refused.value.message == ESCALATION.messages.not_possible
        assert e.status == state


WHO = ("chair", "director", "member", "caseworker", "provider_member", "network_liaison", "other_liaison",
       "analyst", "admin")
MAY = {"send": {"chair"}, "accept": {"network_liaison"}, "decline": {"network_liaison"},
       "start": {"network_liaison"}, "answer": {"network_liaison"}, "close": {"network_liaison"},
       "withdraw": {"chair"}}


@pytest.mark.parametrize("name", [t.name for t in ESCALATION.transitions])
def test_who_may_take_each_step(ctx, w, name):
    source = sorted(ESCALATION.by_name[name].sources - {S.DRAFT} or ESCALATION.by_name[name].sources)[0]
    for who in WHO:
        e = at_state(w, source, case_id=network_case(w.factory, w))
        if who in MAY[name]:
            take(w, e, name, who)
            assert e.status == ESCALATION.by_name[name].target, who
        else:
            with pytest.raises(RuleError) as refused:
                take(w, e, name, who)
            assert refused.value.message == ESCALATION.messages.not_allowed, who
            assert e.status == source


def test_the_process_director_prepares_a_draft_and_may_drop_it_but_not_send_it(ctx, w):
    director = get(User, w.director.id)
    draft = escalate(w, actor=w.director, send=False)
    assert draft.status == S.DRAFT and draft.created_by_id == w.director.id
    with pytest.raises(RuleError):
        services.save(draft.case, director, form_data(draft.case), escalation=draft, send=True,
                      loaded_version=draft.version)
    assert draft.status == S.DRAFT
    services.withdraw(draft, director, "Niet nodig", draft.version)
    assert draft.status == S.WITHDRAWN
    sent = escalate(w)  # a withdrawn one is no longer open: the chair escalates anew
    with pytest.raises(RuleError):
        services.withdraw(sent, director, "Niet nodig", None)  # sent: the chair's
    with pytest.raises(RuleError):
        escalate(w, actor=w.member, send=False)  # a RET member who does not direct the case


def test_a_declined_escalation_keeps_its_reason_and_closing_needs_a_result(ctx, w):
    e = at_state(w, S.SENT)
    liaison = get(User, w.network_liaison.id)
    with pytest.raises(RuleError) as refused:
        services.decline(e, liaison, "  ")
    assert refused.value.field == "reason"
    services.decline(e, liaison, "Geen vraag voor het netwerk.")
    assert e.status == S.DECLINED and e.decline_reason == "Geen vraag voor het netwerk."
    e2 = at_state(w, S.ANSWERED, case_id=network_case(w.factory, w))
    with pytest.raises(RuleError) as refused:
        services.close(e2, liaison, "")
    assert refused.value.field == "result"
    services.close(e2, liaison, "placement_found", "Plek bij een aanbieder buiten de regio.")
    assert e2.status == S.CLOSED and e2.result == "placement_found"


def test_the_network_names_its_process_director_and_exchanges_messages_with_the_ret(ctx, w):
    e = at_state(w, S.ACCEPTED)
    liaison, chair, director = (get(User, u.id) for u in (w.network_liaison, w.chair, w.director))
    with pytest.raises(RuleError) as refused:
        services.assign_director(e, liaison, "", "")
    assert set(refused.value.errors) == {"director_name", "director_organisation"}
    services.assign_director(e, liaison, "Petra Netwerk", "BOEG procesregie")
    assert (e.network_director_name, e.network_director_organisation) == ("Petra Netwerk", "BOEG procesregie")
    with pytest.raises(RuleError):
        services.assign_director(e, get(User, w.other_liaison.id), "X", "Y")  # another network
    key = services.new_submission_key()
    question, made = services.add_message(e, liaison, "question", "Is de moeder bereikbaar?", key)
    again, made_again = services.add_message(e, liaison, "question", "Is de moeder bereikbaar?", key)
    assert made and not made_again and again.id == question.id  # a duplicate submit, recorded once
    assert services.open_questions(e) == [question]
    with pytest.raises(RuleError):
        services.add_message(e, chair, "advice", "De RET schrijft niet namens het netwerk", services.new_submission_key())
    reply, _ = services.reply(e, director, question.id, "Ja, via de procesregisseur.", services.new_submission_key())
    assert reply.side == "ret" and reply.reply_to_id == question.id and services.open_questions(e) == []
    with pytest.raises(RuleError) as refused:
        services.reply(e, chair, question.id, "", services.new_submission_key())
    assert refused.value.field == "text"
    with pytest.raises(RuleError):
        services.reply(e, get(User, w.caseworker.id), question.id, "Nee", services.new_submission_key())


# --- the guards ---------------------------------------------------------------------------------

def test_sending_needs_network_consent_and_says_exactly_who_is_missing(ctx, w, factory):
    case_id = network_case(factory, w, age=14, consent_for=("youth",))  # 12–15: the mother's is missing
    with pytest.raises(RuleError) as refused:
        escalate(w, case_id)
    text = " ".join(str(r) for r in refused.value.reasons)
    assert "Moeder Test (" in text and f": {lazy_gettext('the youth')}" not in text and "the youth," not in text
    assert not get(Case, case_id).consent_network
    assert db.session.scalar(select(func.count(Escalation.id)).where(Escalation.case_id == case_id)) == 0
    # the mother consents too: it can be sent
    case = get(Case, case_id)
    db.session.add(Consent(case_id=case_id, scope="network", family_member_id=case.family_members[0].id,
                           given_by_role="parent", given_on=TODAY, form="verbal", recorded_by_id=w.chair.id))
    db.session.flush()
    db.session.expire(case, ["consents"])
    consent.refresh_flags(case)
    assert escalate(w, case_id).status == S.SENT


def test_a_youth_of_twelve_to_fifteen_needs_their_own_consent_too(ctx, w, factory):
    case_id = network_case(factory, w, age=13, consent_for=("mother",))
    with pytest.raises(RuleError) as refused:
        escalate(w, case_id)
    text = " ".join(str(r) for r in refused.value.reasons)
    assert "Moeder Test" not in text  # the mother did consent; the youth did not
    assert str(lazy_gettext("the youth")) in text


def test_a_youth_of_sixteen_consents_alone(ctx, w, factory):
    only_mother = network_case(factory, w, age=16, consent_for=("mother",))
    with pytest.raises(RuleError):
        escalate(w, only_mother)  # the mother's consent does not count at 16
    youth_alone = network_case(factory, w, age=16, consent_for=("youth",))
    assert escalate(w, youth_alone).status == S.SENT


def test_a_recorded_legal_ground_stands_in_for_consent(ctx, w, factory):
    case_id = network_case(factory, w, consent_for=(), legal_ground=True)
    assert get(Case, case_id).consent_network
    assert escalate(w, case_id).status == S.SENT


@pytest.mark.parametrize("age,may", [(20, True), (21, False)])
def test_the_network_takes_youths_up_to_21(ctx, w, factory, age, may):
    case_id = network_case(factory, w, age=age, consent_for=("youth",))
    if may:
        assert escalate(w, case_id).status == S.SENT
    else:
        with pytest.raises(RuleError) as refused:
            escalate(w, case_id)
        assert any("21" in str(r) for r in refused.value.reasons)


@pytest.mark.parametrize("age,may", [(22, True), (23, False)])
def test_a_running_escalation_continues_until_the_youth_is_23(ctx, w, factory, age, may):
    case_id = network_case(factory, w, age=19, consent_for=("youth",))
    e = escalate(w, case_id)
    get(Case, case_id).youth_birth_date = years_ago(age)  # time passed while the network worked on it
    liaison = get(User, w.network_liaison.id)
    if may:
        services.accept(e, liaison)
        assert e.status == S.ACCEPTED
    else:
        with pytest.raises(RuleError) as refused:
            services.accept(e, liaison)
        assert "23" in str(refused.value.message)
        services.decline(e, liaison, "Te oud voor het netwerk.")  # declining stays possible
        assert e.status == S.DECLINED


def test_a_closed_case_is_not_escalated(ctx, w, factory):
    case_id = network_case(factory, w, status="closed")
    with pytest.raises(RuleError) as refused:
        escalate(w, case_id, send=False)
    assert refused.value.message == services.CASE_CLOSED


def test_one_open_escalation_per_case_and_a_duplicate_submit_is_recorded_once(ctx, w):
    case = get(Case, w.case_id)
    data = form_data(case)
    first, made = services.save(case, get(User, w.chair.id), data, send=True)
    again, made_again = services.save(case, get(User, w.chair.id), dict(data), send=True)
    assert made and not made_again and again.id == first.id
    assert db.session.scalar(select(func.count(Escalation.id)).where(Escalation.case_id == w.case_id)) == 1
    sent_steps = [s for s in first.steps if s.name == "send"]
    assert len(sent_steps) == 1
    with pytest.raises(RuleError) as refused:
        escalate(w)  # another form: the case has an open escalation
    assert refused.value.message == services.ONE_OPEN


def test_bad_input_is_refused_next_to_each_field_at_once(ctx, w):
    case = get(Case, w.case_id)
    data = form_data(case, why_exhausted=" ", question="", question_kind="", tried=["screening:999999"],
                     expected_answer_date=TODAY - timedelta(days=1))
    with pytest.raises(RuleError) as refused:
        services.save(case, get(User, w.chair.id), data, send=True)
    assert set(refused.value.errors) == {"why_exhausted", "question", "question_kind", "tried",
                                         "expected_answer_date"}
    assert "verleden" in str(refused.value.errors["expected_answer_date"]) or \
        "past" in str(refused.value.errors["expected_answer_date"])


def test_a_draft_is_edited_with_optimistic_locking_and_what_was_tried_are_references(ctx, w):
    case = get(Case, w.case_id)
    chair = get(User, w.chair.id)
    draft = escalate(w, send=False, tried=[])
    assert draft.tried == []
    options = services.tried_options(case)
    kinds = {o.kind for o in options}
    assert {"prior_help", "provider_request"} <= kinds
    declined = next(o for o in options if o.kind == "provider_request")
    assert "Geen capaciteit" in declined.label or "No capacity" in declined.label  # the decline, as the case shows it
    stale = draft.version
    services.save(case, chair, form_data(case, tried=[declined.key]), escalation=draft, loaded_version=draft.version)
    assert [(t.kind, t.object_id) for t in draft.tried] == [(declined.kind, declined.object_id)]
    assert [o.key for o in services.tried_of(draft)] == [declined.key]
    with pytest.raises(Conflict):
        services.save(case, chair, form_data(case), escalation=draft, loaded_version=stale)


# --- the watchdog -------------------------------------------------------------------------------

def test_the_default_expected_date_is_the_networks_answer_time_in_working_days(ctx, w):
    network = get(Network, w.network.id)
    assert network.answer_days == 10
    friday = date(2026, 3, 13)
    assert services.default_expected_date(network, friday) == date(2026, 3, 27)
    network.answer_days = 3
    # King's Day 2026 falls on Monday 27 April: Tue, Wed, Thu.
    assert services.default_expected_date(network, date(2026, 4, 24)) == date(2026, 4, 30)


def test_overdue_exactly_after_the_expected_date_in_python_and_in_sql(ctx, w):
    e = escalate(w)
    expected = clock.add_working_days(TODAY, w.network_answer_days, clock.DEFAULT_CALENDAR)
    assert e.expected_answer_date == expected

    def flagged(day):
        return set(db.session.scalars(select(Escalation.id).where(services.overdue_clause(day))))

    assert not services.is_overdue(e, expected) and e.id not in flagged(expected)
    after = expected + timedelta(days=1)
    assert services.is_overdue(e, after) and e.id in flagged(after)
    assert get(Case, w.case_id).id in set(db.session.scalars(
        select(Case.id).where(services.overdue_cases_clause(after))))
    for state in (S.ANSWERED,):
        other = at_state(w, state, case_id=network_case(w.factory, w))
        other.expected_answer_date = TODAY - timedelta(days=5)
        db.session.flush()
        assert not services.is_overdue(other, after) and other.id not in flagged(after)


def test_the_expected_date_is_the_cases_due_item_held_by_the_network(ctx, w, factory):
    case_id = network_case(factory, w, status="monitoring")  # no norm clock runs: the escalation is due first
    assert get(Case, case_id).next_deadline is None
    e = escalate(w, case_id)
    case = get(Case, case_id)
    assert services.escalation_due(case) == (e.expected_answer_date, "escalation_answer")
    assert (case.next_deadline, case.next_due_kind) == (e.expected_answer_date, "escalation_answer")
    holder = waiting.holders([case])[case.id]
    assert str(holder) == get(Network, w.network.id).name
    assert services.escalation_due_batch([case.id]) == {case.id: (e.expected_answer_date, "escalation_answer")}


def test_a_reminder_is_recorded_once_and_a_new_date_needs_a_reason(ctx, w):
    e = escalate(w)
    chair = get(User, w.chair.id)
    key = services.new_submission_key()
    first, made = services.remind(e, chair, "Graag uw antwoord.", key)
    second, made_again = services.remind(e, chair, "Graag uw antwoord.", key)
    assert made and not made_again and len(e.reminders) == 1
    with pytest.raises(RuleError):
        services.remind(e, get(User, w.director.id), "", services.new_submission_key())  # the chair's
    with pytest.raises(RuleError) as refused:
        services.move_date(e, chair, TODAY - timedelta(days=1), "", e.version)
    assert set(refused.value.errors) == {"new_date", "date_reason"}
    old = e.expected_answer_date
    new = old + timedelta(days=7)
    services.move_date(e, chair, new, "Het netwerk vroeg een week uitstel.", e.version)
    assert e.expected_answer_date == new
    change = e.date_changes[-1]
    assert (change.old_date, change.new_date, change.changed_by_id) == (old, new, w.chair.id)
    assert not services.is_overdue(e, old + timedelta(days=1))
    assert get(Case, w.case_id).next_deadline <= new
    services.withdraw(e, chair, "Opgelost in de regio.", e.version)
    assert services.escalation_due(get(Case, w.case_id)) is None  # nothing waits for the network any more


def test_every_step_is_on_the_timeline_and_in_the_audit_trail(ctx, w):
    e = at_state(w, S.CLOSED)
    kinds = list(db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == w.case_id)
                                    .order_by(CaseEvent.id)))
    for kind in ("escalation_drafted", "escalation_send", "escalation_accept", "escalation_start",
                 "escalation_answer", "escalation_message_answer", "escalation_close"):
        assert kind in kinds, kind
    actors = dict(db.session.execute(select(CaseEvent.kind, CaseEvent.actor_id).where(
        CaseEvent.case_id == w.case_id, CaseEvent.kind.like("escalation_%"))).all())
    assert actors["escalation_send"] == w.chair.id and actors["escalation_accept"] == w.network_liaison.id
    details = set(db.session.scalars(select(AuditEvent.detail).where(AuditEvent.object_type == "escalation",
                                                                     AuditEvent.object_id == str(e.id))))
    assert "step=accept;sent->accepted" in details and "step=close;answered->closed;result=advice_given" in details
    assert not any("Ons advies" in (d or "") for d in details)  # never what was typed


# --- the policy --------------------------------------------------------------------------------

def test_who_sees_an_escalation_and_the_sql_twin_agrees(ctx, w, factory):
    sent = escalate(w)
    draft_case = network_case(factory, w)
    draft = escalate(w, draft_case, send=False)
    users = {who: get(User, getattr(w, who).id) for who in WHO}
    users["elsewhere_chair"] = get(User, w.elsewhere.chair.id)
    expected = {
        "chair": {sent.id, draft.id}, "director": {sent.id, draft.id}, "member": {sent.id, draft.id},
        "network_liaison": {sent.id},  # never a draft
    }
    for who, user in users.items():
        seen = {e.id for e in (sent, draft) if policy.can_view_escalation(user, e)}
        assert seen == expected.get(who, set()), who
        in_sql = set(db.session.scalars(select(Escalation.id).where(
            Escalation.id.in_([sent.id, draft.id]), policy.visible_escalations_clause(user))))
        assert in_sql == seen, who
        assert not (who == "network_liaison" and policy.can_view_case(user, sent.case))  # no other case data


def test_withdrawn_network_consent_ends_the_liaisons_access_at_once(ctx, w):
    e = at_state(w, S.ACCEPTED)
    liaison = get(User, w.network_liaison.id)
    assert policy.can_view_escalation(liaison, e) and policy.can_act_for_network(liaison, e)
    case = get(Case, w.case_id)
    for c in case.consents:
        if c.scope == "network" and c.family_member_id is not None:
            c.withdrawn_on = TODAY
    db.session.flush()
    consent.refresh_flags(case)
    assert not case.consent_network
    assert not policy.can_view_escalation(liaison, e)
    assert e.id not in set(db.session.scalars(select(Escalation.id).where(policy.visible_escalations_clause(liaison))))
    with pytest.raises(RuleError):
        services.start(e, liaison)
    assert policy.can_view_escalation(get(User, w.chair.id), e)  # the RET still sees it


def test_the_watch_clause_matches_its_python_twin(ctx, w, factory):
    mine = escalate(w)
    other_case = network_case(factory, w)
    get(Case, other_case).process_director_id = w.member.id
    theirs = escalate(w, other_case)
    for who in ("chair", "director", "member", "caseworker", "network_liaison"):
        user = get(User, getattr(w, who).id)
        python = {e.id for e in (mine, theirs) if policy.watches_escalation(user, e)}
        sql = set(db.session.scalars(select(Escalation.id).where(Escalation.id.in_([mine.id, theirs.id]),
                                                                 policy.escalation_watch_clause(user))))
        assert python == sql, who
    assert {e.id for e in (mine, theirs) if policy.watches_escalation(get(User, w.chair.id), e)} == {mine.id, theirs.id}
    assert {e.id for e in (mine, theirs) if policy.watches_escalation(get(User, w.director.id), e)} == {mine.id}
