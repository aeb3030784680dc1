"""Referral business rules: starting a concept, saving the youth and question with optimistic
locking, the family system, help tried before, consent and legal grounds, submitting. Services flush,
never commit; every change emits one event (the audit record and, where it matters to the work, the
case timeline entry follow from it)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Iterable, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ret_app.cases import consent, lifecycle
from ret_app.cases.completeness import (  # noqa: F401
    MAX_AGE_AT_REFERRAL,
    age_problem,
    missing_referral_fields,
    referral_problems,
)
from ret_app.extensions import db
from ret_app.kernel import dates, events, submissions
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.labels import RELATION_LABELS, SCOPE_LABELS
from ret_app.models import (
    Case,
    CaseReferenceCounter,
    CaseStatus,
    CaseTransition,
    Consent,
    ConsentScope,
    FamilyMember,
    LegalGround,
    Municipality,
    PriorHelp,
    User,
)
from ret_app.referrals import events as referral_events

# The consent grid's "nothing ticked" (the form checks it first, the service again).
NOTHING_TICKED = _l("Tick at least one box: whose consent for what.")


# --- a new referral --------------------------------------------------------------------------

def bsn_is_valid(bsn: str) -> bool:
    """The 11-proef: nine digits, 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 divisible by 11 (and not 0)."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    digits = [int(ch) for ch in bsn]
    total = sum(weight * digit for weight, digit in zip(range(9, 1, -1), digits[:8])) - digits[8]
    return total % 11 == 0 and total != 0


def next_reference(year: int) -> str:
    """RET-<year>-<number>, numbered per year without gaps or duplicates across workers: the year's
    counter row is taken with its row lock (UPDATE). The year's first references may be asked for by
    several workers at once: each creates the row unless another just did (no unique-key error for
    all but one of them; the others wait for that one's commit), and then counts on it."""
    def count() -> int:
        return db.session.execute(
            update(CaseReferenceCounter).where(CaseReferenceCounter.year == year)
            .values(last_number=CaseReferenceCounter.last_number + 1)
        ).rowcount

    if not count():
        if db.session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        db.session.execute(dialect_insert(CaseReferenceCounter).values(year=year, last_number=0)
                           .on_conflict_do_nothing(index_elements=["year"]))
        count()
    number = db.session.scalar(select(CaseReferenceCounter.last_number).where(CaseReferenceCounter.year == year))
    return f"RET-{year}-{number:04d}"


def new_concept(caseworker: User, municipality_id: Optional[int], allowed: Optional[list] = None,
                submission_key: Optional[str] = None) -> Case:
    """An empty referral (concept) of the caseworker's organisation for a youth of this municipality
    (one of `allowed`, when given: the municipalities of the caseworker's region). The same form sent
    twice (its `submission_key`) starts one: the second time the first one is the answer."""
    municipality = db.session.get(Municipality, municipality_id) if municipality_id else None
    if municipality is None or (allowed is not None and municipality not in allowed):
        raise RuleError(_l("Choose a municipality of your region."), "municipality_id")
    key = submissions.clean(submission_key)

    def create() -> Case:
        now = utcnow()
        case = Case(
            reference=next_reference(now.year),
            region_id=municipality.region_id,
            municipality_id=municipality.id,
            submitting_organisation_id=caseworker.organisation_id,
            caseworker_id=caseworker.id,
            status=CaseStatus.CONCEPT.value,
            submission_key=key,
        )
        db.session.add(case)
        case.transitions.append(CaseTransition(from_status=None, to_status=CaseStatus.CONCEPT.value,
                                               actor_id=caseworker.id, at=now))
        db.session.flush()
        return case

    case, created = submissions.create_once(Case, key, create, Case.caseworker_id == caseworker.id)
    if created:
        events.emit(referral_events.ReferralStarted(actor=caseworker, case=case))
    return case


# The referral fields edited on one form, in the order of the form.
REFERRAL_FIELDS = (
    "youth_first_name",
    "youth_last_name",
    "youth_birth_date",
    "youth_bsn",
    "youth_gender",
    "youth_daytime_activity",
    "question",
    "why_stuck",
    "urgency",
    "placement_intended",
)
_OPTIONAL_TEXT = {"youth_bsn", "youth_gender", "youth_daytime_activity"}
_SCOPES = {s.value for s in ConsentScope}


# --- the youth and the question, with optimistic locking ------------------------------------

def _clean(name: str, value: Any) -> Any:
    if name == "youth_birth_date":
        return value
    if name == "placement_intended":
        return bool(value)
    text = (value or "").strip() if isinstance(value, str) or value is None else value
    if name in _OPTIONAL_TEXT:
        return text or None
    return text


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fingerprint(case: Case) -> str:
    """What the form was loaded from, per field, without repeating the values themselves."""
    return json.dumps({name: hashlib.sha256(_as_text(getattr(case, name)).encode()).hexdigest()[:16]
                       for name in REFERRAL_FIELDS}, separators=(",", ":"))


def changed_by_others(case: Case, loaded_version: Optional[str], loaded_state: Optional[str],
                      submitted: dict) -> list[str]:
    """The referral fields someone else saved since this form was loaded (empty: no conflict).

    A newer version alone is no conflict when nobody touched these fields (e.g. only the consent
    flags changed). Without a readable fingerprint, every field whose saved value differs from
    the submitted one counts as changed, so nothing is overwritten unseen.
    """
    if loaded_version == str(case.version):
        return []
    try:
        loaded = json.loads(loaded_state or "")
    except ValueError:
        loaded = None
    if not isinstance(loaded, dict) or set(loaded) != set(REFERRAL_FIELDS):
        return [name for name in REFERRAL_FIELDS
                if _as_text(getattr(case, name)) != _as_text(_clean(name, submitted.get(name)))]
    current = json.loads(fingerprint(case))
    return [name for name in REFERRAL_FIELDS if loaded[name] != current[name]]


def save_referral(case: Case, actor: User, data: dict, loaded_version: Optional[str] = None,
                  loaded_state: Optional[str] = None) -> list[str]:
    """Store the youth and question fields (a concept may be incomplete); returns the changed names.
    When someone else saved some of these fields after the form was loaded (`loaded_version`,
    `loaded_state`), nothing is written: Conflict, with those fields as its detail."""
    if loaded_version is not None:
        others = changed_by_others(case, loaded_version, loaded_state, data)
        if others:
            raise Conflict(detail=others)
    changed = []
    for name in REFERRAL_FIELDS:
        value = _clean(name, data.get(name))
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    if not changed:
        return changed
    if "youth_birth_date" in changed:
        consent.refresh_flags(case)  # who must consent depends on the age
    db.session.flush()
    # Field names only: never the values (BSN, names) in the audit detail.
    events.emit(referral_events.ReferralSaved(actor=actor, case=case, fields=tuple(changed)))
    return changed


# --- the family system -------------------------------------------------------------------------

_MEMBER_FIELDS = ("relation", "name", "age", "living_situation", "parental_authority")


def _member_values(data: dict) -> dict:
    return {
        "relation": data["relation"],
        "name": (data.get("name") or "").strip(),
        "age": data.get("age"),
        "living_situation": (data.get("living_situation") or "").strip() or None,
        "parental_authority": bool(data.get("parental_authority")),
    }


def _check_relation(relation: str) -> None:
    if relation not in RELATION_LABELS:
        raise RuleError(_l("Choose a relation from the list."), "relation")


def add_family_member(case: Case, actor: User, data: dict) -> FamilyMember:
    """A person added to the family system; the same form sent twice (its `submission_key`) adds one."""
    values = _member_values(data)
    _check_relation(values["relation"])
    key = submissions.clean(data.get("submission_key"))

    def create() -> FamilyMember:
        member = FamilyMember(**values, submission_key=key)
        case.family_members.append(member)
        db.session.flush()
        return member

    member, created = submissions.create_once(FamilyMember, key, create, FamilyMember.case_id == case.id)
    if not created:
        return member
    consent.refresh_flags(case)  # a new holder of authority must consent too
    db.session.flush()
    events.emit(referral_events.FamilyMemberAdded(actor=actor, case=case, object_id=member.id,
                                                  authority=member.parental_authority))
    return member


def update_family_member(case: Case, actor: User, member: FamilyMember, data: dict) -> list[str]:
    values = _member_values(data)
    _check_relation(values["relation"])
    changed = [name for name in _MEMBER_FIELDS if getattr(member, name) != values[name]]
    for name in changed:
        setattr(member, name, values[name])
    if changed:
        consent.refresh_flags(case)
        db.session.flush()
        events.emit(referral_events.FamilyMemberChanged(actor=actor, case=case, object_id=member.id,
                                                        fields=tuple(changed)))
    return changed


def remove_family_member(case: Case, actor: User, member: FamilyMember) -> None:
    if any(c.family_member_id == member.id for c in case.consents):
        # Consent records stay on record (withdrawn or not); removing the person would erase them.
        raise RuleError(_l("This person's consent is on record, so the person cannot be removed. "
                           "Withdraw the consent if it no longer stands."))
    member_id = member.id
    case.family_members.remove(member)
    consent.refresh_flags(case)
    db.session.flush()
    events.emit(referral_events.FamilyMemberRemoved(actor=actor, case=case, object_id=member_id))


# --- help tried before ---------------------------------------------------------------------------

def add_prior_help(case: Case, actor: User, data: dict) -> PriorHelp:
    """Help tried before, added; the same form sent twice (its `submission_key`) adds it once."""
    if data.get("from_date") and data.get("to_date") and data["to_date"] < data["from_date"]:
        raise RuleError(_l("The end date must be on or after the start date."), "to_date")
    key = submissions.clean(data.get("submission_key"))

    def create() -> PriorHelp:
        item = PriorHelp(provider=data["provider"].strip(), help_type=data["help_type"].strip(),
                         from_date=data.get("from_date"), to_date=data.get("to_date"),
                         end_reason=(data.get("end_reason") or "").strip() or None, submission_key=key)
        case.prior_help.append(item)
        db.session.flush()
        return item

    item, created = submissions.create_once(PriorHelp, key, create, PriorHelp.case_id == case.id)
    if not created:
        return item
    events.emit(referral_events.PriorHelpAdded(actor=actor, case=case, object_id=item.id))
    return item


def remove_prior_help(case: Case, actor: User, item: PriorHelp) -> None:
    item_id = item.id
    case.prior_help.remove(item)
    db.session.flush()
    events.emit(referral_events.PriorHelpRemoved(actor=actor, case=case, object_id=item_id))


# --- consent ---------------------------------------------------------------------------------

def youth_label(case: Case) -> str:
    """The youth as the consent grid names them: "The youth (first last)"."""
    youth = _("The youth")
    return f"{youth} ({case.youth_name})" if case.youth_name else youth


def member_label(member: FamilyMember) -> str:
    relation = str(RELATION_LABELS.get(member.relation, member.relation))
    return f"{member.name} ({relation})" if member.name else relation


def given_by_role(member: Optional[FamilyMember]) -> str:
    if member is None:
        return "youth"
    return "guardian" if member.relation == "guardian" else "parent"


def record_consents(case: Case, actor: User, *, cells: Iterable[str], given_on: Optional[date],
                    kind: Optional[str]) -> list[Consent]:
    """Record the consent of every ticked cell of the grid (person x scope) at once, with one date and
    one form; the actor is who recorded it. Only the people whose consent counts under the age rules
    today can be ticked, and not for a scope their standing consent already covers. Every problem is
    refused together; nothing is recorded unless everything can be."""
    today = dates.today()
    rows = consent.grid_rows(case, today)
    by_key = {row.key: row for row in rows}
    scopes = [s.value for s in ConsentScope]
    errors: dict[Optional[str], Any] = {}
    chosen: list[tuple[int, int, consent.GridRow, str]] = []
    outside, already = False, []
    for cell in dict.fromkeys(cells or ()):
        person, _sep, scope = str(cell).partition(":")
        row = by_key.get(person)
        if row is None or scope not in _SCOPES:
            outside = True
        elif scope in row.standing:
            already.append(_("%(who)s for %(scope)s", who=_who(row.member), scope=SCOPE_LABELS[scope]))
        else:
            chosen.append((rows.index(row), scopes.index(scope), row, scope))
    cell_problems = []
    if outside:
        cell_problems.append(_("Only the people whose consent counts under the age rules can be ticked. "
                               "Check the grid and tick again."))
    if already:
        cell_problems.append(_("Already on record: %(cells)s.", cells="; ".join(already)))
    if not cell_problems and not chosen:
        cell_problems.append(str(NOTHING_TICKED))
    if cell_problems:
        errors["cells"] = " ".join(cell_problems)
    if given_on is None:
        errors["given_on"] = _l("This field is required.")
    elif given_on > today:
        errors["given_on"] = _l("This date lies in the future.")
    if kind not in ("written", "verbal"):
        errors["kind"] = _l("Choose written or verbal.")
    if errors:
        raise RuleError.many(errors)
    records = []
    for _row_index, _scope_index, row, scope in sorted(chosen, key=lambda item: item[:2]):
        record = Consent(scope=scope, family_member_id=row.member.id if row.member else None,
                         given_by_role=given_by_role(row.member), given_on=given_on, form=kind,
                         recorded_by_id=actor.id)
        case.consents.append(record)
        records.append((record, row))
    consent.refresh_flags(case, today)
    db.session.flush()
    for record, row in records:
        # One event per consent: each is its own record (withdrawn on its own), audited with codes only.
        events.emit(referral_events.ConsentRecorded(
            actor=actor, case=case, object_id=record.id, scope=record.scope, role=record.given_by_role, kind=kind,
            summary=_("Consent for %(scope)s by %(who)s", scope=SCOPE_LABELS[record.scope], who=_who(row.member))))
    return [record for record, _row in records]


def _who(member: Optional[FamilyMember]) -> str:
    return member_label(member) if member else _("the youth")


def withdraw_consent(case: Case, actor: User, record: Consent, withdrawn_on: date) -> None:
    if record.withdrawn_on is not None:
        raise RuleError(_l("This consent has already been withdrawn."))
    if withdrawn_on > dates.today():
        raise RuleError(_l("This date lies in the future."), "withdrawn_on")
    if withdrawn_on < record.given_on:
        raise RuleError(_l("Consent cannot be withdrawn before the date it was given."), "withdrawn_on")
    record.withdrawn_on = withdrawn_on
    record.withdrawn_recorded_by_id = actor.id
    # The flags drive who may see the case: withdrawing collective consent ends provider access now.
    consent.refresh_flags(case)
    who = _who(record.family_member)
    db.session.flush()
    events.emit(referral_events.ConsentWithdrawn(
        actor=actor, case=case, object_id=record.id, scope=record.scope,
        summary=_("Consent for %(scope)s withdrawn by %(who)s", scope=SCOPE_LABELS.get(record.scope, record.scope),
                  who=who)))


def add_legal_ground(case: Case, actor: User, *, scope: str, reason: str) -> LegalGround:
    if scope not in _SCOPES:
        raise RuleError(_l("Choose what the consent is for."), "scope")
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(_l("This field is required."), "reason")
    if consent.has_legal_ground(case, scope):
        raise RuleError(_l("A legal ground for this is already on record."), "scope")
    ground = LegalGround(scope=scope, reason=reason, recorded_by_id=actor.id)
    case.legal_grounds.append(ground)
    consent.refresh_flags(case)
    db.session.flush()
    # The reason stays on the legal ground itself: free text could hold a BSN, the timeline must not.
    events.emit(referral_events.LegalGroundRecorded(
        actor=actor, case=case, object_id=ground.id, scope=scope,
        summary=_("Legal ground without consent recorded for %(scope)s", scope=SCOPE_LABELS[scope])))
    return ground


def end_legal_ground(case: Case, actor: User, ground: LegalGround) -> None:
    if ground.ended_at is not None:
        raise RuleError(_l("This legal ground has already ended."))
    ground.ended_at = utcnow()
    consent.refresh_flags(case)
    db.session.flush()
    events.emit(referral_events.LegalGroundEnded(
        actor=actor, case=case, object_id=ground.id, scope=ground.scope,
        summary=_("Legal ground for %(scope)s ended", scope=SCOPE_LABELS.get(ground.scope, ground.scope))))


# --- submitting ------------------------------------------------------------------------------

def submit_transition(case: Case) -> str:
    return "resubmit" if case.status == CaseStatus.RETURNED_WITH_ADVICE else "submit"


# The key of the missing consent among the submit problems: no field of the referral form, the
# consent section of the page.
CONSENT = "consent"


def submit_problems(case: Case, values: Any = None, reason: Optional[str] = None) -> dict[Optional[str], Any]:
    """Everything that still stops the referral from being submitted, per field (CONSENT: the
    consent section): the referral fields (of `values` when given: what a form was sent with), the
    reason for submitting again, and consent for the RET."""
    problems: dict[Optional[str], Any] = dict(referral_problems(values if values is not None else case))
    if case.status == CaseStatus.RETURNED_WITH_ADVICE and not (reason or "").strip():
        problems["resubmit_reason"] = lifecycle.CASE.messages.reason_needed
    no_consent = lifecycle.ret_consent(case)
    if no_consent:
        problems[CONSENT] = no_consent
    return problems


def submit(case: Case, actor: User, reason: Optional[str] = None) -> CaseTransition:
    """Send the referral to the RET. Refused with everything still missing at once (RuleError.many:
    per field, CONSENT for the consent)."""
    consent.refresh_flags(case)  # the youth may have had a birthday since consent was recorded
    transition = lifecycle.BY_NAME[submit_transition(case)]
    if lifecycle.CASE.state(case) in transition.sources and transition.actor(actor, case):
        problems = submit_problems(case, reason=reason)
        if problems:
            raise RuleError.many(problems)
    return lifecycle.apply(case, actor, transition.name, reason=reason)
