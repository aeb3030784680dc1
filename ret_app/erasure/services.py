"""Erasure requests, legal holds, retention, the destruction list and the purge.

- A request is recorded with its due date (received + 3 months, GDPR art. 12(3)) and decided: granted
  (the case is erased at once, by the one eraser) or refused with the legal ground and its reason. An open
  case or one on legal hold cannot be granted: close it first, or refuse with the legal ground.
- Retention: a closed case is kept until its closing day + the region's retention years (default 20,
  Jeugdwet 7.3.8), or a later day set for the case with a reason; `Case.retain_until` is stored when the
  case closes and when either changes.
- The destruction list: drafted (command or nightly job) from the closed cases past retention, not on hold
  and not erased; the privacy officer takes cases off with a reason and approves; only an approved list is
  purged, a transaction per case, so an interrupted purge finishes when run again.
Services flush, never commit (the purge commits per case: it is a command/job of its own)."""

from __future__ import annotations

from datetime import date
from typing import Optional

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from ret_app import policy
from ret_app.erasure import ledger
from ret_app.erasure.eraser import Erased, erase_case
from ret_app.erasure.events import (
    CaseErased, DestructionEntryRemoved, DestructionListApproved, DestructionListDone, DestructionListDrafted,
    ErasureDecided, ErasureRequested, HoldLifted, HoldPlaced, RetentionChanged,
)
from ret_app.extensions import db
from ret_app.kernel import dates, events, submissions, uow
from ret_app.kernel.errors import RuleError
from ret_app.models import (
    Case, CaseStatus, DestructionEntry, DestructionList, DestructionListStatus, ErasureRecord, ErasureRequest,
    ErasureStatus, LegalHold, RefusalGround, RegionNorms, User,
)
from ret_app.models.cases import DEFAULT_RETENTION_YEARS

DUE_MONTHS = 3
REQUESTER_KINDS = ("youth", "parent", "guardian", "other")
REASON_MAX = 2000


def _reason(text: Optional[str], field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise RuleError(_l("Give the reason."), field)
    if len(text) > REASON_MAX:
        raise RuleError(_l("At most %(n)s characters.", n=REASON_MAX), field)
    return text


def shown(object_type: str, object_id, case_id: Optional[int] = None) -> None:
    """A page of retention and erasure was read (audited: a case's retention page names the case)."""
    from ret_app import audit

    audit.record(audit.Action.READ, object_type=object_type, object_id=object_id, case_id=case_id)


# --- retention -------------------------------------------------------------------------------------

def retention_years(region_id: Optional[int]) -> int:
    norms = db.session.get(RegionNorms, region_id) if region_id is not None else None
    return norms.retention_years if norms and norms.retention_years is not None else DEFAULT_RETENTION_YEARS


def computed_retain_until(case: Case, years: Optional[int] = None) -> Optional[date]:
    if case.closed_at is None or case.status != CaseStatus.CLOSED:
        return None
    years = retention_years(case.region_id) if years is None else years
    until = dates.local_date(case.closed_at) + relativedelta(years=years)
    if case.retention_extended_until and case.retention_extended_until > until:
        until = case.retention_extended_until
    return until


def refresh_retention(case: Case, years: Optional[int] = None) -> bool:
    """Store the case's retain_until; True when it changed."""
    until = computed_retain_until(case, years)
    if until == case.retain_until:
        return False
    case.retain_until = until
    return True


def refresh_region(region_id: int) -> int:
    """Every closed case of the region gets its retain_until (the years changed, or it had none)."""
    years = retention_years(region_id)
    changed = 0
    for case in db.session.scalars(select(Case).where(Case.region_id == region_id,
                                                      Case.status == CaseStatus.CLOSED.value)):
        changed += refresh_retention(case, years)
    db.session.flush()
    return changed


def extend_retention(case: Case, actor: User, until: Optional[date], reason: str) -> None:
    """Keep the case longer than the region's years (a later day, with the reason); None: back to the
    region's years (also with a reason)."""
    reason = _reason(reason)
    if case.status != CaseStatus.CLOSED:
        raise RuleError(_l("Retention applies to a closed case."), "until")
    if until is not None and until <= dates.today():
        raise RuleError(_l("Give a day after today."), "until")
    case.retention_extended_until = until
    case.retention_reason = reason
    refresh_retention(case)
    db.session.flush()
    events.emit(RetentionChanged(actor=actor, object_id=case.id, case_id=case.id,
                                 detail=f"retain_until={case.retain_until};extended={until is not None}"))


@events.subscribe(events.DomainEvent)
def _on_case_closed(event) -> None:
    """A case that closes gets its retain_until (the lifecycle's step)."""
    target = getattr(event, "target", None)
    case = getattr(event, "case", None)
    if target == CaseStatus.CLOSED.value and isinstance(case, Case):
        refresh_retention(case)


# --- legal hold ------------------------------------------------------------------------------------

def active_hold(case_id: int) -> Optional[LegalHold]:
    return db.session.scalar(select(LegalHold).where(LegalHold.case_id == case_id, LegalHold.lifted_at.is_(None))
                             .order_by(LegalHold.id).limit(1))


def on_hold_clause():
    return exists(select(LegalHold.id).where(LegalHold.case_id == Case.id, LegalHold.lifted_at.is_(None)))


def place_hold(case: Case, actor: User, reason: str) -> LegalHold:
    reason = _reason(reason)
    if case.status == CaseStatus.ERASED:
        raise RuleError(_l("This case has been erased."), "reason")
    if active_hold(case.id) is not None:
        raise RuleError(_l("This case is already on legal hold."), "reason")
    hold = LegalHold(case_id=case.id, reason=reason, placed_by_id=actor.id, placed_at=dates.utcnow())
    db.session.add(hold)
    db.session.flush()
    events.emit(HoldPlaced(actor=actor, object_id=hold.id, case_id=case.id, detail="placed"))
    return hold


def lift_hold(hold: LegalHold, actor: User, reason: str) -> None:
    reason = _reason(reason)
    if hold.lifted_at is not None:
        raise RuleError(_l("This hold has been lifted already."), "reason")
    hold.lifted_reason, hold.lifted_by_id, hold.lifted_at = reason, actor.id, dates.utcnow()
    db.session.flush()
    events.emit(HoldLifted(actor=actor, object_id=hold.id, case_id=hold.case_id, detail="lifted"))


# --- erasure requests ------------------------------------------------------------------------------

def record_request(case: Case, actor: User, *, requester_kind: str, requester_name: str,
                   received_on: date, submission_key: Optional[str] = None) -> ErasureRequest:
    """An erasure request recorded; the same form sent twice (its `submission_key`) records one."""
    key = submissions.clean(submission_key)
    done = submissions.find(ErasureRequest, key, ErasureRequest.case_id == case.id)
    if done is not None:
        return done
    errors = {}
    if requester_kind not in REQUESTER_KINDS:
        errors["requester_kind"] = _l("Choose who asks.")
    if not (requester_name or "").strip():
        errors["requester_name"] = _l("Give the requester's name.")
    if received_on is None or received_on > dates.today():
        errors["received_on"] = _l("Give the day the request was received (not in the future).")
    if case.status == CaseStatus.ERASED:
        errors["requester_name"] = _l("This case has been erased.")
    if errors:
        raise RuleError.many(errors)
    request = ErasureRequest(case_id=case.id, region_id=case.region_id, requester_kind=requester_kind,
                             requester_name=requester_name.strip()[:200], received_on=received_on,
                             due_on=received_on + relativedelta(months=DUE_MONTHS), recorded_by_id=actor.id,
                             recorded_at=dates.utcnow(), submission_key=key)

    request, created = submissions.add_once(ErasureRequest, key, lambda: request, ErasureRequest.case_id == case.id)
    if not created:
        return request
    events.emit(ErasureRequested(actor=actor, object_id=request.id, case_id=case.id,
                                 detail=f"requester={requester_kind};due_on={request.due_on}"))
    return request


def refuse_request(request: ErasureRequest, actor: User, *, ground: str, reason: str) -> None:
    if request.status != ErasureStatus.RECEIVED:
        raise RuleError(_l("This request has been decided already."), "ground")
    errors = {}
    if ground not in set(RefusalGround):
        errors["ground"] = _l("Choose the legal ground.")
    if not (reason or "").strip():
        errors["reason"] = _l("Give the reason.")
    if errors:
        raise RuleError.many(errors)
    request.status, request.refusal_ground = ErasureStatus.REFUSED.value, ground
    request.refusal_reason = _reason(reason)
    request.decided_by_id, request.decided_at = actor.id, dates.utcnow()
    db.session.flush()
    events.emit(ErasureDecided(actor=actor, object_id=request.id, case_id=request.case_id,
                               detail=f"refused;ground={ground}"))


def grant_request(request: ErasureRequest, actor: User) -> ErasureRecord:
    """Grant and erase the case (in this transaction)."""
    if request.status != ErasureStatus.RECEIVED:
        raise RuleError(_l("This request has been decided already."), "decision")
    case = db.session.get(Case, request.case_id)
    if case.status != CaseStatus.CLOSED:
        raise RuleError(_l("The case is still open: close it first, or refuse the request with the legal "
                           "ground."), "decision")
    if active_hold(case.id) is not None:
        raise RuleError(_l("The case is on legal hold: lift the hold first, or refuse the request with the "
                           "legal ground."), "decision")
    request.status = ErasureStatus.GRANTED.value
    request.decided_by_id, request.decided_at = actor.id, dates.utcnow()
    db.session.flush()
    events.emit(ErasureDecided(actor=actor, object_id=request.id, case_id=request.case_id, detail="granted"))
    return _erase(case, actor, why="request", request_id=request.id)


def _erase(case: Case, actor: Optional[User], *, why: str, request_id: Optional[int] = None,
           list_id: Optional[int] = None, in_ledger: bool = True) -> ErasureRecord:
    reference, region_id, case_id = case.reference, case.region_id, case.id
    result: Erased = erase_case(case)
    record = ErasureRecord(case_id=case_id, reference=reference, region_id=region_id, why=why,
                           erasure_request_id=request_id, destruction_list_id=list_id,
                           erased_by_id=actor.id if actor else None, erased_at=dates.utcnow(),
                           summary=result.summary(), rows_removed=result.rows_removed,
                           files_removed=result.attachment_files + result.export_files)
    db.session.add(record)
    db.session.flush()
    events.emit(CaseErased(actor=actor, object_id=case_id, case_id=case_id,
                           detail=f"why={why};rows={result.rows_removed};files={record.files_removed}"))
    if in_ledger:
        ledger.note(case_id, reference, record.erased_at, why)
    return record


def reapply_ledger() -> int:
    """Erase again every case the erasure ledger names that is there and not erased (a restored backup
    brought it back): no actor, the system does it; the ledger has its line already. A transaction per
    case, like the purge; returns how many were erased."""
    erased = 0
    for entry in ledger.entries():
        with uow.unit_of_work():
            case = db.session.scalar(select(Case).where(Case.id == entry["case_id"],
                                                        Case.reference == entry["reference"]))
            if case is None or case.status == CaseStatus.ERASED.value:
                continue
            _erase(case, None, why=entry.get("why") or "request", in_ledger=False)
            erased += 1
    return erased


# --- the destruction list --------------------------------------------------------------------------

def _listed_clause():
    """The case is on a list still to be done (not taken off it)."""
    return exists(select(DestructionEntry.id).join(DestructionList).where(
        DestructionEntry.case_id == Case.id, DestructionEntry.removed_at.is_(None),
        DestructionEntry.erased_at.is_(None),
        DestructionList.status.in_([DestructionListStatus.DRAFT.value, DestructionListStatus.APPROVED.value])))


def expired_cases(region_id: int, today: Optional[date] = None, *, computed: bool = False) -> list[Case]:
    """Closed cases of the region past retention (retain_until before today), not on hold, not listed.
    `computed`: by the retain_until the case would get now (a dry run, which stores nothing)."""
    today = today or dates.today()
    stmt = select(Case).where(Case.region_id == region_id, Case.status == CaseStatus.CLOSED.value,
                              ~on_hold_clause(), ~_listed_clause())
    if not computed:
        stmt = stmt.where(Case.retain_until.is_not(None), Case.retain_until < today)
        return list(db.session.scalars(stmt.order_by(Case.retain_until, Case.id)))
    years = retention_years(region_id)
    found = []
    for case in db.session.scalars(stmt.order_by(Case.id)):
        until = computed_retain_until(case, years)
        if until is not None and until < today:
            found.append((until, case.id, case))
    return [case for _until, _id, case in sorted(found, key=lambda row: row[:2])]


def draft_list(region_id: int, actor: Optional[User] = None, today: Optional[date] = None,
               dry_run: bool = False) -> tuple[Optional[DestructionList], list[Case]]:
    """Draft the region's destruction list (or add to its open draft); nothing to add: no new list.
    With `dry_run`, only say which cases would be listed."""
    today = today or dates.today()
    if not dry_run:
        refresh_region(region_id)
    cases = expired_cases(region_id, today, computed=dry_run)
    if dry_run or not cases:
        return None, cases
    draft = db.session.scalar(select(DestructionList).where(
        DestructionList.region_id == region_id, DestructionList.status == DestructionListStatus.DRAFT.value)
        .order_by(DestructionList.id).limit(1))
    if draft is None:
        draft = DestructionList(region_id=region_id, drafted_on=today)
        db.session.add(draft)
    for case in cases:
        draft.entries.append(DestructionEntry(case_id=case.id, retain_until=case.retain_until))
    db.session.flush()
    events.emit(DestructionListDrafted(actor=actor, object_id=draft.id,
                                       detail=f"region={region_id};added={len(cases)}"))
    return draft, cases


def take_off(entry: DestructionEntry, actor: User, reason: str) -> None:
    reason = _reason(reason)
    if entry.destruction_list.status != DestructionListStatus.DRAFT:
        raise RuleError(_l("The list has been approved: nothing can be taken off it any more."), "reason")
    if entry.removed_at is not None:
        raise RuleError(_l("This case has been taken off the list already."), "reason")
    entry.removed_reason, entry.removed_by_id, entry.removed_at = reason, actor.id, dates.utcnow()
    db.session.flush()
    events.emit(DestructionEntryRemoved(actor=actor, object_id=entry.id, case_id=entry.case_id,
                                        detail=f"list={entry.list_id};taken_off"))


def approve(destruction_list: DestructionList, actor: User) -> None:
    if not policy.can_approve_destruction(actor, destruction_list.region_id):
        raise RuleError(_l("Only the region's privacy officer approves the destruction list."), "approve")
    if destruction_list.status != DestructionListStatus.DRAFT:
        raise RuleError(_l("This list has been approved already."), "approve")
    destruction_list.status = DestructionListStatus.APPROVED.value
    destruction_list.approved_by_id, destruction_list.approved_at = actor.id, dates.utcnow()
    db.session.flush()
    remaining = sum(1 for e in destruction_list.entries if e.removed_at is None)
    events.emit(DestructionListApproved(actor=actor, object_id=destruction_list.id,
                                        detail=f"approved;cases={remaining}"))


def purge_entry(entry: DestructionEntry, actor: Optional[User] = None) -> Optional[ErasureRecord]:
    """Erase one approved entry's case (in the current transaction). A case put on hold since, or no
    longer closed, is skipped (stays on the list, not erased)."""
    if entry.destruction_list.status != DestructionListStatus.APPROVED:
        raise RuleError(_l("Only an approved list is purged."), "approve")
    if entry.removed_at is not None or entry.erased_at is not None:
        return None
    case = db.session.get(Case, entry.case_id)
    if case.status != CaseStatus.CLOSED or active_hold(case.id) is not None:
        return None
    record = _erase(case, actor, why="retention", list_id=entry.list_id)
    entry.erased_at = record.erased_at
    db.session.flush()
    return record


def approved_entries(list_id: Optional[int] = None) -> list[tuple[int, int]]:
    """(list id, entry id) of every approved list's entries still to be purged."""
    stmt = (select(DestructionEntry.list_id, DestructionEntry.id).join(DestructionList)
            .where(DestructionList.status == DestructionListStatus.APPROVED.value,
                   DestructionEntry.removed_at.is_(None), DestructionEntry.erased_at.is_(None))
            .order_by(DestructionEntry.id))
    if list_id is not None:
        stmt = stmt.where(DestructionList.id == list_id)
    return [tuple(row) for row in db.session.execute(stmt)]


def finish_lists(actor: Optional[User] = None) -> int:
    """Approved lists with nothing left to purge are done."""
    done = 0
    for destruction_list in db.session.scalars(select(DestructionList).where(
            DestructionList.status == DestructionListStatus.APPROVED.value)):
        if all(e.removed_at is not None or e.erased_at is not None
               or _skipped(e) for e in destruction_list.entries):
            destruction_list.status = DestructionListStatus.DONE.value
            destruction_list.finished_at = dates.utcnow()
            events.emit(DestructionListDone(actor=actor, object_id=destruction_list.id, detail="done"))
            done += 1
    db.session.flush()
    return done


def _skipped(entry: DestructionEntry) -> bool:
    case = db.session.get(Case, entry.case_id)
    return case.status != CaseStatus.CLOSED or active_hold(case.id) is not None


def due_requests(region_id: int, limit: int = 5) -> list[ErasureRequest]:
    return list(db.session.scalars(select(ErasureRequest).where(
        ErasureRequest.region_id == region_id, ErasureRequest.status == ErasureStatus.RECEIVED.value)
        .order_by(ErasureRequest.due_on, ErasureRequest.id).limit(limit)))


def list_totals(list_id: int) -> dict[str, int]:
    """A destruction list's totals in one query: its cases, those destroyed, those taken off."""
    cases, destroyed, taken_off = db.session.execute(
        select(func.count(DestructionEntry.id), func.count(DestructionEntry.erased_at),
               func.count(DestructionEntry.removed_at)).where(DestructionEntry.list_id == list_id)).one()
    return {"cases": cases, "destroyed": destroyed, "taken_off": taken_off}


def awaiting_approval(region_id: int) -> int:
    """Cases on the region's draft destruction lists, not taken off: what waits for the privacy officer."""
    return db.session.scalar(
        select(func.count(DestructionEntry.id)).join(DestructionList, DestructionEntry.list_id == DestructionList.id)
        .where(DestructionList.region_id == region_id, DestructionList.status == "draft",
               DestructionEntry.removed_at.is_(None))) or 0
