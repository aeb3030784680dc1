"""The demo's monitor token: one for the policy and purchasing organisation of Midden-IJssel/Oost-Veluwe,
with a fixed, public secret (README.md) so that the API can be tried at once. Demo seeding only: the
demo is refused under production configuration."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ret_app import policy
from ret_app.api.events import ApiTokenIssued
from ret_app.api.services import expires_at, expires_on
from ret_app.extensions import db
from ret_app.kernel import dates, events
from ret_app.kernel.dates import utcnow
from ret_app.models import ApiToken, Organisation, User
from ret_app.models.api import PREFIX_LENGTH

DEMO_ORGANISATION = "Beleid en inkoop jeugd Midden-IJssel/Oost-Veluwe (demo)"
DEMO_ADMIN = "beheer@mijov.example"
# Public on purpose (README): never a secret of a real installation.
DEMO_SECRET = "ret_demo-monitor-MIJOV-openbaar-alleen-voor-de-demo"


def seed() -> ApiToken:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == DEMO_ORGANISATION))
    admin = db.session.scalar(select(User).where(User.email == DEMO_ADMIN))
    token = ApiToken(organisation_id=organisation.id, name="Regiomonitor jeugd (demo)",
                     token_hash=policy.hash_secret(DEMO_SECRET), prefix=DEMO_SECRET[:PREFIX_LENGTH],
                     created_by_id=admin.id, created_at=utcnow(),
                     expires_at=expires_at(dates.today() + timedelta(days=365)))
    db.session.add(token)
    db.session.flush()
    events.emit(ApiTokenIssued(actor=admin, token_id=token.id, organisation_id=organisation.id,
                               expires_on=expires_on(token)))
    return token
