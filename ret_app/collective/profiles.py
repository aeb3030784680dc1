"""Provider profiles: what the collective knows of each member provider, kept by the provider's own
members. Flush, never commit; one event per change.

Other parts (requests, suggestions) read a profile's expertise areas, care types, age range and
crisis availability as rows and columns: `ProviderExpertise.area`, `ProviderCareType.care_type`,
`ProviderProfile.min_age` / `max_age` / `crisis_available` (see `providers_offering`).
"""

from __future__ import annotations

from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ret_app import policy
from ret_app.collective import care_types, rules
from ret_app.collective.events import (
    ProviderContactAdded,
    ProviderContactRemoved,
    ProviderProfileCreated,
    ProviderProfileSaved,
)
from ret_app.extensions import db
from ret_app.kernel import events, submissions
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.labels import EXPERTISE_LABELS
from ret_app.models import (
    Organisation,
    ProviderCareType,
    ProviderContact,
    ProviderExpertise,
    ProviderProfile,
    User,
)

PROFILE_FIELDS = ("summary", "expertise", "care_types", "min_age", "max_age", "crisis_available", "crisis_hours",
                  "crisis_phone")
MAX_CONTACTS = 12

NOT_YOURS = _l("Only a member of this provider keeps its profile.")
CHANGED_MEANWHILE = _l("Someone of your organisation saved this profile while you were editing it. Nothing "
                       "of yours was saved yet: compare with what is saved now below, then save again to keep "
                       "your version.")
TOO_MANY_CONTACTS = _l("A profile holds at most 12 contact persons; remove one first.")


def profile_of(organisation_id: int) -> Optional[ProviderProfile]:
    """The profile with its expertise, care types and contacts (None: not filled in yet)."""
    return db.session.get(ProviderProfile, organisation_id, options=[
        selectinload(ProviderProfile.expertise), selectinload(ProviderProfile.care_types),
        selectinload(ProviderProfile.contacts)])


def saved_values(profile: Optional[ProviderProfile]) -> dict[str, Any]:
    """The profile's values as saved now (what a conflict shows beside the user's input)."""
    if profile is None:
        return {"summary": "", "expertise": [], "care_types": [], "min_age": None, "max_age": None,
                "crisis_available": False, "crisis_hours": "", "crisis_phone": ""}
    return {"summary": profile.summary, "expertise": profile.expertise_codes,
            "care_types": sorted(profile.care_type_codes), "min_age": profile.min_age, "max_age": profile.max_age,
            "crisis_available": bool(profile.crisis_available), "crisis_hours": profile.crisis_hours,
            "crisis_phone": profile.crisis_phone}


def _clean(data: dict) -> dict[str, Any]:
    return {
        "summary": (data.get("summary") or "").strip(),
        "expertise": [code for code in EXPERTISE_LABELS if code in set(data.get("expertise") or [])]
        + sorted(set(data.get("expertise") or []) - set(EXPERTISE_LABELS)),
        "care_types": sorted(set(data.get("care_types") or [])),
        "min_age": data.get("min_age"),
        "max_age": data.get("max_age"),
        "crisis_available": bool(data.get("crisis_available")),
        "crisis_hours": (data.get("crisis_hours") or "").strip(),
        "crisis_phone": (data.get("crisis_phone") or "").strip(),
    }


def _require_keeper(organisation: Organisation, actor: User) -> None:
    if not policy.can_keep_provider(actor, organisation):
        raise RuleError(NOT_YOURS)


def save_profile(organisation: Organisation, data: dict, actor: User, loaded_version: Optional[int]) -> list[str]:
    """Save the provider's profile; returns the fields that changed. `loaded_version` is the version
    the form was loaded from (None: there was no profile yet): a profile saved by someone else since
    is refused with a Conflict whose detail is what is saved now, so nothing is overwritten unseen."""
    _require_keeper(organisation, actor)
    profile = profile_of(organisation.id)
    if (profile.version if profile is not None else None) != loaded_version:
        raise Conflict(CHANGED_MEANWHILE, detail=saved_values(profile))
    values = _clean(data)
    errors = rules.profile_problems(values)
    unknown = [code for code in values["expertise"] if code not in EXPERTISE_LABELS]
    if unknown:
        errors["expertise"] = _l("Choose expertise areas from the list.")
    kept = set(profile.care_type_codes) if profile is not None else set()
    for code in values["care_types"]:
        if code in kept:
            continue  # an offered type that was retired since stays on the profile
        try:
            care_types.validate(organisation.region_id, code, "care_types")
        except RuleError as error:
            errors.setdefault("care_types", error.message)
    if errors:
        raise RuleError.many(errors)
    created = profile is None
    before = saved_values(profile)
    if created:
        profile = ProviderProfile(organisation_id=organisation.id)
        db.session.add(profile)
    changed = [name for name in PROFILE_FIELDS if before[name] != values[name]]
    for name in ("summary", "min_age", "max_age", "crisis_available", "crisis_hours", "crisis_phone"):
        setattr(profile, name, values[name])
    if "expertise" in changed:
        _replace_rows(profile.expertise, values["expertise"], lambda code: ProviderExpertise(area=code),
                      lambda row: row.area)
    if "care_types" in changed:
        _replace_rows(profile.care_types, values["care_types"], lambda code: ProviderCareType(care_type=code),
                      lambda row: row.care_type)
    # Every save touches the row, so its version moves on even when only child rows changed.
    profile.updated_at = utcnow()
    profile.updated_by_id = actor.id
    db.session.flush()  # a concurrent save that won the race makes this a Conflict (stale version)
    event = ProviderProfileCreated if created else ProviderProfileSaved
    events.emit(event(actor=actor, organisation_id=organisation.id, fields=tuple(changed)))
    return changed


def _replace_rows(rows: list, codes: list[str], make, code_of) -> None:
    wanted = set(codes)
    for row in [row for row in rows if code_of(row) not in wanted]:
        rows.remove(row)
    present = {code_of(row) for row in rows}
    rows.extend(make(code) for code in codes if code not in present)


def _profile_for_contacts(organisation: Organisation, actor: User) -> ProviderProfile:
    _require_keeper(organisation, actor)
    profile = profile_of(organisation.id)
    if profile is None:  # contacts can come before the rest of the profile
        profile = ProviderProfile(organisation_id=organisation.id, updated_by_id=actor.id)
        db.session.add(profile)
        db.session.flush()
        events.emit(ProviderProfileCreated(actor=actor, organisation_id=organisation.id, fields=()))
    return profile


def add_contact(organisation: Organisation, data: dict, actor: User) -> ProviderContact:
    """A contact person added; the same form sent twice (its `submission_key`) adds one."""
    profile = _profile_for_contacts(organisation, actor)
    key = submissions.clean(data.get("submission_key"))
    done = submissions.find(ProviderContact, key, ProviderContact.organisation_id == organisation.id)
    if done is not None:
        return done
    errors: dict[str, Any] = {}
    for name in ("name", "role", "phone"):
        if not (data.get(name) or "").strip():
            errors[name] = _l("This field is required.")
    if "phone" not in errors and not rules.phone_ok((data.get("phone") or "").strip()):
        errors["phone"] = rules.NOT_A_PHONE
    if len(profile.contacts) >= MAX_CONTACTS:
        errors[None] = TOO_MANY_CONTACTS
    if errors:
        raise RuleError.many(errors)
    contact = ProviderContact(organisation_id=organisation.id, name=data["name"].strip(), role=data["role"].strip(),
                              phone=data["phone"].strip(), email=(data.get("email") or "").strip(),
                              position=max((c.position for c in profile.contacts), default=0) + 1,
                              submission_key=key)

    def create() -> ProviderContact:
        profile.contacts.append(contact)
        db.session.flush()
        return contact

    contact, created = submissions.create_once(ProviderContact, key, create,
                                               ProviderContact.organisation_id == organisation.id)
    if not created:
        return contact
    events.emit(ProviderContactAdded(actor=actor, organisation_id=organisation.id, contact_id=contact.id))
    return contact


def remove_contact(organisation: Organisation, contact: ProviderContact, actor: User) -> None:
    _require_keeper(organisation, actor)
    if contact.organisation_id != organisation.id:
        raise RuleError(NOT_YOURS)
    contact_id = contact.id
    db.session.delete(contact)
    db.session.flush()
    events.emit(ProviderContactRemoved(actor=actor, organisation_id=organisation.id, contact_id=contact_id))


def providers_offering(region_id: int, care_type: Optional[str] = None):
    """A select() of the region's collective providers (Organisation) with a profile, optionally only
    those that offer `care_type`: the base other parts (suggestions) filter on expertise, age range
    and crisis availability, joined to ProviderProfile."""
    stmt = (select(Organisation).join(ProviderProfile, ProviderProfile.organisation_id == Organisation.id)
            .where(policy.collective_providers_clause(), Organisation.region_id == region_id))
    if care_type is not None:
        stmt = stmt.where(select(ProviderCareType.id).where(
            ProviderCareType.organisation_id == Organisation.id, ProviderCareType.care_type == care_type).exists())
    return stmt
