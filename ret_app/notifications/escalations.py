"""Escalations to the network that notify the RET: the network's side acting on an escalation (it
accepted, declined, started, answered or closed it; assigned a process director; sent advice or a
question) notifies those who watch it — the chairs of the case's region and its process director
(policy.watches_escalation) — and an escalation without an answer past its expected date notifies
them each day the watchdog job runs, once per expected date (a new date, set by the chair, notifies
again when it passes too). An escalation can never sit silently. The network's liaisons, for their
part, hear of an escalation sent to their network and of the RET's reply, reminder, new date or
withdrawal (while the network consent stands: policy.can_view_escalation).

Reactions after the commit, as reactions.py; the watchdog is a periodic job (capability.py)."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ret_app import policy
from ret_app.escalations.events import (
    EscalationDateMoved,
    EscalationDirectorAssigned,
    EscalationMessageAdded,
    EscalationReminded,
    EscalationStepTaken,
)
from ret_app.escalations.services import overdue_clause
from ret_app.extensions import db
from ret_app.kernel import dates, events
from ret_app.models import (
    Case, Escalation, EscalationMessage, EscalationStep, MessageKind, MessageSide, Organisation, Role, User,
)
from ret_app.escalations.labels import ESCALATION_STATUS_LABELS
from ret_app.notifications.kinds import register_about, register_kind
from ret_app.notifications.reactions import day, others_than, path
from ret_app.notifications.services import notify
from ret_app.notifications.watch import case_watchers

ESCALATION_OVERDUE = "escalation_overdue"
ESCALATION_NETWORK_ACTED = "escalation_network_acted"

register_kind(ESCALATION_OVERDUE, _l("Escalation to the network unanswered past its expected date"), "mail_now",
              order=35)
register_kind(ESCALATION_NETWORK_ACTED, _l("The network responded to an escalation"), "mail_now", order=36)
ESCALATION_TO_NETWORK = "escalation_to_network"
ESCALATION_RET_ACTED = "escalation_ret_acted"
register_kind(ESCALATION_TO_NETWORK, _l("An escalation to your network"), "mail_now", order=37)
register_kind(ESCALATION_RET_ACTED, _l("The RET responded on an escalation to your network"), "mail_now", order=38)



def _about(user: User, escalation_ids: list[int]) -> dict[int, str]:
    """What the list says of notifications about escalations: the case's reference, the network and
    the escalation's state now — only of those the user may still see (one query)."""
    rows = db.session.scalars(select(Escalation).where(Escalation.id.in_(escalation_ids),
                                                       policy.visible_escalations_clause(user))
                              .options(joinedload(Escalation.case), joinedload(Escalation.network)))
    return {e.id: f"{e.case.reference} · {e.network.short_name} · {ESCALATION_STATUS_LABELS[e.status]}" for e in rows}


register_about(r"^/(?:escalaties|netwerk/opschalingen)/(\d+)$", _about)

# The steps the network takes (the RET's own steps — send, withdraw — notify nobody on the RET side).
NETWORK_STEPS = frozenset({"accept", "decline", "start", "answer", "close"})


def _watchers(escalations: Iterable[Escalation]) -> dict[int, list[User]]:
    """Per escalation, who watches it: of its case's watchers (watch.case_watchers), those the policy
    says watch it."""
    escalations = list(escalations)
    people = case_watchers(e.case for e in escalations)
    return {e.id: [user for user in people[e.case.id] if policy.watches_escalation(user, e)] for e in escalations}


def _liaisons(escalation: Escalation) -> list[User]:
    """The liaisons of the escalation's network who may see it now."""
    people = db.session.scalars(
        select(User).join(User.organisation).options(joinedload(User.organisation))
        .where(User.role == Role.NETWORK_LIAISON.value, User.deactivated_at.is_(None),
               Organisation.network_id == escalation.network_id))
    return [user for user in people if policy.can_view_escalation(user, escalation)]


def _to_network(escalation_id: int, actor, kind: str, key: str) -> None:
    escalation = db.session.get(Escalation, escalation_id)
    if escalation is None:
        return
    notify(others_than((user.id for user in _liaisons(escalation)), actor), kind,
           path("escalations.network_page", escalation_id=escalation.id), key,
           subject_words=day(escalation.expected_answer_date) if escalation.expected_answer_date else None)


def _page(escalation: Escalation) -> str:
    return path("escalations.escalation_page", escalation_id=escalation.id)


def flag_overdue_escalations(today: Optional[date] = None) -> int:
    """The watchdog: notify the watchers of every escalation waiting for the network's answer past its
    expected date. Returns how many notifications were made now (0 when the job runs again)."""
    today = today or dates.today()
    late = list(db.session.scalars(
        select(Escalation).where(overdue_clause(today))
        .options(joinedload(Escalation.case).joinedload(Case.process_director)).order_by(Escalation.id)))
    watchers_of = _watchers(late)
    made = 0
    for escalation in late:
        watchers = watchers_of[escalation.id]
        key = f"escalation_overdue:{escalation.id}:{escalation.expected_answer_date.isoformat()}"
        made += len(notify([user.id for user in watchers], ESCALATION_OVERDUE, _page(escalation), key,
                           subject_words=day(escalation.expected_answer_date)))
    return made


def _network_acted(escalation_id: int, actor, key: str) -> None:
    escalation = db.session.get(Escalation, escalation_id)
    if escalation is None:
        return
    watchers = _watchers([escalation])[escalation.id]
    notify(others_than((user.id for user in watchers), actor), ESCALATION_NETWORK_ACTED, _page(escalation), key)


def _step(escalation_id: int, name: str, actor) -> None:
    key = f"escalation_step:{escalation_id}:{name}"
    if name in NETWORK_STEPS:
        _network_acted(escalation_id, actor, key)
    elif name == "send":
        _to_network(escalation_id, actor, ESCALATION_TO_NETWORK, key)
    elif name == "withdraw":
        _to_network(escalation_id, actor, ESCALATION_RET_ACTED, key)


def _message(escalation_id: int, message: EscalationMessage, actor) -> None:
    key = f"escalation_message:{message.id}"
    # The answer's text comes with the "answer" step, which notifies already.
    if message.side == MessageSide.NETWORK.value and message.kind != MessageKind.ANSWER.value:
        _network_acted(escalation_id, actor, key)
    elif message.side == MessageSide.RET.value:
        _to_network(escalation_id, actor, ESCALATION_RET_ACTED, key)


@events.subscribe(EscalationStepTaken, after_commit=True)
def network_step(event: EscalationStepTaken) -> None:
    _step(event.escalation.id, event.name, event.actor)


@events.subscribe(EscalationReminded, after_commit=True)
def ret_reminded(event: EscalationReminded) -> None:
    _to_network(event.escalation.id, event.actor, ESCALATION_RET_ACTED,
                f"escalation_reminder:{event.escalation.id}:{len(event.escalation.reminders)}")


@events.subscribe(EscalationDateMoved, after_commit=True)
def ret_moved_the_date(event: EscalationDateMoved) -> None:
    _to_network(event.escalation.id, event.actor, ESCALATION_RET_ACTED,
                f"escalation_date:{event.escalation.id}:{event.new.isoformat()}")


@events.subscribe(EscalationMessageAdded, after_commit=True)
def network_message(event: EscalationMessageAdded) -> None:
    _message(event.escalation.id, event.message, event.actor)


@events.subscribe(EscalationDirectorAssigned, after_commit=True)
def network_director(event: EscalationDirectorAssigned) -> None:
    # Each assignment (a change of director, too) is a fact of its own: the escalation's version names it.
    _network_acted(event.escalation.id, event.actor,
                   f"escalation_director:{event.escalation.id}:{event.escalation.version}")


def notify_history(escalation: Escalation) -> None:
    """Notify what the escalation's recorded steps and messages would have notified when they were
    taken: for escalations written without their events (the demo's), so that the liaisons and the
    RET's watchers find the exchange in their lists as if it had happened in the app."""
    happened = [(step.at, 0, step.id, step) for step in escalation.steps]
    happened += [(message.at, 1, message.id, message) for message in escalation.messages]
    for _at, _order, _id, item in sorted(happened, key=lambda row: row[:3]):
        if isinstance(item, EscalationStep):
            _step(escalation.id, item.name, item.actor)
        else:
            _message(escalation.id, item, item.author)
