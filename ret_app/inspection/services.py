"""The rules of inspection and correction requests: recording, checking the right (rights.py through the
lifecycle), withholding parts, handing over; recording and deciding a correction, whose granted part is
an addendum to the part it concerns (never an overwrite). Flush, never commit; one event per change."""

from __future__ import annotations

from datetime import date
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.inspection import sections
from ret_app.inspection.events import (
    AddendumAdded,
    CorrectionDecided,
    CorrectionRecorded,
    InspectionChecked,
    InspectionHandedOver,
    InspectionRecorded,
    InspectionWithheldChanged,
)
from ret_app.inspection.lifecycle import INSPECTION
from ret_app.kernel import dates, events, submissions
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.models import (
    Case,
    CaseAddendum,
    CorrectionDecision,
    CorrectionRequest,
    FamilyMember,
    InspectionRequest,
    InspectionStatus,
    RequesterKind,
    User,
    WithheldPart,
)

MAX_NAME = 200
MAX_REASON = 300
MAX_TEXT = 4000
MEMBER_KINDS = frozenset({RequesterKind.PARENT.value, RequesterKind.GUARDIAN.value})

NAME_NEEDED = _l("Fill in who asks (the name of the requester).")
MEMBER_NEEDED = _l("Choose the parent or guardian from the family system.")
FUTURE = _l("The date a request was received cannot lie in the future.")
REASON_NEEDED = _l("Give the reason this part is withheld (it is shown in its place).")
UNKNOWN_SECTION = _l("Choose a part of the file from the list.")
NOT_CHECKED = _l("The copy is made once the right has been checked and stands.")
DECIDED = _l("This correction request has already been decided.")
ADDENDUM_NEEDED = _l("Write the addendum: what is corrected or added (the part itself is not changed).")
REFUSAL_REASON_NEEDED = _l("Give the reason of the decision.")


def record_inspection(case: Case, actor: User, *, kind: str, member: Optional[FamilyMember], name: str,
                      received_on: date, youth_objects: bool,
                      submission_key: Optional[str] = None) -> InspectionRequest:
    """An inspection request recorded; the same form sent twice (its `submission_key`) records one."""
    key = submissions.clean(submission_key)
    done = submissions.find(InspectionRequest, key, InspectionRequest.case_id == case.id)
    if done is not None:
        return done
    errors = {}
    if kind in MEMBER_KINDS and (member is None or member.case_id != case.id):
        errors["family_member"] = MEMBER_NEEDED
    if kind == RequesterKind.OTHER and not (name or "").strip():
        errors["requester_name"] = NAME_NEEDED  # the youth's name is the case's
    if received_on is not None and received_on > dates.today():
        errors["received_on"] = FUTURE
    if errors:
        raise RuleError.many(errors)
    if kind not in MEMBER_KINDS:
        member = None
    if kind == RequesterKind.YOUTH:
        name = name or f"{case.youth_first_name} {case.youth_last_name}".strip()
    request, created = submissions.add_once(InspectionRequest, key, lambda: InspectionRequest(
        case=case, requester_kind=kind, family_member=member,
        requester_name=(member.name if member is not None else name.strip())[:MAX_NAME], received_on=received_on,
        youth_objects=bool(youth_objects), status=InspectionStatus.RECEIVED.value, recorded_by_id=actor.id,
        submission_key=key), InspectionRequest.case_id == case.id)
    if not created:
        return request
    events.emit(InspectionRecorded(actor=actor, case=case, request=request))
    return request


def check(request: InspectionRequest, actor: User) -> InspectionRequest:
    INSPECTION.apply(request, actor, "check")
    db.session.flush()
    events.emit(InspectionChecked(actor=actor, case=request.case, request=request))
    return request


def set_withheld(request: InspectionRequest, actor: User, parts: dict[str, str]) -> InspectionRequest:
    """The parts withheld from the copy (section code -> reason); every chosen part needs its reason."""
    if request.status != InspectionStatus.CHECKED:
        raise RuleError(NOT_CHECKED)
    known = set(sections.codes())
    errors = {}
    for code, reason in parts.items():
        if code not in known:
            errors["withheld"] = UNKNOWN_SECTION
        elif not (reason or "").strip():
            errors[f"reason_{code}"] = REASON_NEEDED
    if errors:
        raise RuleError.many(errors)
    request.withheld.clear()
    db.session.flush()
    for code in sections.codes():
        if code in parts:
            request.withheld.append(WithheldPart(section=code, reason=parts[code].strip()[:MAX_REASON]))
    db.session.flush()
    events.emit(InspectionWithheldChanged(actor=actor, case=request.case, request=request))
    return request


def hand_over(request: InspectionRequest, actor: User) -> InspectionRequest:
    INSPECTION.apply(request, actor, "hand_over")
    db.session.flush()
    events.emit(InspectionHandedOver(actor=actor, case=request.case, request=request))
    return request


def record_correction(case: Case, actor: User, *, kind: str, name: str, received_on: date, section: str,
                      asked: str, submission_key: Optional[str] = None) -> CorrectionRequest:
    """A correction request recorded; the same form sent twice (its `submission_key`) records one."""
    key = submissions.clean(submission_key)
    done = submissions.find(CorrectionRequest, key, CorrectionRequest.case_id == case.id)
    if done is not None:
        return done
    errors = {}
    if not (name or "").strip():
        errors["requester_name"] = NAME_NEEDED
    if received_on is not None and received_on > dates.today():
        errors["received_on"] = FUTURE
    if section not in sections.codes():
        errors["section"] = UNKNOWN_SECTION
    if errors:
        raise RuleError.many(errors)
    correction, created = submissions.add_once(CorrectionRequest, key, lambda: CorrectionRequest(
        case=case, requester_kind=kind, requester_name=name.strip()[:MAX_NAME], received_on=received_on,
        section=section, asked=asked.strip()[:MAX_TEXT], recorded_by_id=actor.id, submission_key=key),
        CorrectionRequest.case_id == case.id)
    if not created:
        return correction
    events.emit(CorrectionRecorded(actor=actor, case=case, correction=correction))
    return correction


def decide_correction(correction: CorrectionRequest, actor: User, *, decision: str, reason: str,
                      addendum: str) -> CorrectionRequest:
    """Granted or partly granted: the correction is an addendum to its part (required); refused or partly:
    the reason is required."""
    if correction.decision is not None:
        raise RuleError(DECIDED)
    errors = {}
    adds = decision in (CorrectionDecision.GRANTED, CorrectionDecision.PARTLY)
    if adds and not (addendum or "").strip():
        errors["addendum"] = ADDENDUM_NEEDED
    if decision != CorrectionDecision.GRANTED and not (reason or "").strip():
        errors["reason"] = REFUSAL_REASON_NEEDED
    if errors:
        raise RuleError.many(errors)
    correction.decision = decision
    correction.decision_reason = (reason or "").strip()[:MAX_TEXT] or None
    correction.decided_by_id = actor.id
    correction.decided_at = utcnow()
    db.session.flush()
    events.emit(CorrectionDecided(actor=actor, case=correction.case, correction=correction))
    if adds:
        added = CaseAddendum(case_id=correction.case_id, section=correction.section,
                             text=addendum.strip()[:MAX_TEXT], made_by_id=actor.id,
                             correction_request_id=correction.id)
        db.session.add(added)
        db.session.flush()
        events.emit(AddendumAdded(actor=actor, case=correction.case, addendum=added))
    return correction


def addenda_of(case_id: int) -> dict[str, list[CaseAddendum]]:
    """The case's addenda by section code, oldest first (one query)."""
    out: dict[str, list[CaseAddendum]] = {}
    for a in db.session.scalars(select(CaseAddendum).where(CaseAddendum.case_id == case_id)
                                .order_by(CaseAddendum.made_at, CaseAddendum.id)):
        out.setdefault(a.section, []).append(a)
    return out
