"""Admin business rules: reference data, users and their lifecycle. Flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ret_app import audit
from ret_app.auth import services as auth_services
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.kernel.errors import RuleError
from ret_app.outcomes import taxonomy
from ret_app.labels import ORGANISATION_KIND_LABELS
from ret_app.models import (
    ActivationPurpose,
    Municipality,
    Network,
    Organisation,
    OrganisationKind,
    RecoveryCode,
    Region,
    Role,
    User,
)
from ret_app.kernel.dates import utcnow
from ret_app.sessions import end_sessions


# Which kinds of organisation a role can belong to.
ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    Role.CHAIR: frozenset({OrganisationKind.RET}),
    Role.RET_MEMBER: frozenset({OrganisationKind.RET, OrganisationKind.PROVIDER}),
    Role.CASEWORKER: frozenset({OrganisationKind.ACCESS_TEAM, OrganisationKind.CERTIFIED_INSTITUTION}),
    Role.PROVIDER_MEMBER: frozenset({OrganisationKind.PROVIDER}),
    Role.NETWORK_LIAISON: frozenset({OrganisationKind.NETWORK}),
    Role.ANALYST: frozenset({OrganisationKind.MANAGEMENT, OrganisationKind.RET}),
    # The privacy officer of the RET's organisation or of a municipality's (management and policy).
    Role.PRIVACY_OFFICER: frozenset({OrganisationKind.MANAGEMENT, OrganisationKind.RET}),
    Role.ADMIN: frozenset({OrganisationKind.MANAGEMENT}),
}


# --- reference data -------------------------------------------------------------------

def _changed_fields(obj, data: dict, fields: tuple[str, ...]) -> list[str]:
    changed = []
    for name in fields:
        if getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    return changed


def _unique(model, column, value, exclude_id: Optional[int], field: str, message) -> None:
    stmt = select(model.id).where(func.lower(column) == str(value).lower())
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise RuleError(message, field)


def _all_at_once(*checks: Callable[[], None]) -> None:
    """Run every check; refuse with all their objections at once (RuleError.many)."""
    errors: dict[Optional[str], Any] = {}
    for check in checks:
        try:
            check()
        except RuleError as refused:
            for field, message in refused.errors.items():
                errors.setdefault(field, message)
    if errors:
        raise RuleError.many(errors)


def save_network(network: Optional[Network], data: dict) -> Network:
    network_id = network.id if network else None
    _all_at_once(
        lambda: _unique(Network, Network.name, data["name"], network_id, "name",
                        _l("A network with this name exists already.")),
        lambda: _unique(Network, Network.short_name, data["short_name"], network_id, "short_name",
                        _l("A network with this short name exists already.")))
    return _save(network or Network(), data, ("name", "short_name", "answer_days"), "network")


def save_region(region: Optional[Region], data: dict) -> Region:
    _unique(Region, Region.name, data["name"], region.id if region else None, "name",
            _l("A region with this name exists already."))
    saved = _save(region or Region(), data, ("name", "network_id"), "region")
    if region is None:
        caretypes.seed_defaults(saved.id)  # a new region starts with the default care-type catalogue
        taxonomy.seed_defaults(saved.id)  # and with the default gap taxonomy
    return saved


def save_municipality(municipality: Optional[Municipality], data: dict) -> Municipality:
    mid = municipality.id if municipality else None

    def name_taken() -> None:
        clash = select(Municipality.id).where(Municipality.region_id == data["region_id"],
                                              func.lower(Municipality.name) == data["name"].lower())
        if mid is not None:
            clash = clash.where(Municipality.id != mid)
        if db.session.scalar(clash) is not None:
            raise RuleError(_l("This region has a municipality with this name already."), "name")

    _all_at_once(lambda: _unique(Municipality, Municipality.cbs_code, data["cbs_code"], mid, "cbs_code",
                                 _l("Another municipality has this CBS code.")),
                 name_taken)
    saved = _save(municipality or Municipality(), data, ("name", "cbs_code", "region_id"), "municipality")
    # An access team works in its municipality's region: follow a move of the municipality.
    db.session.execute(update(Organisation).where(Organisation.municipality_id == saved.id)
                       .values(region_id=saved.region_id))
    return saved


def save_organisation(org: Optional[Organisation], data: dict) -> Organisation:
    kind = OrganisationKind(data["kind"])
    # Every objection at once.
    errors: dict[str, Any] = {}
    try:
        _unique(Organisation, Organisation.name, data["name"], org.id if org else None, "name",
                _l("An organisation with this name exists already."))
    except RuleError as taken:
        errors.update(taken.errors)
    data = dict(data)
    if kind is OrganisationKind.ACCESS_TEAM:
        if not data.get("municipality_id"):
            errors["municipality_id"] = _l("An access team belongs to a municipality.")
        else:
            municipality = db.session.get(Municipality, data["municipality_id"])
            data["region_id"] = municipality.region_id if municipality else data.get("region_id")
    else:
        data["municipality_id"] = None
    if kind is OrganisationKind.NETWORK:
        if not data.get("network_id"):
            errors["network_id"] = _l("A network organisation belongs to a supra-regional network.")
    else:
        data["network_id"] = None
    if kind in (OrganisationKind.RET, OrganisationKind.PROVIDER, OrganisationKind.CERTIFIED_INSTITUTION) \
            and not data.get("region_id"):
        errors["region_id"] = _l("Choose the region this organisation works in.")
    if errors:
        raise RuleError.many(errors)
    if kind is not OrganisationKind.PROVIDER:
        data["collective_member"] = False
    return _save(org or Organisation(), data,
                 ("name", "kind", "region_id", "municipality_id", "network_id", "collective_member", "active"),
                 "organisation")


def _save(obj, data: dict, fields: tuple[str, ...], object_type: str):
    is_new = obj.id is None
    changed = _changed_fields(obj, data, fields)
    if is_new:
        db.session.add(obj)
    db.session.flush()
    if is_new or changed:
        audit.record(audit.Action.CREATE if is_new else audit.Action.UPDATE, object_type=object_type,
                     object_id=obj.id, detail="fields=" + ",".join(changed))
    return obj


def region_norms(region: Region) -> SimpleNamespace:
    """The region's norms as they stand (the defaults where the region has none of its own): the
    deadlines of the norm clocks, the default reply-by of a request to a provider (working days) and
    the days after which a capacity entry of the collective is stale."""
    from dataclasses import asdict

    from ret_app.cases.norms import norms_for
    from ret_app.models import RegionNorms
    from ret_app.models.cases import (
        DEFAULT_CAPACITY_STALE_DAYS,
        DEFAULT_REQUEST_REPLY_DAYS,
        DEFAULT_REQUEST_REPLY_DAYS_CRISIS,
        DEFAULT_RETENTION_YEARS,
        DEFAULT_SIGNAL_THRESHOLD,
        DEFAULT_SIGNAL_WINDOW_MONTHS,
    )

    row = db.session.get(RegionNorms, region.id)
    return SimpleNamespace(**asdict(norms_for(region.id)),
                           request_reply_days=row.request_reply_days if row else DEFAULT_REQUEST_REPLY_DAYS,
                           request_reply_days_crisis=(row.request_reply_days_crisis if row
                                                      else DEFAULT_REQUEST_REPLY_DAYS_CRISIS),
                           capacity_stale_days=row.capacity_stale_days if row else DEFAULT_CAPACITY_STALE_DAYS,
                           signal_threshold=row.signal_threshold if row else DEFAULT_SIGNAL_THRESHOLD,
                           signal_window_months=row.signal_window_months if row else DEFAULT_SIGNAL_WINDOW_MONTHS,
                           access_log_shows_names=bool(row.access_log_shows_names) if row else False,
                           retention_years=(row.retention_years if row and row.retention_years
                                            else DEFAULT_RETENTION_YEARS))


def save_region_norms(region: Region, data: dict) -> None:
    from ret_app.models import RegionNorms

    current = region_norms(region)  # what holds now (the defaults where the region has none of its own)
    row = db.session.get(RegionNorms, region.id)
    if row is None:
        row = RegionNorms(region_id=region.id)
        db.session.add(row)
    clocks = ("intake_decision", "first_session", "first_session_crisis", "screening")
    # The reply norms set the default of new requests only: a request keeps the date it was given.
    # The signal settings apply from the rule's next run (the nightly job, or the next outcome recorded).
    fields = clocks + ("request_reply_days", "request_reply_days_crisis", "capacity_stale_days", "signal_threshold",
                       "signal_window_months", "access_log_shows_names", "retention_years")
    # A caller that does not pass the signal settings (or any other field) keeps what the region has.
    values = {name: data.get(name, getattr(current, name)) for name in fields}
    changed = [name for name in fields if getattr(row, name) != values[name]]
    for name in fields:
        setattr(row, name, values[name])
    db.session.flush()
    audit.record(audit.Action.UPDATE, object_type="region_norms", object_id=region.id,
                 detail="fields=" + ",".join(changed))
    if set(changed) & set(clocks):
        from ret_app.cases import norms

        norms.refresh_region(region.id)  # every open case's stored deadline follows the new norms
    if values["retention_years"] != current.retention_years:  # not a first row that stores the default
        from ret_app.erasure import services as retention

        retention.refresh_region(region.id)  # every closed case's stored retain_until follows the new years


# --- users ---------------------------------------------------------------------------

def _check_user(data: dict, user: Optional[User]) -> Organisation:
    user_id = user.id if user else None
    _all_at_once(lambda: _unique(User, User.email, data["email"], user_id, "email",
                                 _l("There is already an account with this e-mail address.")),
                 lambda: _check_organisation(data, user))
    return db.session.get(Organisation, data["organisation_id"])


def _check_organisation(data: dict, user: Optional[User]) -> None:
    org = db.session.get(Organisation, data["organisation_id"]) if data.get("organisation_id") else None
    if org is None:
        raise RuleError(_l("Choose an organisation."), "organisation_id")
    allowed = ROLE_ORGANISATION_KINDS[Role(data["role"])]
    if OrganisationKind(org.kind) not in allowed:
        raise RuleError(_l(
            "This role does not fit this kind of organisation. Choose an organisation of kind: %(kinds)s.",
            kinds=", ".join(str(_kind_label(k)) for k in sorted(allowed))), "organisation_id")
    # A user may stay in an organisation that became inactive, but nobody is moved into one.
    if not org.active and (user is None or user.organisation_id != org.id):
        raise RuleError(_l("This organisation is not active."), "organisation_id")


def _kind_label(kind: OrganisationKind):
    return ORGANISATION_KIND_LABELS[kind.value]


@dataclass
class NewUser:
    user: User
    activation_token: str


def create_user(data: dict, actor: User) -> NewUser:
    _check_user(data, None)
    user = User(name=data["name"].strip(), email=data["email"], role=data["role"],
                organisation_id=data["organisation_id"])
    db.session.add(user)
    db.session.flush()
    token = auth_services.issue_activation(user, ActivationPurpose.ACTIVATE, actor)
    audit.record(audit.Action.CREATE, object_type="user", object_id=user.id,
                 detail=f"role={user.role};activation_link_issued")
    return NewUser(user, token)


def update_user(user: User, data: dict, actor: User) -> list[str]:
    def own_role() -> None:
        if user.id == actor.id and data["role"] != user.role:
            raise RuleError(_l("You cannot change your own role."), "role")

    _all_at_once(own_role, lambda: _check_user(data, user))
    data = dict(data, name=data["name"].strip())
    old_role = user.role
    changed = _changed_fields(user, data, ("name", "email", "role", "organisation_id"))
    if changed:
        if "role" in changed or "organisation_id" in changed:
            # What the user may see changes: their open sessions must not keep the old view.
            end_sessions(user.id, "role_changed")
        detail = "fields=" + ",".join(changed)
        if "role" in changed:
            detail += f";role={old_role}->{user.role}"
        audit.record(audit.Action.UPDATE, object_type="user", object_id=user.id, detail=detail)
    return changed


def deactivate_user(user: User, actor: User) -> None:
    if user.id == actor.id:
        raise RuleError(_l("You cannot deactivate your own account."), "user")
    if user.deactivated_at is None:
        user.deactivated_at = utcnow()
        end_sessions(user.id, "deactivated")
        db.session.execute(update_tokens_revoked(user.id))
        audit.record(audit.Action.UPDATE, object_type="user", object_id=user.id, detail="deactivated")


def update_tokens_revoked(user_id: int):
    from ret_app.models import ActivationToken

    return (update(ActivationToken)
            .where(ActivationToken.user_id == user_id, ActivationToken.used_at.is_(None),
                   ActivationToken.revoked_at.is_(None))
            .values(revoked_at=utcnow()))


def reactivate_user(user: User) -> None:
    if user.deactivated_at is not None:
        user.deactivated_at = None
        audit.record(audit.Action.UPDATE, object_type="user", object_id=user.id, detail="reactivated")


def reset_second_factor(user: User, actor: User) -> str:
    """Remove the user's TOTP and recovery codes, end their sessions, issue a re-enrolment link."""
    if user.id == actor.id:
        raise RuleError(_l("You cannot reset your own second factor. Ask another administrator."), "user")
    user.totp_secret = None
    user.totp_last_counter = 0
    db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()))
    end_sessions(user.id, "2fa_reset")
    purpose = ActivationPurpose.RESET_2FA if user.activated_at else ActivationPurpose.ACTIVATE
    token = auth_services.issue_activation(user, purpose, actor)
    audit.record(audit.Action.TWO_FACTOR, object_type="user", object_id=user.id, detail="2fa_reset_by_admin")
    return token


def new_activation_link(user: User, actor: User) -> str:
    if user.activated_at is not None:
        raise RuleError(_l("This account is active already. Use 'Reset second factor' if the user lost access."), "user")
    token = auth_services.issue_activation(user, ActivationPurpose.ACTIVATE, actor)
    audit.record(audit.Action.UPDATE, object_type="user", object_id=user.id, detail="activation_link_issued")
    return token
