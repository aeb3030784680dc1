"""The integrated screening's business rules: opening it, contributions per life domain, the youth's
and family's views, the integrated analysis and advice, finalising, addenda.

Edits use optimistic locking twice over: the rows carry a version column (SQLAlchemy refuses an
UPDATE of an older version with StaleDataError), and each form carries the version and a per-field
fingerprint of what it was loaded with. A save based on an older version writes only the fields the
user changed; when someone else changed one of those fields too, nothing is written and
a Conflict names the fields (the route keeps the user's input and shows what is saved now).

A finalised screening is read-only; corrections are addenda. Services flush, never commit; every
write emits an event (audited with the case id and field names only, never the text). A refusal is a
RuleError; an edit that collides with someone else's is a Conflict whose detail (`EditConflict`) says
which fields, what is saved now and what the form should carry from now on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ret_app import policy
from ret_app.cases import lifecycle, norms
from ret_app.extensions import db
from ret_app.kernel import events, submissions
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.models import (
    Case,
    LifeDomain,
    Screening,
    ScreeningAddendum,
    ScreeningContribution,
    User,
)
from ret_app.screening import events as screening_events

DOMAINS = tuple(d.value for d in LifeDomain)
CONTRIBUTION_FIELDS = ("severity", "notes", "sources")
TEXT_PARTS = {"views": ("youth_view", "family_view"), "analysis": ("analysis", "advice")}
# The screening stage, and a paused case (the family asked for time): the screening can be written in.
WRITABLE_STATUSES = lifecycle.CASE.sources("start_process_direction") | lifecycle.CASE.sources("resume")

FINALISED = _l("The screening has been finalised and can no longer be changed. Add a correction or "
               "addition as an addendum.")


@dataclass
class EditConflict:
    """What a Conflict of an edit carries: someone else saved some of the fields this user changed,
    after the form was loaded."""

    fields: list[str]  # changed by both: the user's input is kept, the saved value shown
    current: dict  # what is saved now, per field
    refreshed: dict = field(default_factory=dict)  # changed by others only: the form takes the saved value
    version: str = ""  # what the form carries from now on, so that saving again overwrites knowingly
    loaded_state: str = ""



# --- reading ----------------------------------------------------------------------------------

# What the screening page shows of the screening, loaded with it (`get(case, *PAGE_LOADS)`): the
# contributions and addenda with their authors and organisations, one query each however many.
PAGE_LOADS = (
    selectinload(Screening.contributions).options(joinedload(ScreeningContribution.author),
                                                  joinedload(ScreeningContribution.organisation)),
    selectinload(Screening.addenda).joinedload(ScreeningAddendum.author).joinedload(User.organisation),
)


def get(case: Case, *load) -> Optional[Screening]:
    return db.session.scalar(select(Screening).where(Screening.case_id == case.id).options(*load))


def open_for(case: Case, user: User, *load) -> Optional[Screening]:
    """The case's screening; created on first open by the process director or chair."""
    screening = get(case, *load)
    if screening is not None or not policy.can_open_screening(user, case):
        return screening
    screening = Screening(case_id=case.id)
    try:
        with db.session.begin_nested():
            db.session.add(screening)
            db.session.flush()
    except IntegrityError:
        return get(case, *load)  # opened at the same moment by someone else: theirs is the one
    events.emit(screening_events.ScreeningStarted(actor=user, case=case, object_id=screening.id))
    return screening


def is_writable(case: Case, screening: Optional[Screening]) -> bool:
    return screening is not None and screening.finalised_at is None and case.status in WRITABLE_STATUSES


def read_only_reason(case: Case, screening: Optional[Screening]):
    if screening is None:
        return _l("The screening has not been started yet.")
    if screening.finalised_at is not None:
        return FINALISED
    if case.status not in WRITABLE_STATUSES:
        return _l("The case is no longer in the screening stage; the screening can no longer be changed.")
    return None


def contributions_by_domain(screening: Optional[Screening]) -> dict[str, list[ScreeningContribution]]:
    out: dict[str, list[ScreeningContribution]] = {d: [] for d in DOMAINS}
    if screening is not None:
        for c in screening.contributions:
            out.setdefault(c.domain, []).append(c)
    return out


def own_contribution(screening: Optional[Screening], user: User, domain: str) -> Optional[ScreeningContribution]:
    if screening is None:
        return None
    return next((c for c in screening.contributions if c.author_id == user.id and c.domain == domain), None)


def highest_severity(contributions: list[ScreeningContribution]) -> Optional[int]:
    return max((c.severity for c in contributions), default=None)


# --- optimistic locking ---------------------------------------------------------------------------

def _digest(value: Any) -> str:
    return hashlib.sha256(("" if value is None else str(value)).encode()).hexdigest()[:16]


def fingerprint(values: dict) -> str:
    """What a form was loaded from, per field, without repeating the text itself."""
    return json.dumps({name: _digest(value) for name, value in values.items()}, separators=(",", ":"),
                      sort_keys=True)


def contribution_values(contribution: Optional[ScreeningContribution]) -> dict:
    if contribution is None:
        return {"severity": "", "notes": "", "sources": ""}
    return {"severity": str(contribution.severity), "notes": contribution.notes or "",
            "sources": contribution.sources or ""}


def text_values(screening: Screening, part: str) -> dict:
    return {name: getattr(screening, name) or "" for name in TEXT_PARTS[part]}


def version_of(row) -> str:
    return "" if row is None else str(row.version)


def plan(current: dict, current_version: str, submitted: dict, loaded_version: Optional[str],
         loaded_state: Optional[str]) -> list[str]:
    """The fields to write. A Conflict (detail: EditConflict) when someone else changed a field this user
    changed."""
    names = list(current)
    now = {name: _digest(current[name]) for name in names}
    sent = {name: _digest(submitted.get(name, "")) for name in names}
    try:
        loaded = json.loads(loaded_state or "")
    except ValueError:
        loaded = None
    if not isinstance(loaded, dict) or set(loaded) != set(names):
        if (loaded_version or "") == current_version:
            loaded = now  # same version: nothing changed since the form was loaded
        else:
            # Unknown starting point: every difference from what is saved is a conflict.
            differ = [n for n in names if sent[n] != now[n]]
            if differ:
                raise Conflict(detail=EditConflict(differ, dict(current), {}, current_version, fingerprint(current)))
            return []
    mine = [n for n in names if sent[n] != loaded[n]]
    others = [] if (loaded_version or "") == current_version else [n for n in names if loaded[n] != now[n]]
    both = [n for n in mine if n in others and sent[n] != now[n]]
    if both:
        refreshed = {n: current[n] for n in others if n not in mine}
        raise Conflict(detail=EditConflict(both, dict(current), refreshed, current_version, fingerprint(current)))
    return [n for n in mine if sent[n] != now[n]]


# --- writing --------------------------------------------------------------------------------------

def _require_writable(case: Case, screening: Optional[Screening]) -> Screening:
    reason = read_only_reason(case, screening)
    if reason is not None:
        raise RuleError(reason)
    assert screening is not None
    return screening


def save_contribution(case: Case, screening: Optional[Screening], actor: User, domain: str, submitted: dict,
                      loaded_version: Optional[str], loaded_state: Optional[str]) -> str:
    """Create, change or (all fields emptied) delete the actor's contribution to one life domain.
    Returns "created", "updated", "deleted" or "unchanged"."""
    if domain not in DOMAINS:
        raise RuleError(_l("Unknown life domain."))
    screening = _require_writable(case, screening)
    if not policy.can_contribute_to_screening(actor, case):
        raise RuleError(_l("Only participants of this case contribute to the screening."))
    contribution = own_contribution(screening, actor, domain)
    changed = plan(contribution_values(contribution), version_of(contribution), submitted, loaded_version,
                   loaded_state)
    values = {**contribution_values(contribution), **{n: submitted.get(n, "") for n in changed}}
    if not changed:
        return "unchanged"
    if contribution is not None and not any(values.values()):
        contribution_id = contribution.id
        db.session.delete(contribution)
        db.session.flush()
        db.session.expire(screening, ["contributions"])
        events.emit(screening_events.ContributionRemoved(actor=actor, case=case, object_id=contribution_id,
                                                         domain=domain))
        return "deleted"
    if values["severity"] == "":
        # The form requires a severity with notes or sources; a direct call must too.
        raise RuleError(_l("Choose a severity: notes and sources belong to a severity."), "severity")
    severity = int(values["severity"])
    if contribution is None:
        contribution = ScreeningContribution(screening_id=screening.id, author_id=actor.id,
                                             organisation_id=actor.organisation_id, domain=domain,
                                             severity=severity, notes=values["notes"], sources=values["sources"])
        db.session.add(contribution)
        outcome, event_type = "created", screening_events.ContributionCreated
    else:
        contribution.severity = severity
        contribution.notes = values["notes"]
        contribution.sources = values["sources"]
        outcome, event_type = "updated", screening_events.ContributionChanged
    db.session.flush()
    db.session.expire(screening, ["contributions"])
    events.emit(event_type(actor=actor, case=case, object_id=contribution.id, domain=domain, fields=tuple(changed)))
    return outcome


def save_texts(case: Case, screening: Optional[Screening], actor: User, part: str, submitted: dict,
               loaded_version: Optional[str], loaded_state: Optional[str]) -> list[str]:
    """The process director's texts (`part`: "views" or "analysis"). Returns the changed field names."""
    if part not in TEXT_PARTS:
        raise RuleError(_l("Unknown part of the screening."))
    screening = _require_writable(case, screening)
    if not policy.can_write_screening_texts(actor, case):
        raise RuleError(_l("Only the process director writes this part of the screening."))
    changed = plan(text_values(screening, part), version_of(screening), submitted, loaded_version, loaded_state)
    if not changed:
        return []
    for name in changed:
        setattr(screening, name, submitted.get(name, ""))
    db.session.flush()
    events.emit(screening_events.ScreeningTextsSaved(actor=actor, case=case, object_id=screening.id,
                                                     fields=tuple(changed)))
    return changed


def finalise_problems(screening: Screening) -> dict[str, Any]:
    """Per field, what must be done before the screening can be finalised."""
    problems: dict[str, Any] = {}
    if not (screening.analysis or "").strip():
        problems["analysis"] = _l("Write the integrated analysis before finalising the screening.")
    if not (screening.advice or "").strip():
        problems["advice"] = _l("Write the advice before finalising the screening.")
    return problems


def finalise(case: Case, screening: Optional[Screening], actor: User, loaded_version: Optional[str]) -> None:
    """Finalise the screening: read-only from now on. Refused (RuleError) while the analysis or the
    advice is missing (each next to its field), or when it changed after the page was loaded."""
    screening = _require_writable(case, screening)
    if not policy.can_write_screening_texts(actor, case):
        raise RuleError(_l("Only the process director can finalise the screening."))
    if (loaded_version or "") != version_of(screening):
        raise RuleError(_l("The screening was changed after you opened this page. Check what is saved now "
                           "and finalise again."))
    problems = finalise_problems(screening)
    if problems:
        raise RuleError.many({None: _l("The screening cannot be finalised yet."), **problems})
    screening.finalised_at = utcnow()
    screening.finalised_by_id = actor.id
    db.session.flush()
    events.emit(screening_events.ScreeningFinalised(actor=actor, case=case, object_id=screening.id))
    norms.refresh_deadline(case)  # the screening clock stops


def add_addendum(case: Case, screening: Optional[Screening], actor: User, text: str,
                 submission_key: Optional[str] = None) -> ScreeningAddendum:
    """An addendum to a finalised screening; the same form sent twice (its `submission_key`) adds one."""
    key = submissions.clean(submission_key)
    if screening is not None:
        done = submissions.find(ScreeningAddendum, key, ScreeningAddendum.screening_id == screening.id)
        if done is not None:
            return done
    if screening is None or screening.finalised_at is None:
        raise RuleError(_l("Addenda are for a finalised screening; until then, change the screening itself."))
    if not policy.can_contribute_to_screening(actor, case):
        raise RuleError(_l("Only participants of this case add to the screening."))
    text = (text or "").strip()
    if not text:
        raise RuleError(_l("This field is required."), "text")
    addendum = ScreeningAddendum(screening_id=screening.id, author_id=actor.id, text=text, at=utcnow(),
                                 submission_key=key)

    addendum, created = submissions.add_once(ScreeningAddendum, key, lambda: addendum,
                                                ScreeningAddendum.screening_id == screening.id)
    if not created:
        return addendum
    db.session.expire(screening, ["addenda"])
    events.emit(screening_events.ScreeningAddendumAdded(actor=actor, case=case, object_id=addendum.id))
    return addendum
