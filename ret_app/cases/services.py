"""Case business rules beyond the lifecycle table: the chair's intake decision. Flush, never commit."""

from __future__ import annotations

from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ret_app.cases import lifecycle
from ret_app.cases.events import IntakeDecided
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.errors import RuleError
from ret_app.models import Case, CaseParticipant, CaseStatus, Organisation, ParticipantRole, Role, Track, Urgency, User


def process_director_candidates(case: Case) -> list[User]:
    """RET members and chairs of the case's region who can direct the process."""
    return list(db.session.scalars(
        select(User).join(User.organisation)
        .where(Organisation.region_id == case.region_id, Organisation.kind == "ret",
               User.role.in_([Role.CHAIR.value, Role.RET_MEMBER.value]), User.deactivated_at.is_(None))
        .order_by(User.name)))


def accept_into_track(case: Case, actor: User, *, track: str, urgency: str, process_director_id: int,
                      reason: str) -> None:
    """The chair's intake decision: track, urgency and process director, then on to screening
    (taking the case into intake first when it was only submitted)."""
    # Every objection at once, each next to its field (the missing consent for the whole form).
    errors: dict[Optional[str], Any] = {}
    if track not in {t.value for t in Track}:
        errors["track"] = _l("Choose a track.")
    if urgency not in {u.value for u in Urgency}:
        errors["urgency"] = _l("Choose an urgency.")
    director = db.session.get(User, process_director_id) if process_director_id else None
    if director is None or director not in process_director_candidates(case):
        errors["process_director_id"] = _l("The process director must be a RET member of this region.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _l("Give a reason.")
    no_consent = lifecycle.ret_consent(case)
    if no_consent:
        errors[None] = no_consent
    if errors:
        raise RuleError.many(errors)
    if case.status == CaseStatus.SUBMITTED:
        lifecycle.apply(case, actor, "start_intake")
    case.track = track
    case.urgency = urgency
    case.process_director_id = director.id
    if not any(p.user_id == director.id and p.removed_at is None for p in case.participants):
        case.participants.append(CaseParticipant(role=ParticipantRole.RET_MEMBER.value, user_id=director.id,
                                                 invited_by_id=actor.id))
    case.intake_decision_reason = reason
    events.emit(IntakeDecided(actor=actor, case=case, reason=reason))
    lifecycle.apply(case, actor, "accept", reason=reason)


def return_with_advice(case: Case, actor: User, advice: str) -> None:
    case.advice = (advice or "").strip()
    lifecycle.apply(case, actor, "return_with_advice", reason=advice)
