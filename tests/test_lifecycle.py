"""The case state machine: every allowed and every forbidden transition, each guard, who may act,
pausing, and what each step records."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ret_app.cases import lifecycle
from ret_app.cases.lifecycle import TRANSITIONS
from ret_app.kernel.errors import RuleError
from ret_app.extensions import db
from ret_app.models import AuditEvent, Case, CaseStatus, Consent, Screening, User

S = CaseStatus
ALL_STATES = list(CaseStatus)


@pytest.fixture
def world(make_world):
    w = make_world()
    w.other_chair = w.elsewhere.chair
    return w


def load(case_id: int) -> Case:
    return db.session.get(Case, case_id)


def user(u) -> User:
    return db.session.get(User, u.id)


def ready_case(factory, world, status: str, **fields) -> int:
    """A case in `status` whose guards all hold (consent, track, director, screening, fitting help
    started, outcome)."""
    case_id = factory.case(world["caseworker"], world["municipality"], status=status,
                           birth_date=date.today() - timedelta(days=365 * 17), track="process_direction",
                           process_director_id=world["member"].id, fitting_help_started_on=date.today(),
                           outcome_recorded_at=datetime.now(timezone.utc), **fields)
    with factory.app.app_context():
        case = load(case_id)
        case.consents.append(Consent(scope="ret", given_by_role="youth", given_on=date.today() - timedelta(days=1),
                                     form="written", recorded_by_id=world["caseworker"].id))
        case.consent_ret = True
        db.session.add(Screening(case_id=case_id, finalised_at=datetime.now(timezone.utc),
                                 finalised_by_id=world["member"].id))
        if status == "paused":
            case.status_before_pause = "screening"
            from ret_app.models import CasePause
            case.pauses.append(CasePause(start=date.today(), reason="Gezin vraagt tijd",
                                         started_by_id=world["chair"].id))
        db.session.commit()
    return case_id


def actor_for(transition, world):
    if transition.actor is lifecycle.referrer:
        return world["caseworker"]
    return world["chair"]


EXPECTED_TARGET = {
    "submit": S.SUBMITTED, "start_intake": S.INTAKE, "return_with_advice": S.RETURNED_WITH_ADVICE,
    "resubmit": S.SUBMITTED, "accept": S.SCREENING, "start_process_direction": S.PROCESS_DIRECTION,
    "start_monitoring": S.MONITORING, "close": S.CLOSED, "pause": S.PAUSED, "resume": S.SCREENING,
}

ALLOWED = {
    (S.CONCEPT, "submit"), (S.SUBMITTED, "start_intake"), (S.SUBMITTED, "return_with_advice"),
    (S.INTAKE, "return_with_advice"), (S.RETURNED_WITH_ADVICE, "resubmit"), (S.INTAKE, "accept"),
    (S.SCREENING, "start_process_direction"), (S.PROCESS_DIRECTION, "start_monitoring"),
    (S.SCREENING, "close"), (S.PROCESS_DIRECTION, "close"), (S.MONITORING, "close"),
    (S.SUBMITTED, "pause"), (S.INTAKE, "pause"), (S.SCREENING, "pause"), (S.PROCESS_DIRECTION, "pause"),
    (S.MONITORING, "pause"), (S.PAUSED, "resume"),
}


def test_the_table_matches_the_documented_lifecycle():
    table = {(state, t.name) for t in TRANSITIONS for state in t.sources}
    assert table == ALLOWED


@pytest.mark.parametrize("state,name", sorted(ALLOWED))
def test_every_allowed_transition(app, factory, world, state, name):
    case_id = ready_case(factory, world, state.value)
    transition = lifecycle.BY_NAME[name]
    with app.app_context():
        case = load(case_id)
        actor = user(actor_for(transition, world))
        assert name in [o.transition.name for o in lifecycle.available(case, actor)]
        record = lifecycle.apply(case, actor, name, reason="Besproken in het overleg")
        db.session.commit()
        case = load(case_id)
        assert case.status == EXPECTED_TARGET[name]
        assert (record.from_status, record.to_status, record.actor_id) == (state.value, case.status, actor.id)
        assert case.transitions[-1].reason == "Besproken in het overleg"
        assert case.events[-1].kind == f"transition:{name}"
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event.case_id == case_id and event.object_type == "case" and name in event.detail


@pytest.mark.parametrize("state,name", sorted(
    {(s, t.name) for s in ALL_STATES for t in TRANSITIONS} - ALLOWED))
def test_every_forbidden_transition(app, factory, world, state, name):
    case_id = ready_case(factory, world, state.value)
    transition = lifecycle.BY_NAME[name]
    with app.app_context():
        case = load(case_id)
        actor = user(actor_for(transition, world))
        assert name not in [o.transition.name for o in lifecycle.available(case, actor)]
        with pytest.raises(RuleError):
            lifecycle.apply(case, actor, name, reason="x")
        assert load(case_id).status == state.value


@pytest.mark.parametrize("name", sorted({t.name for t in TRANSITIONS}))
def test_others_may_not_act(app, factory, world, name):
    transition = lifecycle.BY_NAME[name]
    state = next(s for s, n in ALLOWED if n == name)
    case_id = ready_case(factory, world, state.value)
    with app.app_context():
        case = load(case_id)
        wrong = [world["other_chair"], world["caseworker"] if transition.actor is not lifecycle.referrer else world["chair"]]
        for person in wrong:
            with pytest.raises(RuleError):
                lifecycle.apply(case, user(person), name, reason="x")
        assert load(case_id).status == state.value


def test_no_intake_without_ret_consent(app, factory, world):
    case_id = factory.case(world["caseworker"], world["municipality"], status="submitted")
    with app.app_context():
        case = load(case_id)
        option = next(o for o in lifecycle.available(case, user(world["chair"])) if o.transition.name == "start_intake")
        assert option.blocked_by, "the button shows why it is blocked"
        with pytest.raises(RuleError) as error:
            lifecycle.apply(case, user(world["chair"]), "start_intake")
        assert "toestemming" in str(error.value).lower() or "consent" in str(error.value).lower()


def test_submit_needs_a_complete_referral(app, factory, world):
    case_id = factory.case(world["caseworker"], world["municipality"], complete=False)
    with app.app_context():
        case = load(case_id)
        with pytest.raises(RuleError) as error:
            lifecycle.apply(case, user(world["caseworker"]), "submit")
        assert len(error.value.reasons) == 2  # incomplete referral and no consent


def test_accept_needs_track_and_process_director(app, factory, world):
    case_id = ready_case(factory, world, "intake")
    with app.app_context():
        case = load(case_id)
        case.track = None
        with pytest.raises(RuleError):
            lifecycle.apply(case, user(world["chair"]), "accept", reason="Past in procesregie")
        case.track = "process_direction"
        case.process_director_id = None
        with pytest.raises(RuleError):
            lifecycle.apply(case, user(world["chair"]), "accept", reason="Past in procesregie")


def test_process_direction_needs_a_finalised_screening(app, factory, world):
    case_id = ready_case(factory, world, "screening")
    with app.app_context():
        db.session.scalars(select(Screening).where(Screening.case_id == case_id)).one().finalised_at = None
        with pytest.raises(RuleError):
            lifecycle.apply(load(case_id), user(world["chair"]), "start_process_direction")


def test_no_monitoring_before_fitting_help_started(app, factory, world):
    """The plan records the day fitting help started (ret_app/plans); until then the step is blocked."""
    case_id = ready_case(factory, world, "process_direction")
    with app.app_context():
        case = load(case_id)
        case.fitting_help_started_on = None
        option = next(o for o in lifecycle.available(case, user(world["chair"]))
                      if o.transition.name == "start_monitoring")
        assert option.blocked_by
        with pytest.raises(RuleError):
            lifecycle.apply(case, user(world["chair"]), "start_monitoring")
        assert case.status == "process_direction"


def test_no_closing_without_an_outcome(app, factory, world):
    case_id = ready_case(factory, world, "monitoring")
    with app.app_context():
        case = load(case_id)
        case.outcome_recorded_at = None
        option = next(o for o in lifecycle.available(case, user(world["chair"])) if o.transition.name == "close")
        assert option.blocked_by
        with pytest.raises(RuleError):
            lifecycle.apply(case, user(world["chair"]), "close", reason="Passende hulp gestart")


def test_reason_is_required_where_the_table_says_so(app, factory, world):
    case_id = ready_case(factory, world, "submitted")
    with app.app_context():
        with pytest.raises(RuleError):
            lifecycle.apply(load(case_id), user(world["chair"]), "return_with_advice", reason="   ")


def test_pause_and_resume_record_the_pause_and_return_to_the_same_status(app, factory, world):
    case_id = ready_case(factory, world, "process_direction")
    with app.app_context():
        chair = user(world["chair"])
        lifecycle.apply(load(case_id), chair, "pause", reason="Gezin vraagt bedenktijd", today=date(2026, 12, 1))
        db.session.commit()
        case = load(case_id)
        assert case.status == "paused" and case.pauses[-1].start == date(2026, 12, 1) and case.pauses[-1].end is None
        lifecycle.apply(case, chair, "resume", today=date(2026, 12, 8))
        db.session.commit()
        case = load(case_id)
        assert case.status == "process_direction" and case.pauses[-1].end == date(2026, 12, 8)
        assert [t.to_status for t in case.transitions][-2:] == ["paused", "process_direction"]


def test_the_process_director_may_pause_but_not_close(app, factory, world):
    case_id = ready_case(factory, world, "monitoring")
    with app.app_context():
        director = user(world["member"])
        names = {o.transition.name for o in lifecycle.available(load(case_id), director)}
        assert "pause" in names and "close" not in names
