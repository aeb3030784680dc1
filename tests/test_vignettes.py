"""Learning vignettes: the anonymisation (a case whose people have distinctive names, BSN, address, school
and birth date, with those names in every free-text field: the generated vignette, its page, its PDF and a
learning-session pack hold none of them), the chair's review (edits scrubbed again, what was replaced shown),
approving and withdrawing, the downloads (refused and audited before approval) and who may do what."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from ret_app import policy
from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import (
    AuditEvent, Case, CaseOutcome, Decision, Escalation, ExportJob, FamilyMember, GapCategory, LearningVignette,
    MeetingItem, OutcomeGap, OutcomeHelp, Plan, PlanGoal, PriorHelp, ProviderRequest, Screening, ScreeningContribution,
    User,
)
from ret_app.jobs import tasks
from ret_app.vignettes import generator, scrub
from tests.conftest import csrf_token, login

YOUTH_FIRST, YOUTH_LAST = "Quirinus", "Vandermolen-Zwartkruis"
BSN = "123456782"
BIRTH = date(2011, 3, 17)
MOTHER, FATHER, SISTER = "Ermengarde Vandermolen", "Hildebrand Zwartkruis", "Philomena Zwartkruis"
SCHOOL = "Zonnewijzer Lyceum"
STREET, POSTCODE, TOWN = "Kastanjelaan 114", "7207 KP", "Zutphen"
NAMES = {"chair": "Wilhelmina Oosterbroek", "director": "Cornelis Terwindt", "caseworker": "Gijsbertha Koppelaar",
         "provider_member": "Anselmus Brinkgreve", "provider": "Zorggroep Klaverblad",
         "other_provider": "Stichting Eikenhorst", "team": "Toegangsteam Jeugd Bronckhorst",
         "municipality": "Bronckhorst", "region": "Regio Graafschap-Noord"}
BEHAVIOURAL_SCIENTIST = "Theodora Wijnbergen"
CONTACT = "Leonardus Hofstede"
NETWORK_DIRECTOR = "Rosalinde Achterberg"
PRIOR_PROVIDER = "Praktijk Duizendblad"
OUTSIDE_PROVIDER = "Kliniek Wolfsberghoeve"  # help arranged outside the region (the outcome names it only)


def free_text(extra: str = "") -> str:
    """What every free-text field of the case says: every name, number, address and date at once."""
    return (f"{YOUTH_FIRST} {YOUTH_LAST} (BSN {BSN}, geboren 17-03-2011) zit op het {SCHOOL} en woont aan de "
            f"{STREET}, {POSTCODE} {TOWN}, met moeder {MOTHER}, vader {FATHER} en zus {SISTER}. {YOUTH_FIRST}s "
            f"jeugdconsulent {NAMES['caseworker']} en procesregisseur {NAMES['director']} spraken met "
            f"{NAMES['provider_member']} van {NAMES['provider']} en met {NAMES['other_provider']}; "
            f"{BEHAVIOURAL_SCIENTIST}, {CONTACT} en {NETWORK_DIRECTOR} dachten mee. Gemeente {NAMES['municipality']}, "
            f"eerder {PRIOR_PROVIDER}. Bel 06-12345678 of mail q.vandermolen@voorbeeld.nl. {extra}").strip()


def secrets_of(reference: str) -> list[str]:
    """Every value that must not leave the case (names also in parts)."""
    values = [YOUTH_FIRST, "Vandermolen", "Zwartkruis", BSN, "123.456.782", "17-03-2011", "17 maart 2011",
              "2011-03-17", "Ermengarde", "Hildebrand", "Philomena", "Zonnewijzer", "Kastanjelaan", POSTCODE, TOWN,
              "Oosterbroek", "Wilhelmina", "Terwindt", "Koppelaar", "Gijsbertha", "Brinkgreve", "Anselmus",
              "Klaverblad", "Eikenhorst", "Bronckhorst", "Graafschap", "Wijnbergen", "Theodora", "Hofstede",
              "Leonardus", "Achterberg", "Rosalinde", "Duizendblad", "Wolfsberghoeve", "06-12345678", "voorbeeld.nl",
              reference]
    return values


def squeezed(text: str) -> str:
    """Lower case without any whitespace: a value broken over lines in a PDF is still found."""
    return re.sub(r"\s+", "", text).lower()


def leaks(text: str, reference: str) -> list[str]:
    flat = squeezed(text)
    return [value for value in secrets_of(reference) if squeezed(value) in flat]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)


def closed_case(app, factory, world, *, status: str = "closed", rich: bool = True) -> int:
    """A closed case of the world's region whose every free-text field names everyone."""
    text = free_text()
    short = f"{YOUTH_FIRST} bij {MOTHER}, {SCHOOL}, {STREET}"  # for the fields of at most 200 characters
    case_id = factory.case(world.caseworker, world.municipality, status=status, track="process_direction",
                           urgency="urgent", placement_intended=True, birth_date=BIRTH,
                           process_director_id=world.director.id, submitted_at=utcnow() - timedelta(days=200),
                           intake_at=utcnow() - timedelta(days=195),
                           closed_at=utcnow() - timedelta(days=3) if status == "closed" else None,
                           outcome_recorded_at=utcnow() - timedelta(days=4) if status == "closed" else None,
                           fitting_help_started_on=date.today() - timedelta(days=60))
    if not rich:
        return case_id
    chair = world.chair
    meeting_id = factory.meeting(chair, status="approved", cases=(case_id,),
                                 starts_at=utcnow() - timedelta(days=120))
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.youth_first_name, case.youth_last_name, case.youth_bsn = YOUTH_FIRST, YOUTH_LAST, BSN
        case.youth_gender = "male"
        case.youth_daytime_activity = f"Leerling van het {SCHOOL}, klas 2"
        case.question, case.why_stuck = text, text
        case.intake_decision_reason = text
        case.advice = text
        case.family_members = [
            FamilyMember(name=MOTHER, relation="mother", age=41, living_situation=short, parental_authority=True),
            FamilyMember(name=FATHER, relation="father", age=44, living_situation=short, parental_authority=True),
            FamilyMember(name=SISTER, relation="sibling", age=9, living_situation=short)]
        case.prior_help = [PriorHelp(provider=PRIOR_PROVIDER, help_type=short, from_date=date(2022, 4, 12),
                                     to_date=date(2023, 1, 9), end_reason=text)]
        screening = Screening(case_id=case_id, youth_view=text, family_view=text, analysis=text, advice=text,
                              finalised_at=utcnow() - timedelta(days=150), finalised_by_id=world.director.id)
        screening.contributions = [
            ScreeningContribution(author_id=world.director.id, organisation_id=world.ret.id, domain="safety",
                                  severity=3, notes=text, sources=text),
            ScreeningContribution(author_id=world.provider_member.id, organisation_id=world.provider.id,
                                  domain="education", severity=2, notes=text, sources=text)]
        plan = Plan(case_id=case_id, fitting_help_what=text)
        plan.goals = [PlanGoal(text=text, voiced_by="youth", status="reached", care_type="ambulatory",
                               provider_id=world.provider.id),
                      PlanGoal(text=text, voiced_by="family", status="partly", provider_name=PRIOR_PROVIDER)]
        requests = [
            ProviderRequest(case_id=case_id, organisation_id=world.other_provider.id, role="lead_provider",
                            care_type="residential", question=text, reply_by=date.today() - timedelta(days=100),
                            status="declined", decline_reason="no_capacity", decline_text=text,
                            requested_by_id=world.director.id, answered_by_id=world.provider_member.id,
                            submission_key=secrets.token_hex(8), contact_name=CONTACT, contact_phone="0575-123456"),
            ProviderRequest(case_id=case_id, organisation_id=world.provider.id, role="lead_provider",
                            care_type="ambulatory", question=text, reply_by=date.today() - timedelta(days=90),
                            status="started", requested_by_id=world.director.id, contact_name=CONTACT,
                            submission_key=secrets.token_hex(8), started_on=date.today() - timedelta(days=60))]
        item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id))
        decision = Decision(item_id=item.id, case_id=case_id, municipality_id=world.municipality.id,
                            kind="commits_help", text=text, care_type="ambulatory", provider_id=world.provider.id,
                            amount_eur=Decimal("12000"), status="binding", alternatives_considered=text,
                            behavioural_scientist_name=BEHAVIOURAL_SCIENTIST, behavioural_scientist_role=short,
                            behavioural_scientist_judgement=text, placement_outcome="prevented",
                            placement_alternative=text, submission_key=secrets.token_hex(8), recorded_by_id=chair.id)
        escalation = Escalation(case_id=case_id, network_id=world.network.id, status="closed", why_exhausted=text,
                                question_kind="consultation", question=text, created_by_id=world.director.id,
                                sent_at=utcnow() - timedelta(days=110), decline_reason="", result="advice_given",
                                result_text=text, network_director_name=NETWORK_DIRECTOR,
                                network_director_organisation=PRIOR_PROVIDER, submission_key=secrets.token_hex(8))
        # The outcome: help by a provider of the region and by one outside it (named only here), the
        # placement's note, a gap's note and the lessons all name everyone, the outside provider too.
        outcome_text = free_text(f"Daarna naar {OUTSIDE_PROVIDER}.")
        gap_category = db.session.scalar(select(GapCategory.id).where(
            GapCategory.region_id == world.region.id, GapCategory.code == "no_living_place"))
        outcome = CaseOutcome(case_id=case_id, result="partly_realised", placement_result="prevented",
                              placement_note=outcome_text, lessons=outcome_text, recorded_by_id=world.director.id,
                              recorded_at=utcnow() - timedelta(days=4), working_days_to_fitting_help=97,
                              working_days_to_close=134)
        outcome.helps = [
            OutcomeHelp(case_id=case_id, position=0, care_type="ambulatory", organisation_id=world.provider.id,
                        inside_region=True),
            OutcomeHelp(case_id=case_id, position=1, care_type="residential", provider_name=OUTSIDE_PROVIDER,
                        inside_region=False, via_network=True)]
        outcome.gaps = [OutcomeGap(case_id=case_id, position=0, gap_category_id=gap_category, care_type="residential",
                                   note=outcome_text)]
        db.session.add_all([screening, plan, decision, escalation, outcome, *requests])
        db.session.commit()
        db.session.remove()
    return case_id


@pytest.fixture
def world(make_world):
    return make_world(names=NAMES, network=True)


def _reference(app, case_id: int) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).reference


def _generate(client, case_id: int):
    token = csrf_token(client, f"/casussen/{case_id}")
    return client.post(f"/casussen/{case_id}/leerverhaal", data={"csrf_token": token})


def _vignette(app, case_id: int) -> LearningVignette:
    with app.app_context():
        row = db.session.scalar(select(LearningVignette).where(LearningVignette.case_id == case_id)
                                .order_by(LearningVignette.id.desc()))
        if row is not None:
            db.session.expunge(row)
        return row


def _post(client, path: str, data: dict, page: str):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def _post_pack(client, values: list[str]):
    """The pack's choice posted (the token from the start page: every role has one)."""
    return client.post("/leerverhalen/pakket", data={"csrf_token": csrf_token(client, "/start"), "leerverhaal": values})


def _ask_pack(client, *vignette_ids: int) -> int:
    """Ask for the pack of `vignette_ids`: the answer sends the user to the export job's page."""
    response = _post_pack(client, [str(i) for i in vignette_ids])
    assert response.status_code == 302, response.status_code
    return int(re.search(r"/exports/(\d+)$", response.headers["Location"]).group(1))


# --- the anonymisation ---------------------------------------------------------------------------------

def test_the_unscrubbed_text_names_everyone_so_the_checks_below_can_fail(app, factory, world):
    """The control: what the sections write before scrubbing holds the names (the test data reaches every
    section), and the checker finds them."""
    case_id = closed_case(app, factory, world)
    with app.test_request_context():
        case = db.session.get(Case, case_id)
        title, text = generator.compose(case, scrub.cast_of(case))
        found = leaks(text, case.reference)
    for section in ("De jeugdige en het gezin", "De hulpvraag", "Waarom het vastliep", "De integrale screening",
                    "De doelen van het plan", "Verzoeken aan aanbieders", "Besluiten in RET-overleggen",
                    "Opschaling naar het netwerk", "Het resultaat", "Hoe het afliep"):
        assert f"## {section}" in text, section
    assert {"Quirinus", "Ermengarde", "Zonnewijzer", "Kastanjelaan", "Klaverblad", "Wijnbergen", "Wolfsberghoeve",
            BSN} <= set(found)
    # The outcome's section: after the escalation, before the ending; its free text quoted (scrubbed later).
    outcome = text.split("## Het resultaat", 1)[1].split("## Hoe het afliep", 1)[0]
    assert text.index("## Opschaling naar het netwerk") < text.index("## Het resultaat")
    assert OUTSIDE_PROVIDER in outcome.split("Geleerde lessen", 1)[1]  # the lessons, as typed
    assert OUTSIDE_PROVIDER in outcome.split("Geen passende woonplek", 1)[1]  # the gap's note


def test_the_outcome_section_writes_roles_bands_and_months(app, factory, world):
    """The help arranged names providers by the roles they have in the rest of the vignette (the region's
    provider is the same "aanbieder" as in the requests; the outside one gets its own letter and is known to
    the cast, so the chair's later edits are scrubbed of it too); days are a band, never the count."""
    case_id = closed_case(app, factory, world)
    with app.test_request_context():
        case = db.session.get(Case, case_id)
        cast = scrub.cast_of(case)
        _title, text = generator.compose(case, cast)
        provider_role = cast.provider(world.provider.id)
        outside_role = cast.provider(("name", OUTSIDE_PROVIDER.lower()))
        known = {(i.value, i.replacement) for i in scrub.known_identifiers(case)}
    outcome = text.split("## Het resultaat", 1)[1].split("## Hoe het afliep", 1)[0]
    assert "Resultaat: passende hulp deels gerealiseerd." in outcome
    assert f"[{provider_role}] (binnen de regio)" in outcome
    assert f"[{outside_role}] (buiten de regio, via het netwerk)" in outcome
    assert outside_role != provider_role
    requests = text.split("## Verzoeken aan aanbieders", 1)[1].split("## ", 1)[0]
    assert f"[{provider_role}]" in requests  # the same role as in the requests' section
    assert (OUTSIDE_PROVIDER, f"[{outside_role}]") in known and (NAMES["director"], "[procesregisseur]") in known
    assert "Beoogde uithuisplaatsing: uithuisplaatsing voorkomen." in outcome
    assert "- Geen passende woonplek of verblijfsvorm — " in outcome
    assert "Werkdagen van aanmelding tot passende hulp: 61–120." in outcome
    assert "Werkdagen van aanmelding tot afsluiting: meer dan 120." in outcome
    assert "97" not in outcome and "134" not in outcome


def test_no_outcome_no_outcome_section(app, factory, world):
    case_id = closed_case(app, factory, world, rich=False)
    with app.test_request_context():
        case = db.session.get(Case, case_id)
        _title, text = generator.compose(case, scrub.cast_of(case))
    assert "## Het resultaat" not in text and "## Hoe het afliep" in text


def test_generated_vignette_page_pdf_and_pack_hold_no_identifier(app, client, factory, world):
    case_id = closed_case(app, factory, world)
    reference = _reference(app, case_id)
    login(client, app, world.chair)
    response = _generate(client, case_id)
    assert response.status_code == 302 and "/leerverhalen/" in response.headers["Location"]
    vignette = _vignette(app, case_id)
    assert vignette.status == "draft"
    assert leaks(vignette.title + "\n" + vignette.text, reference) == []
    # Roles, an age band and months instead.
    assert "[jeugdige]" in vignette.text and "[moeder]" in vignette.text and "[aanbieder A]" in vignette.text
    assert "## Het resultaat" in vignette.text and "Geleerde lessen: " in vignette.text  # the outcome, scrubbed
    assert "12–15 jaar" in vignette.text
    assert not re.search(r"\b\d{1,2}[-/]\d{1,2}[-/]\d{2,4}\b", vignette.text)  # no exact date

    page = client.get(f"/leerverhalen/{vignette.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert leaks(re.sub(r"<[^>]+>", " ", body.split('id="vignette-text"', 1)[1]), reference) == []

    # The chair edits: every name typed again is scrubbed on saving, and the chair sees what was replaced.
    typed = vignette.text + "\n\n## Nagekomen\n\n" + free_text(f"Oom Bartholomeus Okonkwo belde op 3 april 2024 over {OUTSIDE_PROVIDER}.")
    saved = _post(client, f"/leerverhalen/{vignette.id}/tekst",
                  {"title": f"Verhaal van {YOUTH_FIRST}", "text": typed, "version": str(vignette.version)},
                  f"/leerverhalen/{vignette.id}")
    assert saved.status_code == 200
    shown = saved.get_data(as_text=True)
    replaced_table = shown.split('id="replaced"', 1)[1].split("</section>", 1)[0]
    for original in (YOUTH_FIRST, MOTHER, STREET, "Bartholomeus Okonkwo"):
        assert original in replaced_table, original
    edited = _vignette(app, case_id)
    assert leaks(edited.title + "\n" + edited.text, reference) == []
    assert "Bartholomeus" not in edited.text and "Okonkwo" not in edited.text  # found by deduce only
    assert "april 2024" in edited.text and "3 april 2024" not in edited.text

    approved = _post(client, f"/leerverhalen/{vignette.id}/goedkeuren", {"version": str(edited.version)},
                     f"/leerverhalen/{vignette.id}")
    assert approved.status_code == 302
    download = client.get(f"/leerverhalen/{vignette.id}/leerverhaal.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    text = pdf_text(download.data)
    assert "LV-" in text and "[jeugdige]" in text and "Het resultaat" in text
    assert leaks(text, reference) == []

    # A second closed case of the region, approved too: the pack of both.
    other_id = closed_case(app, factory, world)
    assert _generate(client, other_id).status_code == 302
    other = _vignette(app, other_id)
    _post(client, f"/leerverhalen/{other.id}/goedkeuren", {"version": str(other.version)}, f"/leerverhalen/{other.id}")
    # The pack is an export job: asked for, made by the job runner, downloaded from the job's page.
    job_id = _ask_pack(client, vignette.id, other.id)
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        assert (job.kind, job.status, job.params, job.requested_by_id) == (
            "vignette-pack", "done", {"vignettes": [vignette.id, other.id]}, world.chair.id)
    assert "Download leerbijeenkomst-pakket.pdf" in client.get(f"/exports/{job_id}").get_data(as_text=True)
    pack = client.get(f"/exports/{job_id}/bestand")
    assert pack.status_code == 200 and pack.mimetype == "application/pdf"
    assert pack.headers["Content-Disposition"] == 'attachment; filename="leerbijeenkomst-pakket.pdf"'
    pack_text = pdf_text(pack.data)
    assert f"LV-{vignette.id}" in pack_text and f"LV-{other.id}" in pack_text
    assert leaks(pack_text, reference) == [] and leaks(pack_text, _reference(app, other_id)) == []
    with app.app_context():
        exports = db.session.execute(select(AuditEvent.detail, AuditEvent.case_id, AuditEvent.user_id).where(
            AuditEvent.object_type == "vignette", AuditEvent.action == "export", AuditEvent.outcome == "allowed")).all()
    assert "pdf" in [e.detail for e in exports]
    # Each vignette of the pack audited with its case, the requester as actor (the job's run).
    assert sorted((e.case_id, e.user_id) for e in exports if e.detail == "pack;size=2") == sorted(
        [(case_id, world.chair.id), (other_id, world.chair.id)])
    # Only the requester: a RET member of the region gets 404 for the job and its file.
    member = app.test_client()
    login(member, app, world.member)
    assert member.get(f"/exports/{job_id}").status_code == 404
    assert member.get(f"/exports/{job_id}/bestand").status_code == 404


def test_the_scrubber_alone(app):
    """Patterns and deduce without any known name: an unknown person, a street, a postcode, a school, a
    phone number, an e-mail address and an exact date; months and age bands stay."""
    with app.test_request_context():
        result = scrub.scrub("Meneer Bartholomeus Okonkwo (Spoorstraat 4b, 7201 AB) van basisschool De Klimop "
                             "belde op 12-03-2024 vanaf 06-12345678 (b.okonkwo@example.org). In maart 2024 "
                             "was de jeugdige (12–15 jaar) 14 jaar.")
    text = result.text
    for value in ("Bartholomeus", "Okonkwo", "Spoorstraat", "7201 AB", "Klimop", "12-03-2024", "06-12345678",
                  "example.org"):
        assert value not in text, (value, text)
    assert "maart 2024" in text and "12–15 jaar" in text and "[leeftijd]" in text
    assert {r.source for r in result.replaced} == {"pattern", "deduce"}


def test_known_names_are_found_in_any_case_accents_and_parts(app, factory, world):
    case_id = closed_case(app, factory, world, rich=False)
    with app.test_request_context():
        case = db.session.get(Case, case_id)
        case.youth_first_name, case.youth_last_name = "Zoë", "de Vries-Ouédraogo"
        identifiers = scrub.known_identifiers(case)
        result = scrub.scrub("ZOE en zoë; OUEDRAOGO's fiets; mevrouw De Vries. De vries was er.", identifiers,
                             use_deduce=False)
        db.session.rollback()
    for value in ("ZOE", "zoë", "OUEDRAOGO", "Vries"):
        assert value not in result.text, result.text
    assert result.text.count("[jeugdige]") == 5


# --- the lifecycle and bad input -----------------------------------------------------------------------------

def test_download_before_approval_is_refused_and_audited(app, client, factory, world):
    case_id = closed_case(app, factory, world, rich=False)
    login(client, app, world.chair)
    _generate(client, case_id)
    vignette = _vignette(app, case_id)
    response = client.get(f"/leerverhalen/{vignette.id}/leerverhaal.pdf")
    assert response.status_code == 403
    assert "nog niet goedgekeurd" in response.get_data(as_text=True)
    with app.app_context():
        denied = db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "vignette", AuditEvent.object_id == str(vignette.id),
            AuditEvent.action == "export", AuditEvent.outcome == "denied")).all()
    assert denied and all(e.case_id == case_id for e in denied)
    assert "leerverhaal.pdf" not in client.get(f"/leerverhalen/{vignette.id}").get_data(as_text=True)


def test_no_vignette_of_an_open_case_and_one_per_case(app, client, factory, world):
    open_id = closed_case(app, factory, world, status="process_direction", rich=False)
    login(client, app, world.chair)
    response = _generate(client, open_id)
    assert response.status_code == 302
    assert _vignette(app, open_id) is None
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "alleen van een afgesloten casus" in follow
    closed_id = closed_case(app, factory, world, rich=False)
    _generate(client, closed_id)
    first = _vignette(app, closed_id)
    again = _generate(client, closed_id)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/leerverhalen/{first.id}")
    with app.app_context():
        assert db.session.query(LearningVignette).filter_by(case_id=closed_id).count() == 1
    # Withdrawn: a new one may be generated; a reason is needed.
    no_reason = _post(client, f"/leerverhalen/{first.id}/intrekken", {"reason": "", "version": str(first.version)},
                      f"/leerverhalen/{first.id}")
    assert no_reason.status_code == 200 and "utrecht-form-field--invalid" in no_reason.get_data(as_text=True)
    withdrawn = _post(client, f"/leerverhalen/{first.id}/intrekken",
                      {"reason": "Te herkenbaar", "version": str(first.version)}, f"/leerverhalen/{first.id}")
    assert withdrawn.status_code == 302
    assert _generate(client, closed_id).status_code == 302
    assert _vignette(app, closed_id).id != first.id


def test_bad_edits_keep_what_was_typed_and_a_stale_version_conflicts(app, client, factory, world):
    case_id = closed_case(app, factory, world, rich=False)
    login(client, app, world.chair)
    _generate(client, case_id)
    vignette = _vignette(app, case_id)
    page = f"/leerverhalen/{vignette.id}"
    empty = _post(client, f"{page}/tekst", {"title": "Mijn eigen titel", "text": "", "version": str(vignette.version)},
                  page)
    body = empty.get_data(as_text=True)
    assert empty.status_code == 200 and "Mijn eigen titel" in body and "utrecht-form-field--invalid" in body
    assert _vignette(app, case_id).text == vignette.text
    stale = _post(client, f"{page}/tekst", {"title": "T", "text": "Nieuwe tekst", "version": str(vignette.version - 1
                                                                                                   or 99)}, page)
    assert stale.status_code == 200 and "Nieuwe tekst" in stale.get_data(as_text=True)
    assert "tegelijk" in stale.get_data(as_text=True)
    # Approved: no more edits.
    _post(client, f"{page}/goedkeuren", {"version": str(vignette.version)}, page)
    refused = _post(client, f"{page}/tekst", {"title": "T", "text": "Nieuw", "version": ""}, page)
    assert refused.status_code == 200 and "Alleen een concept" in refused.get_data(as_text=True)


def test_pack_input_is_checked(app, client, factory, world):
    case_id = closed_case(app, factory, world, rich=False)
    login(client, app, world.chair)
    _generate(client, case_id)
    draft = _vignette(app, case_id)
    nothing = _post_pack(client, [])
    assert nothing.status_code == 200 and "minstens één" in nothing.get_data(as_text=True)
    for value in (str(draft.id), "abc", "99999999999999", "0"):
        response = _post_pack(client, [value])
        assert response.status_code == 400, value
        body = response.get_data(as_text=True)
        assert response.mimetype == "text/html" and "utrecht-alert--error" in body
    too_many = _post_pack(client, [str(n) for n in range(1, 30)])
    assert "hoogstens" in too_many.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ExportJob.id)) is None  # nothing asked for
        refused = db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.object_type == "vignette", AuditEvent.outcome == "failed")).all()
    assert refused.count("pack refused;chosen=1") == 4


def test_a_pack_whose_vignette_was_withdrawn_meanwhile_fails_with_the_reason(app, client, factory, world, monkeypatch):
    case_id = closed_case(app, factory, world, rich=False)
    login(client, app, world.chair)
    _generate(client, case_id)
    vignette = _vignette(app, case_id)
    _post(client, f"/leerverhalen/{vignette.id}/goedkeuren", {"version": str(vignette.version)},
          f"/leerverhalen/{vignette.id}")
    monkeypatch.setitem(app.config, "JOBS_TASKS", "hold")  # the job waits until the test runs it
    tasks.held(app).clear()
    job_id = _ask_pack(client, vignette.id)
    with app.app_context():
        assert db.session.get(ExportJob, job_id).status == "queued"
        row = db.session.get(LearningVignette, vignette.id)
        row.status = "withdrawn"
        db.session.commit()
    assert tasks.run_held(app) == 1
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        assert job.status == "failed" and "niet (meer) goedgekeurd" in job.message and job.content is None
    assert client.get(f"/exports/{job_id}/bestand").status_code == 409


# --- who may do what ------------------------------------------------------------------------------------

def test_ret_members_read_approved_vignettes_only_and_keep_none(app, client, factory, world):
    case_id = closed_case(app, factory, world, rich=False)
    login(client, app, world.chair)
    _generate(client, case_id)
    vignette = _vignette(app, case_id)
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/start")})
    login(client, app, world.member)
    assert client.get(f"/leerverhalen/{vignette.id}").status_code == 404  # a draft
    assert client.get(f"/leerverhalen/{vignette.id}/leerverhaal.pdf").status_code == 404
    assert f"LV-{vignette.id}" not in client.get("/leerverhalen").get_data(as_text=True)
    with app.app_context():
        row = db.session.get(LearningVignette, vignette.id)
        row.status, row.approved_at, row.approved_by_id = "approved", utcnow(), world.chair.id
        db.session.commit()
    assert client.get(f"/leerverhalen/{vignette.id}").status_code == 200
    assert f"LV-{vignette.id}" in client.get("/leerverhalen").get_data(as_text=True)
    assert client.get(f"/leerverhalen/{vignette.id}/leerverhaal.pdf").status_code == 200
    token = csrf_token(client, "/start")
    assert client.post(f"/leerverhalen/{vignette.id}/intrekken", data={"csrf_token": token, "reason": "x"}
                       ).status_code == 403
    assert client.post(f"/casussen/{case_id}/leerverhaal", data={"csrf_token": token}).status_code == 403


@pytest.mark.parametrize("role", ["caseworker", "provider_member", "network_liaison", "analyst", "admin"])
def test_other_roles_have_no_vignettes(app, client, factory, world, role):
    login(client, app, world[role])
    for path in ("/leerverhalen", "/leerverhalen/pakket"):
        assert client.get(path).status_code == 403, path
    assert _post_pack(client, ["1"]).status_code == 403


def test_another_regions_chair_gets_404(app, client, factory, world):
    case_id = closed_case(app, factory, world, rich=False)
    login(client, app, world.chair)
    _generate(client, case_id)
    vignette = _vignette(app, case_id)
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/start")})
    login(client, app, factory.user("chair", world.elsewhere.ret.id))
    assert client.get(f"/leerverhalen/{vignette.id}").status_code == 404
    assert _post_pack(client, [str(vignette.id)]).status_code == 400


def test_the_sql_twin_agrees_with_the_rule(app, factory, world):
    ids = []
    for status in ("draft", "approved", "withdrawn"):
        case_id = closed_case(app, factory, world, rich=False)
        with app.app_context():
            row = LearningVignette(region_id=world.region.id, case_id=case_id, status=status, title="T", text="x",
                                   generated_by_id=world.chair.id, withdraw_reason="")
            db.session.add(row)
            db.session.commit()
            ids.append(row.id)
    people = ["chair", "director", "member", "caseworker", "provider_member", "network_liaison", "analyst", "admin"]
    with app.app_context():
        rows = db.session.scalars(select(LearningVignette).where(LearningVignette.id.in_(ids))).all()
        for name in people + ["elsewhere_chair"]:
            user = db.session.get(User, (world.elsewhere.chair if name == "elsewhere_chair" else world[name]).id)
            by_rule = {v.id for v in rows if policy.can_view_vignette(user, v)}
            by_sql = set(db.session.scalars(select(LearningVignette.id).where(
                LearningVignette.id.in_(ids), policy.visible_vignettes_clause(user))))
            assert by_rule == by_sql, name
            if name == "chair":
                assert by_rule == set(ids)
            elif name in ("director", "member"):
                assert len(by_rule) == 1


# --- the list's query count -------------------------------------------------------------------------------

@pytest.mark.counts_queries("vignettes.index", "vignettes.pack")
@pytest.mark.parametrize("who", ["chair", "member"])
def test_the_lists_do_not_grow_with_their_rows(app, client, factory, world, count_queries, who):
    login(client, app, world[who])

    def add(n: int) -> None:
        with app.app_context():
            for _ in range(n):
                case_id = factory.case(world.caseworker, world.municipality, status="closed")
                db.session.add(LearningVignette(region_id=world.region.id, case_id=case_id, status="approved",
                                                title="Titel", text="Tekst", generated_by_id=world.chair.id,
                                                approved_by_id=world.chair.id, approved_at=utcnow(),
                                                withdraw_reason=""))
            db.session.commit()

    counts = []
    for n in (5, 45):
        add(n)
        with count_queries() as statements:
            for path in ("/leerverhalen", "/leerverhalen/pakket"):
                assert client.get(path).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_demo_makes_vignettes_of_closed_cases_only(app, factory, world):
    from ret_app.vignettes import demo

    closed = [closed_case(app, factory, world, rich=False) for _ in range(4)]
    closed_case(app, factory, world, status="monitoring", rich=False)
    with app.test_request_context():
        assert demo.seed() == 3
        rows = db.session.scalars(select(LearningVignette).where(LearningVignette.region_id == world.region.id)).all()
        assert sorted(v.status for v in rows) == ["approved", "approved", "draft"]
        assert {v.case_id for v in rows} <= set(closed)
        assert demo.seed() == 0  # once
        db.session.rollback()


def test_organisation_names_give_their_own_words_only(app):
    """'BOEG procesregie (demo)' must not turn every 'procesregie' into a role; 'Stichting Pluryn' gives 'Pluryn'."""
    with app.test_request_context():
        assert scrub.organisation_parts("BOEG procesregie (demo)") == ["BOEG"]
        assert scrub.organisation_parts("Stichting Pluryn") == ["Pluryn"]
        assert scrub.organisation_parts("Toegangsteam Jeugd Zutphen") == ["Zutphen"]
        cast = scrub.Cast()
        cast.add("BOEG procesregie (demo)", "organisatie van het netwerk", "organisation")
        text = scrub.scrub("Route: Procesregie. BOEG dacht mee.", cast.identifiers, use_deduce=False).text
    assert text == "Route: Procesregie. [organisatie van het netwerk] dacht mee."


def test_a_care_type_word_in_a_providers_name_stays_the_care(app):
    """'Dagbehandeling eetstoornissen Arnhem' names a provider outside the region: 'Arnhem' is its own word,
    while 'dagbehandeling' elsewhere in the text is the care (a word of the care types' names), not a
    provider (seen in the demo: "[aanbieder D] eetstoornissen met gezinsgesprekken")."""
    with app.test_request_context():
        assert scrub.organisation_parts("Dagbehandeling eetstoornissen Arnhem (demo)") == ["Arnhem"]
        assert scrub.organisation_parts("Verblijf behandelgroep De Wolfsberghoeve") == ["Wolfsberghoeve"]
        cast = scrub.Cast()
        cast.provider(("name", "dagbehandeling eetstoornissen arnhem (demo)"), "Dagbehandeling eetstoornissen Arnhem (demo)")
        text = scrub.scrub("Advies: dagbehandeling in Arnhem; Dagbehandeling eetstoornissen Arnhem (demo) nam haar op.",
                           cast.identifiers, use_deduce=False).text
    assert text == "Advies: dagbehandeling in [aanbieder A]; [aanbieder A] nam haar op."


def prepare_for_csrf(env, endpoint: str) -> tuple[str, dict]:
    """tests/test_csrf.py: the URL and valid form data of a request that changes something, a chair of the
    objects' region signed in: the objects' case closed; for generating, its vignette withdrawn first; for
    saving and approving, that vignette a draft; for withdrawing and for a pack, approved."""
    from tests.test_access_policy import POST_DATA

    app, objects = env.app, env.objects
    env.login_as("chair", organisation_id=objects.ret_org.id)
    with app.app_context():
        case = db.session.get(Case, objects.case_id)
        case.status, case.closed_at = "closed", utcnow()
        vignette = db.session.get(LearningVignette, objects.vignette_id)
        vignette.status = {"vignettes.generate": "withdrawn", "vignettes.withdraw": "approved",
                           "vignettes.pack_request": "approved"}.get(endpoint, "draft")
        db.session.commit()
        db.session.remove()
    paths = {"vignettes.generate": f"/casussen/{objects.case_id}/leerverhaal",
             "vignettes.save": f"/leerverhalen/{objects.vignette_id}/tekst",
             "vignettes.approve": f"/leerverhalen/{objects.vignette_id}/goedkeuren",
             "vignettes.withdraw": f"/leerverhalen/{objects.vignette_id}/intrekken",
             "vignettes.pack_request": "/leerverhalen/pakket"}
    return paths[endpoint], POST_DATA[endpoint](objects)


def test_the_pack_through_the_general_export_route_checks_the_same(app, client, factory, world):
    """The pack's kind asked for directly (exports.request_export, ids in hidden fields): one id or
    several; a draft's id makes a job that fails with the reason, never a file."""
    case_id = closed_case(app, factory, world, rich=False)
    login(client, app, world.chair)
    _generate(client, case_id)
    draft = _vignette(app, case_id)
    token = csrf_token(client, "/start")
    asked = client.post("/exports/vignette-pack/aanvragen", data={"csrf_token": token, "vignettes": str(draft.id)})
    assert asked.status_code == 302
    job_id = int(re.search(r"/exports/(\d+)$", asked.headers["Location"]).group(1))
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        assert job.status == "failed" and job.content is None and "niet (meer) goedgekeurd" in job.message
    # Not ids: no pack anyone may ask for (404, as for a kind one may not ask for).
    assert client.post("/exports/vignette-pack/aanvragen", data={"csrf_token": token, "vignettes": "abc"}
                       ).status_code == 404
    member_of_no_ret = app.test_client()
    login(member_of_no_ret, app, world.caseworker)
    assert member_of_no_ret.post("/exports/vignette-pack/aanvragen", data={
        "csrf_token": csrf_token(member_of_no_ret, "/start"), "vignettes": str(draft.id)}).status_code == 404
