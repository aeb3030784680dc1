"""The only writer of audit events (NEN 7513).

Every event records when, who (id, name, role, organisation), on whose behalf, what action on
which object, the case it concerns, the outcome and the network address. Events form a hash
chain: each holds the SHA-256 of its own content plus the previous event's hash, and the
`audit_head` row holds the newest link. `verify_chain()` finds the first altered, inserted or
removed event.

The `detail` field is for machine-readable notes (event names, changed field names); never put
names, BSN, free text or other personal data in it.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, Optional

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select, update

from ret_app.extensions import db
from ret_app.models import AuditEvent, AuditHead, User

GENESIS_HASH = "0" * 64


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


class Outcome(enum.StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    FAILED = "failed"


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


def _actor() -> Optional[User]:
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[attr-defined]
    return None


def _lock_head() -> AuditHead:
    """Serialise chain writers: the UPDATE takes a row lock (PostgreSQL) or the write lock
    (SQLite) until the surrounding transaction ends, so no two events share a predecessor."""
    result = db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))
    if result.rowcount == 0:
        db.session.add(AuditHead(id=1, seq=0, hash=GENESIS_HASH))
        db.session.flush()
    head = db.session.execute(
        select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
    ).scalar_one()
    return head


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
    commit: bool = False,
) -> AuditEvent:
    """Append one event to the chain within the current transaction.

    Events for what the request changes commit together with the change. Denials and failures
    must survive a rollback of the request, so callers pass `commit=True` for them (a policy
    check happens before any change, so nothing else is pending then).
    """
    actor = user or _actor()
    head = _lock_head()
    event = AuditEvent(
        seq=head.seq + 1,
        occurred_at=datetime.now(timezone.utc),
        user_id=actor.id if actor else None,
        user_name=actor.name if actor else None,
        user_role=actor.role if actor else None,
        organisation_name=actor.organisation.name if actor else None,
        on_behalf_of=on_behalf_of,
        action=str(action),
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        case_id=case_id,
        outcome=str(outcome),
        ip_address=client_address(),
        detail=(detail[:500] if detail else None),
        prev_hash=head.hash,
    )
    event.hash = compute_hash(event)
    db.session.add(event)
    head.seq = event.seq
    head.hash = event.hash
    db.session.flush()
    if commit:
        db.session.commit()
    return event


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_seq: Optional[int] = None
    broken_id: Optional[int] = None
    reason: Optional[str] = None


def _iter_events() -> Iterator[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    yield from db.session.scalars(stmt)


def verify_chain() -> ChainReport:
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in _iter_events():
        if event.seq != expected_seq:
            return ChainReport(
                False, checked, event.seq, event.id,
                f"event(s) missing before seq {event.seq} (expected seq {expected_seq})",
            )
        if event.prev_hash != expected_prev:
            return ChainReport(False, checked, event.seq, event.id, "link to the previous event is broken")
        if compute_hash(event) != event.hash:
            return ChainReport(False, checked, event.seq, event.id, "content was altered")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = db.session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != expected_prev:
        return ChainReport(
            False, checked, checked + 1, None,
            f"chain ends at seq {checked} but the head records seq {head_seq}: newest events removed",
        )
    return ChainReport(True, checked)
