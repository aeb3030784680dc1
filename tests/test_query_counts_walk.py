"""Bounded queries everywhere (issue 14): every GET route, as every role that may open it, issues as many
statements on a larger data set as on a small one.

The routes and their objects are the access-policy matrix's (tests/test_access_policy.py: `GET_PROTECTED`,
`GET_PUBLIC`, `GET_TOKEN`, `build_url` over the module's `objects`). The small world is those objects with a
user of each role related to them (the chair and the privacy officer in the case's RET, a RET member taking
part in the case, the caseworker who referred it, the provider member of the requested provider, a liaison
of the escalation's network, an analyst, an administrator; all invited to the sessions). The large world is
the same world with every row of every table copied COPIES more times (`_grow`): the copies point at the
same parents, so the case gets more family members, participants, events and attachments, the sessions more
agenda items and invitees, the region more cases, sessions, providers, signals, users..., every user more
notifications, sessions and export jobs. Where a unique key forbids a second row under the same parent the
copy gets a new value (text: a suffix; a number: an offset) or, for keys of references only, points at the
copy of the referenced row (a copied case on the same agenda, a copied user invited to the same session).

Each page is requested on both, and the test fails when the large world's page issues more statements than
the small world's (an N+1: a query per row). So that it can fail, each page that shows rows must show more of
them in the large world (counted as table rows, list items and options), unless it is named in
`SHOWS_NO_MORE_ROWS` with the reason. Every GET route of the app is walked (it answered 200 to at least one
role) or named in `NOT_WALKED` with the reason."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import Integer, String, UniqueConstraint, insert, select

from ret_app.extensions import db
from tests.conftest import Factory, login
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
            generated = key_columns[0] if len(key_columns) == 1 and not key_columns[0].foreign_keys else None
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
        Case, CaseAction, CaseParticipant, ExportJob, MeetingInvitation, MeetingItem, Notification, ProviderRequest,
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
    with app.app_context():
        case = db.session.get(Case, objects.case_id)
        case.consent_collective = True  # the provider reads the case it is asked about
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
        item_id = db.session.scalar(select(MeetingItem.id).where(MeetingItem.meeting_id == objects.meeting_id))
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


def _visit(app, client, url: str, headers=None) -> Visit:
    from flask import request_finished  # noqa: F401

    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            statements.append(statement)

    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url, headers=headers or {})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
    return Visit(response.status_code, len(statements), len(ROW.findall(body)))


def _walk(app, clients: dict, urls: dict, objects) -> dict:
    visits = {}
    for role, client in clients.items():
        for endpoint, url in urls.items():
            if role == "token":
                if endpoint not in GET_TOKEN:
                    continue
                headers = {"Authorization": f"Bearer {objects.api_token_secret}"}
            elif role == "anonymous":
                if endpoint not in GET_PUBLIC:
                    continue
                headers = None
            else:
                if endpoint not in GET_PROTECTED or not allowed(endpoint, role):
                    continue
                headers = None
            visits[(role, endpoint)] = _visit(app, client, url, headers)
    return visits


def test_no_page_issues_more_statements_on_more_data(app):
    import time

    t0 = time.monotonic()
    built = matrix_objects.__wrapped__(app)
    objects = next(built)
    try:
        people = _people(app, objects)
        clients = {}
        for role in ROLES:
            client = app.test_client()
            login(client, app, people[role])
            clients[role] = client
        clients["anonymous"] = app.test_client()
        clients["token"] = app.test_client()
        urls = {endpoint: build_url(app, endpoint, objects) for endpoint in GET_PROTECTED + GET_PUBLIC + GET_TOKEN}
        t1 = time.monotonic()
        _walk(app, clients, urls, objects)  # warm up
        small = _walk(app, clients, urls, objects)
        t2 = time.monotonic()
        _grow(app)
        t3 = time.monotonic()
        large = _walk(app, clients, urls, objects)
        t4 = time.monotonic()
    finally:
        next(built, None)
    print(f"\nbuild {t1 - t0:.1f}s walk {t2 - t1:.1f}s grow {t3 - t2:.1f}s walk {t4 - t3:.1f}s")
    for key in sorted(small):
        s, b = small[key], large[key]
        flag = ""
        if s.status != 200 or b.status != 200:
            flag = "status"
        elif b.statements > s.statements:
            flag = "GROWS"
        elif b.rows <= s.rows:
            flag = "no more rows"
        print(f"{key[0]:16} {key[1]:40} {s.status} {b.status} q {s.statements:4} -> {b.statements:4} "
              f"rows {s.rows:4} -> {b.rows:4} {flag}")
