"""Participants of a case: who works on it besides the RET's own reading access.

The process director (and the chair of the region) invites RET members of the region (users) and
providers of the region's HSWV collective (organisations; their provider members then see the
case while collective consent stands, see policy.can_view_case). Removing sets `removed_at`: the
record and what the participant contributed stay. Services flush, never commit; every change emits
an event (audit record, timeline entry; RET sessions with the case on the agenda react to it).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ret_app import policy
from ret_app.cases.events import ParticipantInvited, ParticipantRemoved
from ret_app.cases.lifecycle import IN_TRACK
from ret_app.cases.services import process_director_candidates
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.kernel.ids import parse_id
from ret_app.models import Case, CaseParticipant, CaseStatus, Organisation, ParticipantRole, User

USER_PREFIX = "user-"
ORGANISATION_PREFIX = "org-"
INVITEE = "invitee"  # the invite form's field


def active(case: Case) -> list[CaseParticipant]:
    return [p for p in case.participants if p.removed_at is None]


def invitations_open(case: Case) -> bool:
    """Participants are invited from the screening until the case is handed over or closed."""
    return CaseStatus(case.status) in IN_TRACK


def ret_member_candidates(case: Case) -> list[User]:
    """RET members and chairs of the case's region who are not taking part yet."""
    taken = {p.user_id for p in active(case) if p.user_id}
    return [u for u in process_director_candidates(case) if u.id not in taken]


def provider_candidates(case: Case) -> list[Organisation]:
    """Active providers of the region's collective that are not invited yet."""
    taken = {p.organisation_id for p in active(case) if p.organisation_id}
    organisations = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == "provider", Organisation.collective_member.is_(True),
               Organisation.active.is_(True), Organisation.region_id == case.region_id)
        .order_by(Organisation.name))
    return [o for o in organisations if o.id not in taken]


def invite(case: Case, actor: User, invitee: str) -> CaseParticipant:
    """Invite `invitee` ("user-<id>" or "org-<id>", as the invite form sends it)."""
    if not policy.can_manage_participants(actor, case):
        raise RuleError(_l("Only the process director or the chair can invite participants."))
    if not invitations_open(case):
        raise RuleError(_l("Participants can be invited from the screening until the case is closed."))
    kind, _sep, raw_id = (invitee or "").partition("-")
    object_id = parse_id(raw_id)
    if object_id is None:  # not a number, or none the database could hold
        raise RuleError(_l("Choose whom to invite."), INVITEE)
    if f"{kind}-" == USER_PREFIX:
        return _invite_user(case, actor, object_id)
    if f"{kind}-" == ORGANISATION_PREFIX:
        return _invite_provider(case, actor, object_id)
    raise RuleError(_l("Choose whom to invite."), INVITEE)


def _invite_user(case: Case, actor: User, user_id: int) -> CaseParticipant:
    user = db.session.get(User, user_id)
    if user is None or user not in process_director_candidates(case):
        raise RuleError(_l("Only RET members of this case's region can be invited."), INVITEE)
    if any(p.user_id == user.id for p in active(case)):
        raise RuleError(_l("%(name)s already takes part in this case.", name=user.name), INVITEE)
    participant = CaseParticipant(case_id=case.id, role=ParticipantRole.RET_MEMBER.value, user_id=user.id,
                                  invited_by_id=actor.id)
    return _record_invitation(case, actor, participant, user.name)


def _invite_provider(case: Case, actor: User, organisation_id: int) -> CaseParticipant:
    organisation = db.session.get(Organisation, organisation_id)
    if (organisation is None or organisation.kind != "provider" or not organisation.collective_member
            or not organisation.active or organisation.region_id != case.region_id):
        raise RuleError(_l("Only providers of this region's collective can be invited."), INVITEE)
    if not case.consent_collective:
        raise RuleError(_l(
            "A provider can only be invited when there is consent for the collective (or a recorded legal "
            "ground) for this case. Record it on the consent page first."), INVITEE)
    if any(p.organisation_id == organisation.id for p in active(case)):
        raise RuleError(_l("%(name)s already takes part in this case.", name=organisation.name), INVITEE)
    participant = CaseParticipant(case_id=case.id, role=ParticipantRole.PROVIDER.value,
                                  organisation_id=organisation.id, invited_by_id=actor.id)
    return _record_invitation(case, actor, participant, organisation.name)


def join_provider(case: Case, actor: User, organisation: Organisation, *, invited_by_id: int):
    """A provider that accepted a request for the case (ret_app/commitments) takes part in it, on the
    same terms as one the process director invited (its members see the case while collective consent
    stands). Nothing happens when it takes part already. `actor` is the provider member who accepted;
    `invited_by_id` the one who made the request."""
    if any(p.organisation_id == organisation.id for p in active(case)):
        return None
    participant = CaseParticipant(case_id=case.id, role=ParticipantRole.PROVIDER.value,
                                  organisation_id=organisation.id, invited_by_id=invited_by_id)
    return _record_invitation(case, actor, participant, organisation.name)


def _record_invitation(case: Case, actor: User, participant: CaseParticipant, name: str) -> CaseParticipant:
    db.session.add(participant)
    db.session.flush()
    db.session.expire(case, ["participants"])
    events.emit(ParticipantInvited(actor=actor, case=case, participant=participant, name=name))
    db.session.flush()
    return participant


def remove(case: Case, actor: User, participant: CaseParticipant) -> None:
    if not policy.can_manage_participants(actor, case):
        raise RuleError(_l("Only the process director or the chair can remove participants."))
    if participant.case_id != case.id or participant.removed_at is not None:
        raise RuleError(_l("This participant has already been removed."))
    if participant.user_id is not None and participant.user_id == case.process_director_id:
        raise RuleError(_l("The process director takes part in the case and cannot be removed."))
    participant.removed_at = utcnow()
    name = participant.user.name if participant.user else participant.organisation.name
    db.session.flush()
    db.session.expire(case, ["participants"])
    events.emit(ParticipantRemoved(actor=actor, case=case, participant=participant, name=name))
    db.session.flush()


def describe(participant: CaseParticipant) -> dict:
    """What lists show about a participant (name, organisation, role label key)."""
    if participant.user is not None:
        return {"name": participant.user.name, "organisation": participant.user.organisation.name,
                "kind": "ret_member"}
    return {"name": participant.organisation.name, "organisation": participant.organisation.name,
            "kind": "provider"}
