"""Loading a provider and one of its care types for a request through the policy: 404 when the user
may not see it (or, for changes, may not keep it), so that its existence does not leak; each denial
audited (ids only). Changes are audited by the events of the services that make them."""

from __future__ import annotations

from typing import Callable

from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.collective import capacity, care_types
from ret_app.extensions import db
from ret_app.models import Organisation, ProviderContact


def provider_or_404(organisation_id: int, *, action: audit.Action = audit.Action.READ,
                    rule: Callable = policy.can_view_provider) -> Organisation:
    """A collective provider of the user's region (and `rule` passes); otherwise 404."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not rule(current_user, organisation):
        web.not_found(object_type="provider_profile", object_id=organisation_id, action=action)
    return organisation


def kept_provider_or_404(organisation_id: int) -> Organisation:
    """The user's own organisation, a collective provider: another one answers 404."""
    return provider_or_404(organisation_id, action=audit.Action.UPDATE, rule=policy.can_keep_provider)


def offered_care_type_or_404(organisation: Organisation, care_type: str,
                             action: audit.Action = audit.Action.READ) -> str:
    """A care type the provider offers (a code of the catalogue that its profile lists); otherwise 404.
    What was sent is not recorded: it is not a known code."""
    if not care_types.is_known(organisation.region_id, care_type) or not capacity.offers(organisation.id, care_type):
        web.not_found(object_type="capacity_entry", action=action, detail=f"provider={organisation.id}")
    return care_type


def contact_or_404(organisation: Organisation, contact_id: int) -> ProviderContact:
    contact = db.session.get(ProviderContact, contact_id)
    if contact is None or contact.organisation_id != organisation.id:
        web.not_found(object_type="provider_contact", object_id=contact_id, action=audit.Action.DELETE,
                      detail=f"provider={organisation.id}")
    return contact
