"""The access-policy matrix: every route × every role, over HTTP.

The expected classification is written out by hand in each capability's registration
(`expected_access` in ret_app/<capability>/capability.py), independent of ret_app/policy, so a
mistake there (a permission granted to one role too many, a route that lost its decorator, a
sensitive route that lost `fresh=True`) makes these tests fail. A new route makes the first test
fail until its capability classifies it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable, Iterator, Optional
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from sqlalchemy import select

from ret_app import policy
from ret_app.extensions import db
from ret_app.models import AuditEvent, WebSession
from ret_app.kernel.dates import utcnow
import config
from ret_app import create_app
from tests import export_kinds
from tests.conftest import TEST_PASSWORD, Factory, csrf_token, login, own_database

ROLES = ("chair", "ret_member", "caseworker", "provider_member", "network_liaison", "analyst", "privacy_officer",
         "admin")
PUBLIC = "public"
TOKEN = "token"  # the monitor API: a bearer token only; no role's session opens it
EVERYONE = frozenset(ROLES)
ADMIN = frozenset({"admin"})
CASEWORKER = frozenset({"caseworker"})
CHAIR = frozenset({"chair"})
CASE_ROLES = frozenset({"chair", "ret_member", "caseworker", "provider_member"})

# endpoint -> "public" or the roles that may use it: the tables each capability writes out by hand
# in its registration (ret_app/<capability>/capability.py, `expected_access`), collected from the app.


def _registered_access() -> dict[str, object]:
    from ret_app.kernel.registry import PUBLIC as REGISTERED_PUBLIC, TOKEN as REGISTERED_TOKEN, registry

    # The app factory touches no database, so an app made here only to read its registrations is cheap.
    application = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return {endpoint: PUBLIC if expected == REGISTERED_PUBLIC else TOKEN if expected == REGISTERED_TOKEN
            else frozenset(expected) for endpoint, expected in registry(application).expected_access().items()}


EXPECTED_ACCESS: dict[str, object] = _registered_access()
assert all(expected in (PUBLIC, TOKEN) or expected <= EVERYONE for expected in EXPECTED_ACCESS.values())

# Routes about one case: a user whose role may use them but who has no relation to the case
# gets 404 (the case's existence does not leak). The per-object matrix is in test_case_access.py.
CASE_OBJECT = frozenset({
    "cases.case_page",
    "cases.case_step",
    "cases.intake_decision",
    "referrals.referral_edit", "referrals.referral_submit", "referrals.family_add", "referrals.family_edit", "referrals.family_remove",
    "referrals.prior_help_add", "referrals.prior_help_remove", "referrals.consent_page", "referrals.consent_withdraw",
    "referrals.legal_ground_add", "referrals.legal_ground_end", "referrals.attachment_upload", "referrals.attachment_download",
    "referrals.attachment_delete",
    "screening.screening_page", "screening.screening_contribution_save", "screening.screening_texts_save",
    "screening.screening_finalise", "screening.screening_addendum_add", "screening.screening_report",
    "screening.participant_invite", "screening.participant_remove",
})
# the process direction plan (404 for whoever may not see the case)
CASE_OBJECT |= {"plans.plan_page", "plans.goal_add", "plans.goal_save", "plans.goal_remove", "plans.review_add",
                "plans.review_record", "plans.review_cancel", "plans.plan_agree", "plans.version_page",
                "plans.fitting_help", "plans.plan_pdf"}
# sessions: minutes, actions, follow-up (404 for whoever has no relation to the session, case or decision)
CASE_OBJECT |= {"meetings.minutes_pdf", "meetings.extract_pdf", "meetings.addendum_add", "actions.set_status",
                "meetings.followup_answer"}
# sessions: planning (404 for whoever is neither of the session's region nor invited)
CASE_OBJECT |= {"meetings.calendar_invitation", "meetings.page", "meetings.edit", "meetings.item_add", "meetings.item_remove", "meetings.item_move",
                "meetings.step"}
# sessions: live (404 for whoever is neither of the session's region nor invited)
CASE_OBJECT |= {"meetings.live", "meetings.live_updates", "meetings.check_in", "meetings.item_activate",
                "meetings.item_notes", "meetings.decision_add", "meetings.action_add"}
# the collective: a provider of the region (404 for whoever is not of its region; keeping it: for its
# own provider members only)
CASE_OBJECT |= {"collective.provider", "collective.profile_edit", "collective.contact_add",
                "collective.contact_remove", "collective.capacity_edit", "collective.capacity_history"}
# requests and commitments: a request to a provider on a case (404 for whoever has no relation to it)
CASE_OBJECT |= {"commitments.case_requests", "commitments.suggestions_list", "commitments.request_page",
                "commitments.request_withdraw", "commitments.commitment_start", "commitments.commitment_end"}
# escalations to the network (404 for whoever is not of the RET of the case's region)
CASE_OBJECT |= {"escalations.escalation_form", "escalations.escalation_page", "escalations.escalation_remind",
                "escalations.escalation_new_date", "escalations.escalation_withdraw", "escalations.escalation_reply"}
# the escalation dossier: every role passes the door, the escalation decides (404 for whoever is neither of
# the RET of the case's region nor a liaison of its network while network consent stands)
CASE_OBJECT |= {"escalations.dossier_pdf", "escalations.dossier_json"}
# notifications: one's own only (404 for anyone else's)
CASE_OBJECT |= {"notifications.open_one", "notifications.mark"}
# export jobs: one's own only (404 for anyone else's)
CASE_OBJECT |= {"exports.job", "exports.download"}
# a case's outcome (404 for whoever is not of the RET of the case's region)
CASE_OBJECT |= {"outcomes.outcome_page"}
# re-referral: the chair of the case's region decides on an earlier case (404 for any other chair)
CASE_OBJECT |= {"rereferrals.decide"}
# inspection and correction requests: the chair of the case's region (404 for any other chair; the request
# or correction of another case: 404)
CASE_OBJECT |= {"inspection.requests_page", "inspection.inspection_page", "inspection.inspection_step",
                "inspection.inspection_withheld", "inspection.correction_form", "inspection.correction_page"}
# gap signals: a signal of the region (404 for the RET of another region); the report is of one's own region
# (404 for whoever is of no region's RET). The list and the gap overview show one's own region (empty: none).
CASE_OBJECT |= {"signals.signal_page", "signals.report_request"}
# erasure and retention: the chair (privacy officer) of the case's region (404 for another region's)
CASE_OBJECT |= {"erasure.case_privacy", "erasure.request_record", "erasure.hold_place", "erasure.hold_lift",
                "erasure.retention_extend", "erasure.request_page", "erasure.list_page", "erasure.entry_take_off",
                "erasure.list_approve"}
# the network liaison's side of an escalation (404 for a liaison of another network, or after the network
# consent was withdrawn; the list shows one's own network's only)
CASE_OBJECT |= {"escalations.network_page", "escalations.network_step", "escalations.network_director",
                "escalations.network_message", "escalations.network_answer", "escalations.network_close"}
# learning vignettes (404 for whoever is not of the RET of the vignette's region; a RET member sees approved ones)
CASE_OBJECT |= {"vignettes.generate", "vignettes.page", "vignettes.save", "vignettes.approve", "vignettes.withdraw",
                "vignettes.pdf"}
# a case's access log (404 for whoever is neither the chair nor the privacy officer of the case's region)
CASE_OBJECT |= {"privacy.access_log_page"}
# Object routes that some allowed roles reach without a relation to the object: these roles get the
# page, the others 404. The administrator answers for every municipality.
OBJECT_OPEN_TO: dict[str, frozenset] = {"meetings.followup_answer": ADMIN}

# Sensitive routes: they need a password confirmation within the last 15 minutes.
FRESH = frozenset({
    "admin.user_edit",
    "admin.user_deactivate",
    "admin.user_reactivate",
    "admin.user_reset_2fa",
    "admin.user_activation_link",
    "account.new_recovery_codes",
    "api_tokens.token_new",
    "api_tokens.token_rotate",
})

# What an allowed GET answers when it is not 200: (status, path it redirects to).
ALLOWED_GET_REDIRECTS = {
    "admin.index": (302, "/beheer/gebruikers"),
}

# What an anonymous GET of a public route answers.
PUBLIC_GET = {
    "main.index": (302, "/inloggen"),
    "auth.login": (200, None),
    "auth.second_factor": (302, "/inloggen"),  # no password step done
    "auth.recovery_code": (302, "/inloggen"),
    "auth.activate": (404, None),  # unknown token
    "auth.enrol": (404, None),  # no activation in progress
    "api.openapi": (200, None),  # the monitor API's description (no data)
    "operations.health_check": (200, None),  # the load balancer's health check (no data)
    "main.accessibility": (200, None),  # the accessibility statement (no data)
}

LOGIN_PATH = "/inloggen"
REAUTH_PATH = "/herbevestigen"


# --- one signed-in session per role for the whole module -------------------------------------

@pytest.fixture(scope="module")
def role_sessions(app) -> dict:
    """The matrix signs in once per role: a user of each role (in an organisation of its kind, no
    region, so no relation to any object below) and its session cookie, kept for every test of the
    module (what a test changes in a session is rolled back with the test)."""
    factory = Factory(app)
    sessions = {}
    for role in ROLES:
        user = factory.user(role)
        client = app.test_client()
        login(client, app, user)
        sessions[role] = (user, client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    return sessions


@pytest.fixture
def login_as(client, app, factory, role_sessions):
    """login_as(role) signs `client` in with the module's session of that role; with arguments
    (an organisation, say) it signs in a new user of that role."""

    def _login(role: str, **kwargs):
        if kwargs:
            user = factory.user(role, **kwargs)
            login(client, app, user)
            return user
        user, cookie = role_sessions[role]
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        return user

    return _login


# --- objects for routes with URL parameters ------------------------------------------------

@dataclass
class Objects:
    network: object
    region: object
    municipality: object
    access_team: object
    ret_org: object
    target: object  # an active caseworker (edit, deactivate, reset 2FA)
    deactivated: object  # for reactivate
    pending: object  # not activated yet: for a new activation link
    mandate: object
    target_session_id: int  # a live session of `target`
    case_id: int = 0  # a submitted case referred by `target` (with a plan: an agreed version 1)
    concept_id: int = 0  # a concept referral of `target`, with one family member (`member_id`)
    member_id: int = 0
    attachment_id: Callable[[], int] = lambda: 0  # an attachment of `case_id`, its file written on first use
    meeting_id: int = 0  # a RET session in progress in `region` with `case_id` on its agenda (`item_id`)
    item_id: int = 0
    approved_meeting_id: int = 0  # a session with approved minutes, `case_id` on its agenda
    planned_meeting_id: int = 0  # a planned session with `case_id` on its agenda
    decision_id: int = 0  # a provisional decision on `item_id` (municipality `municipality`)
    action_id: int = 0  # an open action on `case_id` owned by `target`
    care_type_id: int = 0  # a care type of `region`'s catalogue, on offer (in use by `mandate`)
    retired_care_type_id: int = 0  # one no longer offered
    unused_care_type_id: int = 0  # one no record uses (it can be removed)
    provider: object = None  # a collective provider of `region` with a profile offering ambulatory care,
    keeper: object = None  # its provider member,
    contact_id: int = 0  # one of its contact persons and a capacity entry for ambulatory care
    request_id: int = 0  # an open request to `provider` on `case_id`
    escalation_id: int = 0  # an escalation of `case_id` to `network`, accepted, with a question of the network
    question_id: int = 0
    notification_id: int = 0  # an unread notification of `target`
    export_job_id: int = 0  # a finished export of `target` (tests/export_kinds.py)
    gap_category_id: int = 0  # a category of `region`'s gap taxonomy, in use
    retired_gap_category_id: int = 0  # one no longer in use
    api_token_id: int = 0  # an active monitor-API token of `access_team`, and its secret
    api_token_secret: str = ""
    vignette_id: int = 0  # an approved learning vignette of `case_id`
    signal_id: int = 0  # a new gap signal of `region` (education), without evidence
    erasure_request_id: int = 0  # an erasure request on `case_id` (to decide)
    hold_id: int = 0  # a legal hold on `case_id`
    destruction_list_id: int = 0  # a draft destruction list of `region` with `case_id` on it (`destruction_entry_id`)
    destruction_entry_id: int = 0
    inspection_request_id: int = 0  # an inspection request on `case_id` (received)
    correction_id: int = 0  # a correction request on `case_id` (to decide)


def _collective_objects(app, factory, region) -> dict:
    """A collective provider of the region with a profile (ambulatory care offered), a contact person
    and a capacity entry, and a provider member who keeps them."""
    from ret_app.models import CapacityEntry, CapacityUpdate, ProviderCareType, ProviderContact, ProviderProfile

    provider = factory.organisation("provider", region_id=region.id, collective_member=True)
    keeper = factory.user("provider_member", provider.id)
    with app.app_context():
        profile = ProviderProfile(organisation_id=provider.id, updated_by_id=keeper.id,
                                  care_types=[ProviderCareType(care_type="ambulatory")],
                                  contacts=[ProviderContact(name="Contact Persoon", role="Coördinator",
                                                            phone="088 123 45 67")])
        entry = CapacityEntry(organisation_id=provider.id, care_type="ambulatory", places_available=1,
                              waiting_weeks=3, updated_by_id=keeper.id)
        entry.history.append(CapacityUpdate(places_available=1, waiting_weeks=3, recorded_by_id=keeper.id))
        db.session.add_all([profile, entry])
        db.session.commit()
        contact_id = profile.contacts[0].id
        db.session.remove()
    return {"provider": provider, "keeper": keeper, "contact_id": contact_id}


def _request_objects(app, factory, case_id: int, provider, requester) -> dict:
    """An open request to the collective provider on the case (asked by `requester`)."""
    from ret_app.models import ProviderRequest

    with app.app_context():
        row = ProviderRequest(case_id=case_id, organisation_id=provider.id, role="lead_provider",
                              care_type="ambulatory", question="Kunt u helpen?",
                              reply_by=date.today() + timedelta(days=3), requested_by_id=requester.id,
                              submission_key=secrets.token_hex(8))
        db.session.add(row)
        db.session.commit()
        out = {"request_id": row.id}
        db.session.remove()
    return out


def _escalation_objects(app, case_id: int, network, author) -> dict:
    """An escalation of the case to the network, accepted by it, with a question of the network."""
    from ret_app.models import Escalation, EscalationMessage

    with app.app_context():
        row = Escalation(case_id=case_id, network_id=network.id, status="accepted", why_exhausted="Alles geprobeerd",
                         question_kind="consultation", question="Kunt u adviseren?",
                         expected_answer_date=date.today() + timedelta(days=10), created_by_id=author.id,
                         submission_key=secrets.token_hex(8))
        row.messages.append(EscalationMessage(side="network", kind="question", text="Vraag van het netwerk",
                                              author_id=author.id, submission_key=secrets.token_hex(8)))
        db.session.add(row)
        db.session.commit()
        out = {"escalation_id": row.id, "question_id": row.messages[0].id}
        db.session.remove()
    return out


def _inspection_objects(app, case_id: int, author) -> dict:
    """An inspection request (received) and a correction request (to decide) on the case."""
    from ret_app.models import CorrectionRequest, InspectionRequest

    with app.app_context():
        inspection = InspectionRequest(case_id=case_id, requester_kind="youth", requester_name="Jeugdige",
                                       received_on=date.today(), recorded_by_id=author.id)
        correction = CorrectionRequest(case_id=case_id, requester_kind="youth", requester_name="Jeugdige",
                                       received_on=date.today(), section="screening", asked="Graag aanvullen",
                                       recorded_by_id=author.id)
        db.session.add_all([inspection, correction])
        db.session.commit()
        out = {"inspection_request_id": inspection.id, "correction_id": correction.id}
        db.session.remove()
    return out


def _erasure_objects(app, case_id: int, region, author) -> dict:
    """An erasure request and a legal hold on the case, a draft destruction list of the region naming it."""
    from ret_app.models import DestructionEntry, DestructionList, ErasureRequest, LegalHold

    with app.app_context():
        request = ErasureRequest(case_id=case_id, region_id=region.id, requester_kind="parent",
                                 requester_name="Ouder", received_on=date.today(),
                                 due_on=date.today() + timedelta(days=90), recorded_by_id=author.id)
        hold = LegalHold(case_id=case_id, reason="Klacht", placed_by_id=author.id)
        listed = DestructionList(region_id=region.id, drafted_on=date.today(), entries=[
            DestructionEntry(case_id=case_id, retain_until=date.today() - timedelta(days=1))])
        db.session.add_all([request, hold, listed])
        db.session.commit()
        out = {"erasure_request_id": request.id, "hold_id": hold.id, "destruction_list_id": listed.id,
               "destruction_entry_id": listed.entries[0].id}
        db.session.remove()
    return out


def _vignette_objects(app, case_id: int, region, author) -> dict:
    """An approved learning vignette of the case (its region's)."""
    from ret_app.models import LearningVignette

    with app.app_context():
        row = LearningVignette(region_id=region.id, case_id=case_id, status="approved", title="Leerverhaal",
                               text="## Vraag\n\nWelke hulp past?", generated_by_id=author.id, withdraw_reason="",
                               approved_at=utcnow(), approved_by_id=author.id)
        db.session.add(row)
        db.session.commit()
        out = {"vignette_id": row.id}
        db.session.remove()
    return out


def _live_session(app, user_id: int) -> int:
    with app.app_context():
        now = utcnow()
        row = WebSession(token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(), user_id=user_id,
                         data="{}", created_at=now, last_seen_at=now, authenticated_at=now)
        db.session.add(row)
        db.session.commit()
        row_id = row.id
        db.session.remove()
        return row_id


def _meeting_objects(app, factory, ret_org, target, case_id: int) -> dict:
    """A session in progress and one with approved minutes, both with `case_id` on the agenda; a
    provisional decision and an open action owned by `target`."""
    from decimal import Decimal

    from ret_app.models import CaseAction, Decision, Meeting, MeetingItem

    chair = factory.user("chair", ret_org.id)
    meeting_id = factory.meeting(chair, status="in_progress", cases=(case_id,), invite=(target,))
    approved_id = factory.meeting(chair, status="approved", cases=(case_id,), invite=(target,),
                                  starts_at=utcnow() - timedelta(days=7))
    planned_id = factory.meeting(chair, status="planned", cases=(case_id,), invite=(target,),
                                 starts_at=utcnow() + timedelta(days=7))
    with app.app_context():
        item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id))
        case = item.case
        decision = Decision(item_id=item.id, case_id=case_id, municipality_id=case.municipality_id,
                            kind="commits_help", text="Ambulante hulp", care_type="ambulatory",
                            amount_eur=Decimal("1000"), status="provisional", mandate_finding="no_holder_present",
                            submission_key=secrets.token_hex(8), recorded_by_id=chair.id)
        action = CaseAction(case_id=case_id, item_id=item.id, description="Gesprek plannen",
                            owner_user_id=target.id, due_date=date.today() + timedelta(days=7),
                            submission_key=secrets.token_hex(8), created_by_id=chair.id)
        db.session.add_all([decision, action])
        db.session.get(Meeting, approved_id).approved_at = utcnow()
        db.session.commit()
        out = {"meeting_id": meeting_id, "item_id": item.id, "approved_meeting_id": approved_id,
               "planned_meeting_id": planned_id,
               "decision_id": decision.id, "action_id": action.id}
        db.session.remove()
    return out


def _api_token(app, factory, organisation_id: int) -> tuple[int, str]:
    from ret_app.api import services
    from ret_app.kernel import submissions
    from ret_app.models import User

    admin = factory.user("admin")
    with app.app_context():
        issued = services.issue(db.session.get(User, admin.id), organisation_id, "Monitor",
                                date.today() + timedelta(days=30), submissions.new_key())
        token = (issued.token.id, issued.secret)
        db.session.commit()
        db.session.remove()
        return token


@pytest.fixture(scope="module")
def objects(app) -> Iterator[Objects]:
    """Built once for the module (in its transaction); what a test changes is rolled back with it."""
    factory = Factory(app)
    network = factory.network()
    region = factory.region(network_id=network.id)
    municipality = factory.municipality(region.id)
    access_team = factory.organisation("access_team", region_id=region.id, municipality_id=municipality.id)
    ret_org = factory.organisation("ret", region_id=region.id)
    target = factory.user("caseworker", access_team.id)
    deactivated = factory.user("caseworker", access_team.id)
    with app.app_context():
        from ret_app.models import User

        db.session.get(User, deactivated.id).deactivated_at = utcnow()
        db.session.commit()
        db.session.remove()
    pending = factory.user("caseworker", access_team.id, activated=False)
    mandate = factory.mandate(target.id, municipality.id)
    case_id = factory.case(target, municipality, status="submitted")
    concept_id = factory.case(target, municipality, status="concept", family=(("mother", True),))
    with app.app_context():
        from ret_app.models import FamilyMember

        member_id = db.session.scalar(select(FamilyMember.id).where(FamilyMember.case_id == concept_id))
        db.session.remove()
    meeting = _meeting_objects(app, factory, ret_org, target, case_id)
    collective = _collective_objects(app, factory, region)
    collective.update(_request_objects(app, factory, case_id, collective["provider"], target))
    collective.update(_escalation_objects(app, case_id, network, target))
    collective.update(_vignette_objects(app, case_id, region, target))
    collective.update(_erasure_objects(app, case_id, region, target))
    collective.update(_inspection_objects(app, case_id, target))
    with app.app_context():
        from sqlalchemy import update

        from ret_app.models import CareType

        care_types = dict(db.session.execute(select(CareType.code, CareType.id)
                                             .where(CareType.region_id == region.id)).all())
        db.session.execute(update(CareType).where(CareType.id == care_types["respite_care"]).values(active=False))
        from ret_app.models import GapCategory

        gap_categories = dict(db.session.execute(select(GapCategory.code, GapCategory.id)
                                                 .where(GapCategory.region_id == region.id)).all())
        db.session.execute(update(GapCategory).where(GapCategory.id == gap_categories["conflict"]).values(active=False))
        from ret_app.models import Plan, PlanVersion

        # The case's plan with an agreed version 1 (its page is one of the case's pages).
        plan = Plan(case_id=case_id, agreed_number=1, changed_since_agreed=False)
        plan.versions.append(PlanVersion(number=1, agreed_by_id=target.id, content={"goals": [], "reviews": []}))
        db.session.add(plan)
        from ret_app.models import GapSignal

        # A new gap signal of the region (what the signal pages show; its evidence does not matter here).
        signal = GapSignal(region_id=region.id, gap_category_id=gap_categories["education"], status="new",
                           raised_at=utcnow(), window_start=date.today() - timedelta(days=180),
                           window_end=date.today(), raised_count=3, case_count=3,
                           open_key=f"{gap_categories['education']}:")
        db.session.add(signal)
        db.session.commit()
        signal_id = signal.id
        db.session.remove()
    with app.app_context():
        from ret_app.notifications import notify

        [notification_id] = notify([target.id], "session_invitation", f"/overleggen/{meeting['meeting_id']}",
                                   "access-test:invitation")
        db.session.commit()
        db.session.remove()
    export_kinds.register()  # the tests' kinds of export (test-anyone: anyone may ask for it)
    with app.app_context():
        from ret_app.models import ExportJob

        export = ExportJob(kind=export_kinds.ANYONE, params={"steps": 1}, requested_by_id=target.id,
                           status="done", progress=100, filename="testrapport.csv", mimetype="text/csv",
                           content=b"x", size=1, attempts=1, created_at=utcnow(), finished_at=utcnow(),
                           expires_at=utcnow() + timedelta(days=7))
        db.session.add(export)
        db.session.commit()
        export_job_id = export.id
        db.session.remove()
    stored_keys: list[str] = []

    def attachment_id() -> int:
        """Only the few tests that open an attachment's URL get one, so that hardly any files are written."""
        from io import BytesIO

        from werkzeug.datastructures import FileStorage

        from ret_app.referrals import attachments
        from ret_app.models import Case, User

        with app.test_request_context():
            attachment = attachments.add_attachment(
                db.session.get(Case, case_id), db.session.get(User, target.id),
                FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), "verslag.pdf"))
            db.session.commit()
            stored_keys.append(attachment.storage_key)
            return attachment.id

    yield Objects(network, region, municipality, access_team, ret_org, target, deactivated, pending, mandate,
                  _live_session(app, target.id), case_id, concept_id, member_id, attachment_id, **meeting,
                  **collective,
                  care_type_id=care_types["ambulatory"], retired_care_type_id=care_types["respite_care"],
                  unused_care_type_id=care_types["jeugdzorgplus"], notification_id=notification_id,
                  export_job_id=export_job_id,
                  gap_category_id=gap_categories["education"], retired_gap_category_id=gap_categories["conflict"],
                  signal_id=signal_id,
                  **dict(zip(("api_token_id", "api_token_secret"), _api_token(app, factory, access_team.id))))
    with app.app_context():
        from ret_app.referrals import attachments

        for key in stored_keys:
            attachments.discard_file(key)


URL_PARAMS: dict[str, Callable[[Objects], dict]] = {
    # erasure and retention
    "erasure.case_privacy": lambda o: {"case_id": o.case_id},
    "erasure.request_record": lambda o: {"case_id": o.case_id},
    "erasure.hold_place": lambda o: {"case_id": o.case_id},
    "erasure.hold_lift": lambda o: {"case_id": o.case_id, "hold_id": o.hold_id},
    "erasure.retention_extend": lambda o: {"case_id": o.case_id},
    "erasure.request_page": lambda o: {"request_id": o.erasure_request_id},
    "erasure.list_page": lambda o: {"list_id": o.destruction_list_id},
    "erasure.entry_take_off": lambda o: {"list_id": o.destruction_list_id, "entry_id": o.destruction_entry_id},
    "erasure.list_approve": lambda o: {"list_id": o.destruction_list_id},
    "admin.network_edit": lambda o: {"object_id": o.network.id},
    "admin.region_edit": lambda o: {"object_id": o.region.id},
    "admin.region_norms": lambda o: {"object_id": o.region.id},
    "admin.municipality_edit": lambda o: {"object_id": o.municipality.id},
    "admin.organisation_edit": lambda o: {"object_id": o.access_team.id},
    "admin.user_edit": lambda o: {"user_id": o.target.id},
    "admin.user_deactivate": lambda o: {"user_id": o.target.id},
    "admin.user_reactivate": lambda o: {"user_id": o.deactivated.id},
    "admin.user_reset_2fa": lambda o: {"user_id": o.target.id},
    "admin.user_activation_link": lambda o: {"user_id": o.pending.id},
    "admin.mandate_detail": lambda o: {"mandate_id": o.mandate.id},
    "account.end_session": lambda o: {"session_id": o.target_session_id},
    "auth.activate": lambda o: {"token": "no-such-activation-token"},
    "cases.case_page": lambda o: {"case_id": o.case_id},
    "cases.case_step": lambda o: {"case_id": o.case_id, "name": "pause"},
    "cases.intake_decision": lambda o: {"case_id": o.case_id},
    # Sub-objects that need not exist: the case check (404 for anyone unrelated) comes first.
    "referrals.referral_edit": lambda o: {"case_id": o.concept_id},
    "referrals.referral_submit": lambda o: {"case_id": o.case_id},
    "referrals.family_add": lambda o: {"case_id": o.case_id},
    "referrals.family_edit": lambda o: {"case_id": o.concept_id, "member_id": o.member_id},
    "referrals.family_remove": lambda o: {"case_id": o.case_id, "member_id": 1},
    "referrals.prior_help_add": lambda o: {"case_id": o.case_id},
    "referrals.prior_help_remove": lambda o: {"case_id": o.case_id, "help_id": 1},
    "referrals.consent_page": lambda o: {"case_id": o.case_id},
    "referrals.consent_withdraw": lambda o: {"case_id": o.case_id, "consent_id": 1},
    "referrals.legal_ground_add": lambda o: {"case_id": o.case_id},
    "referrals.legal_ground_end": lambda o: {"case_id": o.case_id, "ground_id": 1},
    "referrals.attachment_upload": lambda o: {"case_id": o.case_id},
    "referrals.attachment_download": lambda o: {"case_id": o.case_id, "attachment_id": o.attachment_id()},
    "referrals.attachment_delete": lambda o: {"case_id": o.case_id, "attachment_id": 1},
    "screening.screening_page": lambda o: {"case_id": o.case_id},
    "screening.screening_contribution_save": lambda o: {"case_id": o.case_id, "domain": "safety"},
    "screening.screening_texts_save": lambda o: {"case_id": o.case_id, "part": "analyse"},
    "screening.screening_finalise": lambda o: {"case_id": o.case_id},
    "screening.screening_addendum_add": lambda o: {"case_id": o.case_id},
    "screening.screening_report": lambda o: {"case_id": o.case_id},
    "screening.participant_invite": lambda o: {"case_id": o.case_id},
    "screening.participant_remove": lambda o: {"case_id": o.case_id, "participant_id": 1},
    # the process direction plan (sub-objects that need not exist: the case check comes first)
    "plans.plan_page": lambda o: {"case_id": o.case_id},
    "plans.goal_add": lambda o: {"case_id": o.case_id},
    "plans.goal_save": lambda o: {"case_id": o.case_id, "goal_id": 1},
    "plans.goal_remove": lambda o: {"case_id": o.case_id, "goal_id": 1},
    "plans.review_add": lambda o: {"case_id": o.case_id},
    "plans.review_record": lambda o: {"case_id": o.case_id, "review_id": 1},
    "plans.review_cancel": lambda o: {"case_id": o.case_id, "review_id": 1},
    "plans.plan_agree": lambda o: {"case_id": o.case_id},
    "plans.version_page": lambda o: {"case_id": o.case_id, "number": 1},
    "plans.fitting_help": lambda o: {"case_id": o.case_id},
    "plans.plan_pdf": lambda o: {"case_id": o.case_id},
    # sessions: live
    "meetings.live": lambda o: {"meeting_id": o.meeting_id},
    "meetings.live_updates": lambda o: {"meeting_id": o.meeting_id, "item": o.item_id, "rev": 0},
    "meetings.check_in": lambda o: {"meeting_id": o.meeting_id},
    "meetings.item_activate": lambda o: {"meeting_id": o.meeting_id, "item_id": o.item_id},
    "meetings.item_notes": lambda o: {"meeting_id": o.meeting_id, "item_id": o.item_id},
    "meetings.decision_add": lambda o: {"meeting_id": o.meeting_id, "item_id": o.item_id},
    "meetings.action_add": lambda o: {"meeting_id": o.meeting_id, "item_id": o.item_id},
    # sessions: planning
    "meetings.page": lambda o: {"meeting_id": o.meeting_id},
    "meetings.calendar_invitation": lambda o: {"meeting_id": o.planned_meeting_id},
    "meetings.edit": lambda o: {"meeting_id": o.planned_meeting_id},
    "meetings.item_add": lambda o: {"meeting_id": o.meeting_id},
    "meetings.item_remove": lambda o: {"meeting_id": o.meeting_id, "item_id": o.item_id},
    "meetings.item_move": lambda o: {"meeting_id": o.meeting_id, "item_id": o.item_id},
    "meetings.step": lambda o: {"meeting_id": o.meeting_id, "name": "close"},
    # sessions: minutes, actions, follow-up
    "meetings.minutes_pdf": lambda o: {"meeting_id": o.approved_meeting_id},
    "meetings.extract_pdf": lambda o: {"meeting_id": o.approved_meeting_id, "case_id": o.case_id},
    "meetings.addendum_add": lambda o: {"meeting_id": o.approved_meeting_id},
    "actions.set_status": lambda o: {"action_id": o.action_id},
    "meetings.followup_answer": lambda o: {"decision_id": o.decision_id},
    # the collective
    "collective.provider": lambda o: {"organisation_id": o.provider.id},
    "collective.profile_edit": lambda o: {"organisation_id": o.provider.id},
    "collective.contact_add": lambda o: {"organisation_id": o.provider.id},
    "collective.contact_remove": lambda o: {"organisation_id": o.provider.id, "contact_id": o.contact_id},
    "collective.capacity_edit": lambda o: {"organisation_id": o.provider.id, "care_type": "ambulatory"},
    "collective.capacity_history": lambda o: {"organisation_id": o.provider.id, "care_type": "ambulatory"},
    # requests and commitments
    "commitments.case_requests": lambda o: {"case_id": o.case_id},
    "commitments.suggestions_list": lambda o: {"case_id": o.case_id},
    "commitments.request_page": lambda o: {"request_id": o.request_id},
    "commitments.request_withdraw": lambda o: {"request_id": o.request_id},
    "commitments.commitment_start": lambda o: {"request_id": o.request_id},
    "commitments.commitment_end": lambda o: {"request_id": o.request_id},
    # escalations to the network
    "escalations.escalation_form": lambda o: {"case_id": o.case_id},
    "escalations.escalation_page": lambda o: {"escalation_id": o.escalation_id},
    "escalations.escalation_remind": lambda o: {"escalation_id": o.escalation_id},
    # re-referral (the link need not exist: the case check comes first)
    "rereferrals.decide": lambda o: {"case_id": o.case_id, "link_id": 1},
    "inspection.requests_page": lambda o: {"case_id": o.case_id},
    "inspection.inspection_page": lambda o: {"case_id": o.case_id, "request_id": o.inspection_request_id},
    "inspection.inspection_step": lambda o: {"case_id": o.case_id, "request_id": o.inspection_request_id,
                                             "step": "controleren"},
    "inspection.inspection_withheld": lambda o: {"case_id": o.case_id, "request_id": o.inspection_request_id},
    "inspection.correction_form": lambda o: {"case_id": o.case_id},
    "inspection.correction_page": lambda o: {"case_id": o.case_id, "correction_id": o.correction_id},
    "escalations.escalation_new_date": lambda o: {"escalation_id": o.escalation_id},
    "escalations.escalation_withdraw": lambda o: {"escalation_id": o.escalation_id},
    "escalations.escalation_reply": lambda o: {"escalation_id": o.escalation_id, "question_id": o.question_id},
    "escalations.dossier_pdf": lambda o: {"escalation_id": o.escalation_id},
    "escalations.dossier_json": lambda o: {"escalation_id": o.escalation_id},
    "escalations.network_page": lambda o: {"escalation_id": o.escalation_id},
    "escalations.network_step": lambda o: {"escalation_id": o.escalation_id, "name": "accept"},
    "escalations.network_director": lambda o: {"escalation_id": o.escalation_id},
    "escalations.network_message": lambda o: {"escalation_id": o.escalation_id},
    "escalations.network_answer": lambda o: {"escalation_id": o.escalation_id},
    "escalations.network_close": lambda o: {"escalation_id": o.escalation_id},
    # learning vignettes
    "vignettes.generate": lambda o: {"case_id": o.case_id},
    "vignettes.page": lambda o: {"vignette_id": o.vignette_id},
    "vignettes.save": lambda o: {"vignette_id": o.vignette_id},
    "vignettes.approve": lambda o: {"vignette_id": o.vignette_id},
    "vignettes.withdraw": lambda o: {"vignette_id": o.vignette_id},
    "vignettes.pdf": lambda o: {"vignette_id": o.vignette_id},
    # the care-type catalogue
    "caretypes.catalogue": lambda o: {"region_id": o.region.id},
    "caretypes.edit": lambda o: {"region_id": o.region.id, "care_type_id": o.care_type_id},
    "caretypes.retire": lambda o: {"region_id": o.region.id, "care_type_id": o.care_type_id},
    "caretypes.reactivate": lambda o: {"region_id": o.region.id, "care_type_id": o.retired_care_type_id},
    "caretypes.remove": lambda o: {"region_id": o.region.id, "care_type_id": o.unused_care_type_id},
    # outcomes and the gap taxonomy
    "outcomes.outcome_page": lambda o: {"case_id": o.case_id},
    "privacy.access_log_page": lambda o: {"case_id": o.case_id},
    "outcomes.taxonomy_page": lambda o: {"region_id": o.region.id},
    "outcomes.category_edit": lambda o: {"region_id": o.region.id, "category_id": o.gap_category_id},
    "outcomes.category_retire": lambda o: {"region_id": o.region.id, "category_id": o.gap_category_id},
    "outcomes.category_reactivate": lambda o: {"region_id": o.region.id, "category_id": o.retired_gap_category_id},
    # the monitor API's tokens
    "api_tokens.token_rotate": lambda o: {"token_id": o.api_token_id},
    "api_tokens.token_revoke": lambda o: {"token_id": o.api_token_id},
    # notifications
    # export jobs
    "exports.job": lambda o: {"job_id": o.export_job_id},
    "exports.download": lambda o: {"job_id": o.export_job_id},
    "exports.request_export": lambda o: {"kind": export_kinds.ANYONE},
    "notifications.open_one": lambda o: {"notification_id": o.notification_id},
    "notifications.mark": lambda o: {"notification_id": o.notification_id},
    "signals.signal_page": lambda o: {"signal_id": o.signal_id},
}

# Valid form data for each state-changing route: if the guard let the request through, the
# change would really happen, so "nothing changed" means the guard stopped it.
POST_DATA: dict[str, Callable[[Objects], dict]] = {
    # erasure and retention
    "erasure.request_record": lambda o: {"requester_kind": "youth", "requester_name": "Jeugdige",
                                         "received_on": date.today().isoformat()},
    "erasure.hold_place": lambda o: {"reason": "Klacht"},
    "erasure.hold_lift": lambda o: {"reason": "Klacht afgehandeld"},
    "erasure.retention_extend": lambda o: {"until": "", "reason": "Terug naar de termijn van de regio"},
    "erasure.request_page": lambda o: {"decision": "refuse", "ground": "others_interest", "reason": "Belang van een ander"},
    "erasure.entry_take_off": lambda o: {"reason": "Nog nodig"},
    "erasure.list_approve": lambda o: {},
    "admin.networks": lambda o: {"name": "Netwerk Nieuw", "short_name": "NIEUW", "answer_days": "10"},
    "admin.network_edit": lambda o: {"name": "Netwerk Hernoemd", "short_name": "HERN", "answer_days": "12"},
    "admin.regions": lambda o: {"name": "Regio Nieuw", "network_id": str(o.network.id)},
    "admin.region_edit": lambda o: {"name": "Regio Hernoemd", "network_id": ""},
    "admin.region_norms": lambda o: {"intake_decision": "4", "first_session": "8", "first_session_crisis": "1",
                                     "screening": "15", "request_reply_days": "4", "request_reply_days_crisis": "2",
                                     "capacity_stale_days": "10", "signal_threshold": "4",
                                     "signal_window_months": "9", "retention_years": "20"},
    "admin.municipalities": lambda o: {"name": "Nieuwegem", "cbs_code": "GM0777", "region_id": str(o.region.id)},
    "admin.municipality_edit": lambda o: {"name": "Hernoemd", "cbs_code": "GM0778",
                                          "region_id": str(o.region.id)},
    "admin.organisations": lambda o: {"name": "Nieuw RET", "kind": "ret", "region_id": str(o.region.id),
                                      "active": "y"},
    "admin.organisation_edit": lambda o: {"name": "Hernoemd team", "kind": "access_team",
                                          "municipality_id": str(o.municipality.id), "active": "y"},
    "admin.user_new": lambda o: {"name": "Nieuwe Voorzitter", "email": "nieuw@test.example", "role": "chair",
                                 "organisation_id": str(o.ret_org.id)},
    "admin.user_edit": lambda o: {"name": "Hernoemd", "email": o.target.email, "role": "caseworker",
                                  "organisation_id": str(o.access_team.id)},
    "admin.user_deactivate": lambda o: {},
    "admin.user_reactivate": lambda o: {},
    "admin.user_reset_2fa": lambda o: {},
    "admin.user_activation_link": lambda o: {},
    "admin.mandate_new": lambda o: {
        "holder_id": str(o.target.id), "municipality_id": str(o.municipality.id),
        "valid_from": date.today().isoformat(), "valid_until": (date.today() + timedelta(days=100)).isoformat(),
        "ceiling_eur": "25000", "care_types": ["ambulatory"], "granted_by": "College", "document_reference": "X"},
    "admin.mandate_detail": lambda o: {"reason": "Ingetrokken door test"},
    "account.change_password": lambda o: {"current_password": TEST_PASSWORD,
                                          "new_password": "een heel ander wachtwoord 42",
                                          "confirm_password": "een heel ander wachtwoord 42"},
    "account.end_session": lambda o: {},
    "account.end_other_sessions": lambda o: {},
    "account.new_recovery_codes": lambda o: {},
    "auth.reauthenticate": lambda o: {"password": TEST_PASSWORD},
    "referrals.referral_new": lambda o: {"municipality_id": str(o.municipality.id)},
    "cases.case_list": lambda o: {"q": "Noor", "status": "submitted"},
    "cases.case_step": lambda o: {"reason": "Gezin vraagt tijd"},
    "cases.intake_decision": lambda o: {"decision": "advice", "advice-advice": "Advies"},
    "referrals.referral_edit": lambda o: {"youth_first_name": "Noor", "urgency": "regular", "version": "1"},
    "referrals.referral_submit": lambda o: {},
    "referrals.family_add": lambda o: {"member-relation": "mother", "member-parental_authority": "y"},
    "referrals.family_edit": lambda o: {"member-1-relation": "father"},
    "referrals.family_remove": lambda o: {},
    "referrals.prior_help_add": lambda o: {"help-provider": "Aanbieder", "help-help_type": "Ambulant"},
    "referrals.prior_help_remove": lambda o: {},
    "referrals.consent_page": lambda o: {"consent-cells": ["youth:ret", "youth:collective"],
                                     "consent-given_on": date.today().isoformat(), "consent-kind": "written"},
    "referrals.consent_withdraw": lambda o: {"withdraw-1-withdrawn_on": date.today().isoformat()},
    "referrals.legal_ground_add": lambda o: {"ground-scope": "ret", "ground-reason": "Veiligheid"},
    "referrals.legal_ground_end": lambda o: {},
    "referrals.attachment_upload": lambda o: {},
    "referrals.attachment_delete": lambda o: {},
    "screening.screening_contribution_save": lambda o: {"safety-severity": "2", "safety-notes": "Zorgen"},
    "screening.screening_texts_save": lambda o: {"analysis": "Analyse", "advice": "Advies"},
    "screening.screening_finalise": lambda o: {"analysis": "Analyse", "advice": "Advies"},
    "screening.screening_addendum_add": lambda o: {"addendum-text": "Aanvulling"},
    "screening.participant_invite": lambda o: {"invitee": f"user-{o.target.id}"},
    "screening.participant_remove": lambda o: {},
    # the process direction plan
    "plans.goal_add": lambda o: {"goal-text": "Ik wil weer naar school.", "goal-voiced_by": "youth",
                                 "goal-status": "open"},
    "plans.goal_save": lambda o: {"g1-text": "Rust in huis.", "g1-voiced_by": "family", "g1-status": "open",
                                  "g1-version": "1"},
    "plans.goal_remove": lambda o: {},
    "plans.review_add": lambda o: {"review-planned_on": (date.today() + timedelta(days=14)).isoformat()},
    "plans.review_record": lambda o: {"r1-held_on": date.today().isoformat(), "r1-help_fits": "yes",
                                      "r1-own_judgement": "Het gaat beter", "r1-version": "1"},
    "plans.review_cancel": lambda o: {},
    "plans.plan_agree": lambda o: {"agree-version": "1", "agree-decision_id": ""},
    "plans.fitting_help": lambda o: {"fit-started_on": date.today().isoformat(), "fit-what": "Dagbehandeling"},
    # sessions: live
    "meetings.check_in": lambda o: {"present": "y"},
    "meetings.item_activate": lambda o: {},
    "meetings.item_notes": lambda o: {f"n{o.item_id}-notes": "Notitie", f"n{o.item_id}-version": "1"},
    "meetings.decision_add": lambda o: {f"d{o.item_id}-text": "Besluit", f"d{o.item_id}-kind": "general",
                                        f"d{o.item_id}-submission_key": "access-test-key"},
    "meetings.action_add": lambda o: {f"a{o.item_id}-description": "Bellen", f"a{o.item_id}-owner": f"u{o.target.id}",
                                      f"a{o.item_id}-due_date": (date.today() + timedelta(days=7)).isoformat(),
                                      f"a{o.item_id}-submission_key": "access-test-key"},
    # sessions: planning
    "meetings.new": lambda o: {"date": (date.today() + timedelta(days=1)).isoformat(), "start_time": "14:00",
                               "duration_minutes": "120", "location": "Vergaderzaal", "online_url": "",
                               "chair_id": ""},
    "meetings.edit": lambda o: {"date": (date.today() + timedelta(days=1)).isoformat(), "start_time": "10:00",
                                "duration_minutes": "90", "location": "Elders", "online_url": "", "chair_id": "",
                                "version": "1"},
    "meetings.item_add": lambda o: {"case_id": str(o.case_id), "purpose": "progress"},
    "meetings.item_remove": lambda o: {},
    "meetings.item_move": lambda o: {"direction": "up"},
    "meetings.step": lambda o: {"reason": ""},
    # sessions: minutes, actions, follow-up
    "meetings.addendum_add": lambda o: {"addendum-text": "Correctie op de notulen", "addendum-item_id": ""},
    "actions.set_status": lambda o: {f"action-{o.action_id}-status": "done"},
    "meetings.followup_answer": lambda o: {"answer": "confirmed", "answer_date": date.today().isoformat()},
    # the collective
    "collective.profile_edit": lambda o: {"summary": "Ambulante hulp", "expertise": ["trauma"],
                                          "care_types": ["ambulatory"], "min_age": "4", "max_age": "18",
                                          "version": "1"},
    "collective.contact_add": lambda o: {"contact-name": "Nieuwe Contactpersoon", "contact-role": "Teamleider",
                                         "contact-phone": "088 765 43 21"},
    "collective.contact_remove": lambda o: {},
    "collective.capacity_edit": lambda o: {"places_available": "2", "waiting_weeks": "4", "version": "1"},
    # requests and commitments
    "commitments.case_requests": lambda o: {"providers": [str(o.provider.id)], "role": "co_provider",
                                            "care_type": "ambulatory", "question": "Kunt u meedenken?",
                                            "reply_by": (date.today() + timedelta(days=5)).isoformat(),
                                            "submission_key": "k" * 32},
    "commitments.request_page": lambda o: {"decision": "accept", "contact_name": "Mevrouw Jansen",
                                           "intended_start": (date.today() + timedelta(days=7)).isoformat(),
                                           "answer_key": "a" * 32, "version": "1"},
    "commitments.request_withdraw": lambda o: {"withdraw_text": "Niet meer nodig", "version": ""},
        # (no version: the CSRF scenarios put the request in the state the step needs first)
    "commitments.commitment_start": lambda o: {"started_on": date.today().isoformat(), "version": ""},
    "commitments.commitment_end": lambda o: {"ended_on": date.today().isoformat(), "version": ""},
    # escalations to the network
    "escalations.escalation_form": lambda o: {"submission_key": "e" * 32, "action": "draft", "urgency": "regular",
                                              "question": "Kunt u adviseren?"},
    "escalations.escalation_remind": lambda o: {"submission_key": "r" * 32, "note": "Graag uw antwoord"},
    "rereferrals.decide": lambda o: {"decision": "confirm", "back": "case"},
    "inspection.requests_page": lambda o: {"requester_kind": "youth", "requester_name": "Jeugdige",
                                           "received_on": date.today().isoformat()},
    "inspection.inspection_step": lambda o: {},
    "inspection.inspection_withheld": lambda o: {"withheld": "screening", "reason_screening": "betreft een ander"},
    "inspection.correction_form": lambda o: {"requester_kind": "youth", "requester_name": "Jeugdige",
                                             "received_on": date.today().isoformat(), "section": "plan",
                                             "asked": "Doel 2 klopt niet"},
    "inspection.correction_page": lambda o: {"decision": "refused", "reason": "Het plan klopt", "addendum": ""},
    "escalations.escalation_new_date": lambda o: {"new_date": (date.today() + timedelta(days=20)).isoformat(),
                                                  "date_reason": "Uitstel gevraagd", "version": ""},
    "escalations.escalation_withdraw": lambda o: {"reason": "Opgelost in de regio", "version": ""},
    "escalations.escalation_reply": lambda o: {f"q{o.question_id}-text": "Ja", f"q{o.question_id}-submission_key": "q" * 32},
    # the network liaison's forms (no version: the CSRF scenarios put the escalation in the state each needs)
    "escalations.network_step": lambda o: {"accept-submission_key": "n" * 32, "accept-version": ""},
    "escalations.network_director": lambda o: {"director-submission_key": "d" * 32, "director-version": "",
                                               "director-director_name": "Hanneke Prins",
                                               "director-director_organisation": "Netwerk"},
    "escalations.network_message": lambda o: {"msg-submission_key": "m" * 32, "msg-version": "", "msg-kind": "question",
                                              "msg-text": "Gaat de jongere naar school?"},
    "escalations.network_answer": lambda o: {"ans-submission_key": "a" * 32, "ans-version": "",
                                             "ans-text": "Ons advies"},
    "escalations.network_close": lambda o: {"close-submission_key": "c" * 32, "close-version": "",
                                            "close-result": "advice_given", "close-result_text": ""},
    # learning vignettes
    "vignettes.generate": lambda o: {},
    "vignettes.save": lambda o: {"title": "Leerverhaal", "text": "## Vraag\n\nWelke hulp past nu?", "version": ""},
    "vignettes.approve": lambda o: {"version": ""},
    "vignettes.withdraw": lambda o: {"reason": "Te herkenbaar", "version": ""},
    "vignettes.pack_request": lambda o: {"leerverhaal": str(o.vignette_id)},  # an export job asked for
    # the care-type catalogue
    "caretypes.catalogue": lambda o: {"code": "nieuwe_zorgsoort", "name": "Nieuwe zorgsoort",
                                      "description": "Omschrijving", "position": "500"},
    "caretypes.edit": lambda o: {"name": "Ambulante hulp", "description": "Thuis", "position": "15", "version": "1"},
    "caretypes.retire": lambda o: {"version": "1"},
    "caretypes.reactivate": lambda o: {"version": "1"},
    "caretypes.remove": lambda o: {"version": "1"},
    # outcomes and the gap taxonomy
    "outcomes.outcome_page": lambda o: {"result": "partly_realised", "lessons": "Eerder opschalen",
                                        "help-0-care_type": "ambulatory", "help-0-organisation_id": "",
                                        "help-0-provider_name": "Aanbieder buiten de regio",
                                        "gap-0-category": str(o.gap_category_id), "gap-0-care_type": "",
                                        "gap-0-note": "Geen schoolplek", "version": ""},
    "outcomes.taxonomy_page": lambda o: {"code": "nieuwe_categorie", "name": "Nieuwe categorie",
                                         "description": "Omschrijving", "position": "500"},
    "outcomes.category_edit": lambda o: {"name": "Onderwijs past niet", "description": "Thuiszitter",
                                         "position": "15", "version": "1"},
    "outcomes.category_retire": lambda o: {"version": "1"},
    "outcomes.category_reactivate": lambda o: {"version": "1"},
    # the monitor API's tokens
    "api_tokens.token_new": lambda o: {"organisation_id": str(o.access_team.id), "name": "Regiomonitor",
                                       "expires_on": (date.today() + timedelta(days=60)).isoformat(),
                                       "submission_key": "t" * 32},
    "api_tokens.token_rotate": lambda o: {},
    "api_tokens.token_revoke": lambda o: {},
    # gap signals (no version: the CSRF scenarios use a signal of their own)
    "signals.signal_page": lambda o: {"owner": "policy", "step": "", "text": "Besproken met beleid", "version": ""},
    # the signal report of the running quarter: an export job asked for
    "signals.report_request": lambda o: {"report-period": _running_quarter(), "report-format": "csv"},
    # notifications
    "exports.request_export": lambda o: {"steps": "2"},
    "notifications.open_one": lambda o: {},
    "notifications.mark": lambda o: {"read": "1"},
    "notifications.mark_all": lambda o: {"next": "/meldingen"},
    "notifications.preferences": lambda o: _all_preferences("app"),
}


def _running_quarter() -> str:
    from ret_app.stats.periods import Period

    return Period.containing("quarter", date.today()).key


def _all_preferences(delivery: str) -> dict:
    """The notification preferences form with one delivery for every kind a user chooses."""
    from ret_app.notifications import kinds

    return {kind.code: delivery for kind in kinds.choosable()}


# --- helpers --------------------------------------------------------------------------------

def rules_by_endpoint(app) -> dict[str, set[str]]:
    """endpoint -> HTTP methods (without HEAD/OPTIONS), for every rule except static."""
    out: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        out.setdefault(rule.endpoint, set()).update((rule.methods or set()) - {"HEAD", "OPTIONS"})
    return out


def build_url(app, endpoint: str, objs: Optional[Objects]) -> str:
    params = URL_PARAMS[endpoint](objs) if endpoint in URL_PARAMS and objs is not None else {}
    with app.test_request_context():
        return url_for(endpoint, **params)


def path_of(location: str) -> str:
    return urlsplit(location).path


# Tables whose rows any request may touch (audit trail, sessions, throttles) are compared
# separately or not at all.
_VOLATILE = {"audit_event", "audit_head", "web_session", "auth_throttle"}


def db_snapshot(app) -> dict:
    """Everything a request could have changed, for 'nothing changed' assertions."""
    with app.app_context():
        out: dict = {}
        for table in db.metadata.sorted_tables:
            if table.name in _VOLATILE:
                continue
            rows = db.session.execute(select(table)).all()
            out[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
        out["web_session(live)"] = sorted(
            (row.id, row.user_id, row.ended_at is None)
            for row in db.session.scalars(select(WebSession).where(WebSession.user_id.is_not(None))))
        db.session.remove()
    return out


def age_authentication(client, minutes: int = 16) -> None:
    """Make the signed-in session's last password check `minutes` old."""
    with client.session_transaction() as sess:
        assert "auth_at" in sess
        sess["auth_at"] = (utcnow() - timedelta(minutes=minutes)).isoformat()


def allowed(endpoint: str, role: str) -> bool:
    expected = EXPECTED_ACCESS[endpoint]
    if expected == TOKEN:
        return False  # no session opens a route of the monitor API
    return expected == PUBLIC or role in expected  # type: ignore[operator]


# --- the table matches the app ------------------------------------------------------------

def test_every_route_is_classified(app):
    endpoints = set(rules_by_endpoint(app))
    missing = sorted(endpoints - set(EXPECTED_ACCESS))
    stale = sorted(set(EXPECTED_ACCESS) - endpoints)
    assert not missing, f"routes without an expected access classification in {__name__}: {missing}"
    assert not stale, f"classified routes that no longer exist: {stale}"
    assert FRESH <= endpoints, f"FRESH names unknown routes: {sorted(FRESH - endpoints)}"
    for endpoint, methods in rules_by_endpoint(app).items():
        if EXPECTED_ACCESS[endpoint] != PUBLIC and methods & {"POST", "PUT", "PATCH", "DELETE"}:
            assert endpoint in POST_DATA, f"{endpoint}: add valid form data to POST_DATA"
        params = [arg for rule in app.url_map.iter_rules(endpoint) for arg in rule.arguments]
        if params:
            assert endpoint in URL_PARAMS, f"{endpoint}: add its URL parameters to URL_PARAMS"


@pytest.mark.parametrize("endpoint", sorted(EXPECTED_ACCESS))
def test_policy_declaration_matches_table(app, endpoint):
    """Direct check of the decorators, so a failure names the cause before the HTTP matrix."""
    with app.test_request_context():
        access = policy.access_of(endpoint)
    assert access is not None, f"{endpoint} declares no access (fails closed, but must be classified)"
    expected = EXPECTED_ACCESS[endpoint]
    if expected == PUBLIC:
        assert access.public
        return
    if expected == TOKEN:
        assert access.token and not access.public and access.permission is None and not access.fresh
        return
    assert not access.token, f"{endpoint} takes a bearer token but should be limited to {sorted(expected)}"
    assert not access.public, f"{endpoint} is public but should be limited to {sorted(expected)}"
    granted = {str(r) for r in policy.roles_for(access.permission)} if access.permission else set(ROLES)
    assert granted == set(expected), f"{endpoint}: policy grants {sorted(granted)}, expected {sorted(expected)}"
    assert access.fresh == (endpoint in FRESH)


@pytest.fixture(scope="module")
def probe_app(tmp_path_factory):
    """A separate app with one route that declares no access (the shared app stays untouched)."""
    application = create_app(config.TestConfig, {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('probe') / 'probe.sqlite3'}"})
    application.add_url_rule("/__probe-unclassified", "probe_unclassified", lambda: "secret")
    with own_database(application):
        yield application


def test_unclassified_route_fails_closed(probe_app):
    """A view without @public or @requires is refused to everyone, signed in or not."""
    client = probe_app.test_client()
    assert client.get("/__probe-unclassified").status_code == 403
    admin = Factory(probe_app).user("admin")
    login(client, probe_app, admin)
    assert client.get("/start").status_code == 200
    response = client.get("/__probe-unclassified")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


# --- the HTTP matrix -----------------------------------------------------------------------

POST_ONLY = frozenset({
    "main.set_language", "auth.logout", "account.end_session", "account.end_other_sessions",
    "account.new_recovery_codes", "admin.user_deactivate", "admin.user_reactivate", "admin.user_reset_2fa",
    "admin.user_activation_link", "cases.case_step",
    "referrals.referral_submit", "referrals.family_add", "referrals.family_remove", "referrals.prior_help_add",
    "referrals.prior_help_remove", "referrals.consent_withdraw", "referrals.legal_ground_add", "referrals.legal_ground_end",
    "referrals.attachment_upload", "referrals.attachment_delete",
    "screening.screening_contribution_save", "screening.screening_texts_save", "screening.screening_finalise",
    "screening.screening_addendum_add", "screening.participant_invite", "screening.participant_remove",
})
# the process direction plan
POST_ONLY |= {"plans.goal_add", "plans.goal_save", "plans.goal_remove", "plans.review_add", "plans.review_record",
              "plans.review_cancel", "plans.plan_agree", "plans.fitting_help"}
# sessions: minutes, actions, follow-up
POST_ONLY |= {"meetings.addendum_add", "actions.set_status"}
# sessions: planning
POST_ONLY |= {"meetings.item_add", "meetings.item_remove", "meetings.item_move", "meetings.step"}
# sessions: live
POST_ONLY |= {"meetings.check_in", "meetings.item_activate", "meetings.item_notes", "meetings.decision_add",
              "meetings.action_add"}
# the collective
POST_ONLY |= {"collective.contact_add", "collective.contact_remove"}
# requests and commitments
POST_ONLY |= {"commitments.request_withdraw", "commitments.commitment_start", "commitments.commitment_end"}
# the care-type catalogue
POST_ONLY |= {"caretypes.retire", "caretypes.reactivate", "caretypes.remove"}
# escalations to the network
POST_ONLY |= {"escalations.escalation_remind", "escalations.escalation_new_date", "escalations.escalation_withdraw",
              "escalations.escalation_reply", "escalations.network_step", "escalations.network_director",
              "escalations.network_message", "escalations.network_answer", "escalations.network_close"}
# the gap taxonomy
POST_ONLY |= {"outcomes.category_retire", "outcomes.category_reactivate"}
# notifications
POST_ONLY |= {"notifications.open_one", "notifications.mark", "notifications.mark_all"}
# re-referral
POST_ONLY |= {"rereferrals.decide"}
# inspection requests: the steps and the parts withheld
POST_ONLY |= {"inspection.inspection_step", "inspection.inspection_withheld"}
# the monitor API's tokens
POST_ONLY |= {"api_tokens.token_rotate", "api_tokens.token_revoke"}
# learning vignettes
POST_ONLY |= {"vignettes.generate", "vignettes.save", "vignettes.approve", "vignettes.withdraw", "vignettes.pack_request"}
# export jobs (the signal report is asked for on the gap overview)
POST_ONLY |= {"exports.request_export", "signals.report_request"}
# erasure and retention
POST_ONLY |= {"erasure.request_record", "erasure.hold_place", "erasure.hold_lift", "erasure.retention_extend",
              "erasure.entry_take_off", "erasure.list_approve"}
GET_PROTECTED = sorted(e for e, a in EXPECTED_ACCESS.items() if a not in (PUBLIC, TOKEN) and e not in POST_ONLY)
GET_PUBLIC = sorted(e for e, a in EXPECTED_ACCESS.items() if a == PUBLIC and e not in POST_ONLY)
GET_TOKEN = sorted(e for e, a in EXPECTED_ACCESS.items() if a == TOKEN)
POST_PROTECTED = sorted(e for e in POST_DATA if EXPECTED_ACCESS[e] != PUBLIC)


def test_post_only_table_matches_url_map(app):
    rules = rules_by_endpoint(app)
    assert POST_ONLY == {e for e, methods in rules.items() if "GET" not in methods}
    assert set(POST_PROTECTED) == {e for e, methods in rules.items()
                                   if "POST" in methods and EXPECTED_ACCESS[e] != PUBLIC}


@pytest.mark.parametrize("endpoint", GET_PROTECTED)
def test_anonymous_get_redirects_to_login(app, client, objects, endpoint):
    url = build_url(app, endpoint, objects)
    response = client.get(url)
    assert response.status_code == 302, (url, response.status_code)
    assert path_of(response.headers["Location"]) == LOGIN_PATH

    htmx = client.get(url, headers={"HX-Request": "true"})
    assert htmx.status_code != 200 or not htmx.get_data(as_text=True).strip()
    assert path_of(htmx.headers.get("HX-Redirect", "")) == LOGIN_PATH, dict(htmx.headers)
    assert "<form" not in htmx.get_data(as_text=True)  # never a login page inside a fragment


@pytest.mark.parametrize("endpoint", GET_PUBLIC)
def test_public_get_needs_no_sign_in(app, client, objects, endpoint):
    url = build_url(app, endpoint, objects)
    status, location = PUBLIC_GET[endpoint]
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(url, headers=headers)
        assert response.status_code == status, (url, headers, response.status_code)
        assert "HX-Redirect" not in response.headers
        if location:
            assert path_of(response.headers["Location"]) == location


@pytest.mark.parametrize("endpoint,role", [(e, r) for e in GET_TOKEN for r in (None,) + ROLES])
def test_token_route_is_401_without_a_token_signed_in_or_not(app, client, objects, login_as, endpoint, role):
    """The monitor API takes a bearer token only: anonymous or signed in with any role, without a token
    the answer is 401 in JSON (never a login redirect, never the page), and the denial is audited."""
    if role is not None:
        login_as(role)
    url = build_url(app, endpoint, objects)
    for headers in ({}, {"HX-Request": "true"}, {"Authorization": "Bearer not-a-token-of-ours-at-all"}):
        response = client.get(url, headers=headers)
        assert response.status_code == 401, (url, role, headers, response.status_code)
        assert response.is_json and "Location" not in response.headers and "HX-Redirect" not in response.headers
        assert "Set-Cookie" not in response.headers  # no session there, not even to renew one
    with app.app_context():
        denied = db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "api_call", AuditEvent.outcome == "denied",
            AuditEvent.detail == f"route={endpoint};reason=missing")).all()
    assert denied and all(row.user_id is None for row in denied)


def refused_status(app, endpoint: str, role: str) -> int:
    """A role the route is not for gets 403; the analyst and the privacy officer get 404 on every route of
    a case (the issues: for them no case content exists, not even as forbidden)."""
    addresses_a_case = any("case_id" in rule.arguments for rule in app.url_map.iter_rules(endpoint))
    return 404 if role in ("analyst", "privacy_officer") and addresses_a_case else 403


@pytest.mark.parametrize("endpoint,role", [(e, r) for e in GET_PROTECTED for r in ROLES])
def test_signed_in_get(app, client, objects, login_as, endpoint, role):
    user = login_as(role)
    url = build_url(app, endpoint, objects)
    response = client.get(url)
    if not allowed(endpoint, role):
        assert response.status_code == refused_status(app, endpoint, role), (url, role, response.status_code)
        with app.app_context():
            denied = db.session.scalars(select(AuditEvent).where(
                AuditEvent.user_id == user.id, AuditEvent.outcome == "denied",
                AuditEvent.object_id == endpoint)).all()
        assert denied, "a refused request is recorded in the audit trail"
        return
    if endpoint in CASE_OBJECT and role not in OBJECT_OPEN_TO.get(endpoint, frozenset()):
        assert response.status_code == 404, (url, role, response.status_code)
        return
    status, location = ALLOWED_GET_REDIRECTS.get(endpoint, (200, None))
    # Just signed in counts as a recent authentication, fresh routes included.
    assert response.status_code == status, (url, role, response.status_code, response.headers.get("Location"))
    if location:
        assert path_of(response.headers["Location"]) == location


def _first_allowed_role(endpoint: str) -> str:
    return next(r for r in ROLES if allowed(endpoint, r))


@pytest.mark.parametrize("endpoint", GET_PROTECTED)
def test_stale_authentication_only_matters_for_fresh_routes(app, client, objects, login_as, endpoint):
    login_as(_first_allowed_role(endpoint))
    age_authentication(client)
    url = build_url(app, endpoint, objects)
    response = client.get(url)
    if endpoint in FRESH:
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.path == REAUTH_PATH
        assert parse_qs(location.query).get("next") == [url]  # comes back here afterwards
    elif endpoint in CASE_OBJECT:
        assert response.status_code == 404  # no relation to the case
    else:
        status, redirect_to = ALLOWED_GET_REDIRECTS.get(endpoint, (200, None))
        assert response.status_code == status
        if redirect_to:
            assert path_of(response.headers["Location"]) == redirect_to


def test_reauthentication_reopens_fresh_route(app, client, objects, login_as):
    login_as("admin")
    age_authentication(client)
    url = build_url(app, "admin.user_edit", objects)
    assert path_of(client.get(url).headers["Location"]) == REAUTH_PATH
    token = csrf_token(client, REAUTH_PATH)
    wrong = client.post(f"{REAUTH_PATH}?next={url}", data={"csrf_token": token, "password": "wrong password!"})
    assert wrong.status_code == 200
    assert client.get(url).status_code == 302
    right = client.post(f"{REAUTH_PATH}?next={url}", data={"csrf_token": token, "password": TEST_PASSWORD})
    assert right.status_code == 302 and path_of(right.headers["Location"]) == url
    assert client.get(url).status_code == 200


def test_stale_authentication_blocks_fresh_post(app, client, objects, login_as):
    login_as("admin")
    age_authentication(client)
    before = db_snapshot(app)
    token = csrf_token(client, "/start")
    response = client.post(build_url(app, "admin.user_deactivate", objects), data={"csrf_token": token})
    assert response.status_code == 302 and path_of(response.headers["Location"]) == REAUTH_PATH
    assert db_snapshot(app) == before


@pytest.mark.parametrize("endpoint", POST_PROTECTED)
def test_anonymous_post_is_refused(app, client, objects, endpoint):
    token = csrf_token(client, LOGIN_PATH)  # a valid token: the refusal must come from the policy
    before = db_snapshot(app)
    response = client.post(build_url(app, endpoint, objects), data={"csrf_token": token, **POST_DATA[endpoint](objects)})
    assert response.status_code == 302
    assert path_of(response.headers["Location"]) == LOGIN_PATH
    assert db_snapshot(app) == before

    htmx = client.post(build_url(app, endpoint, objects), data=POST_DATA[endpoint](objects),
                       headers={"HX-Request": "true", "X-CSRFToken": token})
    assert path_of(htmx.headers.get("HX-Redirect", "")) == LOGIN_PATH
    assert db_snapshot(app) == before


@pytest.mark.parametrize("endpoint,role",
                         [(e, r) for e in POST_PROTECTED for r in ROLES if not allowed(e, r)])
def test_wrong_role_post_is_refused(app, client, objects, login_as, endpoint, role):
    login_as(role)
    token = csrf_token(client, "/start")
    before = db_snapshot(app)
    response = client.post(build_url(app, endpoint, objects), data={"csrf_token": token, **POST_DATA[endpoint](objects)})
    assert response.status_code == refused_status(app, endpoint, role)
    assert db_snapshot(app) == before


@pytest.mark.parametrize("endpoint", [e for e in POST_PROTECTED if e not in CASE_OBJECT])
def test_allowed_post_does_change_something(app, client, objects, login_as, endpoint):
    """The control for the refusals above: the same request by an allowed role has an effect,
    so 'nothing changed' there really was the policy at work."""
    role = "admin" if allowed(endpoint, "admin") else _first_allowed_role(endpoint)
    kwargs = {"organisation_id": objects.access_team.id} if endpoint == "referrals.referral_new" else {}
    if endpoint == "meetings.new":
        kwargs = {"organisation_id": objects.ret_org.id}  # a chair plans in their own region
    if endpoint == "vignettes.pack_request":
        kwargs = {"organisation_id": objects.ret_org.id}  # a pack of their own region's approved vignettes
    user = login_as(role, **kwargs)
    if endpoint.startswith("account."):
        # Own sessions to end: someone else's session answers 404 (tested below).
        objects = dataclasses.replace(objects, target_session_id=_live_session(app, user.id))
    if endpoint == "notifications.mark_all":
        # An unread notification of one's own to mark (someone else's are never touched).
        with app.app_context():
            from ret_app.notifications import notify

            notify([user.id], "session_invitation", "/start", "access-test:mark-all")
            db.session.commit()
            db.session.remove()
    token = csrf_token(client, "/start")
    before = db_snapshot(app)
    response = client.post(build_url(app, endpoint, objects), data={"csrf_token": token, **POST_DATA[endpoint](objects)})
    if endpoint == "cases.case_list":
        # The search form: its effect is on the session only (the term is kept there, the list's
        # address carries its id, not the term).
        location = urlsplit(response.headers["Location"])
        assert response.status_code == 302 and location.path == "/casussen", response.status_code
        assert "Noor" not in response.headers["Location"] and parse_qs(location.query).get("zoek")
        return
    assert response.status_code in (200, 302), (endpoint, response.status_code)
    if endpoint == "auth.reauthenticate":
        # Its effect is on the session only: the password check is fresh again.
        assert path_of(response.headers["Location"]) == "/start"
        return
    if response.status_code == 200:
        body = response.get_data(as_text=True)
        assert "utrecht-form-field--invalid" not in body, body[:3000]
    assert db_snapshot(app) != before, f"{endpoint}: the allowed request changed nothing"


# --- per object ----------------------------------------------------------------------------

def test_caseworker_sees_only_own_mandates(app, client, factory, login_as):
    region = factory.region()
    mine_municipality = factory.municipality(region.id, name="Eigengem")
    other_municipality = factory.municipality(region.id, name="Andergem")
    team = factory.organisation("access_team", region_id=region.id, municipality_id=mine_municipality.id)
    other_team = factory.organisation("access_team", region_id=region.id, municipality_id=other_municipality.id)
    other = factory.user("caseworker", other_team.id)
    factory.mandate(other.id, other_municipality.id, ceiling="77777", care_types=("crisis",))
    me = login_as("caseworker", organisation_id=team.id)
    factory.mandate(me.id, mine_municipality.id, ceiling="12345")

    body = client.get("/mandaten/").get_data(as_text=True)
    assert "Eigengem" in body and "12.345,00" in body
    assert "Andergem" not in body and "77.777" not in body


ADMIN_OBJECT_ROUTES = sorted(e for e in URL_PARAMS if e.startswith(("admin.", "caretypes.", "outcomes.category",
                                                                   "outcomes.taxonomy")))


@pytest.mark.parametrize("endpoint", ADMIN_OBJECT_ROUTES)
def test_admin_object_that_does_not_exist_is_404(app, client, login_as, endpoint):
    login_as("admin")
    with app.test_request_context():
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        url = url_for(endpoint, **{arg: 987654 for arg in rule.arguments})
    before = db_snapshot(app)
    if "GET" in rule.methods:
        assert client.get(url).status_code == 404
    token = csrf_token(client, "/start")
    assert client.post(url, data={"csrf_token": token}).status_code == 404
    assert db_snapshot(app) == before


def test_ending_someone_elses_session_is_404(app, client, objects, login_as):
    login_as("chair")
    token = csrf_token(client, "/start")
    before = db_snapshot(app)
    response = client.post(build_url(app, "account.end_session", objects), data={"csrf_token": token})
    assert response.status_code == 404
    assert db_snapshot(app) == before
