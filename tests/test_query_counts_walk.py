"""Bounded queries everywhere (issue 14): every GET route, as every role that may open it, issues as many
statements on a larger data set as on a small one.

The routes and their objects are the access-policy matrix's (tests/test_access_policy.py: `GET_PROTECTED`,
`GET_PUBLIC`, `GET_TOKEN`, `build_url` over the module's `objects`). The small world is those objects with a
user of each role related to them (the chair and the privacy officer in the case's RET, a RET member taking
part in the case, the caseworker who referred it, the provider member of the requested provider, a liaison
of the escalation's network, an analyst, an administrator; all invited to the sessions). The large world is
the same world with every row of every table copied COPIES more times (`_grow`): the copies point at the
same parents (every other copy at copies of its people, organisations and municipalities, so that the rows of
a list do not share a few people either), so the case gets more family members, participants, events and attachments, the sessions more
agenda items and invitees, the region more cases, sessions, providers, signals, users..., every user more
notifications, sessions and export jobs. Where a unique key forbids a second row under the same parent the
copy gets a new value (text: a suffix; a number: an offset) or, for keys of references only, points at the
copy of the referenced row (a copied case on the same agenda, a copied user invited to the same session).

Each page is requested on both (after one warm-up request per route; a route that answers with a file, a
PDF or JSON, by the first role that opens it), and the test fails when the large world's page issues more
statements than the small world's (an N+1: a query per row), or answers with another status. It prints the
pages with the most statements and the slowest ones. So that it can fail, each page that shows rows must show more of
them in the large world (counted as table rows, list items and options), unless it is named in
`SHOWS_NO_MORE_ROWS` with the reason. Every GET route of the app is walked (it answered 200 to at least one
role) or named in `NOT_WALKED` with the reason."""

from __future__ import annotations

import itertools
import re
from collections import Counter
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import Integer, String, UniqueConstraint, insert, select

from ret_app.extensions import db
from tests.conftest import Factory, login, statement_recorder
from tests.test_access_policy import (
    GET_PROTECTED, GET_PUBLIC, GET_TOKEN, ROLES, allowed, build_url, objects as matrix_objects,
)

COPIES = 3  # the large world: every row and COPIES copies of it

# Tables the copying leaves alone: the audit chain's bookkeeping and counters (one row each, by design).
NOT_COPIED = {"audit_head", "audit_checkpoint", "case_reference_counter", "auth_throttle"}
# Columns that hold a code the app looks up (a care type, a life domain, a kind): in a unique key they keep
# their value, and the copy points at a copied parent instead.
CODES = {"care_type", "domain", "area", "kind", "object_id"}
# When a unique key holds references only, the copy points at the copy of one of these it references (the
# copies take turns, in this order).
REMAP_FIRST = ("ret_case", "user_account", "organisation", "provider_profile", "escalation", "plan", "screening",
               "meeting", "region")
# In every other copy, a row's people, organisations and municipalities are their copies too: then the rows of
# a list do not all share the few people of the small world, and a relation loaded once per distinct person
# or organisation (not per row) shows in the count as well. (The other copies keep them: the same people
# see more rows.)
OWN_RELATIONS = ("user_account", "organisation", "municipality")


def _unique_keys(table) -> list[list]:
    keys = [list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)]
    keys += [list(index.columns) for index in table.indexes if index.unique]
    keys += [[c] for c in table.columns if c.unique]
    return keys


def _grow(app, copies: int = COPIES) -> None:
    """Every row of every table (NOT_COPIED aside) `copies` more times, under the same parents."""
    numbers = itertools.count(1)
    with app.app_context():
        clones: dict[str, dict[int, list[int]]] = {}  # table -> original id -> ids of its copies
        for table in db.metadata.sorted_tables:
            if table.name in NOT_COPIED:
                continue
            rows = [dict(row._mapping) for row in db.session.execute(select(table)).all()]
            if not rows:
                continue
            key_columns = list(table.primary_key.columns)
            # A generated id is left to the database; a primary key of references (a profile of an
            # organisation, a user's choice per kind) is one more unique key.
            generated = key_columns[0] if len(key_columns) == 1 and not key_columns[0].foreign_keys \
                and isinstance(key_columns[0].type, Integer) else None
            keys = _unique_keys(table) + ([] if generated is not None else [key_columns])
            perturb: set[str] = set()
            choices: list[list[str]] = []  # per unique key of references only: the references that may move
            for key in keys:
                free = [c for c in key if not c.foreign_keys and c.name not in CODES and c is not generated]
                if free:
                    perturb.update(c.name for c in free)
                    continue
                references = {next(iter(c.foreign_keys)).column.table.name: c.name for c in key if c.foreign_keys}
                movable = [references[name] for name in REMAP_FIRST if name in references]
                assert movable, f"{table.name}: no way to copy a row under the unique key {[c.name for c in key]}"
                choices.append(movable)
            clones[table.name] = {}
            for copy in range(copies):
                # Where a key allows several, the copies take turns: a copied case on the same agenda, then
                # the same case on a copied session (each list of both sides grows).
                remap = {movable[copy % len(movable)] for movable in choices}
                if copy % 2:
                    remap |= {c.name for c in table.columns if c.foreign_keys and c.name not in perturb
                              and next(iter(c.foreign_keys)).column.table.name in OWN_RELATIONS
                              and next(iter(c.foreign_keys)).column.table is not table}
                for row in rows:
                    values = {name: value for name, value in row.items()
                              if generated is None or name != generated.name}
                    for name in perturb:
                        column = table.columns[name]
                        if values[name] is None:
                            continue
                        if isinstance(column.type, String):
                            suffix = f"~{next(numbers)}"
                            limit = column.type.length or 200
                            values[name] = str(values[name])[:max(0, limit - len(suffix))] + suffix
                        elif isinstance(column.type, Integer):
                            values[name] = values[name] + 1_000_000 * (copy + 1)
                    for name in remap:
                        if values[name] is None:
                            continue
                        referenced = next(iter(table.columns[name].foreign_keys)).column.table.name
                        values[name] = clones[referenced][values[name]][copy]
                    statement = insert(table).values(**values)
                    if generated is None:
                        db.session.execute(statement)
                        if len(key_columns) == 1:  # a profile: the copy's key is its organisation's copy
                            clones[table.name].setdefault(row[key_columns[0].name], []).append(
                                values[key_columns[0].name])
                        continue
                    new_id = db.session.execute(statement.returning(generated)).scalar_one()
                    clones[table.name].setdefault(row[generated.name], []).append(new_id)
        db.session.commit()
        db.session.remove()


# --- the people of the world ------------------------------------------------------------------------

def _people(app, objects) -> dict:
    """One user of each role, related to the matrix's objects (see the module's docstring), each with a
    notification, an export job and an open action of their own."""
    import secrets
    from datetime import date, timedelta

    from ret_app.kernel.dates import utcnow
    from ret_app.models import (
        Case, CaseAction, CaseOutcome, CaseParticipant, Consent, ExportJob, LegalGround, MeetingInvitation, MeetingItem,
        Notification, OutcomeGap, OutcomeHelp, ProviderRequest, Screening, ScreeningContribution, SignalEvidence,
        SignalResponse,
    )
    from tests import export_kinds

    factory = Factory(app)
    people = {
        "chair": factory.user("chair", objects.ret_org.id),
        "ret_member": factory.user("ret_member", objects.ret_org.id),
        "caseworker": objects.target,
        "provider_member": objects.keeper,
        "network_liaison": factory.user("network_liaison", factory.organisation("network",
                                                                                network_id=objects.network.id).id),
        "analyst": factory.user("analyst"),
        "privacy_officer": factory.user("privacy_officer", objects.ret_org.id),
        "admin": factory.user("admin"),
    }
    factory.mandate(objects.target.id, objects.municipality.id)
    # A case of another access team of the region on the sessions' agendas: not every item is each one's.
    elsewhere = factory.municipality(objects.region.id)
    stranger = factory.user("caseworker", factory.organisation("access_team", region_id=objects.region.id,
                                                               municipality_id=elsewhere.id).id)
    strange_case = factory.case(stranger, elsewhere, status="submitted")
    with app.app_context():
        case = db.session.get(Case, objects.case_id)
        case.consent_collective = True  # the provider reads the case it is asked about
        case.consent_network = True  # the network's liaison reads its escalation (and the dossier is made)
        db.session.add_all([Consent(case_id=case.id, scope=scope, given_by_role="youth", given_on=date.today(),
                                    form="written", recorded_by_id=objects.target.id)
                            for scope in ("ret", "collective", "network")])
        case.process_director_id = people["ret_member"].id
        db.session.add_all([
            CaseParticipant(case_id=case.id, role="ret_member", user_id=people["ret_member"].id,
                            invited_by_id=people["chair"].id),
            CaseParticipant(case_id=case.id, role="provider", organisation_id=objects.provider.id,
                            invited_by_id=people["chair"].id),
            # a commitment of the provider beside the open request
            ProviderRequest(case_id=case.id, organisation_id=objects.provider.id, role="lead_provider",
                            care_type="ambulatory", question="Kunt u helpen?", status="accepted",
                            reply_by=date.today() + timedelta(days=3), intended_start=date.today(),
                            requested_by_id=people["ret_member"].id, submission_key=secrets.token_hex(8))])
        # A legal ground for the network (the dossier is made; a ground stays true for the copied family).
        db.session.add(LegalGround(case_id=case.id, scope="network", reason="Veiligheid",
                                   recorded_by_id=objects.target.id))
        # The screening with a contribution, an outcome with help and a gap, the signal's evidence and a response.
        screening = Screening(case_id=case.id, analysis="Analyse")
        db.session.add(screening)
        db.session.flush()
        db.session.add(ScreeningContribution(screening_id=screening.id, author_id=objects.keeper.id,
                                             organisation_id=objects.provider.id, domain="safety", severity=2,
                                             notes="Bijdrage"))
        outcome = CaseOutcome(case_id=case.id, result="realised", recorded_by_id=people["chair"].id)
        db.session.add(outcome)
        db.session.flush()
        db.session.add_all([
            OutcomeHelp(outcome_id=outcome.id, case_id=case.id, care_type="ambulatory",
                        organisation_id=objects.provider.id),
            OutcomeGap(outcome_id=outcome.id, case_id=case.id, gap_category_id=objects.gap_category_id,
                       care_type="ambulatory", note="Geen plek"),
            SignalEvidence(signal_id=objects.signal_id, case_id=case.id, kind="escalation",
                           escalation_id=objects.escalation_id, on=date.today()),
            SignalResponse(signal_id=objects.signal_id, author_id=people["chair"].id, text="Besproken",
                           from_status="new", to_status="new")])
        item_id = db.session.scalar(select(MeetingItem.id).where(MeetingItem.meeting_id == objects.meeting_id))
        for meeting_id in (objects.meeting_id, objects.approved_meeting_id, objects.planned_meeting_id):
            db.session.add(MeetingItem(meeting_id=meeting_id, case_id=strange_case, purpose="progress", position=2,
                                       added_by_id=people["chair"].id))
        for role, user in people.items():
            for meeting_id in (objects.meeting_id, objects.approved_meeting_id, objects.planned_meeting_id):
                if not db.session.scalar(select(MeetingInvitation.id).where(
                        MeetingInvitation.meeting_id == meeting_id, MeetingInvitation.user_id == user.id)):
                    db.session.add(MeetingInvitation(meeting_id=meeting_id, user_id=user.id))
            db.session.add(Notification(user_id=user.id, kind="session_invitation", key=f"walk:{role}",
                                        link=f"/overleggen/{objects.meeting_id}"))
            db.session.add(ExportJob(kind=export_kinds.ANYONE, params={"steps": 1}, requested_by_id=user.id,
                                     status="done", progress=100, filename="walk.csv", mimetype="text/csv",
                                     content=b"x", size=1, attempts=1, created_at=utcnow(), finished_at=utcnow(),
                                     expires_at=utcnow() + timedelta(days=7)))
            db.session.add(CaseAction(case_id=case.id, item_id=item_id, description=f"Actie van {role}",
                                      owner_user_id=user.id, due_date=date.today() + timedelta(days=7),
                                      submission_key=secrets.token_hex(8), created_by_id=people["chair"].id))
        db.session.commit()
        db.session.remove()
    return people


# --- the walk ---------------------------------------------------------------------------------------

ROW = re.compile(r"<(tr|li|option)[\s>]")


@dataclass
class Visit:
    status: int
    statements: int = 0
    rows: int = 0
    sql: tuple = ()
    seconds: float = 0.0
    html: bool = True


def _walk(app, clients: dict, urls: dict, objects, *, once: bool = False, files: dict | None = None) -> dict:
    """(who, endpoint) -> Visit for every route each role may open (the anonymous client: the public ones, the
    token client: the monitor API with the matrix's token); `once`: each route until one answers 200 (a warm-up
    of the process's caches); `files`: endpoint -> who, the routes that answer with a file (a PDF, JSON, a
    calendar) are requested by that one only (the file is the same for each role that may have it, and its
    rendering is the slow part of the walk)."""
    visits = {}
    opened: set[str] = set()
    with statement_recorder(app) as statements:
        for who, client in clients.items():
            for endpoint, url in urls.items():
                if (once and endpoint in opened) or (files and files.get(endpoint, who) != who):
                    continue
                headers = {}
                if who == "token":
                    if endpoint not in GET_TOKEN:
                        continue
                    headers = {"Authorization": f"Bearer {objects.api_token_secret}"}
                elif who == "anonymous":
                    if endpoint not in GET_PUBLIC:
                        continue
                elif endpoint not in GET_PROTECTED or not allowed(endpoint, who):
                    continue
                statements.clear()
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
                visits[(who, endpoint)] = Visit(response.status_code, len(statements), len(ROW.findall(body)),
                                                tuple(statements), time.perf_counter() - started,
                                                response.mimetype == "text/html")
                if response.status_code == 200:
                    opened.add(endpoint)
    return visits


# Pages that show no more rows on the large world, and why (per endpoint, or "endpoint@role"). They are
# still held to the same number of statements.
SHOWS_NO_MORE_ROWS = {
    # Forms and fixed texts
    "account.change_password": "the password form",
    "auth.reauthenticate": "asks the password again",
    "auth.login": "the sign-in form",
    "main.accessibility": "the accessibility statement: a fixed text",
    "main.floor": "the benchmark's floor page: the base layout and the database's clock",
    "operations.health_check": "the load balancer's health check: two fixed statements",
    "api.openapi": "the monitor API's OpenAPI document",
    "notifications.preferences": "the choices per registered kind of notification (a fixed list)",
    "privacy.processing_register": "the register of processing: a fixed table",
    "admin.network_edit": "the form of one network",
    "admin.region_norms": "the form of one region's norms",
    "admin.mandate_detail": "one mandate",
    "caretypes.edit": "the form of one care type",
    "outcomes.category_edit": "the form of one gap category",
    "inspection.correction_form": "the form of a new correction request",
    "referrals.family_edit": "the form of one family member",
    "meetings.followup_answer": "the answer form of one provisional decision",
    # One thing, not a list
    "commitments.request_page": "one request (its answer, withdrawal, start and end forms)",
    "erasure.request_page": "one erasure request and its decision form",
    "inspection.correction_page": "one correction request (its decision and addendum)",
    "inspection.inspection_page": "one inspection request (its parts withheld: at most one per registered section)",
    "vignettes.page": "one learning vignette",
    "plans.version_page": "one stored version of the plan (its content is a document, not rows)",
    "exports.job": "one export job's state",
    # Files: no HTML rows to count (the statements are counted all the same)
    "exports.download": "a file",
    "referrals.attachment_download": "a file",
    "meetings.calendar_invitation": "a calendar file",
    "meetings.minutes_pdf": "a PDF (its items, invitees, decisions and actions grow: tests/test_meeting_minutes.py)",
    "meetings.extract_pdf": "a PDF",
    "plans.plan_pdf": "a PDF",
    "screening.screening_report": "a PDF",
    "vignettes.pdf": "a PDF",
    "escalations.dossier_pdf": "a PDF",
    "escalations.dossier_json": "a JSON file of one escalation",
    "api.flow": "JSON figures per period (aggregates, no rows per case)",
    "api.gaps": "JSON figures per period (aggregates)",
    "api.outcomes": "JSON figures per period (aggregates)",
    "api.signals": "JSON: the region's signals (aggregates per category)",
    # Aggregates, counts and pages the small world already fills
    "analyst.aggregates_page": "figures per period and region (aggregates of closed cases, a fixed table)",
    "reflection.page@analyst": "figures (aggregates); the analyst reads no case",
    "main.start@admin": "the management card: counts",
    "main.start@analyst": "the analyst's cards: links and counts",
    "main.start@network_liaison": "the liaison's card: counts of its network's escalations",
    "admin.audit": "a page of 100 events: the small world's sign-ins and reads already fill it",
    "privacy.access_log_page": "a page of events: the small world's reads of the case already fill it",
    "jobs.jobs_page": "the registered job kinds (a fixed list) with their last runs (none in the world)",
    "meetings.page@provider_member": "the provider sees the items of its own cases only (the copied cases are not)",
    "vignettes.pack": "the request form of the pack (its vignettes are counted when it is made)",
}

# GET routes the walk cannot open with a 200, and why (each is still requested and counted where it answers).
NOT_WALKED = {
    "static": "static files",
    "main.index": "redirects to the start page or the sign-in",
    "admin.index": "redirects to the user list",
    "auth.second_factor": "the sign-in's second step: only after a password step (tests/test_auth.py)",
    "auth.recovery_code": "the sign-in with a recovery code: only after a password step",
    "auth.activate": "the activation form: needs an activation link's token",
    "auth.enrol": "the authenticator enrolment: only during an activation",
    "escalations.escalation_form": "the case's escalation is open, so the form redirects to it (a form without rows)",
}

# Pages allowed to issue more statements on the large world, and why. Keep it tiny.
ALLOWED_GROWTH: dict[str, str] = {}


def _key(role: str, endpoint: str, table: dict) -> str | None:
    return next((k for k in (f"{endpoint}@{role}", endpoint) if k in table), None)


@pytest.fixture(scope="module")
def walked(app):
    """The walk, once for the module: (small, large) visits per (role, endpoint)."""
    built = matrix_objects.__wrapped__(app)
    objects = next(built)
    try:
        people = _people(app, objects)
        clients = {}
        for role in ROLES:
            clients[role] = app.test_client()
            login(clients[role], app, people[role])
        clients["anonymous"] = app.test_client()
        clients["token"] = app.test_client()
        urls = {endpoint: build_url(app, endpoint, objects) for endpoint in GET_PROTECTED + GET_PUBLIC + GET_TOKEN}
        warm = _walk(app, clients, urls, objects, once=True)  # warm up: the process's caches
        files = {endpoint: who for (who, endpoint), visit in warm.items() if visit.status == 200 and not visit.html}
        small = _walk(app, clients, urls, objects, files=files)
        _grow(app)
        # The grown world changes what the stored PDFs show (an approved session's minutes, a finalised
        # screening's report): the first request after the change renders and stores them again (one
        # write, once: ret_app/stored_pdf.py), as the warm-up did on the small world.
        _walk(app, clients, {endpoint: urls[endpoint] for endpoint in files}, objects, files=files)
        large = _walk(app, clients, urls, objects, files=files)
    finally:
        next(built, None)  # the attachment files it wrote
    yield small, large


def test_no_page_issues_more_statements_on_more_data(walked):
    small, large = walked
    grew, broke = [], []
    for key, before in small.items():
        after = large[key]
        if after.status != before.status:
            broke.append(f"{key}: {before.status} on the small world, {after.status} on the large one")
        elif before.status == 200 and after.statements > before.statements \
                and not _key(key[0], key[1], ALLOWED_GROWTH):
            more = Counter(after.sql) - Counter(before.sql)
            grew.append(f"{key[0]} {key[1]}: {before.statements} -> {after.statements} statements; repeated: "
                        + "; ".join(f"{n}x {' '.join(sql.split())[:160]}" for sql, n in more.most_common(3)))
    worst = sorted(((v.statements, k) for k, v in large.items() if v.status == 200), reverse=True)[:10]
    slow: dict[str, float] = {}
    for (_role, endpoint), visit in large.items():
        slow[endpoint] = slow.get(endpoint, 0.0) + visit.seconds + small[(_role, endpoint)].seconds
    print("\nslowest pages (seconds, all roles, both worlds):",
          ", ".join(f"{e} {t:.1f}" for t, e in sorted(((t, e) for e, t in slow.items()), reverse=True)[:12]),
          f"; in all {sum(slow.values()):.1f}")
    print("\nmost statements per page (large world):", ", ".join(f"{k[1]} ({k[0]}) {n}" for n, k in worst))
    assert not broke, "\n".join(broke)
    assert not grew, "pages whose statements grow with the data (N+1):\n" + "\n".join(grew)


def test_the_large_world_shows_more_rows_on_every_list(walked):
    """Otherwise the walk could not fail: each page that shows rows shows more of them on the large world."""
    small, large = walked
    flat = [f"{role} {endpoint}: {small[(role, endpoint)].rows} rows on both"
            for (role, endpoint), before in small.items()
            if before.status == 200 and large[(role, endpoint)].rows <= before.rows
            and not _key(role, endpoint, SHOWS_NO_MORE_ROWS)]
    assert not flat, "these pages show no more rows on the large world (grow the world, or name them in " \
                     "SHOWS_NO_MORE_ROWS with the reason):\n" + "\n".join(flat)
    walked_endpoints = {endpoint for (_role, endpoint), visit in small.items() if visit.status == 200}
    stale = sorted(k for k in SHOWS_NO_MORE_ROWS if k.split("@")[0] not in walked_endpoints)
    assert not stale, f"SHOWS_NO_MORE_ROWS names pages the walk does not open: {stale}"


def test_every_get_route_is_walked(app, walked):
    """Every GET route of the app answered 200 to a role on the walk, or is named in NOT_WALKED with the reason;
    and the walk is not thin (each role opens its pages)."""
    small, _large = walked
    get_endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    opened = {endpoint for (_role, endpoint), visit in small.items() if visit.status == 200}
    missing = sorted(get_endpoints - opened - set(NOT_WALKED))
    assert not missing, f"GET routes no role opened on the walk (relate the world to them, or NOT_WALKED): {missing}"
    assert not sorted(set(NOT_WALKED) & opened), "NOT_WALKED names a route the walk opens"
    assert not sorted(set(NOT_WALKED) - get_endpoints), "NOT_WALKED names a route that no longer answers GET"
    # The lists and start pages that issue 14 names first.
    for endpoint in ("cases.case_list", "cases.intake_queue", "meetings.index", "actions.mine", "admin.users",
                     "admin.mandates", "admin.regions", "admin.networks", "admin.municipalities",
                     "admin.organisations", "admin.audit", "mandates.mine", "main.start"):
        assert endpoint in opened, endpoint
    assert all(small[(role, "main.start")].status == 200 for role in ROLES), "every role's start page"
    per_role = {role: sum(1 for (r, _e), v in small.items() if r == role and v.status == 200) for role in ROLES}
    assert all(n >= 5 for n in per_role.values()), per_role
    assert len(opened) >= 100, len(opened)
