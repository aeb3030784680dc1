"""Who holds a case's next due item (`Case.next_due_kind`, stored by norms.py): the case page and the
start pages say what a case waits on and on whom.

- the intake decision: the chair of the region;
- the screening, the first RET session and a plan review: the case's process director, or the chair
  while the case has none;
- a request's reply: the provider that was asked.

Read from the case's own columns and its process director (loaded with the case by the lists:
`WITH_DIRECTOR`), so a list of cases asks nothing more per row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ret_app.models import Case

CHAIR, DIRECTOR, PROVIDER = "chair", "process_director", "provider"

# What is due -> who holds it ("process_director" falls back to the chair when the case has none).
HOLDER_OF_KIND = {
    "intake_decision": CHAIR,
    "screening": DIRECTOR,
    "first_session": DIRECTOR,
    "review": DIRECTOR,
    "request_reply": PROVIDER,
}

HOLDER_WORDS = {CHAIR: _l("the RET chair"), PROVIDER: _l("the provider asked")}

# Loaded with the cases of a list that shows who holds each (one query for all of them).
WITH_DIRECTOR = (joinedload(Case.process_director),)


@dataclass(frozen=True)
class Holder:
    role: str
    name: Optional[str] = None  # the process director's name; None for a role ("the RET chair")
    user_id: Optional[int] = None  # the process director

    def is_held_by(self, user) -> bool:
        """Is it the viewer's own turn? (They may see the case, so a chair is the chair of its region.)"""
        if self.user_id is not None:
            return self.user_id == user.id
        return self.role == CHAIR and user.role == CHAIR

    def __str__(self) -> str:
        return self.name or str(HOLDER_WORDS[self.role])


def holder(case: Case) -> Optional[Holder]:
    """Who holds the case's next due item; None when nothing is due (or its kind is unknown)."""
    role = HOLDER_OF_KIND.get(case.next_due_kind or "")
    if role is None or case.next_deadline is None:
        return None
    if role == DIRECTOR:
        if case.process_director is None:
            return Holder(CHAIR)
        return Holder(DIRECTOR, case.process_director.name, case.process_director_id)
    return Holder(role)
