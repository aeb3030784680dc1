"""The process direction plan over HTTP and through its services: goals in the family's own words with
the agreed help (every error at once, the input kept, htmx fragments), optimistic locking with two
people editing, review moments (date rules, what is recorded, the case's stored next due date),
agreed versions (read-only, new drafts, the session decision), fitting help started (moving the case
to monitoring through the lifecycle, its guards and date rules), who may keep and who may read the
plan, and the audit trail."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from ret_app.cases import lifecycle, norms
from ret_app.extensions import db
from ret_app.kernel.dates import today as nl_today
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.models import (
    AuditEvent,
    Case,
    CaseEvent,
    CaseParticipant,
    Decision,
    Plan,
    PlanGoal,
    PlanReview,
    User,
)
from ret_app.plans import services
from ret_app.plans.deadlines import next_review_due, next_review_due_batch
from tests.conftest import csrf_token, login

TODAY = nl_today()
INTAKE = datetime.combine(TODAY - timedelta(days=20), datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=10)


# --- the world --------------------------------------------------------------------------------

@pytest.fixture
def world(make_world, factory):
    w = make_world(names={"provider": "Jeugdzorg Collectief A", "other_provider": "Kinderpsychiatrie Collectief B",
                          "outsider": "Zorg Buiten Het Collectief", "director": "Regisseur Rood",
                          "chair": "Voorzitter Vos", "member": "Lid Lammers"})
    w.case_id = plan_case(factory, w)
    return w


def plan_case(factory, w, *, status: str = "process_direction", **fields) -> int:
    """A case in `status` (process direction by default) with `w.director` as its process director,
    taken in 20 days ago, the provider invited."""
    fields = {"consent_ret": True, "consent_collective": True, "track": "process_direction",
              "process_director_id": w.director.id, "submitted_at": INTAKE - timedelta(days=2), "intake_at": INTAKE,
              **fields}
    case_id = factory.case(w.caseworker, w.municipality, status=status, **fields)
    with factory.app.app_context():
        db.session.add_all([
            CaseParticipant(case_id=case_id, role="ret_member", user_id=w.director.id, invited_by_id=w.chair.id),
            CaseParticipant(case_id=case_id, role="provider", organisation_id=w.provider.id, invited_by_id=w.chair.id)])
        db.session.commit()
    return case_id


def client_for(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def post(client, path: str, data: dict, *, htmx: bool = False):
    token = csrf_token(client, "/start")
    if htmx:
        return client.post(path, data=data, headers={"HX-Request": "true", "X-CSRFToken": token})
    return client.post(path, data={"csrf_token": token, **data})


def nl(app, message: str, **variables) -> str:
    with app.test_request_context(), force_locale("nl"):
        return gettext(message, **variables)


def text_of(body: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def error_of(body: str, field_id: str) -> str:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', body, re.S)
    assert match, f"no error next to {field_id}"
    return " ".join(html.unescape(match.group(1)).split())


def hidden(body: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', body) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{re.escape(name)}"', body)
    assert match, f"no field {name}"
    return html.unescape(match.group(1))


def goal_data(prefix: str = "goal", **values) -> dict:
    data = {"text": "Ik wil weer naar school, gewoon in de klas.", "voiced_by": "youth", "status": "open",
            "care_type": "education_care", "provider_id": "", "provider_name": "",
            "intended_start": (TODAY + timedelta(days=14)).isoformat(), **values}
    return {f"{prefix}-{name}": value for name, value in data.items()}


def load(case_id: int) -> Case:
    return db.session.get(Case, case_id)


def user(u) -> User:
    return db.session.get(User, u.id)


def add_goal(app, w, case_id=None, **values) -> int:
    with app.test_request_context():
        data = {"text": "Wij willen rust in huis.", "voiced_by": "parents", "status": "open", **values}
        goal = services.add_goal(load(case_id or w.case_id), user(w.director), data)
        db.session.commit()
        return goal.id


def plan_of(case_id: int) -> Plan:
    return db.session.scalar(select(Plan).where(Plan.case_id == case_id))


# --- goals ------------------------------------------------------------------------------------

def test_the_process_director_writes_goals_in_the_familys_words(app, world):
    director = client_for(app, world.director)
    page = director.get(f"/casussen/{world.case_id}/plan")
    assert page.status_code == 200
    assert nl(app, "This plan has not been agreed yet.") in page.get_data(as_text=True)
    response = post(director, f"/casussen/{world.case_id}/plan/doelen",
                    goal_data(provider_id=str(world.provider.id)))
    assert response.status_code == 302
    body = director.get(response.headers["Location"]).get_data(as_text=True)
    text = text_of(body)
    assert "Ik wil weer naar school, gewoon in de klas." in text
    assert nl(app, "In the words of %(who)s", who=nl(app, "the youth")) in text
    assert "Jeugdzorg Collectief A" in text
    with app.app_context():
        [goal] = plan_of(world.case_id).goals
        assert (goal.voiced_by, goal.status, goal.care_type, goal.provider_id, goal.provider_name) == (
            "youth", "open", "education_care", world.provider.id, None)
        assert goal.intended_start == TODAY + timedelta(days=14)
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "plan_goal")).one()
        assert (event.action, event.case_id, event.detail) == ("create", world.case_id, "status=open;voice=youth")


def test_a_provider_outside_the_collective_is_named_in_words(app, world):
    director = client_for(app, world.director)
    response = post(director, f"/casussen/{world.case_id}/plan/doelen",
                    goal_data(provider_name="Huisartsenpraktijk De Berk"))
    assert response.status_code == 302
    body = text_of(director.get(f"/casussen/{world.case_id}/plan").get_data(as_text=True))
    assert "Huisartsenpraktijk De Berk " + f"({nl(app, 'outside the collective')})" in body


def test_every_problem_of_a_goal_is_shown_at_once_and_nothing_typed_is_lost(app, world):
    director = client_for(app, world.director)
    before_intake = (INTAKE.date() - timedelta(days=3)).isoformat()
    response = post(director, f"/casussen/{world.case_id}/plan/doelen", goal_data(
        text="", provider_id=str(world.provider.id), provider_name="Een eigen aanbieder", intended_start=before_intake,
        care_type="education_care"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert error_of(body, "goal-text") == nl(app, "Write the goal down, in the family's own words where possible.")
    assert error_of(body, "goal-provider_name") == nl(
        app, "Choose a provider of the collective or name one outside it, not both.")
    assert error_of(body, "goal-intended_start").startswith(nl(
        app, "The intended start lies before the RET took the case in (%(date)s).", date="X").split("(")[0])
    assert 'value="Een eigen aanbieder"' in body  # what was typed stays
    assert f'<option selected value="{world.provider.id}">' in body or \
        re.search(rf'<option[^>]*value="{world.provider.id}"[^>]*selected', body)
    with app.app_context():
        assert plan_of(world.case_id) is None  # nothing saved


def test_a_provider_outside_the_region_or_the_collective_cannot_be_chosen(app, world):
    director = client_for(app, world.director)
    for org in (world.outsider, world.elsewhere.provider):
        response = post(director, f"/casussen/{world.case_id}/plan/doelen", goal_data(provider_id=str(org.id)))
        assert response.status_code == 200
        assert error_of(response.get_data(as_text=True), "goal-provider_id") == nl(
            app, "Choose a provider of the collective in this region, or name one outside it.")


def test_adding_a_goal_with_htmx_answers_with_the_goals_and_the_plans_state(app, world):
    director = client_for(app, world.director)
    response = post(director, f"/casussen/{world.case_id}/plan/doelen", goal_data(), htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section aria-labelledby="doelen-title" id="doelen"')
    assert 'id="plan-stand" class="ret-section" hx-swap-oob="true"' in body
    assert "<html" not in body
    with app.app_context():
        assert hidden(body, "agree-version") == str(plan_of(world.case_id).version)


def test_changing_a_goal_keeps_a_draft_and_reports_what_changed(app, world):
    goal_id = add_goal(app, world)
    director = client_for(app, world.director)
    page = director.get(f"/casussen/{world.case_id}/plan").get_data(as_text=True)
    version = hidden(page, f"g{goal_id}-version")
    response = post(director, f"/casussen/{world.case_id}/plan/doelen/{goal_id}",
                    {**goal_data(f"g{goal_id}", text="Wij willen rust in huis, ook in het weekend.", voiced_by="parents",
                                 status="partly", provider_id=str(world.other_provider.id)),
                     f"g{goal_id}-version": version}, htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Kinderpsychiatrie Collectief B" in text_of(body)  # the provider chosen, not the one loaded before
    assert body.lstrip().startswith(f'<li class="ret-goal" id="doel-{goal_id}">')
    assert nl(app, "The goal has been saved.") in body and 'hx-swap-oob="true"' in body
    with app.app_context():
        goal = db.session.get(PlanGoal, goal_id)
        assert (goal.text, goal.status) == ("Wij willen rust in huis, ook in het weekend.", "partly")
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "plan_goal",
                                                            AuditEvent.action == "update")).one()
        assert event.detail == "fields=text,status,care_type,provider_id,intended_start"


def test_two_people_editing_one_goal_get_the_conflict_with_both_inputs_kept(app, world):
    """The director and the chair open the plan; the director saves first; the chair's save finds the
    goal changed: nothing of the chair's is written, the chair's input stays in the form, what the
    director saved is shown next to each field that differs, and saving again replaces it."""
    goal_id = add_goal(app, world)
    director, chair = client_for(app, world.director), client_for(app, world.chair)
    path = f"/casussen/{world.case_id}/plan"
    loaded = {who: hidden(client.get(path).get_data(as_text=True), f"g{goal_id}-version")
              for who, client in (("director", director), ("chair", chair))}
    mine = goal_data(f"g{goal_id}", text="Rust in huis en vaste bedtijden.", voiced_by="parents", status="open",
                     care_type="", intended_start="")
    assert post(director, f"{path}/doelen/{goal_id}", {**mine, f"g{goal_id}-version": loaded["director"]}).status_code == 302
    theirs = goal_data(f"g{goal_id}", text="Wij willen rust in huis.", voiced_by="parents", status="reached",
                       care_type="", intended_start="")
    response = post(chair, f"{path}/doelen/{goal_id}", {**theirs, f"g{goal_id}-version": loaded["chair"]}, htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert nl(app, "Someone else saved this after you opened it.") in body
    assert re.search(rf'<select[^>]*id="g{goal_id}-status"', body)
    assert re.search(r'<option selected value="reached">|<option value="reached" selected', body)  # chair's input
    saved = text_of(body)
    assert f"{nl(app, 'Saved in the meantime:')} Rust in huis en vaste bedtijden." in saved  # the director's
    with app.app_context():
        goal = db.session.get(PlanGoal, goal_id)
        assert (goal.text, goal.status) == ("Rust in huis en vaste bedtijden.", "open")  # nothing of the chair's
        current = str(goal.version)
    assert hidden(body, f"g{goal_id}-version") == current  # saving again is a choice made knowingly
    again = post(chair, f"{path}/doelen/{goal_id}", {**theirs, f"g{goal_id}-version": current})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(PlanGoal, goal_id).status == "reached"
        conflict = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "plan_goal",
                                                               AuditEvent.outcome == "failed")).one()
        assert conflict.detail == "conflict" and conflict.user_id == world.chair.id


def test_a_draft_goal_can_be_removed_and_an_agreed_one_stays(app, world):
    kept = add_goal(app, world)
    with app.test_request_context():
        services.agree(load(world.case_id), user(world.director), str(plan_of(world.case_id).version))
        db.session.commit()
    draft = add_goal(app, world, text="Een nieuw doel na de afspraak.")
    director = client_for(app, world.director)
    assert post(director, f"/casussen/{world.case_id}/plan/doelen/{draft}/verwijderen", {}).status_code == 302
    refused = post(director, f"/casussen/{world.case_id}/plan/doelen/{kept}/verwijderen", {}, htmx=True)
    assert refused.status_code == 200
    assert nl(app, "This goal is part of an agreed version and stays in the plan; set its status to dropped "
                   "instead.") in html.unescape(refused.get_data(as_text=True))
    with app.app_context():
        assert [g.id for g in plan_of(world.case_id).goals] == [kept]


# --- who keeps the plan, and when ----------------------------------------------------------------

def test_only_the_process_director_and_the_chair_keep_the_plan(app, world):
    path = f"/casussen/{world.case_id}/plan"
    for person in (world.member, world.caseworker, world.provider_member):
        client = client_for(app, person)
        page = client.get(path)
        assert page.status_code == 200, person.role  # they read it
        assert 'id="nieuw-doel"' not in page.get_data(as_text=True)
        assert post(client, f"{path}/doelen", goal_data()).status_code == 403, person.role
    assert post(client_for(app, world.chair), f"{path}/doelen", goal_data()).status_code == 302
    with app.app_context():
        assert len(plan_of(world.case_id).goals) == 1
        denied = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == world.case_id,
                                                             AuditEvent.outcome == "denied")).all()
        assert {e.user_id for e in denied} == {world.member.id, world.caseworker.id, world.provider_member.id}


def test_the_plan_of_another_region_or_an_uninvited_provider_is_404(app, world, factory):
    path = f"/casussen/{world.case_id}/plan"
    for person in (world.elsewhere.chair, world.elsewhere.member, world.other_provider_member):
        client = client_for(app, person)
        assert client.get(path).status_code == 404
        assert client.get(f"{path}.pdf").status_code == 404
        assert post(client, f"{path}/doelen", goal_data()).status_code == 404


@pytest.mark.parametrize("status", ["screening", "intake", "closed"])
def test_the_plan_is_written_in_process_direction_and_monitoring_only(app, world, factory, status):
    case_id = plan_case(factory, world, status=status)
    director = client_for(app, world.director)
    page = director.get(f"/casussen/{case_id}/plan").get_data(as_text=True)
    assert 'id="nieuw-doel"' not in page
    with app.test_request_context():
        with pytest.raises(RuleError) as refused:
            services.add_goal(load(case_id), user(world.director), {"text": "Doel"})
        assert str(refused.value.message) == str(services.read_only_reason(load(case_id)))


def test_a_paused_case_keeps_its_plan_writable_but_fitting_help_waits(app, world, factory):
    """The family asked for time: the plan can still be worked on; fitting help waits for the resume."""
    case_id = plan_case(factory, world, status="paused", status_before_pause="process_direction")
    goal_id = add_goal(app, world, case_id)
    with app.app_context():
        assert [g.id for g in plan_of(case_id).goals] == [goal_id]
    page = client_for(app, world.director).get(f"/casussen/{case_id}/plan").get_data(as_text=True)
    assert 'id="nieuw-doel"' in page and 'id="passende-hulp-form"' not in page
    assert nl(app, "The case is paused: fitting help is recorded once it has been resumed.") in html.unescape(page)


# --- review moments ---------------------------------------------------------------------------

def test_a_review_moment_is_planned_from_today_on_and_counts_as_a_due_date(app, world, factory):
    director = client_for(app, world.director)
    path = f"/casussen/{world.case_id}/plan/evaluaties"
    past = post(director, path, {"review-planned_on": (TODAY - timedelta(days=1)).isoformat()})
    assert past.status_code == 200
    assert error_of(past.get_data(as_text=True), "review-planned_on") == nl(
        app, "This date lies in the past; choose today or a later day.")
    far = post(director, path, {"review-planned_on": (TODAY + timedelta(days=800)).isoformat()})
    assert error_of(far.get_data(as_text=True), "review-planned_on") == nl(
        app, "This date lies more than two years ahead: check the year.")
    empty = post(director, path, {"review-planned_on": ""})
    assert error_of(empty.get_data(as_text=True), "review-planned_on") == nl(app, "Enter the date of the review moment.")
    day = TODAY + timedelta(days=21)
    assert post(director, path, {"review-planned_on": day.isoformat()}).status_code == 302
    with app.app_context():
        case = load(world.case_id)
        assert next_review_due(case) == (day, "review")  # the plan's due source
        # The batch a region's refresh asks agrees with it, and leaves out cases without a review moment.
        assert next_review_due_batch([case.id, world.case_id + 10**6]) == {case.id: (day, "review")}
        # Taken in 20 days ago without a session: the first session's norm (past) comes first.
        [first_session] = norms.case_clocks(case)
        assert first_session.name == "first_session" and first_session.due < day
        assert norms.next_due(case) == (first_session.due, "first_session") and case.next_deadline == first_session.due


def test_the_review_moment_is_the_due_date_when_no_norm_clock_runs(app, world, factory):
    """With the first session held, no clock runs in process direction: the next due date is the
    first review moment not yet held, and it moves when that one is held or cancelled."""
    case_id = plan_case(factory, world)
    factory.meeting(world.chair, status="closed", cases=(case_id,), starts_at=utcnow() - timedelta(days=3))
    early, late = TODAY + timedelta(days=10), TODAY + timedelta(days=40)
    with app.test_request_context():
        case, director = load(case_id), user(world.director)
        assert case.next_deadline is None
        first = services.plan_review(case, director, early)
        services.plan_review(case, director, late)
        assert case.next_deadline == early and norms.next_due(case) == (early, "review")
        services.record_review(case, director, first, {"held_on": TODAY, "help_fits": "yes",
                                                       "own_judgement": "Het gaat goed, zegt Noor."}, str(first.version))
        assert case.next_deadline == late
        second = next(r for r in services.get(case).reviews if r.held_on is None)
        services.cancel_review(case, director, second)
        assert case.next_deadline is None
        db.session.rollback()


def test_a_review_past_its_date_makes_the_case_overdue_and_pausing_stops_it(app, world, factory):
    case_id = plan_case(factory, world)
    factory.meeting(world.chair, status="closed", cases=(case_id,), starts_at=utcnow() - timedelta(days=3))
    with app.test_request_context():
        case = load(case_id)
        plan = services._open_plan(case, user(world.director))
        db.session.add(PlanReview(plan_id=plan.id, planned_on=TODAY - timedelta(days=2), planned_by_id=world.director.id))
        db.session.flush()
        norms.refresh_deadline(case)
        assert case.next_deadline == TODAY - timedelta(days=2) and norms.is_overdue(case)
        lifecycle.apply(case, user(world.chair), "pause", reason="Het gezin vraagt tijd")
        assert case.next_deadline is None and not norms.is_overdue(case)
        lifecycle.apply(case, user(world.chair), "resume")
        assert case.next_deadline == TODAY - timedelta(days=2)
        db.session.rollback()


def test_recording_a_review_asks_for_every_missing_thing_at_once(app, world):
    director = client_for(app, world.director)
    with app.test_request_context():
        review = services.plan_review(load(world.case_id), user(world.director), TODAY + timedelta(days=7))
        db.session.commit()
        review_id, version = review.id, str(review.version)
    path = f"/casussen/{world.case_id}/plan/evaluaties/{review_id}"
    response = post(director, path, {f"r{review_id}-held_on": (TODAY + timedelta(days=1)).isoformat(),
                                     f"r{review_id}-help_fits": "no", f"r{review_id}-own_judgement": "",
                                     f"r{review_id}-what_changes": "", f"r{review_id}-version": version})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert error_of(body, f"r{review_id}-held_on") == nl(app, "This date lies in the future.")
    assert error_of(body, f"r{review_id}-own_judgement") == nl(
        app, "Write down the judgement of the youth or the family, in their own words.")
    assert error_of(body, f"r{review_id}-what_changes") == nl(app, "Say what changes, now that the help does not fully fit.")
    assert any("checked" in tag for tag in re.findall(rf'<input[^>]*name="r{review_id}-help_fits"[^>]*value="no"[^>]*>',
                                                       body))  # the choice made stays
    ok = post(director, path, {f"r{review_id}-held_on": TODAY.isoformat(), f"r{review_id}-help_fits": "partly",
                               f"r{review_id}-own_judgement": "Moeder: 'Het helpt, maar het is te weinig.'",
                               f"r{review_id}-what_changes": "Twee dagdelen extra gezinsbehandeling.",
                               f"r{review_id}-version": version}, htmx=True)
    assert ok.status_code == 200
    text = text_of(ok.get_data(as_text=True))
    assert "Moeder: 'Het helpt, maar het is te weinig.'" in text and nl(app, "Partly") in text
    assert f"{nl(app, 'Recorded by')} Regisseur Rood" in text
    with app.app_context():
        review = db.session.get(PlanReview, review_id)
        assert (review.held_on, review.help_fits, review.recorded_by_id) == (TODAY, "partly", world.director.id)
        entry = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == world.case_id,
                                                           CaseEvent.kind == "plan_review_held")).one()
        assert entry.actor_id == world.director.id
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "plan_review",
                                                             AuditEvent.action == "update")
                                    .order_by(AuditEvent.seq)).all()
        assert [(e.outcome, e.detail) for e in events] == [
            ("failed", "invalid fields=held_on,own_judgement,what_changes"),  # field names only, never the text
            ("allowed", "recorded;fits=partly;fields=held_on,help_fits,own_judgement,what_changes")]
    # Held: it stays on record.
    cancel = post(director, f"{path}/annuleren", {})
    assert cancel.status_code == 302
    with app.app_context():
        assert db.session.get(PlanReview, review_id) is not None


def test_a_review_cannot_be_held_before_the_case_was_taken_in(app, world):
    with app.test_request_context():
        case = load(world.case_id)
        review = services.plan_review(case, user(world.director), TODAY)
        with pytest.raises(RuleError) as refused:
            services.record_review(case, user(world.director), review, {
                "held_on": INTAKE.date() - timedelta(days=1), "help_fits": "yes", "own_judgement": "Goed"},
                str(review.version))
        assert set(refused.value.errors) == {"held_on"}
        db.session.rollback()


# --- agreed versions -----------------------------------------------------------------------------

def _decision(app, factory, w, case_id: int, text: str = "Maatwerkarrangement met dagbehandeling.") -> int:
    import secrets

    meeting_id = factory.meeting(w.chair, status="closed", cases=(case_id,), starts_at=utcnow() - timedelta(days=5))
    with app.app_context():
        from ret_app.models import MeetingItem

        item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id))
        decision = Decision(item_id=item.id, case_id=case_id, municipality_id=w.municipality.id, kind="general",
                            text=text, status="recorded", submission_key=secrets.token_hex(8),
                            recorded_by_id=w.chair.id)
        db.session.add(decision)
        db.session.commit()
        return decision.id


def test_agreeing_freezes_a_version_and_later_changes_make_a_new_draft(app, world, factory):
    goal_id = add_goal(app, world, text="Wij willen rust in huis.")
    decision_id = _decision(app, factory, world, world.case_id)
    director = client_for(app, world.director)
    path = f"/casussen/{world.case_id}/plan"
    page = director.get(path).get_data(as_text=True)
    assert f'<option value="{decision_id}">' in page
    response = post(director, f"{path}/vaststellen", {"agree-version": hidden(page, "agree-version"),
                                                      "agree-decision_id": str(decision_id)})
    assert response.status_code == 302
    page = director.get(path).get_data(as_text=True)
    assert nl(app, "Agreed") in page and 'id="agree-blocked"' in page
    # Nothing changed since: nothing to agree (the page offers no form; a request anyway is refused).
    with app.app_context():
        current = str(plan_of(world.case_id).version)
    again = post(director, f"{path}/vaststellen", {"agree-version": current})
    assert nl(app, "Nothing has changed since version %(number)s was agreed.", number=1) in html.unescape(
        again.get_data(as_text=True))
    # A change makes a draft; the agreed version stays as it was.
    with app.test_request_context():
        goal = db.session.get(PlanGoal, goal_id)
        services.save_goal(load(world.case_id), user(world.chair), goal,
                           {**services.goal_values(goal), "text": "Rust in huis en school.", "status": "partly",
                            "intended_start": None}, str(goal.version))
        db.session.commit()
    page = director.get(path).get_data(as_text=True)
    assert nl(app, "Draft with changes") in page
    assert post(director, f"{path}/vaststellen", {"agree-version": hidden(page, "agree-version")}).status_code == 302
    with app.app_context():
        plan = plan_of(world.case_id)
        first, second = plan.versions
        assert (first.number, first.decision_id, first.agreed_by_id) == (1, decision_id, world.director.id)
        assert first.content["goals"][0]["text"] == "Wij willen rust in huis."
        assert first.content["goals"][0]["status"] == "open"
        assert (second.number, second.decision_id) == (2, None)
        assert second.content["goals"][0]["text"] == "Rust in huis en school."
        assert plan.agreed_number == 2 and not plan.changed_since_agreed
        details = list(db.session.scalars(select(AuditEvent.detail).where(AuditEvent.object_type == "plan_version",
                                                                          AuditEvent.outcome == "allowed")))
        assert details == [f"number=1;decision={decision_id}", "number=2"]
        assert db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == world.case_id,
                                                          CaseEvent.kind == "plan_agreed")).all().__len__() == 2
    # Every agreed version stays readable, as it was agreed.
    v1 = text_of(director.get(f"{path}/versies/1").get_data(as_text=True))
    assert "Wij willen rust in huis." in v1 and "Rust in huis en school." not in v1
    assert "Maatwerkarrangement met dagbehandeling." in v1
    assert nl(app, "A later version has been agreed: version %(number)s.", number=2) in v1
    assert director.get(f"{path}/versies/3").status_code == 404
    reader = client_for(app, world.provider_member)
    assert "Wij willen rust in huis." in text_of(reader.get(f"{path}/versies/1").get_data(as_text=True))


def test_agreeing_a_plan_changed_after_the_page_was_loaded_is_refused(app, world):
    add_goal(app, world)
    director = client_for(app, world.director)
    path = f"/casussen/{world.case_id}/plan"
    loaded = hidden(director.get(path).get_data(as_text=True), "agree-version")
    add_goal(app, world, text="Nog een doel van de voorzitter.")
    response = post(director, f"{path}/vaststellen", {"agree-version": loaded}, htmx=True)
    assert response.status_code == 200
    body = html.unescape(response.get_data(as_text=True))
    assert nl(app, "The plan was changed after you opened this page. Check what it says now and agree again.") in body
    with app.app_context():
        plan = plan_of(world.case_id)
        assert plan.versions == [] and hidden(body, "agree-version") == str(plan.version)


def test_a_plan_without_goals_or_with_a_decision_of_another_case_is_not_agreed(app, world, factory):
    other_case = plan_case(factory, world)
    foreign = _decision(app, factory, world, other_case)
    with app.test_request_context():
        case = load(world.case_id)
        with pytest.raises(RuleError) as no_goals:
            services.agree(case, user(world.director), "1")
        assert str(no_goals.value.message) == str(services.agree_problem(None))
        services.add_goal(case, user(world.director), {"text": "Doel"})
        with pytest.raises(RuleError) as wrong:
            services.agree(case, user(world.director), str(services.get(case).version), foreign)
        assert set(wrong.value.errors) == {"decision_id"}
        db.session.rollback()


# --- fitting help started ------------------------------------------------------------------------

def test_fitting_help_started_moves_the_case_to_monitoring(app, world):
    add_goal(app, world)
    director = client_for(app, world.director)
    started = TODAY - timedelta(days=2)
    response = post(director, f"/casussen/{world.case_id}/plan/passende-hulp",
                    {"fit-started_on": started.isoformat(), "fit-what": "Dagbehandeling bij Jeugdzorg Collectief A."})
    assert response.status_code == 302
    body = text_of(director.get(response.headers["Location"]).get_data(as_text=True))
    assert "Dagbehandeling bij Jeugdzorg Collectief A." in body
    with app.app_context():
        case = load(world.case_id)
        assert (case.status, case.fitting_help_started_on) == ("monitoring", started)
        assert (case.transitions[-1].from_status, case.transitions[-1].to_status) == ("process_direction", "monitoring")
        assert case.transitions[-1].actor_id == world.director.id
        kinds = [e.kind for e in case.events]
        assert kinds[-2:] == ["fitting_help_started", "transition:start_monitoring"]
        plan = plan_of(world.case_id)
        assert (plan.fitting_help_what, plan.fitting_help_recorded_by_id) == (
            "Dagbehandeling bij Jeugdzorg Collectief A.", world.director.id)
    # The plan is still kept in monitoring (reviews), and fitting help is not recorded twice.
    assert post(director, f"/casussen/{world.case_id}/plan/evaluaties",
                {"review-planned_on": (TODAY + timedelta(days=30)).isoformat()}).status_code == 302
    again = post(director, f"/casussen/{world.case_id}/plan/passende-hulp",
                 {"fit-started_on": TODAY.isoformat(), "fit-what": "Nog eens"})
    assert again.status_code == 200
    assert nl(app, "Fitting help has already been recorded for this case.") in html.unescape(again.get_data(as_text=True))
    with app.app_context():
        assert load(world.case_id).fitting_help_started_on == started


def test_every_problem_with_fitting_help_is_shown_at_once(app, world):
    director = client_for(app, world.director)
    response = post(director, f"/casussen/{world.case_id}/plan/passende-hulp",
                    {"fit-started_on": (TODAY + timedelta(days=1)).isoformat(), "fit-what": ""})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert error_of(body, "fit-started_on") == nl(app, "This date lies in the future.")
    assert error_of(body, "fit-what") == nl(app, "Say what started: which help, by whom.")
    before = post(director, f"/casussen/{world.case_id}/plan/passende-hulp",
                  {"fit-started_on": (INTAKE.date() - timedelta(days=1)).isoformat(), "fit-what": "Hulp"})
    assert error_of(before.get_data(as_text=True), "fit-started_on").startswith(nl(
        app, "Fitting help cannot have started before the RET took the case in (%(date)s).", date="X").split("(")[0])
    with app.app_context():
        case = load(world.case_id)
        assert (case.status, case.fitting_help_started_on) == ("process_direction", None)


@pytest.mark.parametrize("status,fields,message", [
    ("screening", {}, "Fitting help is recorded while the case is in process direction."),
    ("paused", {"status_before_pause": "process_direction"},
     "The case is paused: resume it before recording that fitting help started."),
])
def test_fitting_help_is_recorded_in_process_direction_only(app, world, factory, status, fields, message):
    case_id = plan_case(factory, world, status=status, **fields)
    with app.test_request_context():
        with pytest.raises(RuleError) as refused:
            services.record_fitting_help(load(case_id), user(world.director), TODAY, "Hulp")
        assert str(refused.value.errors[None]) == str(nl(app, message)) or str(refused.value.errors[None]) == message
        assert load(case_id).fitting_help_started_on is None


def test_only_the_director_or_chair_record_fitting_help(app, world):
    with app.test_request_context():
        for person in (world.member, world.caseworker, world.elsewhere.chair):
            with pytest.raises(RuleError):
                services.record_fitting_help(load(world.case_id), user(person), TODAY, "Hulp")
        services.record_fitting_help(load(world.case_id), user(world.chair), TODAY, "Hulp door de voorzitter")
        assert load(world.case_id).status == "monitoring"
        db.session.rollback()


def test_monitoring_cannot_start_without_the_day_fitting_help_started(app, world):
    """The lifecycle's guard: the generic step is blocked (the case page says why) until the plan
    records the day."""
    with app.test_request_context():
        case, chair = load(world.case_id), user(world.chair)
        option = next(o for o in lifecycle.available(case, chair) if o.name == "start_monitoring")
        assert [str(r) for r in option.blocked_by] == [str(lifecycle.fitting_help_started(case))]
        with pytest.raises(RuleError):
            lifecycle.apply(case, chair, "start_monitoring")
        assert load(world.case_id).status == "process_direction"
    chair_client = client_for(app, world.chair)
    page = text_of(chair_client.get(f"/casussen/{world.case_id}").get_data(as_text=True))
    assert nl(app, "Record on the plan when fitting help started.") in page


# --- queries do not grow with the plan ------------------------------------------------------------

def _grow(app, w, case_id: int, count: int) -> None:
    """`count` goals (each with a provider of the collective) and `count` review moments (half held)."""
    providers = [w.provider, w.other_provider]
    with app.test_request_context():
        case, director = load(case_id), user(w.director)
        for n in range(count):
            services.add_goal(case, director, {"text": f"Doel {n}", "voiced_by": "family",
                                               "provider_id": providers[n % 2].id, "care_type": "ambulatory"})
            review = services.plan_review(case, director, TODAY + timedelta(days=n % 30))
            if n % 2:
                services.record_review(case, director, review, {"held_on": TODAY, "help_fits": "yes",
                                                                "own_judgement": "Goed"}, str(review.version))
        services.agree(case, director, str(services.get(case).version))
        services.add_goal(case, director, {"text": "Na de afspraak"})
        db.session.commit()


def _same_count_for_5_and_100_goals(app, world, factory, count_queries, who: str, path: str) -> None:
    counts = {}
    for size in (5, 100):
        case_id = plan_case(factory, world)
        _grow(app, world, case_id, size)
        client = client_for(app, getattr(world, who))
        url = path.format(id=case_id)
        assert client.get(url).status_code == 200
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200
        assert f"Doel {size - 1}" in response.get_data(as_text=True) or path.endswith("/casussen/{id}")
        counts[size] = len(statements)
    assert counts[5] == counts[100], counts


@pytest.mark.counts_queries("plans.plan_page")
@pytest.mark.parametrize("who", ["director", "provider_member"])
def test_the_plan_page_does_not_grow_with_the_plan(app, world, factory, count_queries, who):
    _same_count_for_5_and_100_goals(app, world, factory, count_queries, who, "/casussen/{id}/plan")


@pytest.mark.counts_queries("plans.version_page")
def test_an_agreed_version_does_not_grow_with_the_plan(app, world, factory, count_queries):
    _same_count_for_5_and_100_goals(app, world, factory, count_queries, "director", "/casussen/{id}/plan/versies/1")


@pytest.mark.counts_queries("cases.case_page")
def test_the_case_page_with_a_plan_does_not_grow_with_the_plan(app, world, factory, count_queries):
    _same_count_for_5_and_100_goals(app, world, factory, count_queries, "director", "/casussen/{id}")


# --- for tests/test_csrf.py -----------------------------------------------------------------------

PLAN_POST_ROUTES = ("plans.goal_add", "plans.goal_save", "plans.goal_remove", "plans.review_add",
                    "plans.review_record", "plans.review_cancel", "plans.plan_agree", "plans.fitting_help")


def prepare_for_csrf(env, endpoint: str) -> tuple[str, dict]:
    """Sign in the process director of the objects' case, put it in process direction with a plan (a
    goal, a review moment), and return the URL and the valid form data of a request that changes
    something."""
    app, objects = env.app, env.objects
    director = env.login_as("ret_member", organisation_id=objects.ret_org.id)
    with app.app_context():
        case = db.session.get(Case, objects.case_id)
        case.status, case.process_director_id, case.intake_at = "process_direction", director.id, utcnow()
        plan = db.session.scalar(select(Plan).where(Plan.case_id == case.id)) or Plan(case_id=case.id)
        plan.changed_since_agreed = True  # something to agree
        plan.goals.append(PlanGoal(text="Weer naar school", voiced_by="youth", status="open", position=1))
        plan.reviews.append(PlanReview(planned_on=TODAY + timedelta(days=7), planned_by_id=director.id))
        db.session.add(plan)
        db.session.commit()
        base, goal, review = f"/casussen/{case.id}/plan", plan.goals[0], plan.reviews[0]
        ids = {"goal": goal.id, "goal_version": str(goal.version), "review": review.id,
               "review_version": str(review.version), "plan_version": str(plan.version)}
    if endpoint == "plans.goal_add":
        return f"{base}/doelen", goal_data()
    if endpoint == "plans.goal_save":
        return f"{base}/doelen/{ids['goal']}", {**goal_data(f"g{ids['goal']}"), f"g{ids['goal']}-version": ids["goal_version"]}
    if endpoint == "plans.goal_remove":
        return f"{base}/doelen/{ids['goal']}/verwijderen", {}
    if endpoint == "plans.review_add":
        return f"{base}/evaluaties", {"review-planned_on": (TODAY + timedelta(days=14)).isoformat()}
    if endpoint == "plans.review_record":
        prefix = f"r{ids['review']}"
        return f"{base}/evaluaties/{ids['review']}", {
            f"{prefix}-held_on": TODAY.isoformat(), f"{prefix}-help_fits": "yes",
            f"{prefix}-own_judgement": "Het gaat beter", f"{prefix}-version": ids["review_version"]}
    if endpoint == "plans.review_cancel":
        return f"{base}/evaluaties/{ids['review']}/annuleren", {}
    if endpoint == "plans.plan_agree":
        return f"{base}/vaststellen", {"agree-version": ids["plan_version"]}
    if endpoint == "plans.fitting_help":
        return f"{base}/passende-hulp", {"fit-started_on": TODAY.isoformat(), "fit-what": "Dagbehandeling"}
    raise KeyError(endpoint)


def test_every_plan_post_route_has_a_csrf_preparation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if "POST" in (rule.methods or ()) and rule.endpoint.startswith("plans.")}
    assert endpoints == set(PLAN_POST_ROUTES)


# --- the demo -----------------------------------------------------------------------------------------

def test_the_demo_has_plans_in_the_familys_words_and_a_case_in_monitoring(app):
    from ret_app import demo

    with app.app_context():
        demo.seed()
        db.session.commit()
        # Not the closed cases: Lieke's earlier case (a re-referral, ret_app/rereferrals/demo.py) has no plan.
        cases = {c.youth_first_name: c for c in db.session.scalars(select(Case).where(Case.status != "closed"))}
        finn, lieke = cases["Finn"], cases["Lieke"]
        finn_plan, lieke_plan = plan_of(finn.id), plan_of(lieke.id)
        # Finn: version 1 from the session's decision, a goal added since, a review moment ahead.
        assert finn.status == "process_direction" and finn.fitting_help_started_on is None
        assert [v.number for v in finn_plan.versions] == [1] and finn_plan.changed_since_agreed
        assert finn_plan.versions[0].decision is not None and finn_plan.versions[0].decision.case_id == finn.id
        assert len(finn_plan.versions[0].content["goals"]) == 2 and len(finn_plan.goals) == 3
        assert {g.voiced_by for g in finn_plan.goals} == {"youth", "parents"}
        assert any(g.provider_name and g.provider_id is None for g in finn_plan.goals)  # outside the collective
        # His stored next due item is the nearest of the review moment, his open requests' reply-by
        # dates (the demo has one past its date) and his escalation's expected answer date (past too).
        from ret_app.commitments.services import request_due
        from ret_app.escalations.services import escalation_due

        assert finn_plan.reviews[0].planned_on > TODAY
        assert (finn.next_deadline, finn.next_due_kind) == min(
            [(finn_plan.reviews[0].planned_on, "review")]
            + [due for due in [request_due(finn), escalation_due(finn)] if due])
        # Lieke: fitting help started, in monitoring through a recorded step, a review held.
        assert lieke.status == "monitoring" and lieke.fitting_help_started_on < TODAY
        assert lieke.transitions[-1].to_status == "monitoring"
        assert [v.number for v in lieke_plan.versions] == [1, 2] and not lieke_plan.changed_since_agreed
        held = [r for r in lieke_plan.reviews if r.held_on]
        assert held and held[0].own_judgement and held[0].help_fits == "partly"
        assert any(r.held_on is None and r.planned_on > TODAY for r in lieke_plan.reviews)
        director = db.session.scalar(select(User).where(User.email == "retlid@mijov.example"))
        assert finn.process_director_id == lieke.process_director_id == director.id
        # Every agreed version is what the plan said then: readable without the live goals.
        for version in finn_plan.versions + lieke_plan.versions:
            assert all(goal["text"] for goal in version.content["goals"])
        db.session.rollback()
