"""Export jobs (ret_app/exports): asking for an export, the job runner making it with visible
progress, the requester-only download, the audit trail, expiry and the housekeeping, failures shown
in Dutch and logged without personal data, "Mijn exports" with a constant number of queries.

The kinds are the tests' own (tests/export_kinds.py). The job runner's tasks run `inline` under the
tests (right after the request's commit, so each test is deterministic); tests that look at a job
before it runs switch to `hold` and run it themselves (`tasks.run_held`). The same job run by a real
procrastinate worker on PostgreSQL: tests/test_exports_queue.py."""

from __future__ import annotations

import contextvars
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ret_app.exports import params as export_params
from ret_app.exports import registry, services
from ret_app.extensions import db
from ret_app.jobs import tasks
from ret_app.kernel.dates import utcnow
from ret_app.models import AuditEvent, ExportJob
from tests import export_kinds
from tests.conftest import csrf_token, login
from tests.test_security_headers import assert_csp_safe

HX = {"HX-Request": "true"}
ROW = '<tr class="utrecht-table__row" id="export-'  # a row of My exports


@pytest.fixture(autouse=True)
def kinds():
    export_kinds.register()
    yield
    export_kinds.DURING.clear()


@pytest.fixture
def hold(app, monkeypatch):
    """Tasks wait in a list until the test runs them."""
    monkeypatch.setitem(app.config, "JOBS_TASKS", "hold")
    tasks.held(app).clear()
    yield
    tasks.held(app).clear()


@pytest.fixture
def world(make_world):
    return make_world()


def _ask(client, kind=export_kinds.REPORT, **params):
    token = csrf_token(client, "/start")
    return client.post(f"/exports/{kind}/aanvragen", data={"csrf_token": token, **params})


def _job_id(response) -> int:
    assert response.status_code == 302, response.status_code
    return int(re.search(r"/exports/(\d+)$", response.headers["Location"]).group(1))


def _job(app, job_id) -> ExportJob:
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        db.session.expunge(job)
        return job


def _audit(app, **where) -> list[AuditEvent]:
    with app.app_context():
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, name) == value)
        return list(db.session.scalars(stmt))


# --- the registry and the params ------------------------------------------------------------------

def test_a_kind_needs_a_plain_code_and_is_registered_once():
    with pytest.raises(ValueError, match="lower-case"):
        registry.register("Bad Kind", export_kinds.render_report, export_kinds.may_request, "x")
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(export_kinds.REPORT, export_kinds.render_failing, export_kinds.may_request, "x")
    assert registry.find(export_kinds.REPORT).label == "Testrapport"


def test_params_are_ids_dates_and_codes_only():
    from werkzeug.datastructures import MultiDict

    parsed = export_params.parse(MultiDict([("csrf_token", "x"), ("region_id", "7"), ("period_start", "2026-01-01"),
                                            ("period", "q1-2026"), ("vignette_id", "3"), ("vignette_id", "4")]))
    assert parsed == {"region_id": 7, "period_start": "2026-01-01", "period": "q1-2026", "vignette_id": [3, 4]}
    for bad in ({"name": "Jan Jansen"}, {"region_id": "0"}, {"region_id": "99999999999"}, {"day": "2026-02-30"},
                {"Region": "1"}, {"note": "<script>"}, {"x": "a" * 41}):
        with pytest.raises(export_params.BadParams):
            export_params.clean(bad)
    with pytest.raises(export_params.BadParams):
        export_params.clean({f"p{i}": 1 for i in range(21)})
    assert export_params.detail({"b": 2, "a": [1, 3]}) == "a=1,3;b=2"


# --- the life of a job ----------------------------------------------------------------------------

def test_asking_makes_the_export_and_the_page_offers_the_download(app, client, world):
    login(client, app, world.chair)
    job_id = _job_id(_ask(client, steps="3"))
    job = _job(app, job_id)
    assert (job.status, job.progress, job.kind, job.params) == ("done", 100, export_kinds.REPORT, {"steps": 3})
    assert (job.requested_by_id, job.region_id, job.locale, job.attempts) == (world.chair.id, world.region.id, "nl", 1)
    assert job.filename == "testrapport.csv" and job.mimetype == "text/csv" and job.size > 0
    assert job.expires_at - job.finished_at == timedelta(days=7)

    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "Uw export is klaar." in page
    assert f'href="/exports/{job_id}/bestand"' in page and "Download testrapport.csv" in page
    assert "hx-trigger" not in page.split('id="export-progress"', 1)[1]  # done: no polling

    download = client.get(f"/exports/{job_id}/bestand")
    assert download.status_code == 200
    assert download.data == f"requester;{world.chair.id}\n1;ok\n2;ok\n3;ok\n".encode()
    assert download.headers["Content-Disposition"] == 'attachment; filename="testrapport.csv"'
    assert download.headers["Cache-Control"] == "no-store" and download.mimetype == "text/csv"


def test_every_step_is_audited_with_the_requester_as_actor(app, client, world):
    login(client, app, world.chair)
    job_id = _job_id(_ask(client, steps="2"))
    client.get(f"/exports/{job_id}/bestand")
    events = _audit(app, object_id=str(job_id))
    trail = [(e.action, e.object_type, e.outcome, e.detail) for e in events
             if e.object_type in ("export_job", "test_report")]
    assert trail == [
        ("create", "export_job", "allowed", f"kind={export_kinds.REPORT};steps=2"),
        ("export", "test_report", "allowed", "steps=2"),  # what the render audits: done for the requester
        ("update", "export_job", "allowed", f"kind={export_kinds.REPORT};status=done;size={_job(app, job_id).size}"),
        ("export", "export_job", "allowed", f"kind={export_kinds.REPORT};size={_job(app, job_id).size}"),
    ]
    assert {e.user_id for e in events if e.object_type in ("export_job", "test_report")} == {world.chair.id}


def test_the_page_shows_the_progress_while_the_export_is_made(app, client, world, hold):
    """The job waits (its page polls every second, works without JavaScript by a reload); while it is
    made, each poll shows how far it is, and a poll that sees a new state puts its sentence in the
    live region; the finished job's block stops the polling."""
    login(client, app, world.chair)
    job_id = _job_id(_ask(client, steps="4"))
    assert _job(app, job_id).status == "queued"
    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert re.search(r'<p [^>]*id="export-live" role="status" aria-live="polite">Uw export wacht', page)
    assert f'hx-get="/exports/{job_id}?gezien=queued" hx-trigger="every 1s" hx-swap="outerHTML"' in page
    assert '<progress id="export-bar" class="ret-progress" max="100" value="0">0%</progress>' in page
    assert '<label class="utrecht-form-label" for="export-bar">Voortgang</label>' in page
    assert f'<noscript><p class="utrecht-paragraph"><a class="utrecht-link" href="/exports/{job_id}">' in page
    assert_csp_safe("the export's page", client.get(f"/exports/{job_id}"))
    unchanged = client.get(f"/exports/{job_id}?gezien=queued", headers=HX).get_data(as_text=True)
    assert "<html" not in unchanged and "hx-swap-oob" not in unchanged  # nothing new to announce

    seen = []

    def poll(seen_status: str) -> str:
        # Another request while the job runs (in a context of its own, as on another thread or machine).
        response = contextvars.Context().run(client.get, f"/exports/{job_id}?gezien={seen_status}", headers=HX)
        return response.get_data(as_text=True)

    def look(job, step, steps):
        if step == 2:
            seen.extend([poll("queued"), poll("running")])

    export_kinds.DURING.append(look)
    assert tasks.run_held(app) == 1
    running, running_again = seen
    assert 'value="40"' in running and "40% · Stap 2 van 4" in running
    assert f'hx-get="/exports/{job_id}?gezien=running"' in running
    assert '<div id="export-live" hx-swap-oob="innerHTML">Uw export wordt gemaakt.</div>' in running
    assert "hx-swap-oob" not in running_again  # announced once, not every second

    done = client.get(f"/exports/{job_id}?gezien=running", headers=HX).get_data(as_text=True)
    assert_csp_safe("the export's page, done", client.get(f"/exports/{job_id}"))
    assert_csp_safe("My exports", client.get("/exports"))
    assert "hx-trigger" not in done and f'href="/exports/{job_id}/bestand"' in done
    assert '<div id="export-live" hx-swap-oob="innerHTML">Uw export is klaar.</div>' in done


def test_a_job_is_made_once_however_often_it_is_handed_over(app, client, world, hold):
    login(client, app, world.chair)
    job_id = _job_id(_ask(client))
    tasks.held(app).append(("export", {"job_id": job_id}))  # a second hand-over (the housekeeping's, say)
    assert tasks.run_held(app) == 2
    job = _job(app, job_id)
    assert (job.status, job.attempts) == ("done", 1)
    assert len(_audit(app, object_type="test_report", object_id=str(job_id))) == 1


def test_asking_twice_while_it_is_made_gives_the_same_job_and_there_is_a_limit(app, client, world, hold):
    login(client, app, world.chair)
    first = _job_id(_ask(client, steps="2"))
    assert _job_id(_ask(client, steps="2")) == first  # a double click
    second = _job_id(_ask(client, steps="3"))
    third = _job_id(_ask(client, steps="5"))
    assert len({first, second, third}) == 3
    refused = _ask(client, steps="6")
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/exports")
    page = client.get("/exports").get_data(as_text=True)
    assert "U heeft al 3 exports die worden gemaakt." in page
    with app.app_context():
        assert {"steps": 6} not in list(db.session.scalars(select(ExportJob.params)))
    assert _audit(app, object_type="export_job", outcome="failed")[-1].detail == f"kind={export_kinds.REPORT};refused"
    tasks.run_held(app)
    assert _job_id(_ask(client, steps="6"))  # made: room again


# --- who may ------------------------------------------------------------------------------------

def test_only_the_requester_sees_and_downloads_it(app, client, world):
    login(client, app, world.chair)
    job_id = _job_id(_ask(client))
    for other in (world.member, world.elsewhere.chair, world.admin):
        stranger = app.test_client()
        login(stranger, app, other)
        assert stranger.get(f"/exports/{job_id}").status_code == 404
        assert stranger.get(f"/exports/{job_id}?gezien=queued", headers=HX).status_code == 404
        assert stranger.get(f"/exports/{job_id}/bestand").status_code == 404
        assert f"/exports/{job_id}" not in stranger.get("/exports").get_data(as_text=True)
        denied = _audit(app, user_id=other.id, outcome="denied", object_type="export_job")
        assert [(e.action, e.object_id) for e in denied] == [("read", str(job_id)), ("read", str(job_id)),
                                                            ("export", str(job_id))]
    assert client.get("/exports/987654").status_code == 404


def test_who_may_ask_is_the_kind_s_rule(app, client, world):
    login(client, app, world.caseworker)
    assert _ask(client).status_code == 404
    client2 = app.test_client()
    login(client2, app, world.chair)
    assert _ask(client2, region_id=str(world.elsewhere.region.id)).status_code == 404  # not their region
    assert _ask(client2, kind="no-such-kind").status_code == 404
    assert _ask(client2, name="Jan Jansen").status_code == 400  # not an id, date or code
    assert _ask(client2, kind="a\x00b").status_code == 404
    assert _ask(client2, steps="1\x00").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(ExportJob.id)) is None
    denied = _audit(app, user_id=world.caseworker.id, outcome="denied", object_type="export_job")
    assert [(e.action, e.detail) for e in denied] == [("export", f"kind={export_kinds.REPORT}")]
    assert [e.detail for e in _audit(app, user_id=world.chair.id, outcome="denied", object_type="export_job")] == \
        [f"kind={export_kinds.REPORT}", "kind=no-such-kind", "kind=invalid"]
    assert _audit(app, user_id=world.chair.id, outcome="failed", object_type="export_job")[-1].detail == \
        f"kind={export_kinds.REPORT};bad_params"
    assert _job_id(_ask(client2, region_id=str(world.region.id)))


# --- failures -----------------------------------------------------------------------------------

def test_a_refusing_render_shows_its_reason(app, client, world):
    login(client, app, world.chair)
    job_id = _job_id(_ask(client, kind=export_kinds.REFUSING))
    job = _job(app, job_id)
    assert (job.status, job.message) == ("failed", export_kinds.NO_DATA)
    page = client.get(f"/exports/{job_id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Uw export kon niet worden gemaakt." in body and export_kinds.NO_DATA in body
    assert f'action="/exports/{export_kinds.REFUSING}/aanvragen"' in body  # ask again
    assert client.get(f"/exports/{job_id}/bestand").status_code == 409
    assert _audit(app, object_type="export_job", action="update")[-1].detail == \
        f"kind={export_kinds.REFUSING};status=failed;refused"


def test_a_broken_render_is_a_clear_dutch_message_and_a_log_line_without_personal_data(app, client, world, caplog):
    login(client, app, world.chair)
    with caplog.at_level(logging.INFO):
        job_id = _job_id(_ask(client, kind=export_kinds.FAILING))
    job = _job(app, job_id)
    assert job.status == "failed" and job.message is None and job.finished_at is not None
    body = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "Er ging iets mis bij het maken van deze export." in body
    assert export_kinds.SECRET not in body and "Bijna" not in body
    assert export_kinds.SECRET not in caplog.text and "Jantje" not in caplog.text
    assert f"export {job_id} ({export_kinds.FAILING}) failed: ValueError" in caplog.text
    assert _audit(app, object_type="export_job", action="update")[-1].detail == \
        f"kind={export_kinds.FAILING};status=failed;error=ValueError"
    assert client.get("/exports?toon=mislukt").get_data(as_text=True).count('class="ret-badge ret-badge--bad"') == 1


def test_a_kind_that_is_gone_when_the_job_runs_fails_the_job(app, client, world, hold):
    login(client, app, world.chair)
    job_id = _job_id(_ask(client))
    registry.unregister(export_kinds.REPORT)
    try:
        tasks.run_held(app)
    finally:
        export_kinds.register()
    assert _job(app, job_id).status == "failed"
    assert client.get(f"/exports/{job_id}").status_code == 200


# --- housekeeping -------------------------------------------------------------------------------

def test_the_file_expires_and_is_removed_then_the_job_is_forgotten(app, client, world):
    login(client, app, world.chair)
    job_id = _job_id(_ask(client))
    expires_at = _job(app, job_id).expires_at
    with app.app_context():
        assert services.housekeeping(now=expires_at - timedelta(minutes=1)) == 0
        assert services.housekeeping(now=expires_at) == 1
        db.session.commit()
        assert services.housekeeping(now=expires_at) == 0  # idempotent
        job = db.session.get(ExportJob, job_id)
        assert (job.content, job.removed_at, job.status) == (None, expires_at, "done")
    assert [e.detail for e in _audit(app, object_type="export_job", action="delete")] == \
        [f"kind={export_kinds.REPORT};expired"]
    refused = client.get(f"/exports/{job_id}/bestand")
    assert refused.status_code == 410
    assert "Deze export kan niet meer worden gedownload: hij is verlopen." in refused.get_data(as_text=True)
    assert _audit(app, object_type="export_job", outcome="failed")[-1].detail == \
        f"kind={export_kinds.REPORT};not_available;status=done;expired"
    assert "Verlopen" in client.get("/exports").get_data(as_text=True)
    with app.app_context():
        assert services.housekeeping(now=expires_at + timedelta(days=23)) == 1  # 30 days after it was made
        db.session.commit()
        assert db.session.get(ExportJob, job_id) is None


def test_a_run_that_stopped_is_failed_and_a_job_that_waited_too_long_is_handed_over_again(app, client, world, hold):
    login(client, app, world.chair)
    stuck = _job_id(_ask(client, steps="2"))
    waiting = _job_id(_ask(client, steps="3"))
    tasks.held(app).clear()  # both hand-overs lost (a restarted server)
    now = utcnow()
    with app.app_context():
        job = db.session.get(ExportJob, stuck)
        job.status, job.heartbeat_at = "running", now - timedelta(minutes=16)
        db.session.commit()
        assert services.housekeeping(now=now + timedelta(minutes=6)) == 2
        db.session.commit()
    assert tasks.held(app) == [("export", {"job_id": waiting})]
    tasks.run_held(app)
    assert _job(app, waiting).status == "done"
    failed = _job(app, stuck)
    assert (failed.status, failed.message) == ("failed", "Het maken van deze export is onderbroken. Vraag hem opnieuw aan.")


# --- Mijn exports ---------------------------------------------------------------------------------

def _jobs_for(app, user, count, **fields):
    with app.app_context():
        now = utcnow()
        db.session.add_all([ExportJob(kind=export_kinds.REPORT, params={"steps": i + 1}, requested_by_id=user.id,
                                      locale="nl", status=fields.get("status", "done"), progress=100, attempts=1,
                                      filename="testrapport.csv", mimetype="text/csv", size=10, content=b"x" * 10,
                                      created_at=now - timedelta(minutes=i), finished_at=now,
                                      expires_at=now + timedelta(days=7)) for i in range(count)])
        db.session.commit()


@pytest.mark.counts_queries("exports.index")
def test_my_exports_filters_and_pages_in_sql_with_a_constant_number_of_queries(app, client, world, count_queries):
    login(client, app, world.chair)
    _jobs_for(app, world.member, 3)  # someone else's: never listed
    counts = []
    for total in (5, 50):
        _jobs_for(app, world.chair, total - (5 if total == 50 else 0))
        with count_queries() as statements:
            page = client.get("/exports").get_data(as_text=True)
        counts.append(len(statements))
        assert page.count(ROW) == min(total, 25)
        assert "content" not in " ".join(s for s in statements if "export_job" in s).split("FROM")[0]
    assert counts[0] == counts[1], counts
    assert "Volgende pagina" in client.get("/exports").get_data(as_text=True)
    assert client.get("/exports?page=2").get_data(as_text=True).count(ROW) == 25
    assert ROW not in client.get("/exports?toon=mislukt").get_data(as_text=True)
    assert "Er zijn geen exports die bij deze keuze passen." in client.get("/exports?toon=mislukt").get_data(as_text=True)
    fragment = client.get(f"/exports?toon=klaar&soort={export_kinds.REPORT}", headers=HX).get_data(as_text=True)
    assert fragment.startswith('<div id="export-results">') and fragment.count(ROW) == 25


def test_my_exports_is_empty_at_first_and_linked_from_my_account(app, client, world):
    login(client, app, world.member)
    assert "U heeft nog geen exports aangevraagd." in client.get("/exports").get_data(as_text=True)
    assert 'href="/exports"' in client.get("/account/").get_data(as_text=True)
    assert client.get("/exports?toon=%00&soort=<x>&page=-1").status_code == 200  # hostile filters: ignored


def test_the_audit_search_reads_the_export_details_in_dutch(app):
    from flask_babel import force_locale

    from ret_app.audit_words import describe, object_name

    with app.test_request_context(), force_locale("nl"):
        made = describe("export_job", f"kind={export_kinds.REPORT};status=done;size=120")
        failed = describe("export_job", f"kind={export_kinds.FAILING};status=failed;error=ValueError")
        expired = describe("export_job", f"kind={export_kinds.REPORT};expired")
        assert made.complete and failed.complete and expired.complete
        assert str(made) == "Soort export: Testrapport; Status: Klaar; Grootte (bytes): 120"
        assert "verlopen: het bestand is verwijderd" in str(expired)
        assert object_name("export_job") == "exportopdracht"


def test_the_job_runner_hands_tasks_over_as_the_database_allows():
    """Tests: inline (deterministic); PostgreSQL: the queue and its workers; SQLite (make run): a
    thread of the server; JOBS_TASKS chooses explicitly."""
    from types import SimpleNamespace

    def app(uri, testing=False, chosen=None):
        return SimpleNamespace(config={"SQLALCHEMY_DATABASE_URI": uri, "TESTING": testing, "JOBS_TASKS": chosen})

    assert tasks.mode(app("sqlite:////tmp/x.sqlite3", testing=True)) == "inline"
    assert tasks.mode(app("postgresql+psycopg://h/db", testing=True)) == "inline"
    assert tasks.mode(app("postgresql+psycopg://h/db")) == "queue"
    assert tasks.mode(app("sqlite:////tmp/x.sqlite3")) == "thread"
    assert tasks.mode(app("sqlite://", testing=True, chosen="hold")) == "hold"
    with pytest.raises(RuntimeError, match="JOBS_TASKS"):
        tasks.mode(app("sqlite://", chosen="later"))
    with pytest.raises(LookupError):
        tasks.get("no-such-task")
    with pytest.raises(ValueError, match="registered twice"):
        tasks.register(services.TASK, lambda job_id: None)
