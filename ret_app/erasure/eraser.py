"""The one eraser: removes a case's personal data and documents, in the caller's transaction (one per
case: the purge commits after each case; a request commits with its decision).

Which tables hold something of the case is read from the models' foreign keys, never listed by hand:
every table with a foreign key to the case, and, recursively, to those tables (not through users,
organisations, regions or municipalities). A row of such a table is deleted, unless its table is in
KEEP: then the row stays with every String/Text column emptied except the codes KEEP names (the
anonymous outcome counts, the signals' evidence, the records of the erasure itself). A new table that
hangs off a case is therefore deleted with it, or kept only by adding it to KEEP (a test lists KEEP's
columns). The case row stays as a minimal record: region, municipality, submitting organisation, codes,
the months of its dates (the day set to the 1st), status `erased`, `erased_at`; no name, BSN, birth date
or free text. Attachment files are removed from the store after the commit; the files of export jobs
that concern the case (their params name it) and the stored PDFs of the minutes of the sessions it was
discussed in are removed with the transaction. The audit trail stays
(its details hold codes and ids only, so the hash chain verifies as before). Texts outside the case that
may name its people (the chair's responses to a signal the case is evidence of) are scrubbed of the case's
known identifiers and of patterns (_scrub_mentions).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.kernel import uow
from ret_app.kernel.dates import utcnow
from ret_app.models import Attachment, Base, Case, CaseStatus, ExportJob

log = logging.getLogger(__name__)

CASE_TABLE = "ret_case"
# A foreign key to one of these does not make a table part of a case.
NOT_THROUGH = {"user_account", "organisation", "region", "municipality", "network", "gap_category",
               "gap_signal", "meeting", "mandate"}
# Tables whose rows stay (emptied of free text): the codes and numbers the anonymous counts and the
# signals read, the re-referral links (ids and codes: the share referred again stays), and the records
# of requests, holds and the destruction list. Per table the String/Text columns that stay (codes).
KEEP: dict[str, set[str]] = {
    "case_outcome": {"result", "placement_result"},
    "outcome_gap": {"care_type"},
    "outcome_help": {"care_type"},
    "signal_evidence": {"kind", "detail"},
    "case_link": {"basis", "status"},
    "erasure_request": {"requester_kind", "status", "refusal_ground"},
    "legal_hold": set(),
    "destruction_entry": set(),
    "erasure_record": {"reference", "why", "summary"},
}
# The case row: the String/Text columns that stay (codes and the generated reference).
CASE_KEEP = {"reference", "status", "status_before_pause", "track", "urgency", "next_due_kind"}
# Dates of the case kept as their month only.
CASE_MONTHS = ("submitted_at", "intake_at", "closed_at", "outcome_recorded_at", "fitting_help_started_on")
# Export params that name a case.
EXPORT_CASE_KEYS = ("case_id", "case_ids")


def case_tables() -> list[sa.Table]:
    """Every table that hangs off a case through foreign keys, parents before children."""
    tables = Base.metadata.tables
    linked = {CASE_TABLE}
    changed = True
    while changed:
        changed = False
        for table in tables.values():
            if table.name not in linked and any(
                    fk.column.table.name in linked and fk.column.table.name not in NOT_THROUGH
                    for fk in table.foreign_keys):
                linked.add(table.name)
                changed = True
    return [t for t in Base.metadata.sorted_tables if t.name in linked and t.name != CASE_TABLE]


def text_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text)) and not c.primary_key
            and not c.foreign_keys]


def _empty(column: sa.Column):
    return None if column.nullable else ""


@dataclass
class Erased:
    case_id: int
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows deleted or emptied
    attachment_files: int = 0
    export_files: int = 0

    @property
    def rows_removed(self) -> int:
        return sum(self.rows.values())

    def summary(self) -> str:
        parts = [f"{name}={count}" for name, count in sorted(self.rows.items()) if count]
        parts += [f"attachment_files={self.attachment_files}", f"export_files={self.export_files}"]
        return ";".join(parts)


def _month(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    return date(value.year, value.month, 1)


def erase_case(case: Case, *, keep: Optional[set[str]] = None) -> Erased:
    """Remove the case's personal data and documents (see the module docstring) in the current
    transaction; flushes, never commits. `keep`: tables (of KEEP's kind) not to touch, e.g. the
    request being granted (its status is set by the caller)."""
    keep = keep or set()
    result = Erased(case_id=case.id)
    db.session.flush()
    result.rows["signal_response"] = _scrub_mentions(case)
    result.rows["minutes_file"] = _drop_stored_minutes(case)
    storage_keys = list(db.session.scalars(select(Attachment.storage_key).where(Attachment.case_id == case.id)))

    # The ids of the case's rows in every table, parents first.
    ids: dict[str, set] = {CASE_TABLE: {case.id}}
    tables = case_tables()
    for table in tables:
        clauses = [fk.parent.in_(ids[fk.column.table.name]) for fk in table.foreign_keys
                   if fk.column.table.name in ids and ids[fk.column.table.name]]
        if not clauses:
            ids[table.name] = set()
            continue
        pk = list(table.primary_key.columns)[0]
        ids[table.name] = set(db.session.scalars(select(pk).where(sa.or_(*clauses))))

    deleted = {t.name for t in tables if t.name not in KEEP}
    # Kept rows that point at a row about to be deleted let go of it (a nullable key).
    for table in tables:
        if table.name not in deleted or not ids[table.name]:
            continue
        for other in Base.metadata.tables.values():
            for fk in other.foreign_keys:
                if fk.column.table is table and other.name not in deleted and other.name != CASE_TABLE:
                    if not fk.parent.nullable:
                        raise RuntimeError(f"{other.name}.{fk.parent.name} keeps {table.name} rows alive")
                    db.session.execute(other.update().where(fk.parent.in_(ids[table.name]))
                                       .values({fk.parent.name: None}))
    # Children first.
    for table in reversed(tables):
        row_ids = ids[table.name]
        if not row_ids:
            continue
        pk = list(table.primary_key.columns)[0]
        if table.name in deleted:
            db.session.execute(table.delete().where(pk.in_(row_ids)))
        elif table.name not in keep:
            values = {c.name: _empty(c) for c in text_columns(table) if c.name not in KEEP[table.name]}
            for column in table.columns:
                if isinstance(column.type, sa.JSON):
                    values[column.name] = None if column.nullable else {}
            if values:
                db.session.execute(table.update().where(pk.in_(row_ids)).values(**values))
        result.rows[table.name] = len(row_ids)

    # The case row: the minimal record.
    case_table = Case.__table__
    values = {c.name: _empty(c) for c in text_columns(case_table) if c.name not in CASE_KEEP}
    values.update(youth_birth_date=None, youth_bsn=None, youth_match_key=None, retention_extended_until=None,
                  next_deadline=None, next_due_kind=None, status=CaseStatus.ERASED.value,
                  status_before_pause=None, erased_at=utcnow(), version=case.version + 1)
    for name in CASE_MONTHS:
        values[name] = _month(getattr(case, name))
    db.session.execute(case_table.update().where(case_table.c.id == case.id).values(**values))
    result.rows[CASE_TABLE] = 1

    result.export_files = _remove_export_files(case.id)
    db.session.flush()
    db.session.expire_all()
    result.attachment_files = len(storage_keys)
    if storage_keys:
        uow.when_committed(lambda: _discard_files(storage_keys))
    return result


def _scrub_mentions(case: Case) -> int:
    """Texts outside the case that may name its people: the chair's responses to a signal the case is
    evidence of. They stay (they are the signal's history) with the case's known identifiers (names of the
    youth, family and contacts, BSN, birth date, reference) and the patterns (addresses, phone numbers,
    e-mail, exact dates) replaced by roles (the one scrubber, ret_app/vignettes/scrub.py; without its
    model-based pass: a purge runs unattended)."""
    from ret_app.models import SignalEvidence, SignalResponse
    from ret_app.vignettes import scrub

    responses = list(db.session.scalars(select(SignalResponse).where(SignalResponse.signal_id.in_(
        select(SignalEvidence.signal_id).where(SignalEvidence.case_id == case.id)))))
    if not responses:
        return 0
    identifiers = scrub.known_identifiers(case)
    changed = 0
    for response in responses:
        cleaned = scrub.scrub(response.text or "", identifiers, use_deduce=False).text
        if cleaned != response.text:
            response.text = cleaned
            changed += 1
    db.session.flush()
    return changed


def _drop_stored_minutes(case: Case) -> int:
    """The stored PDFs of the minutes of every session the case was on the agenda of (they hang off the
    session, not the case): the next download renders the minutes again, without the erased case."""
    from ret_app.models import MeetingItem, MinutesFile

    return db.session.execute(MinutesFile.__table__.delete().where(MinutesFile.meeting_id.in_(
        select(MeetingItem.meeting_id).where(MeetingItem.case_id == case.id)))).rowcount or 0


def _remove_export_files(case_id: int) -> int:
    """Export jobs whose params name the case lose their file (and their params)."""
    removed = 0
    for job in db.session.scalars(select(ExportJob)):
        params = job.params or {}
        named = [params.get(key) for key in EXPORT_CASE_KEYS]
        if any(v == case_id or (isinstance(v, list) and case_id in v) for v in named):
            db.session.execute(ExportJob.__table__.update().where(ExportJob.id == job.id).values(
                content=None, params={}, filename=None, message=None,
                removed_at=job.removed_at or utcnow()))
            removed += 1
    return removed


def _discard_files(storage_keys: list[str]) -> None:
    from ret_app.referrals.attachments import discard_file

    for key in storage_keys:
        discard_file(key)
