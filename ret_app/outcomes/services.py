"""A case's outcome: the business rules. Flush, never commit; one event per change.

* `record(case, actor, data)`: the case's process director or the chair records the outcome — the
  result, the help arranged (rows), the placement result (only when a placement was intended), the gaps
  met (rows: a category is required, a care type where it applies, a note) and lessons learned — and
  corrects it until the case closes. Every refusal at once, each next to its field (a row's field is
  named `<row>-<field>`, e.g. `gap-2-category`); blank rows are left out. Recording sets
  `case.outcome_recorded_at`, which the lifecycle's closing guard asks for.
* `suggested_help(case)`: what the form offers before anything was recorded — the case's accepted,
  started and ended requests to providers (commitments) and a closed escalation to the network.
* Working days, never typed: from the referral (`submitted_at`) to fitting help
  (`fitting_help_started_on`) and to closing (`closed_at`), counted like the norms count them
  (cases/clock.py: Dutch working days, weekends and public holidays left out, paused days left out —
  a pause stops the clock, as it does for every norm). They are stored on the outcome when it is
  recorded and whenever the case takes a lifecycle step (`refresh_days`; closing stores the days to
  close), so lists and aggregates read them from SQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ret_app import policy
from ret_app.caretypes import services as caretypes
from ret_app.cases import clock, lifecycle
from ret_app.cases.events import CaseTransitioned
from ret_app.extensions import db
from ret_app.kernel import dates, events
from ret_app.kernel.dates import local_date
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.models import (
    Case,
    CaseOutcome,
    CaseStatus,
    Escalation,
    EscalationResult,
    EscalationStatus,
    Organisation,
    OrganisationKind,
    OutcomeGap,
    OutcomeHelp,
    OutcomeResult,
    PlacementResult,
    ProviderRequest,
    User,
)
from ret_app.models.commitments import COMMITMENT_STATES
from ret_app.outcomes import taxonomy
from ret_app.outcomes.events import OutcomeChanged, OutcomeRecorded
from ret_app.outcomes.forms import MAX_PROVIDER, MAX_TEXT

# While the case is taken on in a track (screening, process direction, monitoring) or paused: the
# outcome can be recorded and corrected; once closed, it stands.
RECORDABLE = lifecycle.IN_TRACK | {CaseStatus.PAUSED}

NOT_YOURS = _l("Only the case's process director or the chair records its outcome.")
CLOSED = _l("The case is closed: its outcome can no longer be changed.")
NOT_YET = _l("The outcome is recorded once the RET has taken the case on in a track.")
CHANGED_MEANWHILE = _l("Someone else changed this outcome while you were looking at it. Nothing of yours was "
                       "saved yet: check what it says now below; your input is still in the form.")
CHOOSE_RESULT = _l("Choose the outcome.")
CHOOSE_PLACEMENT = _l("Say what became of the intended placement.")
CHOOSE_CARE_TYPE = _l("Choose the care type of this help.")
NOT_A_PROVIDER = _l("This provider is not one of the region's organisations. Choose one from the list or type "
                    "its name.")
ONE_PROVIDER = _l("Choose a provider from the list or type its name, not both.")

HELPED_BY_NETWORK = frozenset({EscalationResult.ADVICE_GIVEN.value, EscalationResult.NETWORK_PROCESS_DIRECTION.value,
                               EscalationResult.PLACEMENT_FOUND.value, EscalationResult.FUNDING_GRANTED.value})


# --- reading ---------------------------------------------------------------------------------------------

def outcome_of(case: Case) -> Optional[CaseOutcome]:
    """The case's outcome with its rows, their providers and categories (a fixed number of queries)."""
    return db.session.scalar(select(CaseOutcome).where(CaseOutcome.case_id == case.id).options(
        selectinload(CaseOutcome.helps).joinedload(OutcomeHelp.organisation),
        selectinload(CaseOutcome.gaps).joinedload(OutcomeGap.category),
        joinedload(CaseOutcome.recorded_by), joinedload(CaseOutcome.changed_by)))


def state_problem(case: Case) -> Optional[Any]:
    """Why the outcome cannot be recorded or changed now (None: it can)."""
    status = CaseStatus(case.status)
    if status is CaseStatus.CLOSED:
        return CLOSED
    if status not in RECORDABLE:
        return NOT_YET
    return None


def may_record(user: User, case: Case) -> bool:
    return policy.can_record_outcome(user, case) and state_problem(case) is None


def providers(region_id: int, keep: Iterable[int] = ()) -> list[Organisation]:
    """The region's providers (active, plus those in `keep`), by name (one query)."""
    keep = [i for i in keep if i]
    active = Organisation.active.is_(True)
    if keep:
        active = active | Organisation.id.in_(keep)
    return list(db.session.scalars(select(Organisation).where(
        Organisation.region_id == region_id, Organisation.kind == OrganisationKind.PROVIDER.value, active)
        .order_by(Organisation.name)))


def suggested_help(case: Case) -> list[dict]:
    """Help the case's records say was arranged: its commitments (accepted, started or ended requests to
    providers; one row per provider and care type) and a closed escalation to the network that helped
    (care type still to choose). Two queries."""
    rows: list[dict] = []
    seen: set = set()
    requests = db.session.scalars(select(ProviderRequest).options(joinedload(ProviderRequest.organisation)).where(
        ProviderRequest.case_id == case.id, ProviderRequest.status.in_(COMMITMENT_STATES))
        .order_by(ProviderRequest.id))
    for request in requests:
        key = (request.organisation_id, request.care_type)
        if key in seen:
            continue
        seen.add(key)
        rows.append({"care_type": request.care_type, "organisation_id": request.organisation_id, "provider_name": "",
                     "inside_region": request.organisation.region_id == case.region_id, "via_network": False})
    escalation = db.session.scalar(select(Escalation).options(joinedload(Escalation.network)).where(
        Escalation.case_id == case.id, Escalation.status == EscalationStatus.CLOSED.value,
        Escalation.result.in_(HELPED_BY_NETWORK)).order_by(Escalation.id.desc()).limit(1))
    if escalation is not None:
        name = escalation.network_director_organisation or escalation.network.name
        rows.append({"care_type": "", "organisation_id": None, "provider_name": name[:MAX_PROVIDER],
                     "inside_region": False, "via_network": True})
    return rows


# --- working days -----------------------------------------------------------------------------------------

def working_days(case: Case) -> tuple[Optional[int], Optional[int]]:
    """(referral -> fitting help, referral -> closing) in working days, from the recorded dates; None
    where a date is missing."""
    if case.submitted_at is None:
        return None, None
    start = local_date(case.submitted_at)
    pauses = [clock.Pause(p.start, p.end) for p in case.pauses]

    def between(end: Optional[date]) -> Optional[int]:
        if end is None:
            return None
        return clock.days_open(start, end, pauses, clock.DEFAULT_CALENDAR)

    return (between(case.fitting_help_started_on),
            between(local_date(case.closed_at) if case.closed_at else None))


def refresh_days(outcome: CaseOutcome, case: Case) -> bool:
    """Store the working days the case's dates give now; True when they changed."""
    to_fitting, to_close = working_days(case)
    if (outcome.working_days_to_fitting_help, outcome.working_days_to_close) == (to_fitting, to_close):
        return False
    outcome.working_days_to_fitting_help, outcome.working_days_to_close = to_fitting, to_close
    db.session.flush()
    return True


@events.subscribe(CaseTransitioned)
def _after_step(event: CaseTransitioned) -> None:
    """A lifecycle step (fitting help started -> monitoring, closing) may change the days: store them."""
    outcome = db.session.scalar(select(CaseOutcome).where(CaseOutcome.case_id == event.case.id))
    if outcome is not None:
        refresh_days(outcome, event.case)


# --- recording --------------------------------------------------------------------------------------------

def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _id(value: Any) -> Optional[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    text = _text(value)
    return int(text) if text.isdigit() and len(text) <= 9 and int(text) > 0 else None


def _long(errors: dict, field: str, text: str, limit: int) -> None:
    if len(text) > limit:
        errors.setdefault(field, _l("This text is too long (at most %(max)d characters).", max=limit))


def _help_rows(case: Case, rows: Iterable[Mapping[str, Any]], catalogue, keep_codes: set, organisations: dict,
               errors: dict) -> list[OutcomeHelp]:
    out = []
    for position, row in enumerate(rows, start=1):
        name = row.get("row") or f"help-{position}"
        code = _text(row.get("care_type"))
        organisation_id = _id(row.get("organisation_id"))
        provider_name = _text(row.get("provider_name"))
        if not (code or organisation_id or provider_name):
            continue  # a blank row
        if not code:
            errors[f"{name}-care_type"] = CHOOSE_CARE_TYPE
        elif code not in catalogue.names:
            errors[f"{name}-care_type"] = _l(
                "This care type is not in the catalogue of this region. Choose one from the list.")
        elif code not in {c for c, _n, active in catalogue.rows if active} and code not in keep_codes:
            errors[f"{name}-care_type"] = _l("%(name)s is no longer offered in this region. Choose another care "
                                             "type.", name=catalogue.names[code])
        if organisation_id is not None and organisation_id not in organisations:
            errors[f"{name}-organisation_id"] = NOT_A_PROVIDER
        elif organisation_id is not None and provider_name:
            errors[f"{name}-provider_name"] = ONE_PROVIDER
        _long(errors, f"{name}-provider_name", provider_name, MAX_PROVIDER)
        out.append(OutcomeHelp(case_id=case.id, position=position, care_type=code, organisation_id=organisation_id,
                               provider_name="" if organisation_id else provider_name,
                               # a provider among the region's organisations is inside it
                               inside_region=True if organisation_id else bool(row.get("inside_region")),
                               via_network=bool(row.get("via_network"))))
    return out


def _gap_rows(case: Case, rows: Iterable[Mapping[str, Any]], catalogue, keep_codes: set, categories: dict,
              keep_categories: set, errors: dict) -> list[OutcomeGap]:
    out = []
    active_codes = {c for c, _n, active in catalogue.rows if active}
    for position, row in enumerate(rows, start=1):
        name = row.get("row") or f"gap-{position}"
        category_id = _id(row.get("category"))
        code = _text(row.get("care_type"))
        note = _text(row.get("note"))
        if not (category_id or code or note or _text(row.get("category"))):
            continue  # a blank row
        category = categories.get(category_id)
        if category_id is None:
            errors[f"{name}-category"] = taxonomy.CHOOSE
        elif category is None:
            errors[f"{name}-category"] = _l(
                "This category is not in the gap taxonomy of this region. Choose one from the list.")
        elif not category.active and category_id not in keep_categories:
            errors[f"{name}-category"] = _l("%(name)s is no longer in use. Choose another category.",
                                            name=category.name)
        if code and code not in catalogue.names:
            errors[f"{name}-care_type"] = _l(
                "This care type is not in the catalogue of this region. Choose one from the list.")
        elif code and code not in active_codes and code not in keep_codes:
            errors[f"{name}-care_type"] = _l("%(name)s is no longer offered in this region. Choose another care "
                                             "type.", name=catalogue.names[code])
        _long(errors, f"{name}-note", note, MAX_TEXT)
        gap = OutcomeGap(case_id=case.id, position=position, gap_category_id=category_id, care_type=code or None,
                         note=note)
        gap.category = category
        out.append(gap)
    return out


def _snapshot(result, placement_result, placement_note, lessons, helps, gaps) -> dict:
    return {"result": result, "placement_result": placement_result, "placement_note": placement_note,
            "lessons": lessons,
            "help": [(h.care_type, h.organisation_id, h.provider_name, h.inside_region, h.via_network) for h in helps],
            "gaps": [(g.gap_category_id, g.care_type, g.note) for g in gaps]}


def record(case: Case, actor: User, data: Mapping[str, Any], loaded_version: Optional[int] = None
           ) -> tuple[CaseOutcome, bool]:
    """Record or correct the case's outcome. Returns (the outcome, whether anything changed).

    `data`: result, placement_result, placement_note, lessons, and the rows `help` and `gaps`, each a
    mapping with its name (`row`, e.g. "gap-2": the form's prefix, which names the refused fields) and
    its fields (help: care_type, organisation_id, provider_name, inside_region, via_network; gaps:
    category, care_type, note)."""
    if not policy.can_record_outcome(actor, case):
        raise RuleError(NOT_YOURS)
    problem = state_problem(case)
    if problem is not None:
        raise RuleError(problem)
    outcome = outcome_of(case)
    if outcome is not None and loaded_version is not None and loaded_version != outcome.version:
        raise Conflict(CHANGED_MEANWHILE)
    keep_codes = set()
    keep_categories: set = set()
    keep_organisations: set = set()
    if outcome is not None:
        keep_codes = {h.care_type for h in outcome.helps} | {g.care_type for g in outcome.gaps if g.care_type}
        keep_categories = {g.gap_category_id for g in outcome.gaps}
        keep_organisations = {h.organisation_id for h in outcome.helps if h.organisation_id}

    errors: dict[Optional[str], Any] = {}
    result = _text(data.get("result"))
    if result not in {r.value for r in OutcomeResult}:
        errors["result"] = CHOOSE_RESULT
    placement_result: Optional[str] = None
    placement_note = ""
    if case.placement_intended:
        placement_result = _text(data.get("placement_result")) or None
        if placement_result not in {p.value for p in PlacementResult}:
            errors["placement_result"] = CHOOSE_PLACEMENT
        placement_note = _text(data.get("placement_note"))
        _long(errors, "placement_note", placement_note, MAX_TEXT)
    lessons = _text(data.get("lessons"))
    _long(errors, "lessons", lessons, MAX_TEXT)

    catalogue = caretypes.read(case.region_id)
    organisations = {o.id: o for o in providers(case.region_id, keep_organisations)}
    categories = {c.id: c for c in taxonomy.catalogue(case.region_id)}
    helps = _help_rows(case, data.get("help") or (), catalogue, keep_codes, organisations, errors)
    gaps = _gap_rows(case, data.get("gaps") or (), catalogue, keep_codes, categories, keep_categories, errors)
    if errors:
        raise RuleError.many(errors)

    now = dates.utcnow()
    created = outcome is None
    after = _snapshot(result, placement_result, placement_note, lessons, helps, gaps)
    if outcome is None:
        changed = tuple(after)
        outcome = CaseOutcome(case_id=case.id, recorded_by_id=actor.id, recorded_at=now)
        db.session.add(outcome)
    else:
        before = _snapshot(outcome.result, outcome.placement_result, outcome.placement_note, outcome.lessons,
                           outcome.helps, outcome.gaps)
        changed = tuple(name for name in after if before[name] != after[name])
        if not changed:
            for row in (*helps, *gaps):  # built for the comparison only
                if row in db.session:
                    db.session.expunge(row)
            return outcome, False
        outcome.changed_by_id, outcome.changed_at = actor.id, now
    outcome.result = result
    outcome.placement_result = placement_result
    outcome.placement_note = placement_note
    outcome.lessons = lessons
    if "help" in changed:
        outcome.helps = helps
    if "gaps" in changed:
        outcome.gaps = gaps
    to_fitting, to_close = working_days(case)
    outcome.working_days_to_fitting_help, outcome.working_days_to_close = to_fitting, to_close
    if case.outcome_recorded_at is None:
        case.outcome_recorded_at = now
    db.session.flush()
    codes = tuple(categories[g.gap_category_id].code for g in gaps)
    if created:
        events.emit(OutcomeRecorded(actor=actor, case=case, outcome=outcome, categories=codes))
    else:
        events.emit(OutcomeChanged(actor=actor, case=case, outcome=outcome, categories=codes, fields=changed))
    return outcome, True
