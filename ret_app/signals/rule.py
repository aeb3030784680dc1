"""The rule that raises gap signals — the one place it lives.

A gap category (and, separately, a gap category for one care type) that at least `threshold` distinct
cases of a region name in their outcome within the rolling window — the last `window_months` months up to
today, by the day the outcome was recorded (RegionNorms.signal_threshold / signal_window_months,
defaults 3 and 6) — raises a signal, unless an open (not closed) signal for the same key exists: that
one gets the new cases added as evidence instead. A case counts towards one signal per key: after a
signal was closed, a new one for the same key needs `threshold` cases the closed one did not hold.

Each case of a signal is evidence ("gap": its outcome's gap row); beside it the collective's evidence
of the same cases is added — requests to providers declined for lack of capacity or expertise (for a
signal of one care type: those for that care type) and escalations to the network that were sent — so
that a signal is traceable to the outcomes and declines that raised it.

Run by the nightly job "gap-signals" for every region and right after an outcome is recorded or
corrected (a reaction, for the case's region). Idempotent: a second run on the same day changes
nothing. A new signal notifies the region's chair(s) and RET members.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ret_app.extensions import db
from ret_app.stats.periods import add_months
from ret_app.jobs import registry as jobs
from ret_app.kernel import dates, events
from ret_app.models import (
    Case,
    CaseOutcome,
    Escalation,
    EvidenceKind,
    GapCategory,
    GapSignal,
    Organisation,
    OutcomeGap,
    ProviderRequest,
    Region,
    RegionNorms,
    RequestStatus,
    Role,
    SignalEvidence,
    SignalStatus,
    User,
)
from ret_app.models.cases import DEFAULT_SIGNAL_THRESHOLD, DEFAULT_SIGNAL_WINDOW_MONTHS
from ret_app.notifications import notify, register_kind
from ret_app.notifications.kinds import register_about
from ret_app.outcomes.events import OutcomeChanged, OutcomeRecorded
from ret_app.signals.events import SignalEvidenceAdded, SignalRaised
from ret_app.signals.labels import GAP_DECLINES, STATUS_LABELS

log = logging.getLogger(__name__)

JOB = "gap-signals"
SCHEDULE = "20 2 * * *"  # UTC: every night
NIGHTLY_AT = time(2, 20)  # the same moment, for a run that catches up on a day gone by
SIGNAL_RAISED = "gap_signal_raised"
register_kind(SIGNAL_RAISED, _l("A new gap signal in your region"), "digest", order=50)

Key = tuple[int, Optional[str]]  # (gap category id, care type code or None: the category across care types)


# --- settings and the window -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    threshold: int = DEFAULT_SIGNAL_THRESHOLD
    window_months: int = DEFAULT_SIGNAL_WINDOW_MONTHS


def settings_for(region_id: int) -> Settings:
    row = db.session.get(RegionNorms, region_id)
    return Settings(row.signal_threshold, row.signal_window_months) if row is not None else Settings()


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    return add_months(day, -months)


def window(today: date, months: int) -> tuple[date, date]:
    """The rolling window ending today: (first day, last day), both included. 6 months up to 10 January
    2027 is 11 July 2026 .. 10 January 2027."""
    return months_before(today, months) + timedelta(days=1), today


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=dates.AMSTERDAM).astimezone(timezone.utc)


# --- the rule itself: pure ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class GapRow:
    gap_id: int
    case_id: int
    category_id: int
    care_type: Optional[str]
    recorded_on: date


def keys_of(row: GapRow) -> list[Key]:
    return [(row.category_id, None)] + ([(row.category_id, row.care_type)] if row.care_type else [])


def open_key(key: Key) -> str:
    return f"{key[0]}:{key[1] or ''}"


@dataclass
class Decision:
    raise_: dict[Key, list[GapRow]] = field(default_factory=dict)  # new signals: one gap row per case
    extend: dict[int, list[GapRow]] = field(default_factory=dict)  # open signal id -> rows of new cases


def decide(rows: Iterable[GapRow], threshold: int, open_signals: dict[Key, tuple[int, set[int]]],
           counted: dict[Key, set[int]]) -> Decision:
    """What the rule does with the gap rows of one region's window. `open_signals`: key -> (the open
    signal's id, the cases it holds); `counted`: key -> the cases closed signals of that key held."""
    per_key: dict[Key, dict[int, GapRow]] = defaultdict(dict)
    for row in sorted(rows, key=lambda r: (r.recorded_on, r.gap_id)):
        for key in keys_of(row):
            per_key[key].setdefault(row.case_id, row)  # the first gap row of each case
    decision = Decision()
    for key in sorted(per_key, key=lambda k: (k[0], k[1] or "")):
        taken = counted.get(key, set())
        fresh = [row for case_id, row in per_key[key].items() if case_id not in taken]
        if key in open_signals:
            signal_id, held = open_signals[key]
            new = [row for row in fresh if row.case_id not in held]
            if new:
                decision.extend[signal_id] = new
            continue
        if len(fresh) >= threshold:
            decision.raise_[key] = fresh
    return decision


# --- applying it to a region ---------------------------------------------------------------------------------

def gap_rows(region_id: int, first: date, last: date) -> list[GapRow]:
    """The gaps the region's outcomes recorded from `first` to `last` (days in the Netherlands). One query."""
    lo, hi = _midnight_utc(first), _midnight_utc(last + timedelta(days=1))
    rows = db.session.execute(
        select(OutcomeGap.id, OutcomeGap.case_id, OutcomeGap.gap_category_id, OutcomeGap.care_type,
               CaseOutcome.recorded_at)
        .join(CaseOutcome, CaseOutcome.id == OutcomeGap.outcome_id)
        .join(Case, Case.id == OutcomeGap.case_id)
        .where(Case.region_id == region_id, CaseOutcome.recorded_at >= lo, CaseOutcome.recorded_at < hi))
    return [GapRow(gap_id, case_id, category_id, care_type or None, dates.local_date(at))
            for gap_id, case_id, category_id, care_type, at in rows]


@dataclass
class _Held:
    """What a region's signals hold (one query)."""

    open_signals: dict[Key, tuple[int, set[int]]] = field(default_factory=dict)
    counted: dict[Key, set[int]] = field(default_factory=lambda: defaultdict(set))
    cases: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # signal -> gap cases
    requests: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    escalations: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))


def _held(region_id: int) -> _Held:
    held = _Held()
    rows = db.session.execute(
        select(GapSignal.id, GapSignal.gap_category_id, GapSignal.care_type, GapSignal.status,
               SignalEvidence.kind, SignalEvidence.case_id, SignalEvidence.provider_request_id,
               SignalEvidence.escalation_id)
        .outerjoin(SignalEvidence, SignalEvidence.signal_id == GapSignal.id)
        .where(GapSignal.region_id == region_id))
    for signal_id, category_id, care_type, status, kind, case_id, request_id, escalation_id in rows:
        key = (category_id, care_type or None)
        if status != SignalStatus.CLOSED.value:
            held.open_signals.setdefault(key, (signal_id, held.cases[signal_id]))
        if kind == EvidenceKind.GAP.value:
            held.cases[signal_id].add(case_id)
            if status == SignalStatus.CLOSED.value:
                held.counted[key].add(case_id)
        elif kind == EvidenceKind.DECLINE.value and request_id:
            held.requests[signal_id].add(request_id)
        elif kind == EvidenceKind.ESCALATION.value and escalation_id:
            held.escalations[signal_id].add(escalation_id)
    return held


def _gap_evidence(signal: GapSignal, row: GapRow, now: datetime) -> SignalEvidence:
    return SignalEvidence(signal=signal, case_id=row.case_id, kind=EvidenceKind.GAP.value, outcome_gap_id=row.gap_id,
                          on=row.recorded_on, detail="", added_at=now)


def _collective_evidence(signals: list[tuple[GapSignal, set[int]]], held: _Held, now: datetime) -> dict[int, int]:
    """Add the declines (no capacity / not our expertise) and sent escalations of each open signal's
    cases that it does not hold yet. Two queries for all signals. Returns signal id -> rows added."""
    case_ids = set().union(*(cases for _s, cases in signals)) if signals else set()
    added: dict[int, int] = defaultdict(int)
    if not case_ids:
        return added
    declines = defaultdict(list)
    for request_id, case_id, care_type, reason, answered_at in db.session.execute(
            select(ProviderRequest.id, ProviderRequest.case_id, ProviderRequest.care_type,
                   ProviderRequest.decline_reason, ProviderRequest.answered_at)
            .where(ProviderRequest.case_id.in_(case_ids), ProviderRequest.status == RequestStatus.DECLINED.value,
                   ProviderRequest.decline_reason.in_(GAP_DECLINES)).order_by(ProviderRequest.id)):
        declines[case_id].append((request_id, care_type, reason, answered_at))
    escalations = defaultdict(list)
    for escalation_id, case_id, result, sent_at in db.session.execute(
            select(Escalation.id, Escalation.case_id, Escalation.result, Escalation.sent_at)
            .where(Escalation.case_id.in_(case_ids), Escalation.sent_at.is_not(None)).order_by(Escalation.id)):
        escalations[case_id].append((escalation_id, result, sent_at))
    for signal, cases in signals:
        for case_id in sorted(cases):
            for request_id, care_type, reason, answered_at in declines[case_id]:
                if signal.care_type and care_type != signal.care_type:
                    continue
                if request_id in held.requests[signal.id]:
                    continue
                held.requests[signal.id].add(request_id)
                db.session.add(SignalEvidence(
                    signal=signal, case_id=case_id, kind=EvidenceKind.DECLINE.value, provider_request_id=request_id,
                    on=dates.local_date(answered_at) if answered_at else None, detail=reason or "", added_at=now))
                added[signal.id] += 1
            for escalation_id, result, sent_at in escalations[case_id]:
                if escalation_id in held.escalations[signal.id]:
                    continue
                held.escalations[signal.id].add(escalation_id)
                db.session.add(SignalEvidence(
                    signal=signal, case_id=case_id, kind=EvidenceKind.ESCALATION.value, escalation_id=escalation_id,
                    on=dates.local_date(sent_at), detail=result or "", added_at=now))
                added[signal.id] += 1
    return added


@dataclass
class Result:
    raised: list[int] = field(default_factory=list)  # new signal ids
    extended: list[int] = field(default_factory=list)  # open signals that got evidence

    @property
    def changes(self) -> int:
        return len(self.raised) + len(self.extended)


def evaluate_region(region_id: int, today: Optional[date] = None) -> Result:
    """Apply the rule to one region for `today`: raise signals, add evidence, notify. Flushes."""
    today = today or dates.today()
    settings = settings_for(region_id)
    first, last = window(today, settings.window_months)
    rows = gap_rows(region_id, first, last)
    held = _held(region_id)
    decision = decide(rows, settings.threshold, held.open_signals, held.counted)
    catching_up = today < dates.today()
    # A run for a day gone by (the demo's history, a missed night) stamps what it raises with the night of
    # that day, as the nightly job would have; it notifies nobody of what was due long ago.
    now = datetime.combine(today, NIGHTLY_AT, tzinfo=timezone.utc) if catching_up else dates.utcnow()
    result = Result()
    categories = {c.id: c.code for c in db.session.scalars(select(GapCategory).where(GapCategory.region_id == region_id))}
    touched: list[tuple[GapSignal, set[int]]] = []
    gap_added: dict[int, int] = {}

    for (category_id, care_type), fresh in decision.raise_.items():
        signal = GapSignal(region_id=region_id, gap_category_id=category_id, care_type=care_type,
                           status=SignalStatus.NEW.value, raised_at=now, window_start=first, window_end=last,
                           raised_count=len(fresh), case_count=len(fresh),
                           open_key=open_key((category_id, care_type)))
        try:
            with db.session.begin_nested():
                db.session.add(signal)
                for row in fresh:
                    db.session.add(_gap_evidence(signal, row, now))
                db.session.flush()
        except IntegrityError:  # raised meanwhile by another run: the next run adds to that one
            log.info("gap signal raised concurrently; left to the other run")
            continue
        result.raised.append(signal.id)
        held.cases[signal.id] = {row.case_id for row in fresh}
        touched.append((signal, held.cases[signal.id]))

    open_by_id = {signal_id: key for key, (signal_id, _cases) in held.open_signals.items()}
    open_rows = {s.id: s for s in db.session.scalars(select(GapSignal).where(GapSignal.id.in_(list(open_by_id))))} \
        if open_by_id else {}
    for signal_id, new_rows in decision.extend.items():
        signal = open_rows[signal_id]
        for row in new_rows:
            db.session.add(_gap_evidence(signal, row, now))
            held.cases[signal_id].add(row.case_id)
        gap_added[signal_id] = len(new_rows)
    for signal_id, signal in open_rows.items():
        touched.append((signal, held.cases[signal_id]))

    more = _collective_evidence(touched, held, now)
    db.session.flush()
    raised = set(result.raised)
    for signal, cases in touched:
        if signal.id in raised:
            continue
        added = gap_added.get(signal.id, 0) + more.get(signal.id, 0)
        if not added:
            continue
        signal.case_count = len(cases)
        result.extended.append(signal.id)
        events.emit(SignalEvidenceAdded(signal_id=signal.id, region_id=region_id,
                                        category=categories.get(signal.gap_category_id, "?"),
                                        care_type=signal.care_type, added=added, cases=len(cases)))
    for signal, cases in touched:
        if signal.id in raised:
            events.emit(SignalRaised(signal_id=signal.id, region_id=region_id,
                                     category=categories.get(signal.gap_category_id, "?"), care_type=signal.care_type,
                                     cases=len(cases)))
    db.session.flush()
    if result.raised and not catching_up:
        _notify(region_id, result.raised)
    return result


# --- notifying -------------------------------------------------------------------------------------------------

def _recipients(region_id: int) -> list[int]:
    return list(db.session.scalars(
        select(User.id).join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.region_id == region_id, User.role.in_((Role.CHAIR.value, Role.RET_MEMBER.value)),
               User.deactivated_at.is_(None))))


def _notify(region_id: int, signal_ids: list[int]) -> None:
    from ret_app.notifications.reactions import path

    people = _recipients(region_id)
    for signal_id in signal_ids:
        notify(people, SIGNAL_RAISED, path("signals.signal_page", signal_id=signal_id), f"gap_signal:{signal_id}")


def _about(user: User, signal_ids: list[int]) -> dict[int, str]:
    """What the notification list says of a signal: its category (and care type) and status now — only
    for signals the user may still see (one query)."""
    from ret_app import policy
    from ret_app.caretypes import services as caretypes

    rows = list(db.session.scalars(select(GapSignal).options(joinedload(GapSignal.category))
                                   .where(GapSignal.id.in_(signal_ids), policy.visible_signals_clause(user))))
    names = caretypes.names(rows[0].region_id) if rows else {}
    return {s.id: " · ".join(filter(None, [s.category.name, names.get(s.care_type) if s.care_type else None,
                                           str(STATUS_LABELS[s.status])])) for s in rows}


register_about(r"^/signalen/(\d+)$", _about)


# --- when it runs -----------------------------------------------------------------------------------------------

def run_nightly(today: Optional[date] = None) -> int:
    """The nightly job: the rule for every region. Returns how many signals were raised or extended."""
    today = today or dates.today()
    return sum(evaluate_region(region_id, today).changes
               for region_id in db.session.scalars(select(Region.id).order_by(Region.id)))


jobs.register(JOB, run_nightly, SCHEDULE, description="Raise gap signals from the outcomes' gaps")


@events.subscribe(OutcomeRecorded, after_commit=True)
@events.subscribe(OutcomeChanged, after_commit=True)
def _after_outcome(event) -> None:
    """An outcome was recorded or corrected: the rule for its case's region at once."""
    case = db.session.get(Case, event.case.id)
    if case is None:
        return
    # A corrected outcome may have replaced its gap rows: the evidence keeps the case, not a stale row id
    # (PostgreSQL sets it NULL by itself; SQLite does not enforce foreign keys here).
    db.session.execute(update(SignalEvidence).where(
        SignalEvidence.case_id == case.id, SignalEvidence.kind == EvidenceKind.GAP.value,
        SignalEvidence.outcome_gap_id.is_not(None),
        SignalEvidence.outcome_gap_id.not_in(select(OutcomeGap.id).where(OutcomeGap.case_id == case.id)))
        .values(outcome_gap_id=None))
    evaluate_region(case.region_id)
