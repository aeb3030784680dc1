"""The privacy officer's and the chair's privacy pages: a case's access log (each kind of event for the
right case, filters with Dutch messages, paging with a constant number of queries), the family's PDF (no
staff names unless the region shows them), the privacy hub's sections and the register of processing."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from ret_app import audit
from ret_app.extensions import db
from ret_app.kernel import registry as kernel_registry
from ret_app.kernel.dates import utcnow
from ret_app.kernel.registry import Capability
from ret_app.models import AuditEvent, ExportJob, RegionNorms, User
from tests.conftest import csrf_token, login


@pytest.fixture
def world(make_world, factory):
    w = make_world(names={"chair": "Carla Voorzitter", "caseworker": "Kees Casusregisseur",
                          "member": "Mirjam Lid", "team": "Wijkteam Noord", "ret": "RET Testregio"})
    w.case_id = factory.case(w.caseworker, w.municipality, status="submitted", consent_collective=True)
    w.other_case_id = factory.case(w.caseworker, w.municipality, status="submitted", consent_collective=True)
    w.elsewhere_case_id = factory.case(w.elsewhere.caseworker, w.elsewhere.municipality, status="submitted")
    return w


def log_url(case_id: int, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/casussen/{case_id}/toegangslog" + (f"?{query}" if query else "")


def rows_of(body: str) -> int:
    return body.count('id="log-')


# --- each kind of event appears for the right case ---------------------------------------------------

def test_each_kind_of_event_appears_in_the_log_of_its_case_only(app, client, world):
    # read: the chair opens the case page; search hit: the caseworker's case list shows the case;
    # export: the plan PDF; denied: the privacy officer tries the case page (404 for them)
    login(client, app, world.chair)
    assert client.get(f"/casussen/{world.case_id}").status_code == 200
    assert client.get(f"/casussen/{world.case_id}/plan.pdf").status_code == 200
    caseworker = app.test_client()
    login(caseworker, app, world.caseworker)
    assert caseworker.get("/casussen").status_code == 200
    officer = app.test_client()
    login(officer, app, world.privacy_officer)
    assert officer.get(f"/casussen/{world.case_id}").status_code == 404
    with app.app_context():  # a write as the services record it
        audit.record(audit.Action.UPDATE, object_type="case", object_id=world.case_id, case_id=world.case_id,
                     user=db.session.get(User, world.member.id), detail="fields=question")
        db.session.commit()

    expected = {"read": "Carla Voorzitter", "search": "Kees Casusregisseur", "export": "Carla Voorzitter",
                "write": "Mirjam Lid", "denied": world.privacy_officer.name}
    for viewer in (client, officer):  # the chair and the privacy officer of the region
        for kind, name in expected.items():
            body = viewer.get(log_url(world.case_id, kind=kind)).get_data(as_text=True)
            assert name in body, (kind, name)
            assert rows_of(body) >= 1
        other = viewer.get(log_url(world.other_case_id, kind="write")).get_data(as_text=True)
        assert "Mirjam Lid" not in other and 'id="access-log-empty"' in other
    # who, role and organisation, what, outcome and from where
    body = officer.get(log_url(world.case_id, kind="export")).get_data(as_text=True)
    assert "RET-voorzitter" in body and "RET Testregio" in body and "127.0.0.1" in body


def test_reading_the_log_is_itself_an_event_of_the_case(app, client, world):
    login(client, app, world.privacy_officer)
    client.get(log_url(world.case_id, kind="read", who="Carla"))
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "access_log", AuditEvent.case_id == world.case_id)).one()
        assert event.user_id == world.privacy_officer.id and event.detail == "filters=kind,who"
        assert "Carla" not in (event.detail or "")  # the filter's value stays out of the trail
    assert world.privacy_officer.name in client.get(log_url(world.case_id)).get_data(as_text=True)


def test_a_search_hit_is_recorded_per_case_shown(app, client, world):
    login(client, app, world.chair)
    assert client.get("/casussen").status_code == 200
    with app.app_context():
        hits = set(db.session.scalars(select(AuditEvent.case_id).where(
            AuditEvent.object_type == "case_search_hit", AuditEvent.user_id == world.chair.id)))
    assert hits == {world.case_id, world.other_case_id}  # not the case of the other region


# --- who may open it ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["chair", "privacy_officer"])
def test_a_case_of_another_region_or_none_is_404_and_audited(app, client, world, role):
    user = login(client, app, world[role]) or world[role]
    assert client.get(log_url(world.elsewhere_case_id)).status_code == 404
    assert client.get(log_url(999999)).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(
            AuditEvent.user_id == user.id, AuditEvent.object_type == "access_log",
            AuditEvent.outcome == "denied")).all()


@pytest.mark.parametrize("role,status", [("member", 403), ("caseworker", 403), ("analyst", 404), ("admin", 403)])
def test_others_do_not_open_the_log(app, client, world, role, status):
    login(client, app, world[role])
    assert client.get(log_url(world.case_id)).status_code == status


def test_the_privacy_officer_sees_no_case_content(app, client, world):
    login(client, app, world.privacy_officer)
    for url in (f"/casussen/{world.case_id}", f"/casussen/{world.case_id}/screening",
                f"/casussen/{world.case_id}/plan.pdf"):
        assert client.get(url).status_code == 404, url
    assert client.get("/casussen").status_code == 403


# --- filters: bad input gets a Dutch message next to the field, and is kept --------------------------

@pytest.mark.parametrize("args,field,message", [
    ({"date_from": "31-02-2026"}, "date_from", "Vul een geldige datum in"),
    ({"date_from": "10-03-2026", "date_to": "01-03-2026"}, "date_to", "De einddatum ligt voor de begindatum."),
    ({"who": "x" * 201}, "who", "Vul hoogstens 200 tekens in."),
    ({"kind": "everything"}, "kind", "Ongeldige keuze."),
])
def test_bad_filters_get_a_message_next_to_the_field(app, client, world, args, field, message):
    login(client, app, world.chair)
    body = client.get(log_url(world.case_id, **args)).get_data(as_text=True)
    assert f'id="{field}-error"' in body or f'aria-describedby="{field}-error' in body, field
    assert message.split(" ")[0] in body
    assert 'id="access-log-table"' not in body
    for value in args.values():
        assert value in body  # what the user typed is kept


def test_the_date_and_person_filters(app, client, world):
    with app.app_context():
        chair = db.session.get(User, world.chair.id)
        for days_ago in (40, 3):
            audit.record(audit.Action.READ, object_type="case", object_id=world.case_id, case_id=world.case_id,
                         user=chair)
        db.session.flush()
        old = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == world.case_id)
                                 .order_by(AuditEvent.id)).first()
        old.occurred_at = utcnow() - timedelta(days=40)
        db.session.commit()
        old_id = old.id
    login(client, app, world.privacy_officer)
    recent = (utcnow() - timedelta(days=10)).strftime("%d-%m-%Y")
    body = client.get(log_url(world.case_id, date_from=recent)).get_data(as_text=True)
    assert f'id="log-{old_id}"' not in body and "Carla Voorzitter" in body
    body = client.get(log_url(world.case_id, date_to=recent)).get_data(as_text=True)
    assert f'id="log-{old_id}"' in body
    body = client.get(log_url(world.case_id, who="testregio")).get_data(as_text=True)  # the organisation
    assert "Carla Voorzitter" in body
    body = client.get(log_url(world.case_id, who="nobody-by-this-name")).get_data(as_text=True)
    assert 'id="access-log-empty"' in body


# --- paging with a constant number of queries ---------------------------------------------------------

def add_events(app, case_id: int, user_id: int, n: int) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        for _ in range(n):
            audit.record(audit.Action.READ, object_type="case", object_id=case_id, case_id=case_id, user=user)
        db.session.commit()


@pytest.mark.counts_queries("privacy.access_log_page")
def test_the_log_pages_and_does_not_grow_with_its_events(app, client, world, count_queries):
    login(client, app, world.privacy_officer)
    counts = {}
    for n in (5, 50):
        add_events(app, world.case_id, world.member.id, n - (5 if n == 50 else 0))
        with count_queries() as statements:
            response = client.get(log_url(world.case_id, kind="read"))
            assert response.status_code == 200
        counts[n] = len(statements)
    assert counts[5] == counts[50], counts
    body = response.get_data(as_text=True)
    assert rows_of(body) == 50 and "page=2" in body  # 50 a page; the log's own reads make more
    second = client.get(log_url(world.case_id, kind="read", page=2)).get_data(as_text=True)
    assert 1 <= rows_of(second) <= 5 and "page=1" in second


# --- the family's PDF ----------------------------------------------------------------------------------

def family_pdf_text(app, client, world, tmp_path) -> str:
    token = csrf_token(client, "/start")
    response = client.post("/exports/access-log-family/aanvragen", data={"csrf_token": token,
                                                                          "case_id": world.case_id})
    assert response.status_code == 302, response.status_code
    with app.app_context():
        job = db.session.scalars(select(ExportJob).order_by(ExportJob.id.desc())).first()
        assert job.kind == "access-log-family" and job.status == "done", job.message
        job_id = job.id
    download = client.get(f"/exports/{job_id}/bestand")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    path = tmp_path / "log.pdf"
    path.write_bytes(download.data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_familys_pdf_leaves_staff_names_out_unless_the_region_shows_them(app, client, world, tmp_path):
    reader = app.test_client()
    login(reader, app, world.member)
    assert reader.get(f"/casussen/{world.case_id}").status_code == 200
    login(client, app, world.chair)
    text = family_pdf_text(app, client, world, tmp_path)
    assert "Wie heeft uw dossier ingezien" in text and "RET Testregio" in text and "RET-lid" in text
    assert "Ingezien" in text or "Inzage" in text or "Gelezen" in text
    for name in ("Mirjam Lid", "Carla Voorzitter", "Kees Casusregisseur"):
        assert name not in text, name
    with app.app_context():
        norms = db.session.get(RegionNorms, world.region.id) or RegionNorms(region_id=world.region.id)
        norms.access_log_shows_names = True
        db.session.add(norms)
        db.session.commit()
    text = family_pdf_text(app, client, world, tmp_path)
    assert "Mirjam Lid" in text
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "access_log_family")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.case_id == world.case_id and event.user_id == world.chair.id and event.detail == "names=yes"


def test_the_familys_pdf_of_another_region_is_404(app, client, world):
    login(client, app, world.privacy_officer)
    token = csrf_token(client, "/start")
    response = client.post("/exports/access-log-family/aanvragen", data={"csrf_token": token,
                                                                          "case_id": world.elsewhere_case_id})
    assert response.status_code == 404


# --- the hub ----------------------------------------------------------------------------------------------

def test_the_hub_shows_the_cards_of_the_privacy_slot_in_their_order(app, client, world):
    seen = []

    def build(user):
        seen.append(user.id)
        return {"title": "Testverzoeken", "count": 0, "rows": [], "drafts": 0, "today": None}

    registry = kernel_registry.registry(app)
    registry.capabilities.append(Capability("test-hub").start_card("test", "erasure/_hub.html", build,
                                                                    slot="privacy", order=5))
    try:
        login(client, app, world.privacy_officer)
        body = client.get("/privacy").get_data(as_text=True)
        titles = ["Testverzoeken", "Inzage- en correctieverzoeken", "Verwijderverzoeken"]
        assert all(title in body for title in titles), body
        assert [body.index(title) for title in titles] == sorted(body.index(title) for title in titles)
        assert seen == [world.privacy_officer.id]
    finally:
        registry.capabilities.pop()


def test_the_hub_finds_a_case_by_reference_of_its_own_region_only(app, client, world):
    with app.app_context():
        from ret_app.models import Case
        own = db.session.get(Case, world.case_id).reference
        elsewhere = db.session.get(Case, world.elsewhere_case_id).reference
    login(client, app, world.privacy_officer)
    response = client.get(f"/privacy?reference={own}")
    assert response.status_code == 302 and response.headers["Location"].endswith(log_url(world.case_id))
    body = client.get(f"/privacy?reference={elsewhere}").get_data(as_text=True)
    assert "Geen casus van uw regio heeft dit kenmerk." in body and elsewhere in body
    body = client.get("/privacy?reference=R%25T").get_data(as_text=True)
    assert "Vul een casuskenmerk in" in body or "kenmerk" in body


def test_the_start_card_and_the_navigation(app, client, world):
    login(client, app, world.privacy_officer)
    body = client.get("/start").get_data(as_text=True)
    assert 'id="start-privacy"' in body and "/privacy/verwerkingsregister" in body
    assert 'href="/privacy"' in body
    chair = app.test_client()
    login(chair, app, world.chair)
    assert 'id="start-privacy"' not in chair.get("/start").get_data(as_text=True)
    # the chair reaches the access log from the case page
    assert log_url(world.case_id) in chair.get(f"/casussen/{world.case_id}").get_data(as_text=True)


def test_the_register_page(app, client, world):
    login(client, app, world.privacy_officer)
    body = client.get("/privacy/verwerkingsregister").get_data(as_text=True)
    assert "Verwerkingsregister" in body and "Identiteit van de jeugdige" in body and "Waarborgen" in body
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "processing_register",
                                                           AuditEvent.user_id == world.privacy_officer.id)).all()
