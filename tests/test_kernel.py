"""The kernel: the unit of work (one commit, rollback on error, savepoints that take their audit
events, reactions and compensations with them), domain events, the state-machine type and the
registry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest
from flask import Blueprint
from sqlalchemy import select

from ret_app import audit
from ret_app.extensions import db
from ret_app.kernel import events, uow
from ret_app.kernel.errors import Conflict, RuleError, show_on_form
from ret_app.kernel.machine import Messages, StateMachine, Transition
from ret_app.kernel.registry import Capability, Registry
from ret_app.models import AuditEvent, Network


def _networks(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(Network.short_name)))


def _details(app) -> list[str]:
    with app.app_context():
        return [e.detail for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "kernel-test")
                                                      .order_by(AuditEvent.id))]


def _record(detail: str, outcome: audit.Outcome = audit.Outcome.ALLOWED,
            action: audit.Action = audit.Action.UPDATE) -> None:
    audit.record(action, outcome=outcome, object_type="kernel-test", detail=detail)


# --- the unit of work ------------------------------------------------------------------------

def test_a_unit_commits_at_its_end_and_rolls_back_when_it_raises(app):
    with app.app_context():
        with uow.unit_of_work():
            db.session.add(Network(name="Netwerk Een", short_name="EEN"))
        with pytest.raises(RuntimeError), uow.unit_of_work():
            db.session.add(Network(name="Netwerk Twee", short_name="TWEE"))
            db.session.flush()
            raise RuntimeError("the command failed")
    assert _networks(app) == ["EEN"]


def test_a_unit_cannot_open_inside_an_open_one(app):
    with app.app_context(), uow.unit_of_work():
        with pytest.raises(RuntimeError), uow.unit_of_work():
            pass


def test_a_failed_service_call_leaves_nothing_of_itself_but_the_rest_stays(app):
    """attempt(): the savepoint's changes, its (non-durable) audit events and its reactions go;
    its compensations run; what came before it is committed with the unit."""
    done: list[str] = []
    with app.app_context():
        with uow.unit_of_work() as unit:
            db.session.add(Network(name="Netwerk Voor", short_name="VOOR"))
            _record("before")

            def work():
                db.session.add(Network(name="Netwerk Mis", short_name="MIS"))
                db.session.flush()
                _record("changed inside")
                _record("refused inside", audit.Outcome.DENIED)
                unit.after_commit(lambda: done.append("reaction"))
                uow.when_rolled_back(lambda: done.append("compensation"))
                raise RuleError("refused", "name")

            with pytest.raises(RuleError):
                uow.attempt(work)
            assert done == ["compensation"]
    assert _networks(app) == ["VOOR"]
    assert _details(app) == ["before", "refused inside"]
    assert done == ["compensation"]  # the reaction of the undone change never ran


def test_a_kept_service_call_keeps_its_events_reactions_and_compensation(app):
    done: list[str] = []
    with app.app_context():
        with pytest.raises(RuntimeError), uow.unit_of_work() as unit:
            def work():
                _record("kept")
                unit.after_commit(lambda: done.append("reaction"))
                uow.when_rolled_back(lambda: done.append("compensation"))

            uow.attempt(work)
            raise RuntimeError("the request failed later")  # the unit rolls back: compensate now
    assert done == ["compensation"]
    assert _details(app) == []  # an undone change is not audited


def test_reactions_run_after_the_commit_each_in_a_unit_of_its_own(app):
    seen: list[bool] = []
    with app.app_context():
        with uow.unit_of_work() as unit:
            db.session.add(Network(name="Netwerk Drie", short_name="DRIE"))
            unit.after_commit(lambda: (_ for _ in ()).throw(RuntimeError("a broken reaction")))
            unit.after_commit(lambda: seen.append(unit.committed))
    assert seen == [True]  # the broken reaction neither undid the change nor stopped the next one
    assert _networks(app) == ["DRIE"]


def test_a_stale_version_becomes_a_conflict(app):
    from sqlalchemy.orm.exc import StaleDataError

    with app.app_context(), uow.unit_of_work(), pytest.raises(Conflict):
        def work():
            raise StaleDataError("UPDATE matched 0 rows")

        uow.attempt(work)


def test_show_on_form_puts_each_message_in_its_place(app):
    from flask_wtf import FlaskForm
    from wtforms import StringField

    class Form(FlaskForm):
        name = StringField()

    with app.test_request_context():
        form = Form(meta={"csrf": False})
        show_on_form(form, RuleError.many({"name": "next to the field", "unknown": "above", None: "for the form"}))
        assert form.name.errors == ["next to the field"]
        assert form.form_errors == ["above", "for the form"]
        show_on_form(form, Conflict())
        assert len(form.form_errors) == 3


# --- domain events -------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class _Base(events.DomainEvent):
    note: str


@dataclass(frozen=True, kw_only=True)
class _Child(_Base):
    pass


def test_subscribers_follow_the_class_hierarchy_and_reactions_wait_for_the_commit(app):
    seen: list[str] = []

    @events.subscribe(_Base)
    def on_base(event):
        seen.append(f"base:{event.note}")

    @events.subscribe(_Child, after_commit=True)
    def later(event):
        seen.append(f"after:{event.note}")

    with app.app_context():
        with uow.unit_of_work():
            events.emit(_Child(note="one"))
            assert seen == ["base:one"]
        assert seen == ["base:one", "after:one"]
        events.emit(_Child(note="two"))  # no unit: the reaction runs at once
    assert seen[-2:] == ["base:two", "after:two"]


# --- the state-machine type -------------------------------------------------------------------------

class Light(StrEnum):
    OFF = "off"
    ON = "on"
    BROKEN = "broken"


@dataclass
class Lamp:
    state: str = "off"
    switched: int = 0
    fuse: bool = True


def _machine() -> StateMachine:
    def switched(step):
        step.subject.switched += 1

    def fuse(lamp):
        return None if lamp.fuse else "The fuse has blown."

    return StateMachine(
        states=Light,
        transitions=(
            Transition("on", "On", frozenset({Light.OFF}), Light.ON, lambda user, lamp: user == "owner", (fuse,),
                       on_enter=(switched,)),
            Transition("off", "Off", frozenset({Light.ON}), Light.OFF, lambda user, lamp: True),
            Transition("break", "Break", frozenset({Light.OFF, Light.ON}), Light.BROKEN, lambda user, lamp: True,
                       reason_required=True),
        ),
        state_of=lambda lamp: lamp.state, set_state=lambda lamp, state: setattr(lamp, "state", state.value),
        messages=Messages("not now", "not you", "why?", "reason"))


def test_the_machine_checks_state_actor_reason_and_guards_in_that_order():
    machine, lamp = _machine(), Lamp()
    with pytest.raises(RuleError, match="not now"):
        machine.apply(lamp, "owner", "off")
    with pytest.raises(RuleError, match="not you"):
        machine.apply(lamp, "guest", "on")
    with pytest.raises(RuleError) as refused:
        machine.apply(lamp, "owner", "break", reason="  ")
    assert refused.value.field == "reason"
    lamp.fuse = False
    options = {o.name: o.blocked_by for o in machine.available(lamp, "owner")}
    assert options == {"on": ["The fuse has blown."], "break": []}
    with pytest.raises(RuleError) as blocked:
        machine.apply(lamp, "owner", "on")
    assert blocked.value.reasons == ["The fuse has blown."]
    lamp.fuse = True
    step = machine.apply(lamp, "owner", "on")
    assert (lamp.state, lamp.switched, step.source, step.target) == ("on", 1, Light.OFF, Light.ON)
    assert machine.sources("break") == {Light.OFF, Light.ON} and machine.targets("on", "off") == {Light.ON, Light.OFF}


def test_a_question_to_confirm_comes_after_the_guards_and_is_asked_until_confirmed():
    """Transition.confirm: the page learns the question from available(); apply() refuses with it next to
    Messages.confirm_field unless confirmed; a failed guard is named first (nothing to confirm yet)."""
    switched = []

    def late(lamp):
        return "It is late. Switch it on anyway?" if lamp.fuse else None

    machine = StateMachine(
        states=Light,
        transitions=(Transition("on", "On", frozenset({Light.OFF}), Light.ON, lambda user, lamp: True,
                                (lambda lamp: None if lamp.switched < 9 else "Worn out.",),
                                on_enter=(lambda step: switched.append(step.name),), confirm=late,
                                confirm_label="Yes"),),
        state_of=lambda lamp: lamp.state, set_state=lambda lamp, state: setattr(lamp, "state", state.value),
        messages=Messages("not now", "not you", "why?", "reason", confirm_field="confirm"))
    lamp = Lamp()
    [option] = machine.available(lamp, "anyone")
    assert option.question == "It is late. Switch it on anyway?" and option.blocked is None
    with pytest.raises(RuleError) as asked:
        machine.apply(lamp, "anyone", "on")
    assert (asked.value.field, asked.value.message) == ("confirm", "It is late. Switch it on anyway?")
    assert lamp.state == "off" and switched == []
    lamp.switched = 9
    with pytest.raises(RuleError, match="Worn out."):
        machine.apply(lamp, "anyone", "on")
    lamp.switched, lamp.fuse = 0, False
    assert machine.available(lamp, "anyone")[0].question is None
    machine.apply(lamp, "anyone", "on")  # nothing to ask
    lamp.state, lamp.fuse = "off", True
    machine.apply(lamp, "anyone", "on", confirmed=True)
    assert lamp.state == "on" and switched == ["on", "on"]


def test_the_machine_refuses_a_table_with_an_unknown_state():
    with pytest.raises(ValueError):
        StateMachine(states=Light, transitions=(Transition("x", "X", frozenset({"gone"}), Light.ON,
                                                           lambda u, s: True),),
                     state_of=lambda s: s, set_state=lambda s, v: None, messages=Messages("", "", ""))


# --- the registry --------------------------------------------------------------------------------

def test_the_registry_refuses_a_capability_or_an_endpoint_twice():
    from flask import Flask

    registry = Registry()
    app = Flask(__name__)
    registry.install(app, Capability("one").blueprint(Blueprint("one", __name__)).expected_access({"one.x": "public"}))
    with pytest.raises(ValueError):
        registry.install(app, Capability("one"))
    registry.install(app, Capability("two").expected_access({"one.x": "public"}))
    with pytest.raises(ValueError):
        registry.expected_access()


def test_panels_and_cards_come_in_their_order():
    registry = Registry()
    from flask import Flask

    app = Flask(__name__)
    registry.install(app, Capability("a").case_panel("late", "a.html", lambda c, u: {}, order=20)
                     .start_card("card", "c.html", lambda u: {}, slot="alerts"))
    registry.install(app, Capability("b").case_panel("early", "b.html", lambda c, u: {}, order=10))
    assert [p.name for p in registry.panels("work")] == ["early", "late"]
    assert [c.name for c in registry.cards("alerts")] == ["card"] and registry.cards("cards") == []
