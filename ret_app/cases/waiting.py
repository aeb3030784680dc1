"""Who holds a case's next due item (`Case.next_due_kind`, stored by norms.py): the case page and the
start pages say what a case waits on and on whom.

- the intake decision: the chair of the region;
- the screening, the first RET session and a plan review: the case's process director, or the chair
  while the case has none;
- a request's reply: the provider that was asked (named by the capability that owns the requests,
  through `register_holder_names`);
- an escalation's answer: the supra-regional network it was escalated to (named by the escalations).

Read from the case's own columns and its process director (loaded with the case by the lists:
`WITH_DIRECTOR`); `holders(cases)` names the providers of a whole list in one query per kind, so a
list of cases asks nothing more per row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ret_app.models import Case

CHAIR, DIRECTOR, PROVIDER, NETWORK = "chair", "process_director", "provider", "network"

# What is due -> who holds it ("process_director" falls back to the chair when the case has none).
HOLDER_OF_KIND = {
    "intake_decision": CHAIR,
    "screening": DIRECTOR,
    "first_session": DIRECTOR,
    "review": DIRECTOR,
    "request_reply": PROVIDER,
    "escalation_answer": NETWORK,
}

HOLDER_WORDS = {CHAIR: _l("the RET chair"), PROVIDER: _l("the provider asked"),
                NETWORK: _l("the supra-regional network")}

# Loaded with the cases of a list that shows who holds each (one query for all of them).
WITH_DIRECTOR = (joinedload(Case.process_director),)


# kind -> f(case ids) -> {case id: ((organisation id, ...), "name, name")}: who holds a kind that a
# capability owns (the commitments: the providers asked whose reply is due first).
HolderNames = Callable[[list[int]], dict[int, tuple[tuple[int, ...], str]]]
_NAMERS: dict[str, HolderNames] = {}


def register_holder_names(kind: str, batch: HolderNames) -> None:
    _NAMERS[kind] = batch


@dataclass(frozen=True)
class Holder:
    role: str
    name: Optional[str] = None  # the process director's or providers' name; None: the role's words
    user_id: Optional[int] = None  # the process director
    organisation_ids: tuple[int, ...] = ()  # the providers asked

    def is_held_by(self, user) -> bool:
        """Is it the viewer's own turn? (They may see the case, so a chair is the chair of its region.)"""
        if self.user_id is not None:
            return self.user_id == user.id
        if self.role == PROVIDER:
            return user.organisation_id in self.organisation_ids
        return self.role == CHAIR and user.role == CHAIR

    def __str__(self) -> str:
        return self.name or str(HOLDER_WORDS[self.role])


def holder(case: Case, named: Optional[tuple[tuple[int, ...], str]] = None) -> Optional[Holder]:
    """Who holds the case's next due item; None when nothing is due (or its kind is unknown).
    `named`: the providers a registered namer gave for this case (see `holders`)."""
    role = HOLDER_OF_KIND.get(case.next_due_kind or "")
    if role is None or case.next_deadline is None:
        return None
    if role == DIRECTOR:
        if case.process_director is None:
            return Holder(CHAIR)
        return Holder(DIRECTOR, case.process_director.name, case.process_director_id)
    if named is not None:
        return Holder(role, named[1], organisation_ids=named[0])
    return Holder(role)


def holders(cases: list[Case]) -> dict[int, Optional[Holder]]:
    """`holder` for each case of a list: one query per registered kind that occurs, whatever the
    number of cases."""
    by_kind: dict[str, list[int]] = {}
    for case in cases:
        if case.next_deadline is not None and case.next_due_kind in _NAMERS:
            by_kind.setdefault(case.next_due_kind, []).append(case.id)
    named: dict[int, tuple[tuple[int, ...], str]] = {}
    for kind, ids in by_kind.items():
        named.update(_NAMERS[kind](ids))
    return {case.id: holder(case, named.get(case.id)) for case in cases}
