"""Migration 0006 (the plan): a case that reached monitoring before it takes the day it moved there as
the day fitting help started (the Amsterdam date of its first step to monitoring), so no case in
monitoring is without it; other cases get none."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from ret_app.extensions import db
from tests.test_migrations import fresh_app, fresh_database_url  # noqa: F401  (fixtures)

NOW = "2026-03-02 12:00:00+00:00"


def _insert(conn, table: str, **values) -> int:
    names = ", ".join(values)
    conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)
    return conn.execute(sa.text(f"SELECT max(id) FROM {table}")).scalar()


def test_cases_in_monitoring_keep_the_day_they_got_there(fresh_app):  # noqa: F811
    with fresh_app.app_context():
        upgrade(revision="0005_case_next_deadline")
        with db.engine.begin() as conn:
            stamps = {"created_at": NOW, "updated_at": NOW}
            region = _insert(conn, "region", name="Regio Migratie", **stamps)
            municipality = _insert(conn, "municipality", region_id=region, name="Gemeente Migratie",
                                   cbs_code="GM0901", **stamps)
            team = _insert(conn, "organisation", name="Team Migratie", kind="access_team", region_id=region,
                           collective_member=False, active=True, **stamps)
            person = _insert(conn, "user_account", email="m@test.example", name="M", role="caseworker",
                             organisation_id=team, totp_last_counter=0, **stamps)

            def case(reference: str, status: str) -> int:
                return _insert(conn, "ret_case", reference=reference, region_id=region, municipality_id=municipality,
                               submitting_organisation_id=team, caseworker_id=person, status=status,
                               urgency="regular", youth_first_name="", youth_last_name="", question="", why_stuck="",
                               placement_intended=False, consent_ret=True, consent_collective=False,
                               consent_network=False, version=1, **stamps)

            monitoring, closed, direction = case("RET-2026-9001", "monitoring"), case("RET-2026-9002", "closed"), \
                case("RET-2026-9003", "process_direction")
            # 23:30 UTC on 9 March is 10 March in Amsterdam; a later second step to monitoring does not count.
            for case_id, at in ((monitoring, "2026-03-09 23:30:00"), (monitoring, "2026-04-01 10:00:00"),
                                (closed, "2026-02-02 09:00:00")):
                _insert(conn, "case_transition", case_id=case_id, from_status="process_direction",
                        to_status="monitoring", actor_id=person, at=at)
        upgrade()
        with db.engine.connect() as conn:
            days = dict(conn.execute(sa.text("SELECT id, fitting_help_started_on FROM ret_case")).all())
    as_text = {case_id: str(day)[:10] if day else None for case_id, day in days.items()}
    assert as_text == {monitoring: "2026-03-10", closed: "2026-02-02", direction: None}
