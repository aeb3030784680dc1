"""The Alembic migrations: they build the schema from nothing, go all the way down and up again, and
describe exactly what the models declare.

Runs on the database under test: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set (the
Makefile runs the suite on both). The round trip uses a separate fresh database so the session
database of the other tests is never touched: a temporary SQLite file, or on PostgreSQL a
randomly named database on the same server, dropped afterwards.

About the UTCDateTime TypeDecorator (ret_app/models/base.py): with compare_type=True, Alembic
(1.20) compares a TypeDecorator column by its `impl`, so DateTime(timezone=True) in the models
matches `timestamptz` on PostgreSQL and DATETIME on SQLite without false differences, and a real
difference (a naive `timestamp`, or a text column) is still reported; the last test keeps that
behaviour honest, so a later Alembic that compared TypeDecorators differently would fail here
rather than silently make the model check blind or noisy.
"""

from __future__ import annotations

import secrets
from typing import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

import config
from ret_app import ROOT, create_app
from ret_app.extensions import db
from ret_app.jobs.schema import include_name
from ret_app.models.base import UTCDateTime

MIGRATIONS = ROOT / "migrations"


def script_directory() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def model_differences(connection: sa.Connection, metadata: sa.MetaData = db.metadata) -> list:
    # procrastinate's queue tables (migration 0012_jobs, PostgreSQL) are schema without models; the
    # same hook leaves them out of `flask db migrate` (migrations/env.py).
    context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True,
                                                           "include_name": include_name})
    return compare_metadata(context, metadata)


def current_heads(connection: sa.Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def audit_head_rows(connection: sa.Connection) -> list[tuple]:
    return [tuple(r) for r in connection.execute(sa.text("SELECT id, seq, hash FROM audit_head ORDER BY id"))]


@pytest.fixture
def fresh_database_url(app, tmp_path) -> Iterator[str]:
    """An empty database of the same kind as the one under test."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    name = f"ret_migrations_{secrets.token_hex(6)}"
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def fresh_app(fresh_database_url) -> Iterator[Flask]:
    """A second app on the fresh database (the migrations run against current_app's engine)."""
    application = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": fresh_database_url})
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def test_there_is_one_head():
    heads = script_directory().get_heads()
    assert len(heads) == 1, f"the migrations have branched: heads {heads}; merge them (flask db merge)"


def test_database_under_test_is_at_head_and_matches_the_models(app):
    # The session `app` fixture built this database with upgrade() from an empty schema.
    with app.app_context(), db.engine.connect() as conn:
        assert current_heads(conn) == set(script_directory().get_heads())
        differences = model_differences(conn)
    assert differences == [], (
        "the models and the migrations disagree; add a migration (flask --app ret_app db migrate) "
        f"and check it by hand:\n{differences}")


def test_upgrade_downgrade_upgrade_on_a_fresh_database(fresh_app):
    script = script_directory()
    revisions = [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]
    with fresh_app.app_context():
        # Up one revision at a time, so every migration runs on the schema its predecessor left.
        for revision in revisions:
            upgrade(revision=revision)
        with db.engine.connect() as conn:
            assert current_heads(conn) == set(script.get_heads())
            assert audit_head_rows(conn) == [(1, 0, "0" * 64)], "the migration must insert the audit chain's genesis row"
            assert model_differences(conn) == []

        # Down one revision at a time to an empty schema.
        for _ in revisions:
            downgrade(revision="-1")
        with db.engine.connect() as conn:
            assert current_heads(conn) == set()
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set(), f"downgrade to base left tables behind: {sorted(left)}"

        # And up again: the downgrades removed everything the upgrades need to create.
        upgrade()
        with db.engine.connect() as conn:
            assert current_heads(conn) == set(script.get_heads())
            assert audit_head_rows(conn) == [(1, 0, "0" * 64)]
            assert model_differences(conn) == []


def test_model_check_sees_type_differences_of_utc_datetime_columns(fresh_app):
    """compare_type must see through the UTCDateTime TypeDecorator both ways: no difference for the
    column type it stands for, a difference for anything else."""
    with fresh_app.app_context(), db.engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        conn.execute(sa.text(
            "CREATE TABLE drift (id INTEGER PRIMARY KEY, same {same}, text_column VARCHAR(30){naive})".format(
                same="TIMESTAMP WITH TIME ZONE" if postgres else "DATETIME",
                naive=", naive TIMESTAMP WITHOUT TIME ZONE" if postgres else "")))
        metadata = sa.MetaData()
        columns = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                   sa.Column("same", UTCDateTime()), sa.Column("text_column", UTCDateTime())]
        if postgres:
            columns.append(sa.Column("naive", UTCDateTime()))
        sa.Table("drift", metadata, *columns)

        changed = {diff[0][3] for diff in model_differences(conn, metadata)
                   if isinstance(diff, list) and diff[0][0] == "modify_type"}
    assert changed == ({"text_column", "naive"} if postgres else {"text_column"})


def test_the_collective_migration_gives_existing_regions_14_days_and_goes_back(fresh_app):
    """0006_collective: a region's norms saved before it keep their deadlines and get the default
    number of days after which capacity is stale; going down removes the column and the tables."""
    with fresh_app.app_context():
        upgrade(revision="0005_case_next_deadline")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO region (id, name, created_at, updated_at) "
                                 "VALUES (1, 'Regio Oud', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(sa.text("INSERT INTO region_norms (region_id, intake_decision, first_session, "
                                 "first_session_crisis, screening) VALUES (1, 4, 9, 1, 18)"))
        upgrade(revision="0006_collective")
        with db.engine.connect() as conn:
            row = conn.execute(sa.text("SELECT intake_decision, first_session, first_session_crisis, screening, "
                                       "capacity_stale_days FROM region_norms WHERE region_id = 1")).one()
            assert tuple(row) == (4, 9, 1, 18, 14)
            tables = set(sa.inspect(conn).get_table_names())
            assert {"provider_profile", "provider_expertise", "provider_care_type", "provider_contact",
                    "capacity_entry", "capacity_update"} <= tables
        downgrade(revision="0005_case_next_deadline")
        with db.engine.connect() as conn:
            assert tuple(conn.execute(sa.text("SELECT intake_decision, screening FROM region_norms")).one()) == (4, 18)
            assert "capacity_stale_days" not in {c["name"] for c in sa.inspect(conn).get_columns("region_norms")}
            assert "capacity_entry" not in set(sa.inspect(conn).get_table_names())


def _care_type_records(conn: sa.Connection) -> dict:
    """What the records hold: ("mandate"|"decision", id) -> (region id, sorted codes)."""
    import json

    held = {}
    for row in conn.execute(sa.text("SELECT mandate.id, municipality.region_id, mandate.care_types FROM mandate "
                                    "JOIN municipality ON municipality.id = mandate.municipality_id")):
        codes = json.loads(row[2]) if isinstance(row[2], str) else row[2]
        held[("mandate", row[0])] = (row[1], tuple(sorted(codes)))
    for row in conn.execute(sa.text("SELECT decision.id, ret_case.region_id, decision.care_type FROM decision "
                                    "JOIN ret_case ON ret_case.id = decision.case_id")):
        held[("decision", row[0])] = (row[1], (row[2],) if row[2] else ())
    return held


@pytest.mark.committing  # the fresh app's own session (the harness binds db.session to the test database)
def test_the_care_type_migration_carries_the_demo_data_over(fresh_app):
    """A database filled by the demo, taken back to the schema before the care-type catalogue (where
    every database stood before it: care types were codes of an enum) and upgraded again: every
    mandate and decision keeps its care types, each readable by its name in the catalogue of the
    record's region and still valid there; a code the defaults do not know (put there by hand, as old
    data might hold) becomes a retired type of that region, named by its code.

    The demo is seeded at the head rather than at the revision before the catalogue: the models (and
    the demo) always match the head, and other migrations may come after this one."""
    from ret_app import demo
    from ret_app.caretypes import services as caretypes
    from ret_app.caretypes.defaults import DEFAULT_CARE_TYPES

    before = script_directory().get_revision("0008_care_types").down_revision
    with fresh_app.app_context():
        upgrade()
        demo.seed()
        db.session.commit()
        db.session.remove()
        downgrade(revision=before)
        with db.engine.begin() as conn:
            assert "care_type" not in sa.inspect(conn).get_table_names()
            first = conn.execute(sa.text("SELECT min(id) FROM mandate")).scalar_one()
            conn.execute(sa.text("UPDATE mandate SET care_types = :codes WHERE id = :id")
                         .bindparams(sa.bindparam("codes", type_=sa.JSON)),
                         {"codes": ["ambulatory", "old_unknown_type"], "id": first})
            held = _care_type_records(conn)
        assert sum(1 for kind, _ in held if kind == "decision") >= 2 and len(held) >= 7

        upgrade()
        with db.engine.connect() as conn:
            assert _care_type_records(conn) == held  # no record changed
            regions = [row[0] for row in conn.execute(sa.text("SELECT id FROM region"))]
        for region_id in regions:
            offered = [code for code, _name in caretypes.choices(region_id)]
            assert offered == [default.code for default in DEFAULT_CARE_TYPES]
        for (kind, record_id), (region_id, codes) in held.items():
            names = caretypes.names(region_id)
            for code in codes:
                assert code in names, (kind, record_id, code)
                caretypes.validate(region_id, code, keep=codes)  # still valid on the record that has it
                if code != "old_unknown_type":
                    caretypes.validate(region_id, code)  # and on offer: the demo's codes are all defaults
        region_of_first = held[("mandate", first)][0]
        assert caretypes.names(region_of_first)["old_unknown_type"] == "old_unknown_type"
        assert "old_unknown_type" not in dict(caretypes.choices(region_of_first))
        assert "Residentiële jeugdhulp" == caretypes.names(region_of_first)["residential"]
        db.session.remove()
