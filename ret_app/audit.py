"""The only writer of audit events (NEN 7513).

Every event records when, who (id, name, role, organisation), on whose behalf, what action on
which object, the case it concerns, the outcome and the network address. The `detail` field is for
machine-readable notes (event names, changed field names); never names, BSN, free text or other
personal data.

Writing, without a global lock
------------------------------
Inside a unit of work (every request, CLI command and job) `record()` only buffers the event. When
the unit commits, the buffer is inserted in the same transaction as the change it describes. When
the unit rolls back, the events that must survive (reads, searches, exports, denials and failures:
`durable`) are inserted in a fresh transaction after the rollback. No event takes a lock when it is
written, so requests of different users never wait for each other's audit events.

The hash chain
--------------
Events are linked into a hash chain by a short step after the commit (`seal_pending`): it takes the
`audit_head` row (on PostgreSQL without waiting: a busy head means another sealer is at work and will
take these events along), gives the waiting events (seq NULL) the next positions in id order, and
stores for each the SHA-256 of its content plus the previous event's hash; the head keeps the newest
link. `verify_chain()` finds the first altered, inserted, removed or reordered event, and a removal
of the newest ones (the head). It verifies from the start or, incrementally, from the newest
checkpoint (`audit_checkpoint`: a position and its hash, stored after each successful check).
Outside a unit of work (a script or a test calling a service directly) an event is linked at once,
in the caller's transaction.
"""

from __future__ import annotations

import enum
import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, Optional

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import func, insert, select, update

from ret_app.extensions import db
from ret_app.kernel import events, uow
from ret_app.kernel.dates import utcnow
from ret_app.models import AuditCheckpoint, AuditEvent, AuditHead, User

GENESIS_HASH = "0" * 64
SEAL_BATCH = 1000


class Action(enum.StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    PRINT = "print"
    SEARCH = "search"
    LOGIN = "login"
    LOGOUT = "logout"
    TWO_FACTOR = "2fa"
    ACTIVATE = "activate"
    PASSWORD = "password"
    SESSION = "session"
    REQUEST = "request"  # a request refused or failed as a whole (CSRF, server error)


class Outcome(enum.StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    FAILED = "failed"


# Allowed actions that happened even when the request later fails: what was shown or handed out.
_DURABLE_ACTIONS = frozenset({Action.READ, Action.SEARCH, Action.EXPORT, Action.PRINT})

_HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "user_id",
    "user_name",
    "user_role",
    "organisation_name",
    "on_behalf_of",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "outcome",
    "ip_address",
    "detail",
    "prev_hash",
)


def _canonical_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def compute_hash(event: AuditEvent) -> str:
    payload = {name: _canonical_value(getattr(event, name)) for name in _HASHED_FIELDS}
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def client_address() -> Optional[str]:
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:45] or None


_acting: ContextVar[Optional[User]] = ContextVar("ret_audit_acting", default=None)


@contextmanager
def acting_as(user: Optional[User]) -> Iterator[None]:
    """Work done for `user` outside their request (a job the user asked for, such as an export):
    its events name that user, as they would in the request."""
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def _actor() -> Optional[User]:
    if not has_request_context():
        return _acting.get()
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[attr-defined]
    return _acting.get()


def is_durable(action: Action | str, outcome: Outcome | str) -> bool:
    return str(outcome) != Outcome.ALLOWED or str(action) in _DURABLE_ACTIONS


def record(
    action: Action | str,
    *,
    outcome: Outcome | str = Outcome.ALLOWED,
    object_type: Optional[str] = None,
    object_id: Any = None,
    case_id: Optional[int] = None,
    user: Optional[User] = None,
    on_behalf_of: Optional[str] = None,
    detail: Optional[str] = None,
    at: Optional[datetime] = None,
    address: Optional[str] = None,
) -> None:
    """Record one event: buffered in the current unit of work (see the module docstring), or, with
    no unit open, added to the current transaction and linked into the chain at once.

    `at` and `address` are for a past event replayed outside a request (the demo's history): its time
    and client address as they were. A request's own events always take now and the request's address."""
    actor = user or _actor()
    row = {
        "occurred_at": at or utcnow(),
        "user_id": actor.id if actor else None,
        "user_name": actor.name if actor else None,
        "user_role": actor.role if actor else None,
        "organisation_name": actor.organisation.name if actor else None,
        "on_behalf_of": on_behalf_of,
        "action": str(action),
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "case_id": case_id,
        "outcome": str(outcome),
        "ip_address": address or client_address(),
        "detail": (detail[:500] if detail else None),
    }
    unit = uow.current()
    if unit is None or unit.finished:
        event = AuditEvent(**row)
        db.session.add(event)
        db.session.flush()
        _link(_lock_head(wait=True), [event])
        return
    buffer: list = unit.state.get("audit")
    if buffer is None:
        buffer = unit.state["audit"] = []
        unit.before_commit(lambda: _insert(row for row, _durable in buffer))
        unit.after_rollback(lambda: _insert(row for row, durable in buffer if durable))
        unit.at_end(_seal_after_unit)
        unit.savepoint_aware(lambda: len(buffer), lambda kept: _forget_undone(buffer, kept or 0))
    buffer.append((row, is_durable(action, outcome)))


def _endpoint() -> Optional[str]:
    """The route's name (never its URL: that can carry a link's token or an id)."""
    return request.endpoint if has_request_context() else None


_CSRF_REASONS = {
    "The CSRF token is missing.": "token_missing",
    "The CSRF token is invalid.": "token_invalid",
    "The CSRF session token is missing.": "session_token_missing",
    "The CSRF tokens do not match.": "token_mismatch",
    "The CSRF token has expired.": "token_expired",
    "The referrer header is missing.": "referrer_missing",
    "The referrer does not match the host.": "referrer_mismatch",
}


def record_csrf_refusal(description: Optional[str]) -> None:
    """A state-changing request refused for its CSRF token (a denial: durable)."""
    reason = _CSRF_REASONS.get(description or "", "refused")
    record(Action.REQUEST, outcome=Outcome.DENIED, object_type="route", object_id=_endpoint(),
           detail=f"csrf_{reason}")


def record_server_error(error: BaseException) -> None:
    """A request that ended in a server error: the route and the error's type, never its message
    (it can hold personal data). A failure: written after the request's rollback — or, when the
    unit of work has ended already (the error came from its commit), in a unit of its own."""
    fields = dict(outcome=Outcome.FAILED, object_type="route", object_id=_endpoint(),
                  detail=f"server_error={type(error).__name__}")
    unit = uow.current()
    if unit is not None and not unit.finished:
        record(Action.REQUEST, **fields)  # type: ignore[arg-type]
        return
    db.session.rollback()
    with uow.unit_of_work():
        record(Action.REQUEST, **fields)  # type: ignore[arg-type]


def _forget_undone(buffer: list, kept: int) -> None:
    """A service call's savepoint rolled back: its changes did not happen, so their events go; what
    was read, exported, denied or failed meanwhile did happen and stays."""
    buffer[kept:] = [(row, durable) for row, durable in buffer[kept:] if durable]


def _insert(rows) -> None:
    rows = list(rows)
    if rows:
        # The table, not the entity: the ORM's bulk insert leaves out None values and so sends one
        # statement per pattern of empty fields; a unit's events go in one statement, however they differ.
        db.session.execute(insert(AuditEvent.__table__), rows)


def _seal_after_unit() -> None:
    seal_pending()


@events.subscribe(events.DomainEvent)
def _record_domain_event(event: events.DomainEvent) -> None:
    """Every domain event that declares AUDIT = (action, object_type) is an audit record."""
    if event.AUDIT is None:
        return
    action, object_type = event.AUDIT
    record(action, object_type=object_type, object_id=event.audit_object_id, case_id=event.audit_case_id,
           user=event.actor, detail=event.audit_detail())


# --- the chain ---------------------------------------------------------------------------------

def _lock_head(*, wait: bool) -> Optional[AuditHead]:
    """The chain's head row, locked until the transaction ends; None when another transaction holds
    it and `wait` is False (PostgreSQL; SQLite serialises writers anyway)."""
    if db.session.get_bind().dialect.name == "sqlite":
        # Writing takes SQLite's write lock (waiting for the busy timeout like every writer).
        if db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq)).rowcount == 0:
            db.session.add(AuditHead(id=1, seq=0, hash=GENESIS_HASH))
            db.session.flush()
        stmt = select(AuditHead).where(AuditHead.id == 1)
    else:
        stmt = select(AuditHead).where(AuditHead.id == 1).with_for_update(skip_locked=not wait)
        head = db.session.execute(stmt.execution_options(populate_existing=True)).scalar_one_or_none()
        # None: another transaction holds the head, or (once, on a new database) there is none yet. Only
        # then is its existence asked (not on every seal: a statement less per audited request).
        if head is not None or db.session.scalar(select(AuditHead.id).where(AuditHead.id == 1)) is not None:
            return head
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        db.session.execute(pg_insert(AuditHead).values(id=1, seq=0, hash=GENESIS_HASH)
                           .on_conflict_do_nothing(index_elements=["id"]))
    return db.session.execute(stmt.execution_options(populate_existing=True)).scalar_one_or_none()


def _link(head: AuditHead, rows: list[AuditEvent]) -> None:
    previous, seq = head.hash, head.seq
    for event in rows:
        seq += 1
        event.seq, event.prev_hash = seq, previous
        event.hash = compute_hash(event)
        previous = event.hash
    head.seq, head.hash = seq, previous
    db.session.flush()


def seal_pending(batch: int = SEAL_BATCH) -> int:
    """Link the events that wait for a place in the chain; returns how many were linked. Commits
    per batch. Gives up at once (0) when another transaction is linking (it takes these along)."""
    linked = 0
    while True:
        head = _lock_head(wait=False)
        if head is None:
            db.session.rollback()
            return linked
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.seq.is_(None))
                                       .order_by(AuditEvent.id).limit(batch)))
        if not rows:
            db.session.rollback()
            return linked
        _link(head, rows)
        db.session.commit()
        linked += len(rows)


def pending() -> tuple[int, Optional[datetime]]:
    """How many events wait to be linked, and when the oldest of them happened."""
    count, oldest = db.session.execute(
        select(func.count(AuditEvent.id), func.min(AuditEvent.occurred_at)).where(AuditEvent.seq.is_(None))).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=timezone.utc)
    return int(count or 0), oldest


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_seq: Optional[int] = None
    broken_id: Optional[int] = None
    reason: Optional[str] = None
    from_seq: int = 1  # where this check started (after a checkpoint: its position + 1)
    pending: int = 0  # events not linked yet
    oldest_pending: Optional[datetime] = None


def _iter_events(from_seq: int) -> Iterator[Any]:
    """The linked events from `from_seq` on, as plain rows (not ORM objects: a full check reads
    millions, and rows are about twice as fast to read)."""
    table = AuditEvent.__table__
    stmt = (select(table).where(table.c.seq >= from_seq).order_by(table.c.seq)
            .execution_options(yield_per=5000))
    yield from db.session.execute(stmt)


def latest_checkpoint() -> Optional[AuditCheckpoint]:
    return db.session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
                             .limit(1))


def verify_chain(*, full: bool = True, store_checkpoint: bool = False) -> ChainReport:
    """Check the chain: from the start (`full`), or from the newest checkpoint. A checkpoint's own
    event must still carry the hash recorded for it. With `store_checkpoint`, a successful check
    records the newest position as the next checkpoint."""
    expected_prev, expected_seq = GENESIS_HASH, 1
    checkpoint = None if full else latest_checkpoint()
    if checkpoint is not None and checkpoint.seq > 0:
        anchor = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == checkpoint.seq))
        if anchor is None or anchor.hash != checkpoint.hash:
            return _with_pending(ChainReport(
                False, 0, checkpoint.seq, anchor.id if anchor else None,
                "the checkpointed event was altered or removed (run a full check)", checkpoint.seq))
        expected_prev, expected_seq = checkpoint.hash, checkpoint.seq + 1
    start = expected_seq
    checked = 0
    for event in _iter_events(expected_seq):
        if event.seq != expected_seq:
            return _with_pending(ChainReport(
                False, checked, event.seq, event.id,
                f"event(s) missing before seq {event.seq} (expected seq {expected_seq})", start))
        if event.prev_hash != expected_prev:
            return _with_pending(ChainReport(False, checked, event.seq, event.id,
                                             "link to the previous event is broken", start))
        if compute_hash(event) != event.hash:
            return _with_pending(ChainReport(False, checked, event.seq, event.id, "content was altered", start))
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    last_seq = expected_seq - 1
    head = db.session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != last_seq or head_hash != expected_prev:
        return _with_pending(ChainReport(
            False, checked, last_seq + 1, None,
            f"chain ends at seq {last_seq} but the head records seq {head_seq}: newest events removed", start))
    report = _with_pending(ChainReport(True, checked, from_seq=start))
    if store_checkpoint and last_seq > (checkpoint.seq if checkpoint else 0):
        db.session.add(AuditCheckpoint(seq=last_seq, hash=expected_prev, verified_at=utcnow(), full=full))
        db.session.flush()
    return report


def _with_pending(report: ChainReport) -> ChainReport:
    report.pending, report.oldest_pending = pending()
    return report
