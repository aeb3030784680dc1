"""The integrated screening over HTTP and through its services: participants (who may be invited,
who then sees the case, removal), the screening page, contributions per life domain (htmx inline
edit and the full-page fallback), validation with the input kept, optimistic locking with two
clients, finalising, read-only afterwards with addenda, the lifecycle guard, and the audit trail."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from ret_app.cases import lifecycle
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.screening import services as screening_services
from ret_app.labels import DOMAIN_LABELS, SEVERITY_LABELS, severity_label
from ret_app.extensions import db
from ret_app.models import (
    AuditEvent,
    Case,
    CaseEvent,
    CaseParticipant,
    Screening,
    ScreeningAddendum,
    ScreeningContribution,
    User,
)
from ret_app.kernel.dates import utcnow
from tests.conftest import csrf_token, login, path_of


# --- the world --------------------------------------------------------------------------------

@pytest.fixture
def world(make_world, factory):
    w = make_world(
        names={"ret": "RET Regio Test", "provider": "Zorg Collectief A", "other_provider": "Zorg Collectief B",
               "outsider": "Zorg Buiten", "chair": "Voorzitter Vos", "director": "Regisseur Rood",
               "member": "Lid Lammers", "elsewhere_member": "Lid Elders", "caseworker": "Toegang Tuin",
               "provider_member": "Aanbieder Appel", "other_provider_member": "Aanbieder Bes"},
        aliases={"mun": "municipality", "provider2": "other_provider", "provider2_member": "other_provider_member"})
    w.mun_x, w.ret_x, w.provider_x, w.member_x = (w.elsewhere.municipality, w.elsewhere.ret, w.elsewhere.provider,
                                                  w.elsewhere.member)
    w.case_id = screening_case(factory, w)
    w.no_consent_case_id = screening_case(factory, w, consent_collective=False)
    return w


def screening_case(factory, w, *, status: str = "screening", consent_collective: bool = True, **fields) -> int:
    """A case in the screening with `w.director` as process director (taking part, as after intake)."""
    case_id = factory.case(w.caseworker, w.mun, status=status, consent_ret=True, consent_collective=consent_collective,
                           track="process_direction", process_director_id=w.director.id, submitted_at=utcnow(),
                           **fields)
    with factory.app.app_context():
        db.session.add(CaseParticipant(case_id=case_id, role="ret_member", user_id=w.director.id,
                                       invited_by_id=w.chair.id))
        db.session.commit()
    return case_id


def client_for(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def post(client, path: str, data: dict, *, htmx: bool = False, token_from: str = "/start"):
    token = csrf_token(client, token_from)
    if htmx:
        return client.post(path, data=data, headers={"HX-Request": "true", "X-CSRFToken": token})
    return client.post(path, data={"csrf_token": token, **data})


def hidden(body: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', body)
    if match is None:
        match = re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{re.escape(name)}"', body)
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def textarea(body: str, element_id: str) -> str:
    match = re.search(rf'<textarea[^>]*id="{re.escape(element_id)}"[^>]*>(.*?)</textarea>', body, re.S)
    assert match, f"no textarea {element_id}"
    return html.unescape(match.group(1)).lstrip("\r\n")


def open_form(client, case_id: int, domain: str = "safety") -> dict:
    """The user's contribution form for one domain, as the htmx inline edit loads it."""
    r = client.get(f"/casussen/{case_id}/screening?leefgebied={domain}&bewerken=1", headers={"HX-Request": "true"})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    return {f"{domain}-version": hidden(body, f"{domain}-version"),
            f"{domain}-loaded_state": hidden(body, f"{domain}-loaded_state")}


def contribute(client, case_id: int, domain: str, severity: str, notes: str = "", sources: str = "", *,
               htmx: bool = False, loaded: dict | None = None):
    data = {**(loaded if loaded is not None else open_form(client, case_id, domain)), f"{domain}-severity": severity,
            f"{domain}-notes": notes, f"{domain}-sources": sources}
    return post(client, f"/casussen/{case_id}/screening/leefgebied/{domain}", data, htmx=htmx)


def text_form(client, case_id: int, part: str = "analyse") -> dict:
    body = client.get(f"/casussen/{case_id}/screening").get_data(as_text=True)
    section = body[body.index(f'id="{ "visie" if part == "visie" else "analyse"}"'):]
    return {"version": hidden(section, "version"), "loaded_state": hidden(section, "loaded_state")}


def invite(client, case_id: int, invitee: str):
    return post(client, f"/casussen/{case_id}/deelnemers", {"invitee": invitee})


def add_participant(app, case_id: int, *, user=None, organisation=None, by=None) -> int:
    with app.app_context():
        row = CaseParticipant(case_id=case_id, role="ret_member" if user else "provider",
                              user_id=user.id if user else None,
                              organisation_id=organisation.id if organisation else None, invited_by_id=by.id)
        db.session.add(row)
        db.session.commit()
        return row.id


def open_screening(app, case_id: int, **texts) -> int:
    with app.app_context():
        screening = Screening(case_id=case_id, **texts)
        db.session.add(screening)
        db.session.commit()
        return screening.id


def get_screening(app, case_id: int) -> Screening | None:
    with app.app_context():
        screening = db.session.scalar(select(Screening).where(Screening.case_id == case_id))
        if screening is not None:
            db.session.expunge(screening)
        return screening


def contributions(app, case_id: int) -> list[tuple]:
    with app.app_context():
        return [(c.author_id, c.domain, c.severity, c.notes, c.sources) for c in db.session.scalars(
            select(ScreeningContribution).join(Screening).where(Screening.case_id == case_id)
            .order_by(ScreeningContribution.id))]


def audit_events(app, case_id: int, **filters) -> list[AuditEvent]:
    with app.app_context():
        stmt = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
        for name, value in filters.items():
            stmt = stmt.where(getattr(AuditEvent, name) == value)
        rows = list(db.session.scalars(stmt))
        for row in rows:
            db.session.expunge(row)
        return rows


def label(app, lazy) -> str:
    """A label as the (Dutch) interface shows it; pass a callable for labels built at call time."""
    with app.test_request_context():
        return str(lazy() if callable(lazy) else lazy)


def finalise_directly(app, case_id: int, director_id: int) -> None:
    with app.app_context():
        screening = db.session.scalar(select(Screening).where(Screening.case_id == case_id))
        screening.analysis = screening.analysis or "Analyse"
        screening.advice = screening.advice or "Advies"
        screening.finalised_at = utcnow()
        screening.finalised_by_id = director_id
        db.session.commit()


# --- opening the screening ----------------------------------------------------------------------

def test_the_process_director_opens_the_screening_once_and_the_read_is_audited(app, world):
    member = client_for(app, world.member)
    body = member.get(f"/casussen/{world.case_id}/screening").get_data(as_text=True)
    assert get_screening(app, world.case_id) is None  # only the process director or chair starts it
    assert 'id="screening-state"' in body and "leefgebied-safety" not in body

    director = client_for(app, world.director)
    r = director.get(f"/casussen/{world.case_id}/screening")
    assert r.status_code == 200 and "HX-Request" in r.headers.get("Vary", "")
    body = r.get_data(as_text=True)
    for domain, text in DOMAIN_LABELS.items():
        assert f'id="leefgebied-{domain}"' in body
        assert html.escape(label(app, text), quote=False) in body
    director.get(f"/casussen/{world.case_id}/screening")
    with app.app_context():
        assert len(db.session.scalars(select(Screening).where(Screening.case_id == world.case_id)).all()) == 1
        assert db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == world.case_id,
                                                          CaseEvent.kind == "screening_started")).one()
    created = audit_events(app, world.case_id, action="create", object_type="screening")
    reads = audit_events(app, world.case_id, action="read", user_id=world.director.id)
    assert len(created) == 1 and created[0].user_id == world.director.id
    assert len(reads) == 2 and all(e.detail == "screening" for e in reads)


def test_before_the_screening_stage_the_page_explains_and_creates_nothing(app, factory, world):
    case_id = factory.case(world.caseworker, world.mun, status="submitted", process_director_id=world.director.id)
    chair = client_for(app, world.chair)
    r = chair.get(f"/casussen/{case_id}/screening")
    assert r.status_code == 200 and 'id="screening-state"' in r.get_data(as_text=True)
    assert get_screening(app, case_id) is None
    pdf = chair.get(f"/casussen/{case_id}/screening/verslag.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "text/html" and 'id="no-report"' in pdf.get_data(as_text=True)


# --- participants -------------------------------------------------------------------------------

def test_the_process_director_invites_a_ret_member_and_a_provider(app, world):
    director = client_for(app, world.director)
    r = invite(director, world.case_id, f"user-{world.member.id}")
    assert r.status_code == 302 and path_of(r) == f"/casussen/{world.case_id}/screening"
    r = invite(director, world.case_id, f"org-{world.provider.id}")
    assert r.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(CaseParticipant).where(CaseParticipant.case_id == world.case_id)
                                  .order_by(CaseParticipant.id)).all()
        assert [(p.role, p.user_id, p.organisation_id, p.invited_by_id) for p in rows[1:]] == [
            ("ret_member", world.member.id, None, world.director.id),
            ("provider", None, world.provider.id, world.director.id)]
        kinds = [e.kind for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == world.case_id))]
        assert kinds.count("participant_invited") == 2
    created = audit_events(app, world.case_id, action="create", object_type="case_participant")
    assert len(created) == 2 and all(e.user_id == world.director.id for e in created)
    # The case page lists them, with a way to the screening.
    body = director.get(f"/casussen/{world.case_id}").get_data(as_text=True)
    participants = body[body.index('id="case-participants"'):]
    assert "Lid Lammers" in participants and "Zorg Collectief A" in participants and "Regisseur Rood" in participants
    assert f"/casussen/{world.case_id}/screening" in body


def test_the_chair_may_invite_too(app, world):
    chair = client_for(app, world.chair)
    assert invite(chair, world.case_id, f"user-{world.member.id}").status_code == 302


@pytest.mark.parametrize("who,case_attr,needle", [
    ("provider", "no_consent_case_id", "consent for the collective|toestemming voor het collectief"),
    ("outsider", "case_id", "collective|collectief"),
    ("provider_x", "case_id", "collective|collectief"),
    ("member_x", "case_id", "region|regio"),
    ("caseworker", "case_id", "region|regio"),
    ("nobody", "case_id", "whom|wie"),
])
def test_invitations_that_are_refused_say_why_next_to_the_field(app, world, who, case_attr, needle):
    invitee = {"provider": f"org-{world.provider.id}", "outsider": f"org-{world.outsider.id}",
               "provider_x": f"org-{world.provider_x.id}", "member_x": f"user-{world.member_x.id}",
               "caseworker": f"user-{world.caseworker.id}", "nobody": "user-abc"}[who]
    case_id = getattr(world, case_attr)
    director = client_for(app, world.director)
    r = invite(director, case_id, invitee)
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    error = re.search(r'id="invitee-error">(.*?)</div>', body, re.S)
    assert error and re.search(needle, error.group(1)), body[body.find('id="deelnemers"'):][:2000]
    with app.app_context():
        assert len(db.session.scalars(select(CaseParticipant).where(CaseParticipant.case_id == case_id)).all()) == 1


def test_without_collective_consent_providers_are_not_offered(app, world):
    director = client_for(app, world.director)
    body = director.get(f"/casussen/{world.no_consent_case_id}/screening").get_data(as_text=True)
    assert f'value="user-{world.member.id}"' in body and f'value="org-{world.provider.id}"' not in body
    body = director.get(f"/casussen/{world.case_id}/screening").get_data(as_text=True)
    assert f'value="org-{world.provider.id}"' in body and f'value="org-{world.outsider.id}"' not in body
    assert f'value="user-{world.member_x.id}"' not in body


def test_inviting_twice_is_refused_and_only_the_director_or_chair_invites(app, world):
    director = client_for(app, world.director)
    assert invite(director, world.case_id, f"user-{world.member.id}").status_code == 302
    r = invite(director, world.case_id, f"user-{world.member.id}")
    assert r.status_code == 200 and 'id="invitee-error"' in r.get_data(as_text=True)
    member = client_for(app, world.member)
    assert invite(member, world.case_id, f"org-{world.provider.id}").status_code == 403
    caseworker = client_for(app, world.caseworker)
    assert invite(caseworker, world.case_id, f"org-{world.provider.id}").status_code == 403
    with app.app_context():
        assert len(db.session.scalars(select(CaseParticipant).where(CaseParticipant.case_id == world.case_id)).all()) == 2


def test_invitations_wait_for_the_screening_stage(app, factory, world):
    case_id = screening_case(factory, world, status="intake")
    director = client_for(app, world.chair)
    r = invite(director, case_id, f"user-{world.member.id}")
    assert r.status_code == 200
    with app.app_context():
        assert len(db.session.scalars(select(CaseParticipant).where(CaseParticipant.case_id == case_id)).all()) == 1


def test_an_invited_provider_sees_the_case_until_removed(app, world):
    provider = client_for(app, world.provider_member)
    other_provider = client_for(app, world.provider2_member)
    open_screening(app, world.case_id)
    paths = (f"/casussen/{world.case_id}/screening", f"/casussen/{world.case_id}/screening/verslag.pdf")
    for path in paths:
        assert provider.get(path).status_code == 404
    director = client_for(app, world.director)
    assert invite(director, world.case_id, f"org-{world.provider.id}").status_code == 302
    assert provider.get(paths[0]).status_code == 200
    for path in paths:  # a provider whose organisation is not invited sees nothing
        assert other_provider.get(path).status_code == 404
    denied = audit_events(app, world.case_id, outcome="denied", user_id=world.provider2_member.id)
    assert {e.action for e in denied} == {"read", "export"}

    with app.app_context():
        participant_id = db.session.scalar(select(CaseParticipant.id).where(
            CaseParticipant.case_id == world.case_id, CaseParticipant.organisation_id == world.provider.id))
    r = post(director, f"/casussen/{world.case_id}/deelnemers/{participant_id}/verwijderen", {})
    assert r.status_code == 302
    for path in paths:
        assert provider.get(path).status_code == 404
    with app.app_context():
        row = db.session.get(CaseParticipant, participant_id)
        assert row.removed_at is not None  # the record stays
    assert audit_events(app, world.case_id, action="update", object_type="case_participant")
    # Re-inviting works (a new invitation; the old one stays on record).
    assert invite(director, world.case_id, f"org-{world.provider.id}").status_code == 302
    assert provider.get(paths[0]).status_code == 200


# who (in the world) -> what the screening page and the report answer for the world's case
SCREENING_ACCESS = {
    "chair": 200, "director": 200, "member": 200,  # the RET of the region reads its cases
    "caseworker": 200,  # the access team that referred the case
    "provider_member": 200,  # an invited provider, with collective consent
    "provider2_member": 404, "outsider_member": 404,  # providers not invited
    "member_x": 404,  # the RET of another region
}


@pytest.mark.parametrize("who", sorted(SCREENING_ACCESS))
def test_screening_and_report_per_object(app, world, who):
    open_screening(app, world.case_id, analysis="Analyse.")
    add_participant(app, world.case_id, organisation=world.provider, by=world.director)
    client = client_for(app, getattr(world, who))
    for path in (f"/casussen/{world.case_id}/screening", f"/casussen/{world.case_id}/screening/verslag.pdf"):
        response = client.get(path)
        assert response.status_code == SCREENING_ACCESS[who], (who, path)
        if response.status_code == 404:
            assert "Analyse." not in response.get_data(as_text=True)
    outcomes = {e.outcome for e in audit_events(app, world.case_id, user_id=getattr(world, who).id)}
    assert outcomes == ({"allowed"} if SCREENING_ACCESS[who] == 200 else {"denied"})


def test_the_process_director_cannot_be_removed_and_a_member_cannot_remove(app, world):
    with app.app_context():
        director_row = db.session.scalar(select(CaseParticipant.id).where(
            CaseParticipant.case_id == world.case_id, CaseParticipant.user_id == world.director.id))
    member_row = add_participant(app, world.case_id, user=world.member, by=world.director)
    chair = client_for(app, world.chair)
    r = post(chair, f"/casussen/{world.case_id}/deelnemers/{director_row}/verwijderen", {})
    assert r.status_code == 302
    member = client_for(app, world.member)
    assert post(member, f"/casussen/{world.case_id}/deelnemers/{member_row}/verwijderen", {}).status_code == 403
    with app.app_context():
        assert db.session.get(CaseParticipant, director_row).removed_at is None
        assert db.session.get(CaseParticipant, member_row).removed_at is None
    # A participant of another case answers 404.
    assert post(chair, f"/casussen/{world.no_consent_case_id}/deelnemers/{member_row}/verwijderen", {}).status_code == 404


# --- contributions ----------------------------------------------------------------------------

def test_contributions_of_two_participants_are_visible_to_the_process_director(app, world):
    open_screening(app, world.case_id)
    add_participant(app, world.case_id, user=world.member, by=world.director)
    add_participant(app, world.case_id, organisation=world.provider, by=world.director)
    member = client_for(app, world.member)
    provider = client_for(app, world.provider_member)

    r = contribute(member, world.case_id, "safety", "3", "Geweld tussen ouders gemeld.", "Melding Veilig Thuis",
                   htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in body and 'id="leefgebied-safety"' in body
    assert "Geweld tussen ouders gemeld." in body
    r = contribute(provider, world.case_id, "safety", "2", "Spanningen thuis zichtbaar in behandeling.")
    assert r.status_code == 302 and r.headers["Location"].endswith("#leefgebied-safety")
    r = contribute(provider, world.case_id, "mental_health", "4", "Acute suïcidaliteit.", "Crisisdienst")
    assert r.status_code == 302

    assert sorted(contributions(app, world.case_id)) == sorted([
        (world.member.id, "safety", 3, "Geweld tussen ouders gemeld.", "Melding Veilig Thuis"),
        (world.provider_member.id, "safety", 2, "Spanningen thuis zichtbaar in behandeling.", ""),
        (world.provider_member.id, "mental_health", 4, "Acute suïcidaliteit.", "Crisisdienst"),
    ])
    director = client_for(app, world.director)
    body = director.get(f"/casussen/{world.case_id}/screening").get_data(as_text=True)
    safety = body[body.index('id="leefgebied-safety"'):body.index('id="leefgebied-mental_health"')]
    for needle in ("Geweld tussen ouders gemeld.", "Melding Veilig Thuis", "Lid Lammers", "RET Regio Test",
                   "Spanningen thuis zichtbaar in behandeling.", "Aanbieder Appel", "Zorg Collectief A",
                   html.escape(label(app, lambda: severity_label(3)), quote=False),
                   html.escape(label(app, lambda: severity_label(2)), quote=False)):
        assert needle in safety, needle
    assert "Acute suïcidaliteit." in body[body.index('id="leefgebied-mental_health"'):]
    # The overview names the highest severity per domain.
    overview = body[body.index('id="screening-overview"'):body.index("</table>", body.index('id="screening-overview"'))]
    assert html.escape(label(app, lambda: severity_label(4)), quote=False) in overview
    # The process director contributes too.
    assert contribute(director, world.case_id, "housing", "1", "Woning krap.").status_code == 302
    events = audit_events(app, world.case_id, object_type="screening_contribution")
    assert [e.action for e in events] == ["create"] * 4
    assert events[0].detail == "domain=safety;fields=severity,notes,sources"
    assert "Geweld" not in "".join(e.detail or "" for e in events)  # no free text in the audit trail


def test_the_inline_edit_has_a_full_page_fallback(app, world):
    open_screening(app, world.case_id)
    add_participant(app, world.case_id, user=world.member, by=world.director)
    member = client_for(app, world.member)
    page = member.get(f"/casussen/{world.case_id}/screening").get_data(as_text=True)
    assert f'href="/casussen/{world.case_id}/screening?leefgebied=safety&amp;bewerken=1#leefgebied-safety"' in page
    assert 'id="safety-severity"' not in page  # closed until asked for
    fragment = member.get(f"/casussen/{world.case_id}/screening?leefgebied=safety&bewerken=1",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="safety-severity"' in fragment and 'hx-post=' in fragment
    full = member.get(f"/casussen/{world.case_id}/screening?leefgebied=safety&bewerken=1").get_data(as_text=True)
    assert "<html" in full and 'id="safety-severity"' in full and 'id="housing-severity"' not in full
    # Cancel: the block in read mode again.
    read = member.get(f"/casussen/{world.case_id}/screening?leefgebied=safety",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="safety-severity"' not in read and 'id="leefgebied-safety"' in read
    # Someone who only reads the case gets no edit link.
    ret_reader = client_for(app, world.chair)
    assert "bewerken=1" not in ret_reader.get(f"/casussen/{world.case_id}/screening").get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("severity,notes,sources,error_field", [
    ("7", "Zorgen over school.", "Mentor", "severity"),
    ("-1", "Zorgen over school.", "", "severity"),
    ("", "Zorgen over school.", "Mentor", "severity"),
    ("", "", "Alleen een bron", "severity"),
    ("3", "", "Mentor", "notes"),
])
def test_bad_contributions_are_refused_next_to_the_field_with_the_input_kept(app, world, htmx, severity, notes,
                                                                            sources, error_field):
    open_screening(app, world.case_id)
    director = client_for(app, world.director)
    r = contribute(director, world.case_id, "education", severity, notes, sources, htmx=htmx)
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert f'id="education-{error_field}-error"' in body
    assert 'aria-invalid="true"' in body
    assert ("<html" in body) != htmx
    assert ('id="form-problem"' in body) != htmx  # without htmx, the page says where the problem is
    assert textarea(body, "education-notes") == notes
    assert textarea(body, "education-sources") == sources
    if severity in {"0", "1", "2", "3", "4"}:
        assert f'<option selected value="{severity}">' in body
    assert contributions(app, world.case_id) == []


def test_only_participants_contribute(app, world):
    open_screening(app, world.case_id)
    for user in (world.member, world.chair, world.caseworker):  # they see the case, but are not invited
        client = client_for(app, user)
        r = contribute(client, world.case_id, "safety", "1", "x", loaded={})
        assert r.status_code == 403, user.name
    assert contributions(app, world.case_id) == []
    denied = audit_events(app, world.case_id, outcome="denied", object_type="screening_contribution")
    assert {e.user_id for e in denied} == {world.member.id, world.chair.id, world.caseworker.id}
    # A provider of a non-invited organisation does not even see the case.
    outsider = client_for(app, world.provider2_member)
    assert contribute(outsider, world.case_id, "safety", "1", "x", loaded={}).status_code == 404
    # An unknown life domain does not exist.
    director = client_for(app, world.director)
    assert contribute(director, world.case_id, "astrology", "1", "x", loaded={}).status_code == 404


def test_emptying_a_contribution_removes_it(app, world):
    open_screening(app, world.case_id)
    director = client_for(app, world.director)
    assert contribute(director, world.case_id, "finances", "2", "Schulden.").status_code == 302
    assert len(contributions(app, world.case_id)) == 1
    r = contribute(director, world.case_id, "finances", "", "", "")
    assert r.status_code == 302 and contributions(app, world.case_id) == []
    assert audit_events(app, world.case_id, action="delete", object_type="screening_contribution")


def test_a_conflicting_contribution_save_names_the_changes_and_keeps_the_input(app, world):
    open_screening(app, world.case_id)
    add_participant(app, world.case_id, user=world.member, by=world.director)
    assert contribute(client_for(app, world.member), world.case_id, "justice", "1", "Eerste versie.").status_code == 302
    laptop, phone = client_for(app, world.member), client_for(app, world.member)  # one person, two sessions
    loaded_laptop = open_form(laptop, world.case_id, "justice")
    loaded_phone = open_form(phone, world.case_id, "justice")

    assert contribute(phone, world.case_id, "justice", "2", "Versie van de telefoon.",
                      loaded=loaded_phone).status_code == 302
    r = contribute(laptop, world.case_id, "justice", "3", "Versie van de laptop.", "Politie", loaded=loaded_laptop,
                   htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "ret-conflict" in body
    conflict = body[body.index("ret-conflict"):body.index("</ul>", body.index("ret-conflict"))]
    from ret_app.screening.forms import ContributionForm

    with app.test_request_context():
        form = ContributionForm(prefix="justice", formdata=None)
        severity_field, notes_field = str(form.severity.label.text), str(form.notes.label.text)
    assert severity_field in conflict and notes_field in conflict
    assert "#justice-sources" not in conflict  # the sources were changed by the laptop only
    assert textarea(body, "justice-notes") == "Versie van de laptop."  # the input is kept
    assert '<option selected value="3">' in body
    assert "Versie van de telefoon." in body  # what is saved now is shown
    assert contributions(app, world.case_id) == [(world.member.id, "justice", 2, "Versie van de telefoon.", "")]
    failed = audit_events(app, world.case_id, outcome="failed")
    assert failed and failed[-1].detail == "conflict fields=severity,notes"

    # Saving again (the form now carries the saved version) replaces it knowingly.
    again = {"justice-version": hidden(body, "justice-version"),
             "justice-loaded_state": hidden(body, "justice-loaded_state")}
    assert contribute(laptop, world.case_id, "justice", "3", "Versie van de laptop.", "Politie",
                      loaded=again).status_code == 302
    assert contributions(app, world.case_id) == [(world.member.id, "justice", 3, "Versie van de laptop.", "Politie")]


def test_the_database_refuses_an_older_contribution_version(app, world):
    """The version column itself: a write based on a stale row fails (between check and write)."""
    from sqlalchemy.orm.exc import StaleDataError

    open_screening(app, world.case_id)
    director = client_for(app, world.director)
    assert contribute(director, world.case_id, "housing", "1", "Krap.").status_code == 302
    with app.app_context():
        row = db.session.scalars(select(ScreeningContribution)).one()
        db.session.execute(ScreeningContribution.__table__.update().values(version=ScreeningContribution.version + 1))
        row.notes = "Overschreven?"
        with pytest.raises(StaleDataError):
            db.session.flush()
        db.session.rollback()


# --- the process director's texts ---------------------------------------------------------------

def test_only_the_process_director_writes_views_analysis_and_advice(app, world):
    open_screening(app, world.case_id)
    director = client_for(app, world.director)
    loaded = text_form(director, world.case_id, "visie")
    r = post(director, f"/casussen/{world.case_id}/screening/tekst/visie",
             {**loaded, "youth_view": "Ik wil gewoon naar school.", "family_view": "Wij zijn op."}, htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in body and 'id="visie"' in body
    screening = get_screening(app, world.case_id)
    assert (screening.youth_view, screening.family_view) == ("Ik wil gewoon naar school.", "Wij zijn op.")
    assert audit_events(app, world.case_id, object_type="screening", action="update")[-1].detail == \
        "fields=youth_view,family_view"
    chair = client_for(app, world.chair)
    assert post(chair, f"/casussen/{world.case_id}/screening/tekst/analyse",
                {"analysis": "x", "advice": "y"}).status_code == 403
    assert "Ik wil gewoon naar school." in chair.get(f"/casussen/{world.case_id}/screening").get_data(as_text=True)
    assert post(director, f"/casussen/{world.case_id}/screening/tekst/onzin", {}).status_code == 404


def test_a_conflicting_analysis_save_keeps_the_input_and_other_fields_merge(app, world):
    open_screening(app, world.case_id, analysis="Begin.", advice="Nog niets.")
    desk, home = client_for(app, world.director), client_for(app, world.director)
    loaded_desk, loaded_home = text_form(desk, world.case_id), text_form(home, world.case_id)
    assert post(home, f"/casussen/{world.case_id}/screening/tekst/analyse",
                {**loaded_home, "analysis": "Analyse van thuis.", "advice": "Nog niets."}).status_code == 302
    r = post(desk, f"/casussen/{world.case_id}/screening/tekst/analyse",
             {**loaded_desk, "analysis": "Analyse van kantoor.", "advice": "Advies van kantoor."})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "ret-conflict" in body and "<html" in body
    assert textarea(body, "analysis") == "Analyse van kantoor." and textarea(body, "advice") == "Advies van kantoor."
    assert "Analyse van thuis." in body
    screening = get_screening(app, world.case_id)
    assert (screening.analysis, screening.advice) == ("Analyse van thuis.", "Nog niets.")  # nothing overwritten

    # Different fields changed in two sessions: both kept, no conflict.
    loaded_desk, loaded_home = text_form(desk, world.case_id), text_form(home, world.case_id)
    assert post(home, f"/casussen/{world.case_id}/screening/tekst/analyse",
                {**loaded_home, "analysis": "Analyse van thuis.", "advice": "Advies van thuis."}).status_code == 302
    assert post(desk, f"/casussen/{world.case_id}/screening/tekst/analyse",
                {**loaded_desk, "analysis": "Analyse, herzien.", "advice": "Nog niets."}).status_code == 302
    screening = get_screening(app, world.case_id)
    assert (screening.analysis, screening.advice) == ("Analyse, herzien.", "Advies van thuis.")


def test_plan_without_a_readable_fingerprint_treats_every_difference_as_a_conflict(app):
    current = {"analysis": "A", "advice": "B"}
    with pytest.raises(Conflict) as caught:
        screening_services.plan(current, "3", {"analysis": "X", "advice": "B"}, "2", "not json")
    assert caught.value.detail.fields == ["analysis"]
    assert screening_services.plan(current, "3", {"analysis": "X", "advice": "B"}, "3", "") == ["analysis"]


# --- finalising, read-only afterwards, addenda --------------------------------------------------

def test_finalising_needs_the_analysis_and_the_advice(app, world):
    open_screening(app, world.case_id)
    director = client_for(app, world.director)
    loaded = text_form(director, world.case_id)
    r = post(director, f"/casussen/{world.case_id}/screening/afronden", {**loaded, "analysis": "", "advice": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="analysis-error"' in body and 'id="advice-error"' in body
    assert get_screening(app, world.case_id).finalised_at is None

    # What was typed is saved, even though the advice is still missing.
    r = post(director, f"/casussen/{world.case_id}/screening/afronden",
             {**text_form(director, world.case_id), "analysis": "Alles hangt samen.", "advice": ""})
    body = r.get_data(as_text=True)
    assert 'id="advice-error"' in body and 'id="analysis-error"' not in body
    assert textarea(body, "analysis") == "Alles hangt samen."
    screening = get_screening(app, world.case_id)
    assert screening.analysis == "Alles hangt samen." and screening.finalised_at is None

    chair = client_for(app, world.chair)
    assert post(chair, f"/casussen/{world.case_id}/screening/afronden",
                {"analysis": "x", "advice": "y"}).status_code == 403

    r = post(director, f"/casussen/{world.case_id}/screening/afronden",
             {**text_form(director, world.case_id), "analysis": "Alles hangt samen.", "advice": "Start MDFT."})
    assert r.status_code == 302
    screening = get_screening(app, world.case_id)
    assert screening.finalised_at is not None and screening.finalised_by_id == world.director.id
    assert screening.advice == "Start MDFT."
    with app.app_context():
        assert db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == world.case_id,
                                                          CaseEvent.kind == "screening_finalised")).one()
    assert audit_events(app, world.case_id, object_type="screening", detail="finalised")


def test_finalising_over_htmx_reloads_the_page(app, world):
    open_screening(app, world.case_id, analysis="A", advice="B")
    director = client_for(app, world.director)
    r = post(director, f"/casussen/{world.case_id}/screening/afronden",
             {**text_form(director, world.case_id), "analysis": "A", "advice": "B"}, htmx=True)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/casussen/{world.case_id}/screening"


def test_a_finalised_screening_is_read_only_and_takes_addenda(app, world):
    open_screening(app, world.case_id, analysis="Analyse.", advice="Advies.", youth_view="Mijn woorden.")
    add_participant(app, world.case_id, organisation=world.provider, by=world.director)
    director, provider = client_for(app, world.director), client_for(app, world.provider_member)
    assert contribute(provider, world.case_id, "safety", "2", "Zorgen.").status_code == 302
    loaded_contribution = open_form(provider, world.case_id, "safety")
    loaded_texts = text_form(director, world.case_id)
    # An addendum is for a finalised screening only.
    r = post(provider, f"/casussen/{world.case_id}/screening/aanvullingen", {"addendum-text": "Te vroeg."})
    assert r.status_code == 200
    finalise_directly(app, world.case_id, world.director.id)
    before = contributions(app, world.case_id), get_screening(app, world.case_id).version

    r = contribute(provider, world.case_id, "safety", "4", "Toch acuut.", loaded=loaded_contribution, htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "ret-locked-input" in body and "Toch acuut." in body  # the input comes back
    r = post(director, f"/casussen/{world.case_id}/screening/tekst/analyse",
             {**loaded_texts, "analysis": "Nieuwe analyse.", "advice": "Advies."})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "ret-locked-input" in body and "Nieuwe analyse." in body
    r = post(director, f"/casussen/{world.case_id}/screening/afronden",
             {**loaded_texts, "analysis": "Nog eens.", "advice": "Advies."})
    assert r.status_code == 200 and "ret-locked-input" in r.get_data(as_text=True)
    assert (contributions(app, world.case_id), get_screening(app, world.case_id).version) == before

    page = provider.get(f"/casussen/{world.case_id}/screening").get_data(as_text=True)
    assert "bewerken=1" not in page and "safety-severity" not in page and 'id="aanvullingen"' in page
    r = post(provider, f"/casussen/{world.case_id}/screening/aanvullingen", {"addendum-text": ""})
    assert r.status_code == 200 and 'id="addendum-text-error"' in r.get_data(as_text=True)
    r = post(provider, f"/casussen/{world.case_id}/screening/aanvullingen",
             {"addendum-text": "Aanvulling: de school meldt verzuim."})
    assert r.status_code == 302 and r.headers["Location"].endswith("#aanvullingen")
    with app.app_context():
        addendum = db.session.scalars(select(ScreeningAddendum)).one()
        assert (addendum.author_id, addendum.text) == (world.provider_member.id, "Aanvulling: de school meldt verzuim.")
    page = director.get(f"/casussen/{world.case_id}/screening").get_data(as_text=True)
    assert "Aanvulling: de school meldt verzuim." in page and "Aanbieder Appel" in page
    assert audit_events(app, world.case_id, action="create", object_type="screening_addendum")
    # Readers who are not participants add nothing.
    assert post(client_for(app, world.member), f"/casussen/{world.case_id}/screening/aanvullingen",
                {"addendum-text": "x"}).status_code == 403


def test_finalising_opens_the_next_lifecycle_step(app, world):
    open_screening(app, world.case_id, analysis="Analyse.", advice="Advies.")
    step = lifecycle.BY_NAME["start_process_direction"]
    with app.app_context():
        assert lifecycle.guard_failures(db.session.get(Case, world.case_id), step)
    director = client_for(app, world.director)
    r = post(director, f"/casussen/{world.case_id}/stap/start_process_direction", {"reason": ""})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Case, world.case_id).status == "screening"
    assert post(director, f"/casussen/{world.case_id}/screening/afronden",
                {**text_form(director, world.case_id), "analysis": "Analyse.", "advice": "Advies."}).status_code == 302
    with app.app_context():
        assert lifecycle.guard_failures(db.session.get(Case, world.case_id), step) == []
    assert post(director, f"/casussen/{world.case_id}/stap/start_process_direction", {"reason": ""}).status_code == 302
    with app.app_context():
        assert db.session.get(Case, world.case_id).status == "process_direction"
    # Participants can still be invited in process direction; the screening stays read-only.
    assert invite(director, world.case_id, f"user-{world.member.id}").status_code == 302


# --- services without HTTP ----------------------------------------------------------------------

def test_services_refuse_what_the_forms_would_not_send(app, world):
    open_screening(app, world.case_id)
    with app.test_request_context():
        case = db.session.get(Case, world.case_id)
        director = db.session.get(User, world.director.id)
        screening = screening_services.get(case)
        with pytest.raises(RuleError):
            screening_services.save_contribution(case, screening, director, "astrology", {}, "", "")
        with pytest.raises(RuleError):
            screening_services.save_contribution(case, screening, director, "safety",
                                                 {"severity": "", "notes": "x", "sources": ""}, "", "")
        member = db.session.get(User, world.member.id)
        with pytest.raises(RuleError):
            screening_services.save_contribution(case, screening, member, "safety",
                                                 {"severity": "1", "notes": "", "sources": ""}, "", "")
        with pytest.raises(RuleError) as refused:
            screening_services.finalise(case, screening, director, str(screening.version))
        assert {field for field in refused.value.errors if field} == {"analysis", "advice"}
        assert screening_services.save_contribution(
            case, screening, director, "safety", {"severity": "0", "notes": "", "sources": ""}, "", "") == "created"
        db.session.rollback()


def test_labels_are_defined_once_for_every_domain_and_severity():
    from ret_app.models import LifeDomain
    from ret_app.models.cases import SEVERITY_SCALE

    assert list(DOMAIN_LABELS) == [d.value for d in LifeDomain] and len(DOMAIN_LABELS) == 12
    assert tuple(SEVERITY_LABELS) == SEVERITY_SCALE == (0, 1, 2, 3, 4)


# --- for tests/test_csrf.py ----------------------------------------------------------------------

SCREENING_POST_ROUTES = (
    "screening.participant_invite", "screening.participant_remove", "screening.screening_contribution_save",
    "screening.screening_texts_save", "screening.screening_finalise", "screening.screening_addendum_add",
)


def prepare_for_csrf(env, endpoint: str) -> tuple[str, dict]:
    """Sign in the process director of the objects' case, put the case in the state the route needs,
    and return the URL and the valid form data of a request that would change something."""
    app, objects = env.app, env.objects
    director = env.login_as("ret_member", organisation_id=objects.ret_org.id)
    with app.app_context():
        case = db.session.get(Case, objects.case_id)
        case.status = "screening"
        case.process_director_id = director.id
        case.consent_collective = True
        db.session.add(CaseParticipant(case_id=case.id, role="ret_member", user_id=director.id,
                                       invited_by_id=director.id))
        screening = Screening(case_id=case.id, analysis="Analyse", advice="Advies")
        if endpoint == "screening.screening_addendum_add":
            screening.finalised_at, screening.finalised_by_id = utcnow(), director.id
        db.session.add(screening)
        db.session.commit()
        version = str(screening.version)
        case_id = case.id
    if endpoint == "screening.participant_invite":
        member = env.factory.user("ret_member", objects.ret_org.id)
        return f"/casussen/{case_id}/deelnemers", {"invitee": f"user-{member.id}"}
    if endpoint == "screening.participant_remove":
        member = env.factory.user("ret_member", objects.ret_org.id)
        row = add_participant(app, case_id, user=member, by=director)
        return f"/casussen/{case_id}/deelnemers/{row}/verwijderen", {}
    if endpoint == "screening.screening_contribution_save":
        return f"/casussen/{case_id}/screening/leefgebied/safety", {
            "safety-severity": "2", "safety-notes": "Zorgen", "safety-version": "",
            "safety-loaded_state": screening_services.fingerprint({"severity": "", "notes": "", "sources": ""})}
    if endpoint == "screening.screening_texts_save":
        return f"/casussen/{case_id}/screening/tekst/visie", {"youth_view": "Mijn verhaal", "family_view": "",
                                                             "version": version}
    if endpoint == "screening.screening_finalise":
        return f"/casussen/{case_id}/screening/afronden", {"version": version}
    if endpoint == "screening.screening_addendum_add":
        return f"/casussen/{case_id}/screening/aanvullingen", {"addendum-text": "Aanvulling"}
    raise KeyError(endpoint)


def test_every_screening_post_route_has_a_csrf_preparation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if "POST" in (rule.methods or ()) and rule.endpoint.split(".")[-1].startswith(
                     ("screening_", "participant_"))}
    assert endpoints == set(SCREENING_POST_ROUTES)

