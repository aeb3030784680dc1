"""The screening report PDF: downloaded over HTTP by those who may see the case, tagged PDF/UA in
Dutch, every page with the case reference, "Vertrouwelijk" and "pagina X van Y"; the sections of
the screening; marked as draft until finalised; nothing of another case; every download audited.

WeasyPrint is slowish, so one module-scoped fixture renders the draft and the finalised report (the
database is emptied after each test, so what the tests check is collected there)."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from flask_babel import gettext
from pypdf import PdfReader
from sqlalchemy import select

from ret_app.labels import TRACK_LABELS, URGENCY_LABELS
from ret_app.labels import DOMAIN_LABELS, severity_label
from ret_app.extensions import db
from ret_app.models import AuditEvent, CaseParticipant, FamilyMember, PriorHelp
from ret_app.kernel.dates import utcnow
from tests.conftest import Factory, csrf_token
from tests.test_screening import (
    add_participant,
    client_for,
    contribute,
    open_screening,
    post,
    screening_case,
    text_form,
)

CONFIDENTIAL = ("Vertrouwelijk", "Confidential")
ANOTHER_CASE = "Tekst van een andere casus die nergens anders mag staan"


def pdf_text(data: bytes) -> tuple[list[str], str]:
    reader = PdfReader(BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    return pages, " ".join(" ".join(pages).split())


def ui(app, text, **kwargs) -> str:
    """A message as the Dutch interface shows it (English until the catalogue has it)."""
    with app.test_request_context():
        if callable(text):
            return str(text())
        return gettext(text, **kwargs) if isinstance(text, str) else str(text)


def export_events(app, case_id: int) -> list[tuple]:
    with app.app_context():
        return [(e.action, e.outcome, e.object_type, e.user_id, e.detail) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.action == "export")
            .order_by(AuditEvent.seq))]


def _world(app, suffix: str = ""):
    """The report's world; `suffix` keeps the names unique when a test builds a second one next to
    the module's."""
    from tests.worlds import World

    factory = Factory(app)
    w = World(factory, names={
        "municipality": f"Zwolle-Test{suffix}", "team": f"Toegang Zwolle-Test{suffix}",
        "ret": f"RET IJsselland-Test{suffix}", "provider": f"Collectief Zorg BV{suffix}", "chair": "Voorzitter Vos",
        "director": "Regisseur Rood", "member": "Lid Lammers", "caseworker": "Toegang Tuin",
        "provider_member": "Aanbieder Appel"}, aliases={"mun": "municipality"})
    w.case_id = screening_case(factory, w, urgency="urgent")
    w.other_case_id = screening_case(factory, w)
    with app.app_context():
        from ret_app.models import Case

        case = db.session.get(Case, w.case_id)
        case.question = "Passende dagbesteding en rust thuis."
        case.why_stuck = "Geen aanbieder biedt LVB en psychiatrie samen."
        db.session.get(Case, w.other_case_id).question = ANOTHER_CASE
        db.session.add(FamilyMember(case_id=w.case_id, name="Moeder Mulder", relation="mother", age=41,
                                    parental_authority=True))
        db.session.add_all([
            PriorHelp(case_id=w.case_id, provider="Jeugdhulp Rivierduin", help_type="Ambulante gezinsbehandeling",
                      from_date=date(2023, 9, 1), to_date=date(2024, 3, 15),
                      end_reason="Gestopt na wisseling van behandelaar."),
            PriorHelp(case_id=w.case_id, provider="Praktijk De Linde", help_type="Jeugd-GGZ",
                      from_date=date(2024, 4, 1)),
        ])
        db.session.commit()
        w.reference = db.session.get(Case, w.case_id).reference
        w.other_reference = db.session.get(Case, w.other_case_id).reference
    return w


@pytest.fixture(scope="module")
def report(app):
    w = _world(app)
    open_screening(app, w.case_id, youth_view="Ik wil gewoon weer naar school.",
                   family_view="Wij kunnen het thuis niet meer aan.")
    open_screening(app, w.other_case_id, analysis=ANOTHER_CASE)
    add_participant(app, w.case_id, user=w.member, by=w.director)
    add_participant(app, w.case_id, organisation=w.provider, by=w.director)
    add_participant(app, w.other_case_id, organisation=w.provider, by=w.director)
    member, provider = client_for(app, w.member), client_for(app, w.provider_member)
    director = client_for(app, w.director)
    assert contribute(member, w.case_id, "safety", "3", "Escalaties met geweld in huis.", "Veilig Thuis").status_code == 302
    assert contribute(provider, w.case_id, "mental_health", "4", "Zelfbeschadiging, crisis.",
                      "Dossier collectief").status_code == 302
    assert contribute(provider, w.other_case_id, "housing", "2", ANOTHER_CASE).status_code == 302
    assert post(director, f"/casussen/{w.case_id}/screening/tekst/analyse",
                {**text_form(director, w.case_id), "analysis": "Problemen versterken elkaar.",
                 "advice": "Gecombineerd aanbod LVB en GGZ."}).status_code == 302

    draft = director.get(f"/casussen/{w.case_id}/screening/verslag.pdf")
    w.draft_events = export_events(app, w.case_id)

    assert post(director, f"/casussen/{w.case_id}/screening/afronden",
                {**text_form(director, w.case_id), "analysis": "Problemen versterken elkaar.",
                 "advice": "Gecombineerd aanbod LVB en GGZ."}).status_code == 302
    assert post(provider, f"/casussen/{w.case_id}/screening/aanvullingen",
                {"addendum-text": "Aanvulling: wachttijd GGZ is nu zes weken."}).status_code == 302
    final = provider.get(f"/casussen/{w.case_id}/screening/verslag.pdf")
    w.final_events = export_events(app, w.case_id)
    w.draft, w.final = draft, final
    w.draft_pages, w.draft_text = pdf_text(draft.data)
    w.final_pages, w.final_text = pdf_text(final.data)
    w.labels = {
        "title": ui(app, "Screening report"),
        "draft": ui(app, "Draft"),
        "domains": {code: ui(app, text) for code, text in DOMAIN_LABELS.items()},
        "severity3": ui(app, lambda: severity_label(3)),
        "severity4": ui(app, lambda: severity_label(4)),
        "track": ui(app, TRACK_LABELS["process_direction"]),
        "urgency": ui(app, URGENCY_LABELS["urgent"]),
        "youth_view": ui(app, "The youth's own view"),
        "prior_help": ui(app, "Help tried before"),
        "ongoing": ui(app, "ongoing"),
        "family_view": ui(app, "The family's view"),
        "analysis": ui(app, "Integrated analysis"),
        "advice": ui(app, "Advice"),
        "addenda": ui(app, "Addenda"),
        "participants": ui(app, "Participants"),
        "finalised_on": ui(app, "Finalised on %(date)s by %(name)s.", date="X", name="Y").split("X")[0].strip(),
    }
    return w


def test_the_report_is_a_pdf_download_named_after_the_case(report):
    for response in (report.draft, report.final):
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF-")
        assert response.headers["Content-Disposition"] == f'attachment; filename="screeningsverslag-{report.reference}.pdf"'
        assert response.headers["Cache-Control"] == "no-store"


def test_every_page_has_the_reference_confidentiality_and_page_x_of_y(report):
    for pages in (report.draft_pages, report.final_pages):
        assert len(pages) >= 2
        for number, text in enumerate(pages, start=1):
            assert report.reference in text, number
            assert any(word in text for word in CONFIDENTIAL), number
            assert re.search(rf"(?:Pagina|Page) {number} (?:van|of) {len(pages)}\b", text), (number, text[-200:])
            assert report.labels["title"] in text


def test_the_report_is_tagged_pdf_ua_in_dutch(report):
    reader = PdfReader(BytesIO(report.final.data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert root["/MarkInfo"]["/Marked"].value is True and "/StructTreeRoot" in root
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title == report.labels["title"]


def test_the_report_has_every_section(report):
    text = report.draft_text
    for needle in (
        # case data
        report.reference, "Zwolle-Test", report.labels["track"], report.labels["urgency"], "Regisseur Rood",
        "Passende dagbesteding en rust thuis.", "Geen aanbieder biedt LVB en psychiatrie samen.", "Moeder Mulder",
        # own views, in their words
        report.labels["youth_view"], "Ik wil gewoon weer naar school.",
        report.labels["family_view"], "Wij kunnen het thuis niet meer aan.",
        # the contributions per life domain, with who wrote them
        "Escalaties met geweld in huis.", "Veilig Thuis", "Lid Lammers", report.labels["severity3"],
        "Zelfbeschadiging, crisis.", "Dossier collectief", "Aanbieder Appel", "Collectief Zorg BV",
        report.labels["severity4"],
        # analysis, advice, participants
        report.labels["analysis"], "Problemen versterken elkaar.", report.labels["advice"],
        "Gecombineerd aanbod LVB en GGZ.", report.labels["addenda"], report.labels["participants"],
    ):
        assert needle in text, needle
    for label in report.labels["domains"].values():
        assert label in text, label
    # The sections in the order of the report.
    order = [text.index(n) for n in ("Zwolle-Test", "Ik wil gewoon weer naar school.", "Escalaties met geweld",
                                     "Problemen versterken elkaar.", "Gecombineerd aanbod LVB")]
    assert order == sorted(order)


def test_the_report_shows_the_help_tried_before(report):
    """What was already tried is what the RET judges a stuck case by: provider, kind of help, the
    period (still running: "loopt nog") and why it ended, after the family and before the views."""
    for text in (report.draft_text, report.final_text):
        section = text[text.index(report.labels["prior_help"]):text.index(report.labels["youth_view"])]
        for needle in ("Jeugdhulp Rivierduin", "Ambulante gezinsbehandeling", "1-9-2023", "15-3-2024",
                       "Gestopt na wisseling van behandelaar.", "Praktijk De Linde", "Jeugd-GGZ", "1-4-2024",
                       report.labels["ongoing"]):
            assert needle in section, needle
        assert text.index("Moeder Mulder") < text.index(report.labels["prior_help"])


def test_a_draft_is_marked_and_a_finalised_report_is_not(report):
    assert report.labels["draft"] in report.draft_text
    assert report.labels["draft"] not in report.final_text
    assert report.labels["finalised_on"] in report.final_text
    assert "Aanvulling: wachttijd GGZ is nu zes weken." in report.final_text
    assert "Aanvulling: wachttijd GGZ" not in report.draft_text


def test_nothing_of_another_case_is_in_the_report(report):
    for text in (report.draft_text, report.final_text):
        assert ANOTHER_CASE not in text and report.other_reference not in text


def test_every_download_is_audited_as_an_export_of_the_case(report):
    assert report.draft_events == [("export", "allowed", "screening_report", report.director.id, "concept")]
    assert report.final_events[-1] == ("export", "allowed", "screening_report", report.provider_member.id,
                                       "finalised")
    assert len(report.final_events) == 2


def test_only_those_who_may_see_the_case_download_it(app, factory):
    w = _world(app, " (2)")
    open_screening(app, w.case_id, analysis="Analyse.")
    path = f"/casussen/{w.case_id}/screening/verslag.pdf"
    # Not invited, a provider sees nothing; the refusal is audited as a refused export.
    outsider = client_for(app, w.provider_member)
    assert outsider.get(path).status_code == 404
    assert export_events(app, w.case_id) == [("export", "denied", "case", w.provider_member.id, "screening_report")]
    # Invited, then removed: access ends with the invitation.
    row = add_participant(app, w.case_id, organisation=w.provider, by=w.director)
    with app.app_context():
        db.session.get(CaseParticipant, row).removed_at = utcnow()
        db.session.commit()
    assert outsider.get(path).status_code == 404
    # The access team that referred the case may read it (without being a participant).
    caseworker = client_for(app, w.caseworker)
    response = caseworker.get(path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert export_events(app, w.case_id)[-1] == ("export", "allowed", "screening_report", w.caseworker.id, "concept")
    # Anonymous: to the login page.
    anonymous = app.test_client()
    csrf_token(anonymous, "/inloggen")
    assert anonymous.get(path).status_code == 302


def test_a_finalised_report_is_rendered_once_and_again_after_an_addendum(app, monkeypatch):
    """WeasyPrint is most of a report's cost: a finalised screening's report is rendered once, stored
    (screening_report_file) and served as stored to everyone who asks, each download audited; an
    addendum changes what it shows, so the next download renders it again, with the addendum."""
    from ret_app import stored_pdf
    from ret_app.models import Screening, ScreeningReportFile

    rendered = []
    real = stored_pdf.html_to_pdf
    monkeypatch.setattr(stored_pdf, "html_to_pdf", lambda html: rendered.append(html) or real(html))
    w = _world(app, " (3)")
    open_screening(app, w.case_id, analysis="Analyse.", advice="Advies.")
    add_participant(app, w.case_id, organisation=w.provider, by=w.director)
    director, provider = client_for(app, w.director), client_for(app, w.provider_member)
    assert post(director, f"/casussen/{w.case_id}/screening/afronden",
                {**text_form(director, w.case_id), "analysis": "Analyse.", "advice": "Advies."}).status_code == 302
    path = f"/casussen/{w.case_id}/screening/verslag.pdf"
    first, second = director.get(path), provider.get(path)
    assert first.status_code == second.status_code == 200 and first.mimetype == "application/pdf"
    assert len(rendered) == 1 and second.data == first.data
    with app.app_context():
        stored = db.session.scalar(select(ScreeningReportFile).join(Screening).where(Screening.case_id == w.case_id))
        assert stored.size == len(first.data)
    assert post(provider, f"/casussen/{w.case_id}/screening/aanvullingen",
                {"addendum-text": "Aanvulling na het afronden."}).status_code == 302
    third = director.get(path)
    assert len(rendered) == 2 and third.data != first.data
    assert "Aanvulling na het afronden." in pdf_text(third.data)[1]
    assert "Aanvulling na het afronden." not in pdf_text(first.data)[1]
    assert director.get(path).data == third.data and len(rendered) == 2
    events = export_events(app, w.case_id)
    assert [e[4] for e in events] == ["finalised"] * 4
    assert [e[3] for e in events] == [w.director.id, w.provider_member.id, w.director.id, w.director.id]
