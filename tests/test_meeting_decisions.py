"""Decisions in RET sessions: the mandate check at decision time, the municipality's follow-up of
provisional decisions, the placement review gate and idempotent recording (service level; the
HTTP side is in test_meeting_live.py)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.meetings import decisions, mandate_check
from ret_app.kernel.errors import RuleError
from ret_app.models import AuditEvent, Decision, Meeting, MeetingAttendance, MeetingItem, User
from ret_app.kernel.dates import utcnow


@pytest.fixture
def region(make_world, factory):
    """A region (in a network) with two municipalities, a chair, a caseworker of the first municipality
    and a case of that municipality on the agenda of a session in progress (held today)."""
    r = make_world(network=True, aliases={"home": "municipality", "other": "other_municipality"})
    r.case_id = factory.case(r.caseworker, r.home, status="process_direction")
    return r


def _session(r, *, present=(), purpose="progress", starts_at=None) -> int:
    return r.factory.meeting(r.chair, status="in_progress", cases=(r.case_id,), present=present, purpose=purpose,
                             starts_at=starts_at)


def _item(meeting_id: int) -> MeetingItem:
    return db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id))


def _commit_help(amount="12000", care_type="ambulatory", **extra) -> dict:
    data = {"submission_key": secrets.token_urlsafe(16), "kind": "commits_help", "text": "Ambulante gezinshulp",
            "care_type": care_type, "amount_eur": Decimal(amount)}
    data.update(extra)
    return data


def _record(r, meeting_id, data):
    item = _item(meeting_id)
    chair = db.session.get(User, r.chair.id)
    decision, created = decisions.record(item, data, chair)
    db.session.commit()
    return decision, created


TODAY = date.today()

# (what the holder's mandate looks like, whether the holder is present, amount, care type) -> outcome
MANDATE_CASES = {
    "holder present, mandate covers": (dict(), True, "12000", "ambulatory", "binding", "covered"),
    "holder absent": (dict(), False, "12000", "ambulatory", "provisional", "no_holder_present"),
    "expired": (dict(valid_from=TODAY - timedelta(days=400), valid_until=TODAY - timedelta(days=1)), True,
                "12000", "ambulatory", "provisional", "not_valid_on_date"),
    "not yet valid": (dict(valid_from=TODAY + timedelta(days=1), valid_until=TODAY + timedelta(days=300)), True,
                      "12000", "ambulatory", "provisional", "not_valid_on_date"),
    "revoked": (dict(revoked=True), True, "12000", "ambulatory", "provisional", "revoked"),
    "other municipality": (dict(municipality="other"), True, "12000", "ambulatory", "provisional",
                           "no_holder_present"),
    "care type not covered": (dict(), True, "12000", "residential", "provisional", "care_type"),
    "ceiling exceeded": (dict(ceiling="10000"), True, "10000.01", "ambulatory", "provisional", "ceiling"),
    "ceiling exactly reached": (dict(ceiling="10000"), True, "10000.00", "ambulatory", "binding", "covered"),
    "valid until the session day": (dict(valid_until=TODAY), True, "12000", "ambulatory", "binding", "covered"),
}


@pytest.mark.parametrize("name", list(MANDATE_CASES))
def test_mandate_rules_decide_binding_or_provisional(ctx, region, name):
    mandate_spec, present, amount, care_type, expected_status, expected_finding = MANDATE_CASES[name]
    spec = dict(mandate_spec)
    municipality = region.other if spec.pop("municipality", None) == "other" else region.home
    mandate = region.factory.mandate(region.caseworker.id, municipality.id, ceiling=spec.pop("ceiling", "50000"),
                                     care_types=("ambulatory", "day_treatment"), **spec)
    meeting_id = _session(region, present=(region.caseworker,) if present else ())

    decision, created = _record(region, meeting_id, _commit_help(amount, care_type))

    assert created
    assert decision.status == expected_status
    assert decision.mandate_finding == expected_finding
    assert decision.mandate_id == (mandate.id if expected_status == "binding" else None)
    assert decision.committed is (expected_status == "binding")


def test_holder_who_left_the_session_no_longer_counts(ctx, region):
    region.factory.mandate(region.caseworker.id, region.home.id)
    meeting_id = _session(region, present=(region.caseworker,))
    attendance = db.session.scalar(select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting_id))
    attendance.present = False
    db.session.commit()

    decision, _ = _record(region, meeting_id, _commit_help())

    assert decision.status == "provisional" and decision.mandate_finding == "no_holder_present"


def test_mandate_is_judged_on_the_session_date_not_today(ctx, region):
    """A session held last week, with its decision recorded late, uses the mandate valid then."""
    region.factory.mandate(region.caseworker.id, region.home.id, valid_from=TODAY - timedelta(days=100),
                           valid_until=TODAY - timedelta(days=3))
    meeting_id = _session(region, present=(region.caseworker,), starts_at=utcnow() - timedelta(days=7))

    decision, _ = _record(region, meeting_id, _commit_help())

    assert decision.status == "binding"


def test_the_covering_mandate_is_chosen_among_several_present(ctx, region):
    low = region.factory.mandate(region.caseworker.id, region.home.id, ceiling="5000")
    colleague = region.factory.user("caseworker", region.team.id)
    high = region.factory.mandate(colleague.id, region.home.id, ceiling="80000")
    meeting_id = _session(region, present=(region.caseworker, colleague))

    decision, _ = _record(region, meeting_id, _commit_help("60000"))

    assert decision.status == "binding" and decision.mandate_id == high.id != low.id


def test_holders_present_lists_valid_mandates_of_the_case_municipality(ctx, region):
    valid = region.factory.mandate(region.caseworker.id, region.home.id)
    region.factory.mandate(region.caseworker.id, region.other.id)  # other municipality
    region.factory.mandate(region.caseworker.id, region.home.id, revoked=True)
    meeting_id = _session(region, present=(region.caseworker,))
    meeting = db.session.get(Meeting, meeting_id)

    assert [m.id for m in mandate_check.holders_present(meeting, _item(meeting_id).case)] == [valid.id]


def test_a_general_decision_needs_no_mandate(ctx, region):
    meeting_id = _session(region)
    decision, _ = _record(region, meeting_id, {"submission_key": "k1", "kind": "general",
                                               "text": "Terug naar toegang met advies"})
    assert decision.status == "recorded" and decision.mandate_id is None


# --- idempotency -----------------------------------------------------------------------------------

def test_the_same_submission_twice_records_one_decision(ctx, region):
    region.factory.mandate(region.caseworker.id, region.home.id)
    meeting_id = _session(region, present=(region.caseworker,))
    data = _commit_help()

    first, created_first = _record(region, meeting_id, data)
    second, created_second = _record(region, meeting_id, dict(data))

    assert (created_first, created_second) == (True, False)
    assert first.id == second.id
    assert db.session.scalar(select(func.count(Decision.id))) == 1
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.object_type == "decision")) == 1


def test_a_key_of_another_form_never_returns_someone_elses_decision(ctx, region):
    first = _session(region)
    decision, _ = _record(region, first, {"submission_key": "shared", "kind": "general", "text": "Eerste"})
    other_case = region.factory.case(region.caseworker, region.home, status="screening")
    second = region.factory.meeting(region.chair, status="in_progress", cases=(other_case,))
    with pytest.raises(RuleError):
        _record(region, second, {"submission_key": "shared", "kind": "general", "text": "Tweede"})


def test_no_decisions_on_a_case_closed_since_it_was_planned(ctx, region):
    from ret_app.models import Case

    meeting_id = _session(region)
    db.session.get(Case, region.case_id).status = "closed"
    db.session.commit()
    with pytest.raises(RuleError):
        _record(region, meeting_id, _commit_help())


def test_a_decision_without_a_submission_key_is_refused(ctx, region):
    meeting_id = _session(region)
    with pytest.raises(RuleError):
        _record(region, meeting_id, {"kind": "general", "text": "Iets"})


# --- input rules ----------------------------------------------------------------------------------

@pytest.mark.parametrize("data,field", [
    ({"kind": "general", "text": "  "}, "text"),
    ({"kind": "commits_help", "text": "Hulp", "amount_eur": Decimal("100")}, "care_type"),
    ({"kind": "commits_help", "text": "Hulp", "care_type": "ambulatory"}, "amount_eur"),
    ({"kind": "commits_help", "text": "Hulp", "care_type": "ambulatory", "amount_eur": Decimal("0")}, "amount_eur"),
    ({"kind": "commits_help", "text": "Hulp", "care_type": "ambulatory", "amount_eur": Decimal("10"),
      "provider_id": 999999}, "provider_id"),
    ({"kind": "commits_help", "text": "Hulp", "care_type": "ambulatory",
      "amount_eur": Decimal("12500000000")}, "amount_eur"),  # does not fit the column
    ({"kind": "commits_help", "text": "Hulp", "care_type": "ambulatory",
      "amount_eur": Decimal("100.555")}, "amount_eur"),  # would be checked as one amount, stored as another
])
def test_incomplete_decisions_are_refused_with_the_field_named(ctx, region, data, field):
    meeting_id = _session(region)
    with pytest.raises(RuleError) as refused:
        _record(region, meeting_id, {"submission_key": secrets.token_hex(8), **data})
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_decisions_only_while_the_session_runs_and_only_by_a_chair(ctx, region):
    planned = region.factory.meeting(region.chair, status="planned", cases=(region.case_id,))
    with pytest.raises(RuleError):
        _record(region, planned, {"submission_key": "a", "kind": "general", "text": "Besluit"})
    db.session.rollback()
    running = _session(region)
    with pytest.raises(RuleError):
        decisions.record(_item(running), {"submission_key": "b", "kind": "general", "text": "Besluit"},
                         db.session.get(User, region.caseworker.id))


# --- placement review gate ---------------------------------------------------------------------------

PLACEMENT = {"alternatives_considered": "Intensieve ambulante hulp thuis, logeeropvang",
             "behavioural_scientist_name": "Dr. B. Gedrag", "behavioural_scientist_role": "GZ-psycholoog",
             "behavioural_scientist_judgement": "Thuis blijven is veilig met dagelijkse ondersteuning."}


@pytest.mark.parametrize("missing", ["alternatives_considered", "behavioural_scientist_name",
                                     "behavioural_scientist_role", "behavioural_scientist_judgement",
                                     "placement_outcome"])
def test_placement_review_needs_alternatives_judgement_and_outcome(ctx, region, missing):
    meeting_id = _session(region, purpose="placement_review")
    data = {"submission_key": secrets.token_hex(8), "kind": "general", "text": "Uithuisplaatsing besproken",
            **PLACEMENT, "placement_outcome": "placed"}
    data.pop(missing)
    with pytest.raises(RuleError) as refused:
        _record(region, meeting_id, data)
    assert refused.value.field == missing


def test_placement_prevented_needs_the_alternative_and_postponed_a_future_date(ctx, region):
    meeting_id = _session(region, purpose="placement_review")
    base = {"kind": "general", "text": "Besluit", **PLACEMENT}
    with pytest.raises(RuleError) as refused:
        _record(region, meeting_id, {**base, "submission_key": "p1", "placement_outcome": "prevented"})
    assert refused.value.field == "placement_alternative"
    for until in (None, TODAY, TODAY - timedelta(days=1)):
        with pytest.raises(RuleError) as refused:
            _record(region, meeting_id, {**base, "submission_key": "p2", "placement_outcome": "postponed",
                                         "postponed_until": until})
        assert refused.value.field == "postponed_until"

    decision, _ = _record(region, meeting_id, {**base, "submission_key": "p3", "placement_outcome": "postponed",
                                               "postponed_until": TODAY + timedelta(days=14)})
    assert decision.placement_outcome == "postponed" and decision.postponed_until == TODAY + timedelta(days=14)
    assert decision.behavioural_scientist_name == "Dr. B. Gedrag"


def test_placement_prevented_with_alternative_is_recorded(ctx, region):
    meeting_id = _session(region, purpose="placement_review")
    decision, _ = _record(region, meeting_id, {"submission_key": "p", "kind": "general", "text": "Besluit",
                                               **PLACEMENT, "placement_outcome": "prevented",
                                               "placement_alternative": "Gezinshuis dichtbij school"})
    assert decision.placement_outcome == "prevented"
    assert decision.placement_alternative == "Gezinshuis dichtbij school"


def test_other_items_do_not_ask_for_placement_fields(ctx, region):
    meeting_id = _session(region, purpose="progress")
    decision, _ = _record(region, meeting_id, {"submission_key": "g", "kind": "general", "text": "Voortgang goed"})
    assert decision.placement_outcome is None


# --- follow-up by the municipality ---------------------------------------------------------------------

def _provisional(region) -> Decision:
    meeting_id = _session(region)  # nobody with a mandate present
    decision, _ = _record(region, meeting_id, _commit_help("20000"))
    assert decision.status == "provisional"
    return decision


@pytest.mark.parametrize("answer", ["confirmed", "refused"])
def test_a_holder_answers_for_the_municipality(ctx, region, answer):
    region.factory.mandate(region.caseworker.id, region.home.id)
    decision = _provisional(region)
    holder = db.session.get(User, region.caseworker.id)

    assert [d.id for d in decisions.provisional_for(holder)] == [decision.id]
    decisions.answer(decision, {"answer": answer, "answer_date": TODAY, "answer_note": "Akkoord wethouder"}, holder)
    db.session.commit()

    assert decision.status == answer and decision.answer_date == TODAY
    assert decision.committed is (answer == "confirmed")
    assert decisions.provisional_for(holder) == []
    with pytest.raises(RuleError):  # answered once
        decisions.answer(decision, {"answer": "refused", "answer_date": TODAY}, holder)


def test_only_a_covering_holder_of_that_municipality_or_the_admin_answers(ctx, region):
    decision = _provisional(region)
    small = region.factory.user("caseworker", region.team.id)
    region.factory.mandate(small.id, region.home.id, ceiling="1000")  # ceiling below 20000
    elsewhere = region.factory.user("caseworker", region.team.id)
    region.factory.mandate(elsewhere.id, region.other.id)
    admin_org = region.factory.organisation("management")
    admin = region.factory.user("admin", admin_org.id)

    for user in (small, elsewhere, region.chair):
        actor = db.session.get(User, user.id)
        assert decisions.provisional_for(actor) == []
        with pytest.raises(RuleError):
            decisions.answer(decision, {"answer": "confirmed", "answer_date": TODAY}, actor)
    actor = db.session.get(User, admin.id)
    assert [d.id for d in decisions.provisional_for(actor)] == [decision.id]
    decisions.answer(decision, {"answer": "confirmed", "answer_date": TODAY}, actor)
    assert decision.status == "confirmed"


@pytest.mark.parametrize("data,field", [
    ({"answer": "maybe", "answer_date": TODAY}, "answer"),
    ({"answer": "confirmed", "answer_date": None}, "answer_date"),
    ({"answer": "confirmed", "answer_date": TODAY + timedelta(days=1)}, "answer_date"),
    ({"answer": "confirmed", "answer_date": TODAY - timedelta(days=30)}, "answer_date"),  # before the session
])
def test_answer_validation(ctx, region, data, field):
    region.factory.mandate(region.caseworker.id, region.home.id)
    decision = _provisional(region)
    with pytest.raises(RuleError) as refused:
        decisions.answer(decision, data, db.session.get(User, region.caseworker.id))
    assert refused.value.field == field
    assert decision.status == "provisional"


# --- the session's lifecycle ----------------------------------------------------------------------

def test_starting_checks_the_chair_in_and_opens_the_first_item(ctx, region):
    from ret_app.meetings import lifecycle

    empty = region.factory.meeting(region.chair, status="planned")
    chair = db.session.get(User, region.chair.id)
    with pytest.raises(RuleError):
        lifecycle.apply(db.session.get(Meeting, empty), "start", chair)
    db.session.rollback()
    meeting_id = region.factory.meeting(region.chair, status="planned", cases=(region.case_id,))
    meeting = db.session.get(Meeting, meeting_id)
    with pytest.raises(RuleError):  # not a step from "planned"
        lifecycle.apply(meeting, "approve", chair)
    caseworker = db.session.get(User, region.caseworker.id)
    assert lifecycle.available(meeting, caseworker) == []
    with pytest.raises(RuleError):
        lifecycle.apply(meeting, "start", caseworker)

    lifecycle.apply(meeting, "start", chair)
    db.session.commit()

    assert meeting.status == "in_progress" and meeting.current_item_id == _item(meeting_id).id
    assert _item(meeting_id).started_at is not None
    assert mandate_check.present_user_ids(meeting) == [region.chair.id]
    lifecycle.apply(meeting, "close", chair)
    assert meeting.status == "closed" and _item(meeting_id).seconds_spent >= 0 and _item(meeting_id).ended_at
    lifecycle.apply(meeting, "approve", chair)
    assert meeting.status == "approved" and meeting.approved_by_id == region.chair.id


def test_someone_who_checked_out_stays_in_the_minutes_attendance(ctx, region):
    """A holder who made a decision binding and then left is listed as present until they left,
    not as absent next to the mandate they used."""
    from ret_app.meetings import attendance, lifecycle, minutes

    region.factory.mandate(region.caseworker.id, region.home.id)
    meeting_id = _session(region, present=(region.caseworker,))
    decision, _ = _record(region, meeting_id, _commit_help())
    meeting = db.session.get(Meeting, meeting_id)
    holder = db.session.get(User, region.caseworker.id)
    attendance.set_presence(meeting, holder, False, holder)
    lifecycle.apply(meeting, "close", db.session.get(User, region.chair.id))
    db.session.commit()

    result = minutes.full_minutes(meeting)
    assert decision.status == "binding"
    assert holder.id in [u.id for u in result.present] and holder.id not in [u.id for u in result.absent]
    assert result.left[holder.id] is not None
    attendance_row = db.session.scalar(select(MeetingAttendance).where(MeetingAttendance.user_id == holder.id))
    assert attendance_row.present is False  # the mandate check no longer counts them


def test_a_check_in_days_ahead_is_refused_and_a_stale_one_does_not_count(ctx, region):
    """Being "present" must mean present at the session: otherwise a check-in weeks ahead would
    make a later decision binding."""
    from ret_app.meetings import attendance, lifecycle

    region.factory.mandate(region.caseworker.id, region.home.id)
    holder = db.session.get(User, region.caseworker.id)
    ahead = region.factory.meeting(region.chair, status="planned", cases=(region.case_id,), invite=(holder,),
                                   starts_at=utcnow() + timedelta(days=20))
    with pytest.raises(RuleError), db.session.begin_nested():  # refused before anything is written
        attendance.set_presence(db.session.get(Meeting, ahead), holder, True, holder)

    today = region.factory.meeting(region.chair, status="planned", cases=(region.case_id,), invite=(holder,),
                                   starts_at=utcnow())
    meeting = db.session.get(Meeting, today)
    assert attendance.set_presence(meeting, holder, True, holder)
    row = db.session.scalar(select(MeetingAttendance).where(MeetingAttendance.meeting_id == today,
                                                            MeetingAttendance.user_id == holder.id))
    row.checked_in_at = utcnow() - timedelta(days=3)  # as if the session had been moved since
    db.session.commit()
    lifecycle.apply(meeting, "start", db.session.get(User, region.chair.id))
    db.session.commit()

    assert holder.id not in mandate_check.present_user_ids(meeting)
    decision, _ = _record(region, today, _commit_help())
    assert decision.status == "provisional"


def test_the_sql_twin_of_can_view_meeting_agrees(ctx, region):
    from ret_app import policy

    colleague = region.factory.user("caseworker", region.team.id)  # sees the case through the access team
    stranger_team = region.factory.organisation("access_team", region_id=region.ret.region_id)
    stranger = region.factory.user("caseworker", stranger_team.id)
    member = region.factory.user("ret_member", region.ret.id)
    elsewhere = region.factory.region()
    other_chair = region.factory.user("chair", region.factory.organisation("ret", region_id=elsewhere.id).id)
    with_case = _session(region)
    invited_only = region.factory.meeting(region.chair, status="planned", invite=(stranger,))
    empty = region.factory.meeting(region.chair, status="planned")
    expected = {
        region.chair.id: {with_case, invited_only, empty}, member.id: {with_case, invited_only, empty},
        region.caseworker.id: {with_case}, colleague.id: {with_case}, stranger.id: {invited_only},
        other_chair.id: set(),
    }
    for user_id, meetings in expected.items():
        user = db.session.get(User, user_id)
        in_sql = set(db.session.scalars(select(Meeting.id).where(policy.visible_meetings_clause(user))))
        in_python = {m.id for m in db.session.scalars(select(Meeting)) if policy.can_view_meeting(user, m)}
        assert in_sql == in_python == meetings, user.role
