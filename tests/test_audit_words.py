"""The admin's audit search reads the machine-readable details in Dutch words (ret_app/audit_words.py
with what every capability registers), keeps what it does not know as stored, never changes the
stored (hashed) detail, and finds the events of one case by its reference."""

from __future__ import annotations

import re
from dataclasses import fields as dataclass_fields
from datetime import datetime, timezone

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from ret_app import audit
from ret_app.admin.queries import AuditFilters
from ret_app.audit_words import STATUS_CHANGE, Key, Vocabulary, describe, object_name
from ret_app.cases.lifecycle import CASE
from ret_app.cases.queries import CaseFilters
from ret_app.collective.capacity import VALUE_FIELDS as CAPACITY_FIELDS
from ret_app.collective.profiles import PROFILE_FIELDS
from ret_app.extensions import db
from ret_app.meetings.lifecycle import MEETING
from ret_app.meetings.planning import DETAIL_FIELDS
from ret_app.models import AuditEvent, Case, User
from ret_app.referrals.services import _MEMBER_FIELDS, REFERRAL_FIELDS
from ret_app.plans.services import GOAL_FIELDS, REVIEW_FIELDS
from ret_app.screening.services import TEXT_PARTS, contribution_values
from tests.conftest import login


def nl(app, message: str, **variables) -> str:
    with app.test_request_context(), force_locale("nl"):
        return gettext(message, **variables)


def read(app, object_type, detail) -> tuple[str, bool]:
    """The detail in Dutch words, and whether every part of it was known."""
    with app.test_request_context(), force_locale("nl"):
        described = describe(object_type, detail)
        return str(described), described.complete


# --- reading a detail -------------------------------------------------------------------------

WORDS = Vocabulary({
    "thing": {
        "step": Key("Stap", {"go": "Gaan"}),
        STATUS_CHANGE: Key("Status", {"a": "Aan", "b": "Uit"}),
        "fields": Key("Velden", {"x": "Iks", "y": "IJ"}, many=True),
        "agenda": Key("Getoond", alone="agenda"),
        "done": "gedaan",
        "file not found": "bestand ontbreekt",
    },
}, {"thing": "Ding"})


@pytest.mark.parametrize("detail,expected,complete", [
    ("step=go;a->b", "Stap: Gaan; Status: Aan → Uit", True),
    ("done fields=x,y", "gedaan; Velden: Iks, IJ", True),
    ("fields=", "Velden: —", True),
    ("meeting=4;item=7", "Overleg: 4; Agendapunt: 7", True),  # the words every object type shares
    ("agenda;item=2", "agenda; Agendapunt: 2", True),
    ("agenda=0", "Getoond: 0", True),
    ("file not found", "bestand ontbreekt", True),
    ("step=fly", "Stap: fly", False),  # a value without words stays as stored
    ("fields=x,zz", "Velden: Iks, zz", False),
    ("a->zz", "Status: Aan → zz", False),
    ("mystery=1;odd", "mystery=1; odd", False),  # unknown keys and tokens stay as stored
    ("", "", True),
    (None, "", True),
])
def test_a_detail_is_read_part_by_part(app, detail, expected, complete):
    with app.test_request_context():
        described = WORDS.describe("thing", detail)
        assert (str(described), described.complete) == (expected, complete)


def test_words_belong_to_their_object_type(app):
    with app.test_request_context():
        assert WORDS.describe("other", "done").complete is False
        assert WORDS.object_name("thing") == "Ding" and WORDS.object_name("other") == "other"


# --- what the capabilities registered: everything they write reads in Dutch ------------------

def test_every_case_transition_reads_in_words(app):
    with app.test_request_context(), force_locale("nl"):
        for transition in CASE.transitions:
            for source in transition.sources:
                target = transition.target if not callable(transition.target) else source
                described = describe("case", f"transition={transition.name};{source.value}->{target.value}")
                assert described.complete, str(described)
                assert f"{gettext('Step')}: {transition.label}" in str(described)
                assert transition.name not in str(described) and "->" not in str(described)


def test_every_session_step_reads_in_words(app):
    with app.test_request_context(), force_locale("nl"):
        for transition in MEETING.transitions:
            described = describe("meeting", f"step={transition.name}")
            assert described.complete and str(described) == f"{gettext('Step')}: {transition.label}"


FIELD_LISTS = {
    "case": REFERRAL_FIELDS,
    "family_member": _MEMBER_FIELDS,
    "screening": tuple(name for names in TEXT_PARTS.values() for name in names),
    "screening_contribution": tuple(contribution_values(None)),
    "meeting": DETAIL_FIELDS,
    "user": ("name", "email", "role", "organisation_id"),
    "network": ("name", "short_name", "answer_days"),
    "region": ("name", "network_id"),
    "municipality": ("name", "cbs_code", "region_id"),
    "organisation": ("name", "kind", "region_id", "municipality_id", "network_id", "collective_member", "active"),
    "region_norms": ("intake_decision", "first_session", "first_session_crisis", "screening", "capacity_stale_days"),
    "provider_profile": PROFILE_FIELDS,
    "capacity_entry": CAPACITY_FIELDS,
    "plan_goal": GOAL_FIELDS,
    "plan_review": REVIEW_FIELDS,
    "care_type": ("name", "description", "position"),
}


@pytest.mark.parametrize("object_type", sorted(FIELD_LISTS))
def test_every_changed_field_has_its_label(app, object_type):
    """The field names the services write (`fields=a,b`) all read as the forms' labels."""
    text, complete = read(app, object_type, "fields=" + ",".join(FIELD_LISTS[object_type]))
    assert complete, text
    assert not any(name in text for name in FIELD_LISTS[object_type] if "_" in name), text


@pytest.mark.parametrize("object_type,names", [
    ("case_list", [f.name for f in dataclass_fields(CaseFilters)]),
    ("audit_event", [f.name for f in dataclass_fields(AuditFilters)]),
    ("intake_queue", ["overdue"]),
])
def test_every_search_filter_has_its_label(app, object_type, names):
    text, complete = read(app, object_type, "filters=" + ",".join(names))
    assert complete, text


# Details as the application writes them (collected from the whole suite), with the Dutch words
# each must show. The stored code never shows when the words are known.
WRITTEN = [
    ("case", "transition=start_monitoring;process_direction->monitoring",
     "Stap: Monitoring starten; Status: Procesregie → Monitoring"),
    ("case", "step=pause", "Stap: Opschorten"),
    ("case", "referral fields=youth_first_name,why_stuck", "aanmelding; Velden: Voornaam, Waarom het is vastgelopen"),
    ("case", "referral conflict fields=question",
     "aanmelding; iemand anders wijzigde het eerder; Velden: Hulpvraag"),
    ("case", "meeting_live;meeting=1;item=2", "pagina van het lopende overleg; Overleg: 1; Agendapunt: 2"),
    ("case", "screening_report unavailable", "screeningsverslag; nog niet beschikbaar"),
    ("case", "consent_record", "toestemming vastleggen"),
    ("case_participant", "invited role=provider", "uitgenodigd; Rol: Zorgaanbieder"),
    ("case_list", "filters=status,overdue", "Filters: Status, Alleen over tijd"),
    ("intake_queue", "filters=overdue", "Filters: Alleen over tijd"),
    ("consent", "scope=ret;role=parent;form=written", "Voor: RET; Gegeven door: Ouder met gezag; Vorm: Schriftelijk"),
    ("consent", "withdrawn;scope=collective", "ingetrokken; Voor: Collectief"),
    ("legal_ground", "ended;scope=network", "beëindigd; Voor: Bovenregionaal netwerk"),
    ("family_member", "authority=yes", "Heeft ouderlijk gezag: ja"),
    ("attachment", "type=application/pdf;size=2048", "Bestandstype: PDF-document; Grootte: 2 kB"),
    ("attachment", "checksum mismatch", "het opgeslagen bestand is gewijzigd"),
    ("screening_contribution", "domain=safety;fields=severity,notes", "Leefgebied: Veiligheid; Velden: Ernst, Toelichting"),
    ("screening", "invalid fields=advice", "invoer geweigerd; Velden: Advies"),
    ("screening_report", "concept", "concept, niet vastgesteld"),
    ("escalation", "dossier=pdf", "Opschalingsdossier: als pdf"),
    ("escalation", "dossier=json", "Opschalingsdossier: als JSON-document"),
    ("escalation", "dossier unavailable",
     "opschalingsdossier gevraagd: geen, de toestemming voor het netwerk staat niet"),
    ("meeting", "step=approve", "Stap: Notulen goedkeuren"),
    ("meeting", "fields=starts_at,chair_id", "Velden: Datum en tijd, Voorzitter"),
    ("meeting", "agenda=0", "Getoonde agendapunten: 0"),
    ("meeting", "agenda;item=3", "agenda; Agendapunt: 3"),
    ("meeting_item", "meeting=1;move=up", "Overleg: 1; Verplaatst: omhoog"),
    ("meeting_item", "notes conflict", "notities; iemand anders wijzigde het eerder"),
    ("meeting_attendance", "meeting=1;user=4;present=yes;self",
     "Overleg: 1; Gebruiker: 4; Aanwezig: ja; zelf aangemeld als aanwezig"),
    ("meeting_invitation", "added=1,2;removed=", "Uitgenodigd (gebruikers): 1, 2; Niet meer uitgenodigd (gebruikers): —"),
    ("decision", "meeting=1;status=provisional", "Overleg: 1; Status: Onder voorbehoud (wacht op de gemeente)"),
    ("decision", "answer=confirmed", "Antwoord van de gemeente: bevestigd"),
    ("decision", "invalid fields=amount_eur,text", "invoer geweigerd; Velden: Geschatte kosten per jaar (euro), Besluit"),
    ("case_action", "status=done", "Status: Afgerond"),
    ("minutes", "meeting=1;approved", "Overleg: 1; goedgekeurd"),
    ("minutes", "status=in_progress", "Status van het overleg: Bezig"),
    ("my_actions", "open", "openstaande acties"),
    ("provisional_decisions", "count=3", "Aantal: 3"),
    ("meeting_list", "page=2", "Pagina: 2"),
    ("user", "signed_in_totp", "ingelogd met de authenticator-app"),
    ("user", "password_ok_awaiting_2fa", "wachtwoord juist, wacht op de tweede factor"),
    ("user", "fields=role;role=chair->analyst", "Velden: Rol; Rol: RET-voorzitter → Beleidsmedewerker"),
    ("user", "role=caseworker;activation_link_issued", "Rol: Toegangsmedewerker; activatielink uitgegeven"),
    ("user", "password_changed_other_sessions_ended=2", "Wachtwoord gewijzigd; andere sessies beëindigd: 2"),
    ("user", "enrolled_reset_2fa", "authenticator-app opnieuw ingesteld"),
    ("web_session", "ended_by_user", "beëindigd door de gebruiker"),
    ("mandate", "holder=3;municipality=2", "Mandaathouder (gebruiker): 3; Gemeente: 2"),
    ("mandate_list", "own_mandates", "eigen mandaten"),
    ("region_norms", "fields=intake_decision,first_session_crisis", "Normtijden: Intakebesluit, Eerste RET-overleg bij crisis"),
    ("organisation", "fields=kind,collective_member",
     "Velden: Soort, Lid van het HSWV-collectief van de regio (aanbieders)"),
    ("audit_event", "filters=who,case_reference", "Filters: Gebruiker (naam), Casus (kenmerk)"),
    ("demo_seed", "demo_region_seeded", "demoregio gevuld"),
    ("region_norms", "fields=capacity_stale_days", "Normtijden: Capaciteit verouderd na (dagen)"),
    ("provider_profile", "fields=summary,expertise,crisis_phone",
     "Velden: Wat uw organisatie biedt, Expertisegebieden, Telefoonnummer van de crisislijn"),
    ("provider_profile", "invalid fields=min_age,crisis_hours",
     "invoer geweigerd; Velden: Laagste leeftijd, Wanneer de crisisdienst bereikbaar is"),
    ("provider_profile", "conflict", "iemand anders wijzigde het eerder"),
    ("provider_contact", "provider=3", "Aanbieder (organisatie): 3"),
    ("provider_contact", "provider=3;invalid fields=phone", "Aanbieder (organisatie): 3; invoer geweigerd; Velden: Telefoonnummer"),
    ("capacity_entry", "provider=3;care_type=residential;confirmed",
     "Aanbieder (organisatie): 3; Zorgsoort: Residentiële jeugdhulp; waarden ongewijzigd bevestigd"),
    ("capacity_entry", "provider=3;care_type=ambulatory;fields=places_available,expected_on",
     "Aanbieder (organisatie): 3; Zorgsoort: Ambulante jeugdhulp; Velden: Plaatsen beschikbaar nu, Verwacht vanaf"),
    ("capacity_entry", "provider=3;care_type=ambulatory;invalid fields=waiting_weeks",
     "Aanbieder (organisatie): 3; Zorgsoort: Ambulante jeugdhulp; invoer geweigerd; Velden: Wachttijd in weken"),
    ("capacity_entry", "provider=3", "Aanbieder (organisatie): 3"),
    ("case", "plan_goal", "doel van het plan"),
    ("case", "fitting_help", "passende hulp gestart"),
    ("plan_goal", "status=open;voice=youth", "Status: open; In de woorden van: de jeugdige"),
    ("plan_goal", "fields=text,provider_id", "Velden: Doel, Aanbieder uit het collectief"),
    ("plan_review", "recorded;fits=partly;fields=held_on,help_fits",
     "gehouden en vastgelegd; Past de hulp?: Deels; Velden: Gehouden op, Past de hulp?"),
    ("plan_version", "number=2;decision=7", "Versie: 2; Besluit van het overleg: 7"),
    ("plan", "fitting_help_started", "passende hulp gestart; de casus gaat naar monitoring"),
    ("plan", "version=1", "Vastgestelde versie: 1"),
    ("plan", "concept", "concept, niet vastgesteld"),
    ("care_type", "region=3;code=respite_care", "Regio: 3; Code: respite_care"),
    ("care_type", "region=3;code=crisis;fields=name,position", "Regio: 3; Code: crisis; Velden: Naam, Plaats in de lijst"),
    ("care_type", "region=3;code=crisis;retired", "Regio: 3; Code: crisis; niet meer aangeboden"),
    ("care_type", "region=3;code=crisis;reactivated", "Regio: 3; Code: crisis; weer aangeboden"),
    ("care_type_catalogue", "region=3;count=16", "Regio: 3; Zorgsoorten toegevoegd: 16"),
    ("case", "vignette", "leerverhaal maken"),
    ("vignette", "generated;replaced=12",
     "leerverhaal gemaakt van de afgesloten casus; Waarden vervangen bij het opschonen: 12"),
    ("vignette", "step=edit;fields=title,text;replaced=3",
     "Stap: Tekst bewerkt; Velden: Titel, Tekst van het leerverhaal; Waarden vervangen bij het opschonen: 3"),
    ("vignette", "step=approve;draft->approved", "Stap: Goedkeuren; Status: Concept → Goedgekeurd"),
    ("vignette", "step=withdraw;approved->withdrawn", "Stap: Intrekken; Status: Goedgekeurd → Ingetrokken"),
    ("vignette", "not approved;status=draft",
     "download geweigerd: het leerverhaal is niet goedgekeurd; Status: Concept"),
    ("vignette", "pdf", "als pdf"),
    ("vignette", "pack;size=2", "in een pakket voor een leerbijeenkomst; Leerverhalen in het pakket: 2"),
    ("vignette", "list", "de leerverhalen van de regio"),
    ("vignette", "pack choice", "leerverhalen kiezen voor een pakket"),
    ("vignette", "pack refused;chosen=3", "pakket geweigerd: de keuze was niet geldig; Gekozen leerverhalen: 3"),
    ("vignette", "invalid fields=text,reason",
     "invoer geweigerd; Velden: Tekst van het leerverhaal, Waarom het leerverhaal wordt ingetrokken"),
]


@pytest.mark.parametrize("object_type,detail,words", WRITTEN)
def test_what_the_application_writes_reads_in_dutch(app, object_type, detail, words):
    text, complete = read(app, object_type, detail)
    assert (text, complete) == (words, True)


def test_the_object_types_have_names(app):
    with app.test_request_context(), force_locale("nl"):
        for object_type in ("case", "case_participant", "consent", "meeting", "meeting_item", "decision",
                            "case_action", "minutes", "user", "web_session", "mandate", "screening", "route",
                            "provider_profile", "provider_contact", "capacity_entry",
                            "care_type", "care_type_catalogue", "vignette"):
            assert object_name(object_type) != object_type, object_type
        assert object_name("case") == "Casus" and object_name("meeting") == "RET-overleg"


# --- the audit search page -------------------------------------------------------------------

@pytest.fixture
def world(make_world):
    return make_world()


@pytest.fixture
def admin(app, world):
    client = app.test_client()
    login(client, app, world.admin)
    return client


def record(app, world, case_id, detail, object_type="case"):
    with app.app_context():
        audit.record(audit.Action.UPDATE, object_type=object_type, object_id=case_id, case_id=case_id,
                     detail=detail, user=db.session.get(User, world.chair.id))
        db.session.commit()


def reference_of(app, case_id) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).reference


def rows(body: str) -> str:
    """The results table only (the search form above it repeats the typed values)."""
    return body.split('id="audit-results"', 1)[1]


def test_the_search_shows_the_details_in_words_and_keeps_them_stored(app, factory, world, admin):
    from ret_app.cases import lifecycle

    case_id = factory.case(world.caseworker, world.municipality, status="process_direction",
                           submitted_at=datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc),
                           process_director_id=world.director.id, track="process_direction",
                           fitting_help_started_on=datetime(2026, 2, 2).date())
    with app.app_context():
        lifecycle.apply(db.session.get(Case, case_id), db.session.get(User, world.chair.id), "start_monitoring")
        db.session.commit()
    record(app, world, case_id, "mystery=1")
    body = rows(admin.get(f"/beheer/audit?case_reference={reference_of(app, case_id)}").get_data(as_text=True))
    assert "Stap: Monitoring starten" in body and "Status: Procesregie → Monitoring" in body
    assert "transition=start_monitoring" not in body and "process_direction-&gt;monitoring" not in body
    assert f"Casus {reference_of(app, case_id)}" in body
    # What has no words yet is shown as stored, marked as code.
    assert "<code>mystery=1</code>" in body
    with app.app_context():
        details = set(db.session.scalars(select(AuditEvent.detail).where(AuditEvent.case_id == case_id)))
        assert "transition=start_monitoring;process_direction->monitoring" in details and "mystery=1" in details
        assert audit.verify_chain().ok


def test_the_search_finds_the_events_of_one_case_by_its_reference(app, factory, world, admin):
    mine = factory.case(world.caseworker, world.municipality)
    other = factory.case(world.caseworker, world.municipality)
    record(app, world, mine, "case_page")
    record(app, world, other, "consent_record")
    body = rows(admin.get(f"/beheer/audit?case_reference={reference_of(app, mine)}").get_data(as_text=True))
    assert "casuspagina" in body and "toestemming vastleggen" not in body
    # Typed in lower case and with spaces around it, the same.
    again = rows(admin.get(f"/beheer/audit?case_reference=+{reference_of(app, mine).lower()}+").get_data(as_text=True))
    assert "casuspagina" in again and "toestemming vastleggen" not in again
    with app.app_context():
        search = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "audit_event")
                                    .order_by(AuditEvent.id.desc())).first()
        assert search.detail == "filters=case_reference"  # the filter's name, never the reference


def test_a_reference_no_case_has_is_refused_next_to_the_field(app, factory, world, admin):
    case_id = factory.case(world.caseworker, world.municipality)
    record(app, world, case_id, "case_page")
    response = admin.get("/beheer/audit?case_reference=RET-1999-9999")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    message = nl(app, "No case has this reference.")
    assert re.search(r'id="case_reference-error"[^>]*>\s*' + re.escape(message), body)
    assert 'value="RET-1999-9999"' in body  # what was typed stays
    assert "casuspagina" not in body  # nothing was searched (not: everything)


def test_a_case_of_another_region_is_found_too(app, factory, world, admin):
    """The functional administrator is not bound to a region (the audit search has no regional
    scope): a case of the other region is found by its reference like any other."""
    elsewhere = factory.case(world.elsewhere.caseworker, world.elsewhere.municipality)
    record(app, world, elsewhere, "case_page")
    body = rows(admin.get(f"/beheer/audit?case_reference={reference_of(app, elsewhere)}").get_data(as_text=True))
    assert "casuspagina" in body and reference_of(app, elsewhere) in body


@pytest.mark.parametrize("role", ["chair", "caseworker", "analyst"])
def test_only_the_administrator_searches_the_audit_trail(app, world, role):
    client = app.test_client()
    login(client, app, getattr(world, role))
    assert client.get("/beheer/audit?case_reference=RET-2026-0001").status_code == 403


def test_the_object_type_can_be_typed_as_the_search_shows_it(app, factory, world, admin):
    """The Object column says "Casus"; typing that (or the code "case") finds the case events."""
    case_id = factory.case(world.caseworker, world.municipality)
    record(app, world, case_id, "case_page")
    record(app, world, case_id, "invited role=provider", object_type="case_participant")
    for typed in ("Casus", "casus", "case"):
        body = rows(admin.get(f"/beheer/audit?object_type={typed}").get_data(as_text=True))
        assert "casuspagina" in body and "uitgenodigd" not in body, typed
    with app.app_context():
        search = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "audit_event")
                                    .order_by(AuditEvent.id.desc())).first()
        assert search.detail == "filters=object_type"


@pytest.mark.parametrize("typed", ["RET 2026\x000001", "<script>", "RET-2026-0001; DROP"])
def test_a_reference_that_cannot_be_one_is_refused_next_to_the_field(app, world, admin, typed):
    response = admin.get("/beheer/audit", query_string={"case_reference": typed})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert re.search(r'id="case_reference-error"[^>]*>\s*'
                     + re.escape(nl(app, "Enter a case reference, for example RET-2026-0004.")), body)
