"""The state-machine type: a lifecycle as data.

A `Transition` names its sources and target, who may take it (`actor(user, subject)`), the guards
that must hold (each returns why not, or None), whether a reason is required, a question the user
must confirm first in some situations (`confirm`, e.g. starting a session before its day), the
sentence the page shows afterwards, and its side effects (`on_enter` hooks). The page asks
`available()` which steps to offer, what blocks them and what to ask; services call `apply()`, which
checks the same things in the same order (state, actor, reason, guards, confirmation) and refuses
with one RuleError. Sets of states ("the states a
case can be paused in") are derived from the transitions (`sources`, `targets`), never spelled out.

The case lifecycle, the RET-session lifecycle and every later one (requests, escalations, signals)
are instances of this one type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from ret_app.kernel import dates
from ret_app.kernel.errors import RuleError

Guard = Callable[[Any], Optional[Any]]  # subject -> why not (a message), or None
Actor = Callable[[Any, Any], bool]  # (user, subject) -> may this user take the step?


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset
    # The state it leads to; a callable(subject) decides it at the moment (e.g. "back to where the
    # case was before the pause").
    target: Any
    actor: Actor
    guards: tuple[Guard, ...] = ()
    reason_required: bool = False
    done: Any = ""  # what the page says after the step
    on_enter: tuple[Callable[["Step"], None], ...] = ()  # this step's side effects
    # subject -> a question the user must confirm before the step is taken now (None: nothing to ask),
    # and the label of the box that confirms it.
    confirm: Optional[Callable[[Any], Optional[Any]]] = None
    confirm_label: Any = ""

    @property
    def reason_optional(self) -> bool:
        return not self.reason_required


@dataclass
class Step:
    """One transition being taken: what the hooks get."""

    transition: Transition
    subject: Any
    actor: Any
    source: Any
    target: Any
    reason: str
    now: datetime = field(default_factory=dates.utcnow)
    today: date = field(default_factory=dates.today)
    result: Any = None  # what the hooks want `apply` to hand back (e.g. the history record)

    @property
    def name(self) -> str:
        return self.transition.name


@dataclass(frozen=True)
class Option:
    """A step the page may offer: `blocked_by` lists why it cannot be taken yet (empty: it can)."""

    transition: Transition
    blocked_by: list
    question: Optional[Any] = None  # what the user must confirm to take it now (Transition.confirm)

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def label(self) -> Any:
        return self.transition.label

    @property
    def blocked(self) -> Optional[Any]:
        """The first reason it is blocked, or None."""
        return self.blocked_by[0] if self.blocked_by else None


@dataclass(frozen=True)
class Messages:
    not_possible: Any
    not_allowed: Any
    reason_needed: Any
    reason_field: Optional[str] = None  # the form field the reason message belongs next to
    confirm_field: Optional[str] = None  # the form field that confirms a Transition.confirm question


class StateMachine:
    def __init__(self, *, states: type[Enum], transitions: Sequence[Transition],
                 state_of: Callable[[Any], Any], set_state: Callable[[Any, Any], None], messages: Messages,
                 on_enter: Optional[Mapping[Any, Sequence[Callable[[Step], None]]]] = None,
                 after: Sequence[Callable[[Step], None]] = ()):
        self.states = states
        self.transitions = tuple(transitions)
        self.by_name = {t.name: t for t in self.transitions}
        if len(self.by_name) != len(self.transitions):
            raise ValueError("transition names must be unique")
        for transition in self.transitions:
            unknown = [s for s in transition.sources if s not in set(states)]
            if unknown or (not callable(transition.target) and transition.target not in set(states)):
                raise ValueError(f"transition {transition.name} names an unknown state")
        self._state_of = state_of
        self._set_state = set_state
        self.messages = messages
        self._on_enter = {state: tuple(hooks) for state, hooks in (on_enter or {}).items()}
        self._after = tuple(after)

    # --- derived sets ---------------------------------------------------------------------------

    def sources(self, *names: str) -> frozenset:
        """The states from which any of these transitions can be taken."""
        return frozenset().union(*(self.by_name[name].sources for name in names))

    def targets(self, *names: str) -> frozenset:
        """The fixed targets of these transitions."""
        return frozenset(self.by_name[n].target for n in names if not callable(self.by_name[n].target))

    def state(self, subject: Any) -> Any:
        return self.states(self._state_of(subject))

    # --- asking and taking ------------------------------------------------------------------------

    def guard_failures(self, subject: Any, transition: Transition) -> list:
        return [reason for guard in transition.guards if (reason := guard(subject)) is not None]

    def question(self, subject: Any, transition: Transition) -> Optional[Any]:
        """What the user must confirm before taking this step now, or None."""
        return transition.confirm(subject) if transition.confirm is not None else None

    def available(self, subject: Any, user: Any) -> list[Option]:
        """The steps this user may take from the subject's state, each with what blocks it and what
        must be confirmed first."""
        state = self.state(subject)
        return [Option(t, self.guard_failures(subject, t), self.question(subject, t)) for t in self.transitions
                if state in t.sources and t.actor(user, subject)]

    def apply(self, subject: Any, user: Any, name: str, *, reason: Optional[str] = None,
              today: Optional[date] = None, confirmed: bool = False) -> Step:
        """Take the step or refuse it (RuleError, listing every failed guard in `reasons`). A step
        with a question to confirm (`Transition.confirm`) is refused with that question, next to
        `Messages.confirm_field`, unless `confirmed`."""
        transition = self.by_name.get(name)
        source = self.state(subject)
        if transition is None or source not in transition.sources:
            raise RuleError(self.messages.not_possible)
        if not transition.actor(user, subject):
            raise RuleError(self.messages.not_allowed)
        reason = (reason or "").strip()
        # A missing reason and the failed guards are reported together, not one at a time.
        problems = [self.messages.reason_needed] if transition.reason_required and not reason else []
        failures = self.guard_failures(subject, transition)
        if problems and failures:
            field = self.messages.reason_field
            errors = {field: problems[0]} if field else {}
            errors.setdefault(None, failures[0])
            raise RuleError.many(errors, reasons=problems + failures)
        if problems:
            raise RuleError(self.messages.reason_needed, self.messages.reason_field)
        if failures:
            raise RuleError(failures[0], reasons=failures)
        if not confirmed and (question := self.question(subject, transition)) is not None:
            raise RuleError(question, self.messages.confirm_field)
        target = transition.target(subject) if callable(transition.target) else transition.target
        step = Step(transition, subject, user, source, self.states(target), reason)
        if today is not None:
            step.today = today
        for hook in transition.on_enter + self._on_enter.get(step.target, ()):
            hook(step)
        self._set_state(subject, step.target)
        for hook in self._after:
            hook(step)
        return step

    def names(self) -> Iterable[str]:
        return self.by_name.keys()
