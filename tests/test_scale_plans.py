"""The plans PostgreSQL makes at national scale (issue 14): the lists' queries read what the user's
own caseload needs through indexes, not every row of the country.

The shape tests run on every database (the SQL the policy writes); the plan tests run on PostgreSQL
(`postgres_only`) on a few thousand cases of other regions, inserted in one statement each and
ANALYZEd, so the planner judges them as it would a full database. `enable_seqscan = off` makes a
sequential scan the last resort: a plan that still reads a table from start to end has no index it
can use (the expression or the query's shape does not match one).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite

from ret_app import policy
from ret_app.extensions import db
from ret_app.models import Case, User

OTHER_CASES = 4000


def _caseworker() -> User:
    return User(id=5, role="caseworker", organisation_id=7)


def test_a_caseworkers_visibility_is_looked_up_by_id_not_tested_on_every_case():
    """"Own case, own team or taking part" is a UNION of three lookups whose ids the case query reads
    (PostgreSQL: `= any(array(...))`, run once), never an OR over the case row's columns."""
    stmt = select(Case.id).where(policy.visible_cases_clause(_caseworker()))
    on_postgres = str(stmt.compile(dialect=postgresql.dialect()))
    on_sqlite = str(stmt.compile(dialect=sqlite.dialect()))
    assert "ret_case.id = any(array((SELECT ret_case.id" in on_postgres
    assert on_postgres.count("UNION") == 2 and " OR " not in on_postgres
    assert "ret_case.id IN (SELECT ret_case.id" in on_sqlite and " OR " not in on_sqlite
    assert "EXISTS" not in on_postgres.upper()


@pytest.fixture
def country(app, make_world):
    """The test's region plus OTHER_CASES cases of the second region (a family member and a RET member
taking part each) and 5 x OTHER_CASES audit events, ANALYZEd (PostgreSQL)."""
    w = make_world()
    with app.app_context():
        db.session.execute(text(
            "INSERT INTO ret_case (reference, region_id, municipality_id, submitting_organisation_id, caseworker_id,"
            " status, urgency, youth_first_name, youth_last_name, question, why_stuck, placement_intended,"
            " consent_ret, consent_collective, consent_network, version, created_at, updated_at, submitted_at)"
            " SELECT 'RET-T-' || i, :region, :municipality, :team, :caseworker, 'closed', 'regular', 'Jeugdige',"
            " 'Naam' || i, 'Vraag', 'Vast', false, true, true, false, 1, now(), now(), now()"
            " FROM generate_series(1, :n) i"),
            {"region": w.elsewhere.region.id, "municipality": w.elsewhere.municipality.id,
             "team": w.elsewhere.team.id, "caseworker": w.elsewhere.caseworker.id, "n": OTHER_CASES})
        db.session.execute(text(
            "INSERT INTO family_member (case_id, name, relation, parental_authority)"
            " SELECT id, 'Ouder ' || youth_last_name, 'mother', true FROM ret_case"))
        db.session.execute(text(
            "INSERT INTO case_participant (case_id, role, user_id, invited_by_id, invited_at)"
            " SELECT id, 'ret_member', :member, :member, now() FROM ret_case"), {"member": w.elsewhere.member.id})
        # Audit events of many people (a seq of their own: not waiting to be linked into the chain).
        db.session.execute(text(
            "INSERT INTO audit_event (seq, occurred_at, user_id, user_name, action, object_type, outcome)"
            " SELECT -i, now(), :member, 'Medewerker ' || (i % 500), 'read', 'case', 'success'"
            " FROM generate_series(1, :n) i"), {"member": w.elsewhere.member.id, "n": OTHER_CASES * 5})
        db.session.execute(text("ANALYZE ret_case; ANALYZE family_member; ANALYZE case_participant;"
                                " ANALYZE audit_event"))
        db.session.commit()
    return w


def _plan(stmt, *, seqscan: bool = True) -> str:
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(text(f"SET LOCAL enable_seqscan = {'on' if seqscan else 'off'}"))
    try:
        return "\n".join(db.session.execute(text(f"EXPLAIN {compiled}")).scalars())
    finally:
        db.session.execute(text("SET LOCAL enable_seqscan = on"))


@pytest.mark.postgres_only
def test_a_caseworkers_case_list_reads_their_cases_by_index(app, country):
    from ret_app.cases.queries import visible_cases

    with app.app_context():
        caseworker = db.session.get(User, country.caseworker.id)
        plan = _plan(visible_cases(caseworker).limit(26))
    assert "Seq Scan on ret_case" not in plan, plan
    assert "ix_ret_case_caseworker_id" in plan and "ix_ret_case_submitting_organisation_id" in plan, plan
    assert "ix_case_participant_user_id" in plan, plan


@pytest.mark.postgres_only
@pytest.mark.parametrize("index, table, expression", [
    ("ix_ret_case_reference_trgm", Case, "REFERENCE_SEARCHED"),
    ("ix_ret_case_youth_name_trgm", Case, "YOUTH_NAME_SEARCHED"),
    ("ix_family_member_name_trgm", None, "FAMILY_NAME_SEARCHED"),
])
def test_the_name_search_expressions_are_those_of_the_trigram_indexes(app, country, index, table, expression):
    """Migration 0025_perf indexes the very expressions the search matches: with sequential scans off,
    PostgreSQL answers LIKE '%term%' from the trigram index (an expression that differs, even by a
    parameter for the space, would leave only the sequential scan)."""
    from ret_app.cases import queries
    from ret_app.models import FamilyMember

    searched = getattr(queries, expression)
    column = FamilyMember.case_id if table is None else Case.id
    with app.app_context():
        plan = _plan(select(column).where(searched.like("%naam123%", escape="\\")), seqscan=False)
    assert index in plan, plan


@pytest.mark.postgres_only
def test_the_audit_searchs_who_expression_is_that_of_its_trigram_index(app, country):
    from ret_app.admin.queries import AuditFilters, audit_search_query

    with app.app_context():
        plan = _plan(audit_search_query(AuditFilters(who="nobody by this name")).limit(51), seqscan=False)
    assert "ix_audit_event_user_name_trgm" in plan, plan


def test_a_name_search_is_three_lookups_not_an_or_over_the_visible_cases():
    """Each part of the name search (reference, youth's name, family member's name) is a SELECT of its
    own with one LIKE on an indexed expression, within what the user may see; their ids are read by
    the list (PostgreSQL: `= any(array(...))`). An OR with the family member's EXISTS tested every case
    the user may see and could use no trigram index."""
    from ret_app.cases.queries import CaseFilters, visible_cases

    from ret_app.models import Organisation

    chair = User(id=3, role="chair", organisation_id=4)
    chair.organisation = Organisation(id=4, region_id=2)
    for user in (chair, _caseworker()):
        sql = str(visible_cases(user, CaseFilters(q="naam")).compile(dialect=postgresql.dialect()))
        assert "EXISTS" not in sql.upper(), sql
        assert sql.count(" LIKE ") == 3 and sql.count("UNION") >= 2, sql
        for expression in ("lower(ret_case.reference) LIKE",
                           "lower(ret_case.youth_first_name || ' ' || ret_case.youth_last_name) LIKE",
                           "lower(family_member.name) LIKE"):
            assert expression in sql, (expression, sql)


def test_the_upcoming_sessions_card_looks_up_agenda_items_of_the_window_only():
    """The start page's "sessions of the next two weeks": whether a case on the agenda lets the user see
    a session is asked of the items of the window's sessions (`meeting_item.meeting_id IN (the window)`),
    not of the items of every case the user may see (for the RET: the region's whole history)."""
    from datetime import datetime, timezone

    from ret_app.meetings.overview import upcoming_sessions_query

    stmt = upcoming_sessions_query(_caseworker(), datetime(2026, 12, 5, tzinfo=timezone.utc))
    for compiled in (str(stmt.compile(dialect=postgresql.dialect())), str(stmt.compile(dialect=sqlite.dialect()))):
        items = compiled[compiled.index("FROM meeting_item"):]
        assert "meeting_item.meeting_id IN (SELECT meeting.id" in items, compiled
        invitations = compiled[compiled.index("FROM meeting_invitation"):compiled.index("FROM meeting_item")]
        assert "meeting_invitation.meeting_id IN (SELECT meeting.id" in invitations, compiled


@pytest.mark.postgres_only
def test_the_chairs_upcoming_sessions_read_the_windows_items_by_index(app, country):
    """The second region's chair, with OTHER_CASES cases over OTHER_CASES / 20 past sessions (each case
    on one agenda): the card's query finds the coming session's items through the meeting index and
    never reads the region's history of agenda items (before: a Seq Scan on meeting_item, hashed
    against every case of the region)."""
    from ret_app.kernel import dates
    from ret_app.meetings.overview import upcoming_sessions_query

    there = country.elsewhere
    with app.app_context():
        db.session.execute(text(
            "INSERT INTO meeting (region_id, chair_id, starts_at, duration_minutes, location, online_url, status,"
            " created_by_id, revision, version, created_at, updated_at)"
            " SELECT :region, :chair, now() - s * interval '7 days', 120, 'Zaal', '', 'approved', :chair, 1, 1,"
            " now(), now() FROM generate_series(1, :n) s"),
            {"region": there.region.id, "chair": there.chair.id, "n": OTHER_CASES // 20})
        db.session.execute(text(
            "INSERT INTO meeting (region_id, chair_id, starts_at, duration_minutes, location, online_url, status,"
            " created_by_id, revision, version, created_at, updated_at)"
            " VALUES (:region, :chair, now() + interval '3 days', 120, 'Zaal', '', 'planned', :chair, 1, 1,"
            " now(), now())"), {"region": there.region.id, "chair": there.chair.id})
        db.session.execute(text(
            "INSERT INTO meeting_item (meeting_id, case_id, purpose, position, notes, seconds_spent, added_by_id,"
            " added_at, version)"
            " SELECT m.id, c.id, 'progress', 1, '', 0, :chair, now(), 1"
            " FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM ret_case WHERE region_id = :region) c"
            " JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM meeting WHERE region_id = :region) m"
            " ON m.n = 1 + c.n % (:n + 1)"),
            {"region": there.region.id, "chair": there.chair.id, "n": OTHER_CASES // 20})
        db.session.execute(text("ANALYZE meeting; ANALYZE meeting_item"))
        chair = db.session.get(User, there.chair.id)
        stmt = upcoming_sessions_query(chair, dates.utcnow())
        assert len(db.session.scalars(stmt).all()) == 1
        plan = _plan(stmt)
    assert "Seq Scan on meeting_item" not in plan, plan
    # by an index that starts with the meeting: its own, or the one-item-per-case key (meeting, case)
    assert "ix_meeting_item_meeting_id" in plan or "one_item_per_case" in plan, plan


@pytest.mark.postgres_only
def test_the_requests_past_reply_by_are_read_from_the_unanswered_requests_index(app, country):
    """The chair's "requests past their reply-by date" card: with 4,000 requests over eleven years, a
    quarter unanswered (most of them due in the coming days), the card's first rows (the longest waiting)
    are read through ix_provider_request_status_reply_by (migration 0026_start) in the card's order, not
    by walking every past reply-by date of the country and testing each request's status (the plan
    PostgreSQL chose at 40,000 cases: 75 ms)."""
    from ret_app.commitments.queries import _rows, past_reply_by_clause
    from ret_app.kernel import dates

    there = country.elsewhere
    with app.app_context():
        db.session.execute(text(
            "INSERT INTO provider_request (case_id, organisation_id, role, care_type, question, reply_by, status,"
            " requested_at, requested_by_id, submission_key, decline_text, contact_name, contact_phone,"
            " withdraw_text, version)"
            " SELECT c.id, :provider, 'help', 'jeugdhulp', '', CASE WHEN c.id % 4 = 0 THEN current_date + (c.id % 40)"
            " - 3 ELSE current_date - (c.id % 4000) END,"
            " CASE WHEN c.id % 4 = 0 THEN 'requested' ELSE 'accepted' END, now(), :chair, 'k' || c.id, '', '',"
            " '', '', 1 FROM ret_case c WHERE c.region_id = :region"),
            {"provider": there.provider.id, "chair": there.chair.id, "region": there.region.id})
        db.session.execute(text("ANALYZE provider_request"))
        chair = db.session.get(User, there.chair.id)
        where = (policy.overdue_watch_clause(chair), past_reply_by_clause(dates.today()))
        from sqlalchemy import func

        from ret_app.models import ProviderRequest
        count = select(func.count(ProviderRequest.id)).where(*where)
        rows = _rows().where(*where).order_by(ProviderRequest.reply_by, ProviderRequest.id).limit(5)
        assert db.session.scalar(count) > 0
        plan = _plan(rows)
    assert "ix_provider_request_status_reply_by" in plan, plan
    assert "ix_provider_request_reply_by " not in plan, plan
