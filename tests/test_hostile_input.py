"""No 500 on hostile input, for every route of app.url_map (a new route is covered by itself, or
makes a coverage test here fail until it is).

* Ids in paths: every <int:...> argument of every route gets 0, -1, 2**31, 2**63 and 10**20 → 404.
  PostgreSQL's INTEGER ends at 2**31 - 1, SQLite's at 2**63 - 1; an id beyond names nothing.
* Query parameters: every parameter a page reads (found by recording what the view reads from
  request.args) gets those numbers, and a NUL character → never 500; a NUL in a query string is
  dropped before the app reads it (the page answers as without it).
* Forms: every POST route is posted to as someone who may use it, on an object they may change
  (reusing the access matrix's objects and form data). Every text field of every form the route
  validates (found by recording the forms validated and the keys read from request.form) gets a
  value with a NUL → the form refuses it with the message next to each such field, nothing is saved,
  never 500. Every number-like value sent (ids in selects and hidden fields) gets the numbers above,
  every text field a file instead of text, and the form a JSON body → never 500.
* Every form class refuses a NUL in each of its fields (without HTTP, so forms on pages that are hard
  to reach are covered too); header values and an upload's file name with a NUL never reach the
  database.
* Property-based (hypothesis, an explicit and a random example per route, seeded per route so that runs are stable, each
  example in a savepoint): every POST route gets random and hostile values mixed per field (markup,
  SQL, control characters, huge texts, numbers beyond the database, malformed dates, other objects'
  ids, fields repeated or left out) → a fitting status, never 500, and nothing of the markup appears as
  markup in the answer or on the page a redirect leads to (for SHOWN_AFTER routes the saved markup is
  seen there, escaped); every query parameter a page reads gets malformed values and repeats → 200,
  400, 404 or a redirect; text in an id of a path → 404.

* The same form sent twice (a double click, a retry): every POST route's valid form, posted twice with
  the keys its page rendered, stores nothing the second time (tests/double_submit.py).

PostgreSQL cannot hold a NUL in text at all (the query fails), so these tests matter most there:
`scripts/with-postgres.sh .venv/bin/pytest tests/test_hostile_input.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import Optional
from urllib.parse import urlencode

import pytest
from flask import Request, url_for
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property
from wtforms import StringField

import config
from ret_app import create_app
from ret_app.extensions import db
from ret_app.forms import HAS_NUL, NOT_TEXT, REQUIRED, FlaskForm
from ret_app.inputs import AppRequest, query_without_nul
from ret_app.kernel.ids import MAX_ID
from ret_app.models import Attachment, Meeting, WebSession
from tests.conftest import TEST_PASSWORD, CSRF_RE, login
from tests import test_access_policy as matrix
from tests.test_access_policy import EXPECTED_ACCESS, POST_DATA, PUBLIC, ROLES, URL_PARAMS, Objects, allowed, db_snapshot

# The access matrix's module fixtures, reused here (built again in this module's transaction).
objects = matrix.objects
role_sessions = matrix.role_sessions

HOSTILE_INTS = ("0", "-1", str(2**31), str(2**63), str(10**20))
# Query parameters also get the largest id: a valid page or id, whose offset or lookup must still work.
HOSTILE_ARGS = HOSTILE_INTS + (str(MAX_ID),)
NUL_TEXT = "Tekst met een \x00 erin"
ENROL_PASSWORD = "Een lange zin als wachtwoord 42"
NUL_MESSAGE_NL = "(NUL)"  # in HAS_NUL, Dutch or English, as the page shows it


def _nul_messages(app) -> set[str]:
    """HAS_NUL as a form shows it, in Dutch (the default) and in English (chosen in the session)."""
    from flask_babel import force_locale

    out = set()
    with app.test_request_context():
        for language in ("nl", "en"):
            with force_locale(language):
                out.add(str(HAS_NUL))
    assert len(out) == 2, out  # translated: the Dutch differs from the English
    return out


def _url_map_app():
    # The app factory touches no database: an app made here only to read its routes is cheap.
    return create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})


_ROUTES = [rule for rule in _url_map_app().url_map.iter_rules() if rule.endpoint != "static"]
ENDPOINTS = sorted({rule.endpoint for rule in _ROUTES})
INT_PATH_ARGS = sorted({(rule.endpoint, arg) for rule in _ROUTES for arg, converter in rule._converters.items()
                        if isinstance(converter, IntegerConverter)})
STRING_PATH_ARGS = sorted({(rule.endpoint, arg) for rule in _ROUTES for arg, converter in rule._converters.items()
                           if not isinstance(converter, IntegerConverter)})
GET_ENDPOINTS = sorted({rule.endpoint for rule in _ROUTES if "GET" in rule.methods} - set(matrix.GET_TOKEN))
POST_ENDPOINTS = sorted({rule.endpoint for rule in _ROUTES if "POST" in rule.methods})

# POST routes whose forms have no text field (buttons, choices, dates, a file): they get the numbers
# and the NUL in every key they read, but there is no text field to expect the message on.
NO_TEXT_FIELDS = frozenset({
    "main.set_language", "auth.logout", "account.end_session", "account.end_other_sessions",
    "account.new_recovery_codes", "admin.user_deactivate", "admin.user_reactivate", "admin.user_reset_2fa",
    "admin.user_activation_link", "admin.region_norms", "referrals.family_remove",
    "referrals.prior_help_remove", "referrals.consent_page", "referrals.consent_withdraw",
    "referrals.legal_ground_end", "referrals.attachment_delete",
    "screening.participant_invite", "screening.participant_remove", "meetings.item_activate",
    "meetings.item_add", "meetings.item_remove", "collective.contact_remove",
    "plans.goal_remove", "plans.review_cancel",
    "notifications.preferences",  # a radio group per kind of notification
    "rereferrals.decide",  # the value of the pressed button and the page it was on
    "api_tokens.token_rotate", "api_tokens.token_revoke",  # a button on one token
    "vignettes.generate",  # a button
    "exports.request_export",  # a button with hidden ids, dates and codes (anything else: 400)
    "inspection.inspection_step",  # a button (check the right, record the handing over)
    "erasure.list_approve",  # a button
    "vignettes.pack_request",  # ticked ids of approved vignettes (a bad id: refused next to the list; a NUL: 400)
})
# POST routes whose text is searched for, not saved (no form class): the NUL is dropped, the search
# runs, and the term is shown again without it.
SEARCHES = {
    "cases.case_list": "the case search (term POSTed, kept in the session; tests/test_case_search.py)",
}
# Routes whose page or form cannot be reached from a fresh request here, with the reason; their form
# classes are covered by test_every_form_class_refuses_nul_in_every_field.
UNREACHED: dict[str, str] = {}


# --- recording what a request reads ------------------------------------------------------------

@dataclass
class Reads:
    """What one request read: query and form keys, and the forms it validated."""

    args: set = field(default_factory=set)
    form: set = field(default_factory=set)
    forms: list = field(default_factory=list)  # validated
    made: list = field(default_factory=list)  # made (validated or not: shown on the page answered)

    def text_fields(self) -> set:
        """The names of the text fields (StringField and its kinds: text areas, hidden, password and
        e-mail fields) of every form the request made."""
        return {f.name for form in self.made for f in form
                if isinstance(f, StringField) and f.short_name != "csrf_token"}

    def field_names(self) -> set:
        return {f.name for form in self.made for f in form}


class _Recorded(ImmutableMultiDict):
    keys_read: set

    def __contains__(self, key):
        self.keys_read.add(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        self.keys_read.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):
        self.keys_read.add(key)
        return super().getlist(key, type)


def _recorded(plain, keys: set) -> _Recorded:
    out = _Recorded(plain)
    out.keys_read = keys
    return out


class _Recorder:
    current: Optional[Reads] = None


class RecordingRequest(AppRequest):
    """The app's request class, recording which query and form keys the view reads."""

    @cached_property
    def args(self):
        plain = Request.args.__get__(self, Request)
        return _recorded(plain, _Recorder.current.args) if _Recorder.current else plain

    @cached_property
    def form(self):
        plain = Request.form.__get__(self, Request)
        return _recorded(plain, _Recorder.current.form) if _Recorder.current else plain


@pytest.fixture
def record(app, monkeypatch):
    """record(lambda: client.post(...)) -> (response, Reads)."""
    monkeypatch.setattr(app, "request_class", RecordingRequest)
    original = FlaskForm.validate

    def validate(self, extra_validators=None):
        result = original(self, extra_validators)
        if _Recorder.current is not None:
            _Recorder.current.forms.append(self)
        return result

    monkeypatch.setattr(FlaskForm, "validate", validate)
    original_init = FlaskForm.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if _Recorder.current is not None:
            _Recorder.current.made.append(self)

    monkeypatch.setattr(FlaskForm, "__init__", init)

    def _record(send):
        _Recorder.current = reads = Reads()
        try:
            response = send()
        finally:
            _Recorder.current = None
        return response, reads

    yield _record
    _Recorder.current = None


# --- who asks --------------------------------------------------------------------------------

@dataclass
class Actor:
    name: str
    role: Optional[str]  # None: not signed in
    cookie: Optional[str]
    token: str


@pytest.fixture(scope="module")
def actors(app, objects, role_sessions) -> dict[str, Actor]:
    """Signed in once for the module: every role (no relation to any object), the caseworker who
    referred the matrix's cases (`referrer`), the chair of its sessions (`session_chair`) and the
    provider member who keeps its collective provider (`keeper`)."""
    from ret_app.models import User

    cookie_name = app.config["SESSION_COOKIE_NAME"]
    with app.app_context():
        chair = db.session.get(User, db.session.scalar(select(Meeting.chair_id).where(Meeting.id == objects.meeting_id)))
        db.session.expunge(chair)
        db.session.remove()
    out: dict[str, Actor] = {}

    def add(name: str, role: Optional[str], cookie: Optional[str]) -> None:
        client = app.test_client()
        if cookie:
            client.set_cookie(cookie_name, cookie)
        body = client.get("/start" if cookie else "/inloggen").get_data(as_text=True)
        token = CSRF_RE.search(body).group(1)
        cookie = cookie or client.get_cookie(cookie_name).value
        out[name] = Actor(name, role, cookie, token)

    from tests.conftest import Factory

    # A liaison of the matrix's network (the network liaison's forms act on an escalation to it).
    factory = Factory(app)
    liaison = factory.user("network_liaison", factory.organisation("network", network_id=objects.network.id).id)
    for name, user in (("referrer", objects.target), ("session_chair", chair), ("keeper", objects.keeper),
                       ("liaison", liaison)):
        client = app.test_client()
        login(client, app, user)
        add(name, user.role, client.get_cookie(cookie_name).value)
    for role in ROLES:
        add(role, role, role_sessions[role][1])
    add("anonymous", None, None)
    return out


@dataclass
class Extra:
    """Objects the matrix leaves out because a 404 was all it needed: what the remove and withdraw
    buttons and the screening forms act on."""

    screening_case_id: int  # in the screening, `session_chair` its process director
    finalised_case_id: int  # its screening finalised (addenda), the same process director
    participant_id: int  # a RET member taking part in it
    help_id: int  # help tried before, on the concept referral
    consent_id: int
    ground_id: int
    attachment_id: int  # a row only: removing it discards no file
    enrol_user_id: int  # not activated: each reach of the enrolment form starts with a new link for it
    request_id: int = 0  # an open request to the matrix's collective provider on the screening case
    # In process direction, `session_chair` its process director, with a plan: a goal, a planned
    # review moment (the plan's forms act on them).
    plan_case_id: int = 0
    goal_id: int = 0
    review_id: int = 0
    # An escalation to the matrix's network, accepted by it, on a case with network consent (the network
    # liaison's forms act on it).
    escalation_id: int = 0
    # A submitted case of the matrix's access team with an earlier case of the same youth suggested (the
    # chair's decision acts on it).
    link_case_id: int = 0
    link_id: int = 0
    # A case of the matrix's region with an inspection request whose right was checked and a correction
    # request not yet decided (the chair's forms act on them).
    inspection_case_id: int = 0
    inspection_request_id: int = 0
    correction_id: int = 0


@pytest.fixture(scope="module")
def extra(app, objects) -> Extra:
    from ret_app.kernel.dates import utcnow
    from ret_app.models import CaseParticipant, Consent, LegalGround, PriorHelp, Screening
    from tests.conftest import Factory

    factory = Factory(app)
    with app.app_context():
        chair_id = db.session.scalar(select(Meeting.chair_id).where(Meeting.id == objects.meeting_id))
        db.session.remove()
    member = factory.user("ret_member", objects.ret_org.id)
    enrol_user = factory.user("caseworker", objects.access_team.id, activated=False)
    case_id = factory.case(objects.target, objects.municipality, status="screening", consent_ret=True,
                           consent_collective=True, track="process_direction", process_director_id=chair_id,
                           submitted_at=utcnow())
    finalised_id = factory.case(objects.target, objects.municipality, status="screening", consent_ret=True,
                                consent_collective=True, track="process_direction", process_director_id=chair_id,
                                submitted_at=utcnow())
    with app.app_context():
        db.session.add_all([
            CaseParticipant(case_id=finalised_id, role="ret_member", user_id=chair_id, invited_by_id=chair_id),
            Screening(case_id=finalised_id, analysis="Analyse", advice="Advies", finalised_at=utcnow(),
                      finalised_by_id=chair_id)])
        rows = [CaseParticipant(case_id=case_id, role="ret_member", user_id=chair_id, invited_by_id=chair_id),
                CaseParticipant(case_id=case_id, role="ret_member", user_id=member.id, invited_by_id=chair_id),
                Screening(case_id=case_id),
                PriorHelp(case_id=objects.concept_id, provider="Aanbieder", help_type="Ambulant"),
                Consent(case_id=objects.concept_id, scope="ret", given_by_role="youth", given_on=utcnow().date(),
                        form="written", recorded_by_id=objects.target.id),
                LegalGround(case_id=objects.concept_id, scope="ret", reason="Veiligheid",
                            recorded_by_id=objects.target.id),
                Attachment(case_id=objects.concept_id, filename="verslag.pdf", content_type="application/pdf",
                           size=1, sha256="0" * 64, storage_key="hostile-input-no-file",
                           uploaded_by_id=objects.target.id)]
        db.session.add_all(rows)
        db.session.commit()
        from ret_app.models import ProviderRequest

        request = ProviderRequest(case_id=case_id, organisation_id=objects.provider.id, role="co_provider",
                                  care_type="ambulatory", question="Vraag", reply_by=utcnow().date(),
                                  requested_by_id=chair_id, submission_key="hostile-input-request")
        db.session.add(request)
        db.session.commit()
        out = Extra(case_id, finalised_id, rows[1].id, rows[3].id, rows[4].id, rows[5].id, rows[6].id,
                    enrol_user.id, request.id)
        db.session.remove()
    out.plan_case_id, out.goal_id, out.review_id = _plan_objects(app, factory, objects, chair_id)
    out.escalation_id = _network_escalation(app, factory, objects, chair_id)
    out.link_case_id, out.link_id = _rereferral_link(app, factory, objects)
    out.inspection_case_id, out.inspection_request_id, out.correction_id = _inspection_objects(app, factory, objects)
    return out


def _inspection_objects(app, factory, objects) -> tuple[int, int, int]:
    """A screening case of the matrix's region, an inspection request of its youth whose right was checked,
    and a correction request not yet decided."""
    from ret_app.kernel.dates import today
    from ret_app.models import CorrectionRequest, InspectionRequest

    case_id = factory.case(objects.target, objects.municipality, status="screening")
    with app.app_context():
        request = InspectionRequest(case_id=case_id, requester_kind="youth", requester_name="Jeugdige",
                                    received_on=today(), status="checked", rule="youth_12_plus",
                                    recorded_by_id=objects.target.id)
        correction = CorrectionRequest(case_id=case_id, requester_kind="youth", requester_name="Jeugdige",
                                       received_on=today(), section="plan", asked="Doel 2 klopt niet",
                                       recorded_by_id=objects.target.id)
        db.session.add_all([request, correction])
        db.session.commit()
        ids = case_id, request.id, correction.id
        db.session.remove()
    return ids


def _rereferral_link(app, factory, objects) -> tuple[int, int]:
    """A submitted case of the matrix's access team and an earlier closed case of the same youth (the same
    BSN), suggested to the chair."""
    from datetime import timedelta

    from ret_app.kernel.dates import utcnow
    from ret_app.models import CaseLink

    now = utcnow()
    earlier = factory.case(objects.target, objects.municipality, status="closed", youth_bsn="111222333",
                           submitted_at=now - timedelta(days=400), closed_at=now - timedelta(days=200))
    later = factory.case(objects.target, objects.municipality, status="submitted", youth_bsn="111222333",
                         submitted_at=now)
    with app.app_context():
        link = CaseLink(case_id=later, earlier_case_id=earlier, basis="bsn", status="suggested")
        db.session.add(link)
        db.session.commit()
        link_id = link.id
        db.session.remove()
    return later, link_id


def _network_escalation(app, factory, objects, chair_id: int) -> int:
    """An escalation to the matrix's network, accepted, on a case in process direction with network consent."""
    from datetime import timedelta

    from ret_app.kernel.dates import today
    from ret_app.models import Escalation

    case_id = factory.case(objects.target, objects.municipality, status="process_direction", consent_ret=True,
                           consent_network=True, track="process_direction", process_director_id=chair_id)
    with app.app_context():
        row = Escalation(case_id=case_id, network_id=objects.network.id, status="accepted", question="Vraag",
                         question_kind="consultation", expected_answer_date=today() + timedelta(days=10),
                         created_by_id=chair_id, submission_key="hostile-input-escalation")
        db.session.add(row)
        db.session.commit()
        escalation_id = row.id
        db.session.remove()
    return escalation_id


def _plan_objects(app, factory, objects, director_id: int) -> tuple[int, int, int]:
    """A case in process direction directed by `director_id`, with a plan: one goal, one review moment,
    an agreed version 1."""
    from datetime import timedelta

    from ret_app.kernel.dates import today, utcnow
    from ret_app.models import Plan, PlanGoal, PlanReview, PlanVersion

    case_id = factory.case(objects.target, objects.municipality, status="process_direction", consent_ret=True,
                           consent_collective=True, track="process_direction", process_director_id=director_id,
                           submitted_at=utcnow() - timedelta(days=10), intake_at=utcnow() - timedelta(days=8))
    with app.app_context():
        plan = Plan(case_id=case_id)
        plan.goals.append(PlanGoal(text="Weer naar school", voiced_by="youth", status="open", position=1))
        plan.reviews.append(PlanReview(planned_on=today() + timedelta(days=7), planned_by_id=director_id))
        plan.versions.append(PlanVersion(number=1, agreed_by_id=director_id, content={
            "goals": [{"id": 0, "text": "Weer naar school", "voiced_by": "youth", "status": "open"}], "reviews": []}))
        plan.agreed_number = 1
        db.session.add(plan)
        db.session.commit()
        ids = case_id, plan.goals[0].id, plan.reviews[0].id
        db.session.remove()
    return ids


# Where the matrix's URL parameters reach only a 404, the objects a form acts on.
REACH_PARAMS = {
    # The matrix's own parameters name member 1, which exists only while ids start at 1 (SQLite after a
    # rollback; not PostgreSQL's sequences in a full run): the concept referral's member always does.
    "referrals.family_remove": lambda o, x: {"case_id": o.concept_id, "member_id": o.member_id},
    "referrals.prior_help_remove": lambda o, x: {"case_id": o.concept_id, "help_id": x.help_id},
    "referrals.consent_withdraw": lambda o, x: {"case_id": o.concept_id, "consent_id": x.consent_id},
    "referrals.legal_ground_end": lambda o, x: {"case_id": o.concept_id, "ground_id": x.ground_id},
    "referrals.attachment_delete": lambda o, x: {"case_id": o.concept_id, "attachment_id": x.attachment_id},
    "screening.participant_remove": lambda o, x: {"case_id": x.screening_case_id, "participant_id": x.participant_id},
    "screening.screening_addendum_add": lambda o, x: {"case_id": x.finalised_case_id},
    # the provider answers a request on a case with collective consent (the matrix's case has none)
    "commitments.request_page": lambda o, x: {"request_id": x.request_id},
    "plans.goal_add": lambda o, x: {"case_id": x.plan_case_id},
    "plans.goal_save": lambda o, x: {"case_id": x.plan_case_id, "goal_id": x.goal_id},
    "plans.goal_remove": lambda o, x: {"case_id": x.plan_case_id, "goal_id": x.goal_id},
    "plans.review_add": lambda o, x: {"case_id": x.plan_case_id},
    "plans.review_record": lambda o, x: {"case_id": x.plan_case_id, "review_id": x.review_id},
    "plans.review_cancel": lambda o, x: {"case_id": x.plan_case_id, "review_id": x.review_id},
    "plans.plan_agree": lambda o, x: {"case_id": x.plan_case_id},
    "plans.fitting_help": lambda o, x: {"case_id": x.plan_case_id},
    "plans.plan_page": lambda o, x: {"case_id": x.plan_case_id},
    "plans.version_page": lambda o, x: {"case_id": x.plan_case_id, "number": 1},
    "plans.plan_pdf": lambda o, x: {"case_id": x.plan_case_id},
    # the network liaison's forms: an escalation to the matrix's network on a case with network consent
    **{endpoint: (lambda o, x: {"escalation_id": x.escalation_id}) for endpoint in (
        "escalations.network_page", "escalations.network_director", "escalations.network_message",
        "escalations.network_answer", "escalations.network_close")},
    "escalations.network_step": lambda o, x: {"escalation_id": x.escalation_id, "name": "decline"},
    "rereferrals.decide": lambda o, x: {"case_id": x.link_case_id, "link_id": x.link_id},
    "inspection.inspection_page": lambda o, x: {"case_id": x.inspection_case_id, "request_id": x.inspection_request_id},
    "inspection.inspection_step": lambda o, x: {"case_id": x.inspection_case_id, "request_id": x.inspection_request_id,
                                                "step": "overhandigd"},
    "inspection.inspection_withheld": lambda o, x: {"case_id": x.inspection_case_id,
                                                    "request_id": x.inspection_request_id},
    "inspection.correction_page": lambda o, x: {"case_id": x.inspection_case_id, "correction_id": x.correction_id},
}


def _candidates(endpoint: str, actors: dict[str, Actor]) -> list[Actor]:
    """Who to try, those with a relation to the objects first."""
    if EXPECTED_ACCESS[endpoint] == PUBLIC:
        return [actors["anonymous"], actors["referrer"]]
    related = [a for a in (actors["session_chair"], actors["referrer"], actors["keeper"], actors["liaison"])
               if allowed(endpoint, a.role)]
    return related + [actors[r] for r in ROLES if allowed(endpoint, r)]


def _param_candidates(endpoint: str, objs: Objects, extra: Extra) -> list[dict]:
    """URL parameters to try: REACH_PARAMS, the matrix's, and for case routes also the concept
    referral (which its referrer may still change) and the case in the screening."""
    out = [REACH_PARAMS[endpoint](objs, extra)] if endpoint in REACH_PARAMS else []
    params = URL_PARAMS[endpoint](objs) if endpoint in URL_PARAMS else {}
    out.append(params)
    if params.get("case_id") == objs.case_id:
        out.append({**params, "case_id": objs.concept_id})
        out.append({**params, "case_id": extra.screening_case_id})
    return out


def _url(app, endpoint: str, params: dict, query: Optional[dict] = None) -> str:
    with app.test_request_context():
        url = url_for(endpoint, **params)
    return f"{url}?{urlencode(query)}" if query else url


def _client(app, actor: Actor):
    client = app.test_client()
    if actor.cookie:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], actor.cookie)
    return client


def _post(client, actor: Actor, url: str, data: dict):
    return client.post(url, data={**data, "csrf_token": actor.token})


def _public_setup(app, endpoint: str, client, actor: Actor, objs: Objects, extra: "Extra") -> Optional[dict]:
    """What a public route needs before its form shows: the URL parameters (None: as the matrix has them)."""
    if endpoint in ("auth.second_factor", "auth.recovery_code"):
        # The password step done: the second step's form is next.
        from ret_app.models import User

        with app.app_context():
            email = db.session.get(User, objs.target.id).email
        response = client.post("/inloggen", data={"email": email, "password": TEST_PASSWORD,
                                                  "csrf_token": actor.token})
        assert response.status_code == 302
    if endpoint == "auth.activate":
        from ret_app.auth import services
        from ret_app.models import ActivationPurpose, User

        with app.test_request_context():
            token = services.issue_activation(db.session.get(User, objs.pending.id), ActivationPurpose.ACTIVATE, None)
            db.session.commit()
        return {"token": token}
    if endpoint == "auth.enrol":
        # A new link, its password step done in this client's session: the second factor is next.
        from ret_app.auth import services
        from ret_app.models import ActivationPurpose, User

        with app.test_request_context():
            token = services.issue_activation(db.session.get(User, extra.enrol_user_id), ActivationPurpose.ACTIVATE,
                                              None)
            db.session.commit()
        response = client.post(_url(app, "auth.activate", {"token": token}),
                               data={"csrf_token": actor.token, "new_password": ENROL_PASSWORD,
                                     "confirm_password": ENROL_PASSWORD})
        assert response.status_code == 302 and client.get(_url(app, "auth.enrol", {})).status_code == 200
    return None


def _signed_in_at(app, endpoint: str, reached: "Reached", objects, extra) -> tuple:
    """A client of the actor who reached the route, and the route's URL parameters (for a public route,
    after what it needs before its form shows): (client, params)."""
    client = _client(app, reached.actor)
    params = reached.params
    if EXPECTED_ACCESS[endpoint] == PUBLIC:
        params = _public_setup(app, endpoint, client, reached.actor, objects, extra) or params
    return client, params


# --- ids in paths ----------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint,arg", INT_PATH_ARGS)
def test_id_in_path_that_cannot_exist_is_404(app, objects, extra, actors, endpoint, arg):
    actor = _candidates(endpoint, actors)[0]
    client = _client(app, actor)
    methods = next(r.methods for r in _ROUTES if r.endpoint == endpoint)
    params = _param_candidates(endpoint, objects, extra)[0]
    for value in HOSTILE_INTS:
        url = _url(app, endpoint, {**params, arg: value})
        if "GET" in methods:
            assert client.get(url).status_code == 404, (url, actor.name)
        if "POST" in methods:
            data = _post_data(endpoint, objects, extra)
            assert _post(client, actor, url, data).status_code == 404, (url, actor.name)


@pytest.mark.parametrize("endpoint,arg", STRING_PATH_ARGS)
def test_nul_in_a_path_never_gives_500(app, objects, extra, actors, endpoint, arg):
    actor = _candidates(endpoint, actors)[0]
    client = _client(app, actor)
    methods = next(r.methods for r in _ROUTES if r.endpoint == endpoint)
    url = _url(app, endpoint, {**_param_candidates(endpoint, objects, extra)[0], arg: "a\x00b"})
    if "GET" in methods:
        assert client.get(url).status_code < 500, url
    if "POST" in methods:
        data = _post_data(endpoint, objects, extra)
        assert _post(client, actor, url, data).status_code < 500, url


def test_valid_ids_still_reach_their_page(app, objects, actors):
    """The control: the converter keeps every id the database can hold."""
    client = _client(app, actors["referrer"])
    assert client.get(f"/casussen/{objects.case_id}").status_code == 200
    assert client.get(f"/casussen/{MAX_ID}").status_code == 404  # names nothing, but reaches the page's check
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        assert adapter.match(f"/casussen/{MAX_ID}")[1] == {"case_id": MAX_ID}
        assert adapter.match("/casussen/1")[1] == {"case_id": 1}


# --- query parameters ----------------------------------------------------------------------

_PAGES: dict[str, Optional[tuple]] = {}  # per endpoint: who reached the page and what it read (as _REACHED)


def _reach_page(app, endpoint: str, objects, extra, actors, record) -> Optional[tuple]:
    """(actor, client, url, reads) of the first candidate that reaches the page (not 403/404), or None."""
    key = f"{endpoint}:{objects.case_id}:{extra.screening_case_id}"
    if key in _PAGES:
        return _PAGES[key]
    reached = None
    for actor in _candidates(endpoint, actors):
        for params in _param_candidates(endpoint, objects, extra):
            client = _client(app, actor)
            if EXPECTED_ACCESS[endpoint] == PUBLIC:
                params = _public_setup(app, endpoint, client, actor, objects, extra) or params
            url = _url(app, endpoint, params)
            response, reads = record(lambda: client.get(url))
            assert response.status_code < 500, url
            if response.status_code not in (403, 404):
                reached = (actor, client, url, reads)
                break
        if reached:
            break
    _PAGES[key] = reached
    return reached


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_query_parameters_never_give_500(app, objects, extra, actors, record, undone, endpoint):
    reached = _reach_page(app, endpoint, objects, extra, actors, record)
    if reached is None:
        if endpoint in UNREACHED:
            pytest.skip(UNREACHED[endpoint])
        pytest.fail(f"{endpoint}: no one reached the page; add what it needs to URL_PARAMS")
    actor, client, url, reads = reached
    keys = sorted(reads.args)
    if not keys:
        return
    for value in HOSTILE_ARGS:
        response = client.get(f"{url}?{urlencode({k: value for k in keys})}")
        assert response.status_code < 500, (url, keys, value)
    # A NUL is dropped before the page reads the query: it answers as if the text came without it.
    response = client.get(f"{url}?{urlencode({k: NUL_TEXT for k in keys})}")
    plain = client.get(f"{url}?{urlencode({k: NUL_TEXT.replace(chr(0), '') for k in keys})}")
    assert response.status_code == plain.status_code < 500, (url, keys, response.status_code, plain.status_code)


@pytest.mark.parametrize("endpoint", matrix.GET_TOKEN)
def test_token_routes_query_parameters_never_give_500(app, objects, endpoint):
    """The monitor API (a bearer token, no session): every parameter its OpenAPI document names, with
    every hostile value, answers below 500 — a refusal is a 400 in JSON; a NUL is dropped as anywhere."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {objects.api_token_secret}"}
    url = _url(app, endpoint, URL_PARAMS[endpoint](objects) if endpoint in URL_PARAMS else {})
    assert client.get(url, headers=headers).status_code == 200, url
    document = client.get("/api/v1/openapi.json").json
    [operation] = [item["get"] for path, item in document["paths"].items() if url.startswith(path)]
    keys = sorted(p["name"] for p in operation["parameters"] if p["in"] == "query")
    assert keys, url
    for value in HOSTILE_ARGS + (NUL_TEXT, "x" * 100_000):
        response = client.get(f"{url}?{urlencode({k: value for k in keys})}", headers=headers)
        assert response.status_code < 500, (url, keys, value[:20])
        if response.status_code == 400:
            assert response.is_json and set(response.json["parameters"]) <= set(keys)
    response = client.get(f"{url}?{urlencode({k: NUL_TEXT for k in keys})}", headers=headers)
    plain = client.get(f"{url}?{urlencode({k: NUL_TEXT.replace(chr(0), '') for k in keys})}", headers=headers)
    assert response.status_code == plain.status_code < 500


def test_query_parameters_are_found(app, objects, actors, record):
    """The control of the recording: the parameters the case list and the live page read are seen."""
    client = _client(app, actors["session_chair"])
    _response, reads = record(lambda: client.get("/casussen"))
    assert {"na", "voor", "pagina", "municipality", "q", "status"} <= reads.args
    _response, reads = record(lambda: client.get(f"/overleggen/{objects.meeting_id}/live"))
    assert "item" in reads.args


def test_integer_filters_beyond_the_database_are_ignored_like_text(app, objects, actors):
    """A number that cannot be an id filters like a non-numeric value: not at all."""
    client = _client(app, actors["session_chair"])
    for path in ("/casussen", "/beheer/mandaten"):
        if path.startswith("/beheer"):
            client = _client(app, actors["admin"])
        plain = client.get(f"{path}?municipality=abc")
        assert plain.status_code == 200
        for value in HOSTILE_INTS:
            response = client.get(f"{path}?municipality={value}&page={value}&na={value}&voor={value}")
            assert response.status_code == 200, (path, value)
            assert response.get_data(as_text=True).count("<tr") == plain.get_data(as_text=True).count("<tr")


def test_posted_case_filters_read_ids_like_the_query(app, objects, actors):
    """The case search is POSTed (the term kept out of URLs): its municipality filter is read from
    the posted form with the same id rules as from a query string, and goes on into the list's URL."""
    actor = actors["session_chair"]
    client = _client(app, actor)
    municipality_id = objects.municipality.id
    response = _post(client, actor, "/casussen", {"q": "", "municipality": str(municipality_id)})
    assert response.status_code == 302 and f"municipality={municipality_id}" in response.headers["Location"]
    for value in HOSTILE_INTS + ("abc",):
        response = _post(client, actor, "/casussen", {"q": "", "municipality": value})
        assert response.status_code == 302 and "municipality" not in response.headers["Location"], value


def test_live_item_beyond_the_database_is_404(app, objects, actors):
    client = _client(app, actors["session_chair"])
    assert client.get(f"/overleggen/{objects.meeting_id}/live?item={objects.item_id}").status_code == 200
    for value in HOSTILE_INTS + ("abc",):
        assert client.get(f"/overleggen/{objects.meeting_id}/live?item={value}").status_code == 404, value


# --- forms ---------------------------------------------------------------------------------

_NUMBER_LIKE = re.compile(r"^([A-Za-z_]*-?)(\d+)$")  # "12", "u12", "user-12": an id, maybe with a prefix


def _with_number(value, number: str):
    if isinstance(value, str):
        match = _NUMBER_LIKE.match(value)
        if match:
            return match.group(1) + number
    return value


@dataclass
class Reached:
    actor: Actor
    params: dict
    reads: Reads
    status: int


@pytest.fixture
def undone(_module_transaction):
    """`with undone():` what the block's requests change is rolled back at its end."""
    return _module_transaction.savepoint


_REACHED: dict[str, Optional[Reached]] = {}  # per endpoint, for both form tests (nothing of it stays)


def _reach(app, endpoint: str, objects, extra, actors, record, undone) -> Optional[Reached]:
    """Post to the route as each candidate on each candidate object, with every value of the matrix's
    form data given a NUL, until a form is validated (else: until the route answers other than
    403/404). Whatever these requests change is undone."""
    key = f"{endpoint}:{objects.case_id}:{extra.screening_case_id}"
    if key not in _REACHED:
        _REACHED[key] = _find_reach(app, endpoint, objects, extra, actors, record, undone)
    return _REACHED[key]


# The access matrix's form data names some forms' fields after the id 1 (its pages need not exist): here
# the forms are the module's real objects, whose ids depend on what ran before (PostgreSQL's sequences
# go on after a rollback), so those prefixes take the real ids.
_ID_PREFIXES = {
    "plans.goal_save": ("g1-", lambda o, x: f"g{x.goal_id}-"),
    "plans.review_record": ("r1-", lambda o, x: f"r{x.review_id}-"),
    "referrals.family_edit": ("member-1-", lambda o, x: f"member-{o.member_id}-"),
    "referrals.consent_withdraw": ("withdraw-1-", lambda o, x: f"withdraw-{x.consent_id}-"),
}


def _post_data(endpoint: str, objects, extra) -> dict:
    """The access matrix's valid form data for the route, with the module's real ids in field prefixes."""
    data = POST_DATA[endpoint](objects) if endpoint in POST_DATA else {}
    if endpoint in _ID_PREFIXES:
        old, new = _ID_PREFIXES[endpoint]
        prefix = new(objects, extra)
        data = {(prefix + key[len(old):] if key.startswith(old) else key): value for key, value in data.items()}
    return data


def _find_reach(app, endpoint: str, objects, extra, actors, record, undone) -> Optional[Reached]:
    data = _post_data(endpoint, objects, extra)
    poisoned = {k: ([v + "\x00" for v in value] if isinstance(value, list) else str(value) + "\x00")
                for k, value in data.items()}
    fallback = None
    for actor in _candidates(endpoint, actors):
        for params in _param_candidates(endpoint, objects, extra):
            client = _client(app, actor)
            if EXPECTED_ACCESS[endpoint] == PUBLIC:
                params = _public_setup(app, endpoint, client, actor, objects, extra) or params
            with undone():
                response, reads = record(lambda: _post(client, actor, _url(app, endpoint, params), poisoned))
            assert response.status_code < 500, (endpoint, actor.name, params)
            if reads.forms:
                return Reached(actor, params, reads, response.status_code)
            if fallback is None and response.status_code not in (403, 404):
                fallback = Reached(actor, params, reads, response.status_code)
    return fallback


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_nul_in_every_text_field_is_refused_next_to_it(app, objects, extra, actors, record, undone, endpoint):
    if endpoint in UNREACHED:
        pytest.skip(UNREACHED[endpoint])
    reached = _reach(app, endpoint, objects, extra, actors, record, undone)
    assert reached is not None, f"{endpoint}: no one reached its form; add what it needs to POST_DATA / REACH_PARAMS"
    found = reached.reads
    data = _post_data(endpoint, objects, extra)
    # Every text field gets the NUL, and every other key the route reads that the matrix does not fill;
    # choices, dates and numbers keep the matrix's valid values.
    nul = {key: NUL_TEXT for key in found.text_fields() | (found.form - found.field_names() - set(data))
           if key != "csrf_token"}
    if endpoint in SEARCHES:  # no form class: every key it reads is text (the term, the filters)
        nul = {key: NUL_TEXT for key in found.form if key != "csrf_token"}
    client, params = _signed_in_at(app, endpoint, reached, objects, extra)
    url = _url(app, endpoint, params)
    before = db_snapshot(app)
    response, reads = record(lambda: _post(client, reached.actor, url, {**data, **nul}))
    assert response.status_code < 500, (url, sorted(nul))
    refused = [f for form in reads.forms for f in form if isinstance(f, StringField) and f.name in nul]
    messages = _nul_messages(app)
    for f in refused:
        assert messages & {str(e) for e in f.errors}, (endpoint, f.name, f.errors)
        assert f.raw_data == [NUL_TEXT], "what was typed is kept for the form shown again"
    text_fields = {f.name for form in found.forms + reads.forms for f in form
                   if isinstance(f, StringField) and f.short_name != "csrf_token"}
    if endpoint in NO_TEXT_FIELDS:
        assert not text_fields, f"{endpoint} has text fields {sorted(text_fields)}: take it out of NO_TEXT_FIELDS"
        return
    if endpoint in SEARCHES:
        assert not text_fields, f"{endpoint} validates a form: take it out of SEARCHES"
        assert db_snapshot(app) == before, f"{endpoint}: a search saved something"
        assert response.status_code == 302, (endpoint, response.status_code)
        page = client.get(response.headers["Location"])
        assert page.status_code == 200, endpoint
        body = page.get_data(as_text=True)
        assert NUL_TEXT.replace("\x00", "") in body and "\x00" not in body, f"{endpoint}: the term without the NUL"
        return
    assert refused, f"{endpoint}: no text field was refused (status {reached.status}, forms " \
                    f"{[type(f).__name__ for f in reads.forms]}); if it has none, add it to NO_TEXT_FIELDS"
    assert db_snapshot(app) == before, f"{endpoint}: saved something with a NUL in {sorted(nul)}"
    body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    shown = [f.name for f in refused if _shown_as_input(body, f.name)]
    if shown:
        assert body.count(NUL_MESSAGE_NL) >= 1, f"{endpoint}: {shown} shown again without the message"
        assert "\x00" not in body or "erin" in body


def _shown_as_input(body: str, name: str) -> bool:
    """Is the field shown as something to type in (not hidden, not a button's value)?"""
    for tag in re.finditer(r"<(input|textarea)\b[^>]*>", body):
        if f'name="{name}"' in tag.group(0) and 'type="hidden"' not in tag.group(0):
            return True
    return False


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_numbers_beyond_the_database_in_forms_never_give_500(app, objects, extra, actors, record, undone, endpoint):
    if endpoint in UNREACHED:
        pytest.skip(UNREACHED[endpoint])
    reached = _reach(app, endpoint, objects, extra, actors, record, undone)
    assert reached is not None, endpoint
    data = _post_data(endpoint, objects, extra)
    absent = (reached.reads.form | reached.reads.field_names()) - set(data) - {"csrf_token"}
    for number in HOSTILE_INTS:
        with undone():
            client, params = _signed_in_at(app, endpoint, reached, objects, extra)
            sent = {k: _with_number(v, number) for k, v in data.items()} | {k: number for k in absent}
            response = _post(client, reached.actor, _url(app, endpoint, params), sent)
            assert response.status_code < 500, (endpoint, number, sent)


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_files_and_json_instead_of_text_never_give_500(app, objects, extra, actors, record, undone, endpoint):
    """A file sent under a text field's name, and a JSON body (with values that are not text): the
    forms read text only and take no JSON."""
    if endpoint in UNREACHED:
        pytest.skip(UNREACHED[endpoint])
    reached = _reach(app, endpoint, objects, extra, actors, record, undone)
    assert reached is not None, endpoint
    data = _post_data(endpoint, objects, extra)
    names = (reached.reads.text_fields() | reached.reads.form | set(data)) - {"csrf_token"}
    attempts = [
        ("multipart", {**data, **{name: (BytesIO(b"tekst"), "tekst.txt") for name in names}}),
        ("json", {**{name: {"x": [1]} for name in names}, "csrf_token": reached.actor.token}),
        ("json", {**{name: 10**30 for name in names}, "csrf_token": reached.actor.token}),
        ("json", ["geen", "object"]),
    ]
    for kind, body in attempts:
        with undone():
            client, params = _signed_in_at(app, endpoint, reached, objects, extra)
            url = _url(app, endpoint, params)
            if kind == "json":
                response = client.post(url, json=body, headers={"X-CSRFToken": reached.actor.token})
            else:
                response = client.post(url, data={**body, "csrf_token": reached.actor.token},
                                       content_type="multipart/form-data")
            assert response.status_code < 500, (endpoint, kind, sorted(names))


def test_every_post_route_is_accounted_for():
    """NO_TEXT_FIELDS and UNREACHED name existing POST routes only (a renamed route must be moved)."""
    assert NO_TEXT_FIELDS <= set(POST_ENDPOINTS), sorted(NO_TEXT_FIELDS - set(POST_ENDPOINTS))
    assert set(UNREACHED) <= set(POST_ENDPOINTS), sorted(set(UNREACHED) - set(POST_ENDPOINTS))
    assert set(SEARCHES) <= set(POST_ENDPOINTS), sorted(set(SEARCHES) - set(POST_ENDPOINTS))
    assert not NO_TEXT_FIELDS & set(UNREACHED)
    assert not set(SEARCHES) & (NO_TEXT_FIELDS | set(UNREACHED))


def _form_classes() -> list[type]:
    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("ret_app."):
                found.append(sub)
            todo.append(sub)
    return sorted(set(found), key=lambda c: (c.__module__, c.__qualname__))


def test_every_form_derives_from_the_base_that_refuses_nul(app):
    """A form built on flask_wtf's or WTForms' own base would let a NUL through to the database."""
    import ast
    from pathlib import Path

    import wtforms

    found, todo = [], [wtforms.Form]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("ret_app.") and cls is not FlaskForm:
            found.append(cls)
    assert found and all(issubclass(cls, FlaskForm) for cls in found), \
        [c.__qualname__ for c in found if not issubclass(c, FlaskForm)]
    root = Path(__file__).resolve().parent.parent / "ret_app"
    for path in root.rglob("*.py"):
        if path.name == "forms.py" and path.parent == root:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask_wtf", "wtforms", "wtforms.form"):
                names = {alias.name for alias in node.names}
                assert not names & {"FlaskForm", "Form", "BaseForm"}, \
                    f"{path.relative_to(root.parent)}: import FlaskForm from ret_app.forms"


def test_every_form_class_refuses_nul_in_every_field(app):
    messages = _nul_messages(app)
    classes = _form_classes()
    assert len(classes) >= 40, [c.__qualname__ for c in classes]  # the app's forms were found
    fields_checked = 0
    for cls in classes:
        with app.test_request_context(method="POST"):
            names = [f.name for f in cls(meta={"csrf": False})]
        data = MultiDict({name: NUL_TEXT for name in names})
        with app.test_request_context(method="POST", data=data):
            form = cls(meta={"csrf": False})
            for f in form:
                if getattr(f, "choices", None) is None and f.type in ("SelectField", "RadioField"):
                    f.choices = []
            form.validate()
            for f in form:
                if f.type in ("FileField", "BooleanField", "SubmitField"):
                    continue  # a file's name is checked on upload; a checkbox only knows "sent"
                if isinstance(f, StringField):
                    assert messages & {str(e) for e in f.errors}, (cls.__qualname__, f.name, f.errors)
                    assert f.raw_data == [NUL_TEXT] and "\x00" not in (f.data or ""), (cls.__qualname__, f.name)
                else:  # a date, a number, a choice: refused with its own message or this one
                    assert f.errors, (cls.__qualname__, f.name)
                fields_checked += 1
    assert fields_checked >= 100


def _both_languages(app, message) -> set[str]:
    from flask_babel import force_locale

    with app.test_request_context():
        out = set()
        for language in ("nl", "en"):
            with force_locale(language):
                out.add(str(message))
    return out


def test_every_form_class_refuses_a_file_in_a_text_field(app):
    """A file under a field's name (not a file field): the field says "text, not a file", once (no
    "required" after it), has no data, and the form can be shown again (the field renders)."""
    not_text, required = _both_languages(app, NOT_TEXT), _both_languages(app, REQUIRED)
    fields_checked = 0
    for cls in _form_classes():
        with app.test_request_context(method="POST"):
            names = [f.name for f in cls(meta={"csrf": False}) if f.type != "FileField"]
        if not names:
            continue  # a button only (its CSRF token is checked before the form)
        data = {name: (BytesIO(b"tekst"), "tekst.txt") for name in names}
        data["unrelated"] = "tekst"  # a text value next to the files: a multipart form as a browser sends it
        with app.test_request_context(method="POST", data=data, content_type="multipart/form-data"):
            form = cls(meta={"csrf": False})
            for f in form:
                if getattr(f, "choices", None) is None and f.type in ("SelectField", "RadioField"):
                    f.choices = []
            assert not form.validate(), cls.__qualname__
            for f in form:
                if f.type == "FileField":
                    continue
                errors = {str(e) for e in f.errors}
                assert errors & not_text and not errors & required, (cls.__qualname__, f.name, errors)
                values = f.data if isinstance(f.data, list) else [f.data]
                assert not any(isinstance(v, FileStorage) for v in values), (cls.__qualname__, f.name)
                assert "tekst.txt" not in str(f()), (cls.__qualname__, f.name)  # renders, without the file
                fields_checked += 1
    assert fields_checked >= 100


def test_a_json_body_is_not_form_input(app, objects, actors):
    """A JSON body with everything a form needs is read as a form sent empty: the sign-in form says
    what is required and signs no one in (RET's pages send forms only)."""
    from ret_app.models import User

    with app.app_context():
        email = db.session.get(User, objects.target.id).email
    actor = actors["anonymous"]
    client = _client(app, actor)
    response = client.post("/inloggen", json={"email": email, "password": TEST_PASSWORD, "csrf_token": actor.token},
                           headers={"X-CSRFToken": actor.token})
    assert response.status_code == 200, response.status_code  # the form again, not on to the second step
    body = response.get_data(as_text=True)
    assert _both_languages(app, REQUIRED) & {m.strip() for m in re.findall(r'-error">(.*?)<', body, re.S)}, body
    control = client.post("/inloggen", data={"email": email, "password": TEST_PASSWORD, "csrf_token": actor.token})
    assert control.status_code == 302  # the same values as a form do sign in (the password step)


@pytest.mark.parametrize("query,expected", [
    ("a=1&b=tekst", "a=1&b=tekst"),  # nothing to drop: unchanged, byte for byte
    ("q=%2500", "q=%2500"),  # an encoded "%00" is text, not a NUL
    ("q=Petra%00+Zoekhof&page=2", "q=Petra+Zoekhof&page=2"),
    ("q%00=1&zoek=%00", "q=1&zoek="),
    ("q=%%00%0", "q=%25%250"),  # a stray "%" stays (as werkzeug reads it)
    ("q=caf%C3%A9%00", "q=caf%C3%A9"),
])
def test_query_strings_lose_nul_characters_only(query, expected):
    assert query_without_nul(query) == expected


# --- headers and file names ----------------------------------------------------------------

def test_nul_in_headers_never_reaches_the_database(app, objects):
    """The user agent and the client address are stored with the session (made once the password
    step is done: an anonymous visit keeps nothing) and with audit rows (a failed sign-in)."""
    from ret_app.models import AuditEvent, User

    with app.app_context():
        email = db.session.get(User, objects.target.id).email
    hostile = {"headers": {"User-Agent": "Browser\x00/1.0", "X-Forwarded-For": "\x00"},
               "environ_base": {"REMOTE_ADDR": "192.0.2.1\x00"}}
    client = app.test_client()
    response = client.get("/inloggen", **hostile)
    assert response.status_code == 200
    token = CSRF_RE.search(response.get_data(as_text=True)).group(1)
    response = client.post("/inloggen", data={"csrf_token": token, "email": "niemand@test.example",
                                              "password": "fout wachtwoord"}, **hostile)
    assert response.status_code == 200
    response = client.post("/inloggen", data={"csrf_token": token, "email": email, "password": TEST_PASSWORD},
                           **hostile)
    assert response.status_code == 302  # on to the second step: the session row is written
    with app.app_context():
        rows = db.session.scalars(select(WebSession).where(WebSession.user_agent.like("Browser%"))).all()
        assert rows and all("\x00" not in (r.user_agent or "") + (r.ip_address or "") for r in rows)
        assert {r.ip_address for r in rows} == {"192.0.2.1"}
        addresses = db.session.scalars(select(AuditEvent.ip_address).where(AuditEvent.ip_address.like("192.0.2.1%"))).all()
        assert addresses and set(addresses) == {"192.0.2.1"}


def test_nul_in_an_upload_name_is_dropped(app, objects, actors):
    client = _client(app, actors["referrer"])
    pdf = b"%PDF-1.4\n%%EOF\n"
    response = client.post(f"/casussen/{objects.concept_id}/bijlagen",
                           data={"csrf_token": actors["referrer"].token,
                                 "attachment-file": (BytesIO(pdf), "ver\x00slag.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    with app.app_context():
        names = db.session.scalars(select(Attachment.filename).where(Attachment.case_id == objects.concept_id)).all()
    assert names and all("\x00" not in name for name in names), names
    with app.app_context():
        from ret_app.referrals import attachments

        for key in db.session.scalars(select(Attachment.storage_key).where(Attachment.case_id == objects.concept_id)):
            attachments.discard_file(key)



# --- property-based: random and hostile values in every form and query -----------------------
#
# The tests above send one hostile value at a time. Here hypothesis mixes them: per field of a form (the
# keys the route reads, the fields of the forms it makes, the matrix's form data) a valid value, markup,
# SQL, control characters, a huge text, a number beyond the database, a malformed date, the id of another
# object, several values under one name, or none at all. Each example runs in a savepoint of the module's
# transaction (nothing of it stays); the examples are a fixed function of the route (hypothesis.seed), so
# that runs are stable; few per route (the route's own tests check what a valid value does). The @given
# functions are made inside the tests and take no fixtures (no function_scoped_fixture health check);
# too_slow is off because an example is a request or two, not a quick computation.

import zlib  # noqa: E402

from hypothesis import HealthCheck, example, given, seed, settings, strategies as st  # noqa: E402

# Markup that would run (or a template that would be evaluated) if a page put it out unescaped. Shown
# escaped, none of STORED_MARKERS appears in a page.
MARKUP = (
    '<script>window.__xss=1</script>',
    '"><img src=x onerror="window.__xss=1">',
    "'><svg onload=window.__xss=1>",
    '</textarea><script>window.__xss=1</script>',
    '{{ "fz" ~ "zq" }}',  # rendered by a template as a template: "fzzq"
    'javascript:window.__xss=1',
)
STORED_MARKERS = ('<script>window.__xss', '<img src=x onerror', '<svg onload', 'fzzq', 'href="javascript:')
HOSTILE_TEXT = MARKUP + (
    "'; DROP TABLE cases; --", "1 OR 1=1", "%' OR '1'='1", "\\", "%s%n%x", "../../etc/passwd",
    "a\x01b\x1fc\x7f", "\r\nX-Kop: 1\r\n\r\n", "\u202egnirts", "\ufeff", "\U0001d54f\U0001f600", "e\u0301",
    "\x00", "Tekst\x00", " ", "x" * 100_000, "é" * 300_000,  # over the form's memory limit: 413
)
HOSTILE_NUMBERS = ("-1", "0", "1.5", str(2**31), str(10**20), "1e309", "NaN", "inf", "-0", "\uff11\uff12",
                   "\u0663", "0x10", "1_000", " 7 ")
HOSTILE_DATES = ("2026-13-45", "2026-02-30", "0001-01-01", "9999-12-31", "31-12-2026", "2026-1-1",
                 "2026-12-05T10:00", "-2026-01-01")
FORM_STATUSES = frozenset({200, 302, 303, 400, 403, 404, 409, 413, 422})
# Signing in with random values may reach the throttle (the savepoint takes the failures back).
THROTTLED = frozenset({"auth.login", "auth.second_factor", "auth.recovery_code", "auth.reauthenticate"})
# Random ones, after the explicit one: ~0.4 s each a route on PostgreSQL. One a route: over the 131 routes and
# their fields every kind of value of _field_value is drawn many times; the route's own tests check the rest.
FORM_EXAMPLES = 1
MISSING = object()
# Where the explicit example (markup in every visible text field, the rest valid) is saved and the page
# the form leads to shows it, escaped: the control that markup did reach a page.
ESCAPED = "&lt;script&gt;window.__xss=1&lt;/script&gt;"
SHOWN_AFTER = frozenset({
    "admin.mandate_detail", "admin.mandate_new", "admin.municipalities", "admin.municipality_edit",
    "admin.network_edit", "admin.networks", "admin.organisation_edit", "admin.organisations", "admin.region_edit",
    "admin.regions", "admin.user_edit", "caretypes.catalogue", "caretypes.edit", "cases.case_step",
    "collective.capacity_edit", "collective.contact_add", "commitments.request_page", "erasure.entry_take_off",
    "erasure.request_page", "erasure.request_record", "escalations.escalation_form",
    "escalations.escalation_new_date", "escalations.escalation_remind", "escalations.escalation_reply",
    "escalations.escalation_withdraw", "escalations.network_director", "escalations.network_message",
    "inspection.correction_form", "inspection.requests_page", "meetings.action_add", "meetings.addendum_add",
    "meetings.edit", "meetings.item_notes", "meetings.new", "outcomes.category_edit", "outcomes.outcome_page",
    "outcomes.taxonomy_page", "plans.fitting_help", "plans.goal_add", "plans.goal_save", "plans.review_record",
    "referrals.family_add", "referrals.family_edit", "referrals.legal_ground_add", "referrals.prior_help_add",
    "referrals.referral_edit", "referrals.referral_submit", "screening.screening_addendum_add",
    "screening.screening_contribution_save", "signals.signal_page", "vignettes.withdraw",
})
# Text fields with a format of their own (refused as markup): left valid in the explicit example.
_FORMATTED = re.compile(r"email|bsn|code|phone|url|short_name|direction")


def _object_ids(*holders) -> list[str]:
    """The ids of the module's objects: a form may name another object than its own."""
    out = set()
    for holder in holders:
        for value in vars(holder).values():
            value = getattr(value, "id", value)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                out.add(str(value))
    return sorted(out)


def _field_value(valid, ids: list[str]):
    plain = st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=40),
        st.sampled_from(HOSTILE_NUMBERS + HOSTILE_DATES + tuple(ids)),
    )
    if valid is not None and not isinstance(valid, (str, list, int)):
        return st.sampled_from([valid, MISSING])  # a file: as the matrix sends it, or none
    options = [plain, st.just(MISSING), st.lists(plain, min_size=2, max_size=3)]
    if valid is not None:
        options.insert(1, st.just(valid))
    return st.one_of(*options)


def assert_nothing_runs(body: str, where) -> None:
    """What was sent is in the page as text only: no marker of MARKUP appears as markup."""
    for marker in STORED_MARKERS:
        assert marker not in body, (where, marker)


def _page_after(client, response) -> Optional[str]:
    """The page a redirect leads to (where what was saved is shown), as text."""
    location = response.headers.get("Location", "")
    if response.status_code not in (302, 303) or not location.startswith("/"):
        return None
    page = client.get(location)
    assert page.status_code < 500, location
    return page.get_data(as_text=True) if page.mimetype == "text/html" else None


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_random_and_hostile_values_in_every_form(app, objects, extra, actors, record, undone, endpoint):
    """Never a 500, an answer that fits (a refusal, a redirect, the form again; 413 for a text over the
    form's memory limit), and whatever was sent shows escaped in the answer and on the page it leads to."""
    if endpoint in UNREACHED:
        pytest.skip(UNREACHED[endpoint])
    reached = _reach(app, endpoint, objects, extra, actors, record, undone)
    assert reached is not None, endpoint
    valid = _post_data(endpoint, objects, extra)
    names = sorted((reached.reads.form | reached.reads.field_names() | set(valid)) - {"csrf_token"})
    assert names or endpoint in NO_TEXT_FIELDS, endpoint
    ids = _object_ids(objects, extra)
    statuses = FORM_STATUSES | ({429} if endpoint in THROTTLED else set())
    # The explicit example: the valid form with markup in every visible text field (saved, where it may be).
    # Which markup goes into which field follows the field's own name (without the form's prefix, which
    # holds an id): the same on every database and in every order the suite runs in.
    typed = {f.name: f.short_name for form in reached.reads.forms for f in form if isinstance(f, StringField)
             and f.type not in ("HiddenField", "SubmissionKeyField", "PasswordField", "CSRFTokenField") and not _FORMATTED.search(f.name)}
    rank = {short: i for i, short in enumerate(sorted(set(typed.values())))}
    marked = {**{name: valid.get(name, MISSING) for name in names},
              **{name: MARKUP[rank[short] % len(MARKUP)] for name, short in typed.items()}}

    @example(values=marked, htmx=False)
    @seed(zlib.crc32(endpoint.encode()))
    @settings(max_examples=FORM_EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(values=st.fixed_dictionaries({name: _field_value(valid.get(name), ids) for name in names}),
           htmx=st.booleans())
    def post_one(values, htmx):
        fresh = _post_data(endpoint, objects, extra)  # files are read once
        pairs = [("csrf_token", reached.actor.token)]
        for name, value in values.items():
            if value is MISSING:
                continue
            value = fresh.get(name, value) if value is valid.get(name) else value
            pairs.extend((name, v) for v in (value if isinstance(value, list) else [value]))
        with undone():
            client, params = _signed_in_at(app, endpoint, reached, objects, extra)
            response = client.post(_url(app, endpoint, params), data=MultiDict(pairs),
                                   headers={"HX-Request": "true"} if htmx else {})
            assert response.status_code in statuses, (endpoint, response.status_code, values)
            if response.mimetype == "text/html":
                assert_nothing_runs(response.get_data(as_text=True), endpoint)
            after = _page_after(client, response)
            if after is not None:
                assert_nothing_runs(after, (endpoint, response.headers["Location"]))
            if values is marked and endpoint in SHOWN_AFTER:
                assert after is not None and ESCAPED in after, f"{endpoint}: the markup saved is not shown escaped"

    post_one()


QUERY_VALUES = ("abc", "-1", "0", str(2**31), "99999999999999999999", "1e309", "NaN", "", " ", ";drop table cases",
                "' OR '1'='1", "2026-13-45", "2026-02-30", "0000-00-00", "9999-12-31", "Q5-2026", "%", "%zz",
                "\x00", "a\x00b", "\uff11", "\u0663", "x" * 5000) + MARKUP
PAGE_STATUSES = frozenset({200, 302, 303, 400, 403, 404})
QUERY_EXAMPLES = 3


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_random_and_hostile_query_strings(app, objects, extra, actors, record, undone, endpoint):
    """Every parameter a page reads gets random and malformed values (a page number that is no number or
    below 1, a sort order of SQL, a date that does not exist, the parameter repeated, a NUL, markup): the
    page answers, refuses (400) or names nothing (404), never 500, and what it shows of the query is text."""
    reached = _reach_page(app, endpoint, objects, extra, actors, record)
    if reached is None:
        pytest.skip(UNREACHED.get(endpoint, "not reached (test_query_parameters_never_give_500 says why)"))
    actor, _client_used, url, reads = reached
    keys = sorted(reads.args)
    if not keys:
        pytest.skip("the page reads no query parameter")
    value = st.one_of(st.sampled_from(QUERY_VALUES), st.text(max_size=30))

    @seed(zlib.crc32(endpoint.encode()))
    @settings(max_examples=QUERY_EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(query=st.lists(st.tuples(st.sampled_from(keys), value), min_size=1, max_size=6), htmx=st.booleans())
    def get_one(query, htmx):
        with undone():
            client = _client(app, actor)
            if EXPECTED_ACCESS[endpoint] == PUBLIC:
                _public_setup(app, endpoint, client, actor, objects, extra)
            response = client.get(f"{url}?{urlencode(query)}", headers={"HX-Request": "true"} if htmx else {})
            assert response.status_code in PAGE_STATUSES, (url, query, response.status_code)
            if response.mimetype == "text/html":
                assert_nothing_runs(response.get_data(as_text=True), (url, query))

    get_one()


# The examples share the test's savepoint (the function-scoped fixture the health check warns about): each is a
# request that names nothing, so none leaves anything another would see.
@settings(max_examples=60, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(which=st.sampled_from(INT_PATH_ARGS), text=st.one_of(st.sampled_from(QUERY_VALUES[:12]), st.text(min_size=1)))
def test_an_id_in_a_path_that_is_not_a_number_is_404(app, objects, extra, actors, which, text):
    """`/casussen/abc`, `/casussen/-1`, `/casussen/1e309`: an id in a path that is not digits matches no
    route (the id converter), for GET and POST alike. (Runs in the test's savepoint: a 404 changes nothing.)"""
    from urllib.parse import quote

    endpoint, arg = which
    if text.isascii() and text.strip().isdigit():
        return  # a number: test_id_in_path_that_cannot_exist_is_404
    actor = _candidates(endpoint, actors)[0]
    placeholder = 987654321
    url = _url(app, endpoint, {**_param_candidates(endpoint, objects, extra)[0], arg: placeholder})
    url = url.replace(str(placeholder), quote(text, safe=""), 1)
    client = _client(app, actor)
    methods = next(r.methods for r in _ROUTES if r.endpoint == endpoint)
    if "GET" in methods:
        assert client.get(url).status_code == 404, url
    else:
        assert _post(client, actor, url, {}).status_code == 404, url


# --- the same form sent twice ---------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_the_same_form_sent_twice_stores_once(app, objects, extra, actors, record, undone, endpoint):
    """A double click or a retry stores nothing the second time (tests/double_submit.py)."""
    if endpoint in UNREACHED:
        pytest.skip(UNREACHED[endpoint])
    from tests import double_submit

    double_submit.check_route(app, objects, extra, actors, record, undone, endpoint)


def test_the_export_button_carries_a_key(app):
    from tests import double_submit

    double_submit.check_export_button(app)
