"""The plan as a PDF for the family conversation: downloaded by those who may see the case, tagged
PDF/UA in Dutch with the reference, "Vertrouwelijk" and "pagina X van Y" on every page; the goals in
the family's words with their status and agreed help, the review moments and fitting help; marked as
draft until agreed and while it differs from the agreed version; an agreed version as it was agreed;
nothing of another case; every download audited as an export.

WeasyPrint is slowish: one module-scoped fixture renders the documents the tests read."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from flask_babel import force_locale, gettext
from pypdf import PdfReader
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import AuditEvent, Case, User
from ret_app.plans import services
from tests.conftest import Factory, login
from tests.test_plans import TODAY, plan_case

ANOTHER_CASE = "Doel van een andere casus dat nergens anders mag staan"


def pdf_text(data: bytes) -> tuple[list[str], str]:
    reader = PdfReader(BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    return pages, " ".join(" ".join(pages).split())


def nl(app, message: str, **variables) -> str:
    with app.test_request_context(), force_locale("nl"):
        return gettext(message, **variables)


def exports(app, case_id: int) -> list[tuple]:
    with app.app_context():
        return [(e.outcome, e.object_type, e.user_id, e.detail) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.action == "export")
            .order_by(AuditEvent.seq))]


@pytest.fixture(scope="module")
def plan_pdfs(app):
    from tests.worlds import World

    factory = Factory(app)
    w = World(factory, names={"provider": "Jeugdzorg De Rivier (test)", "director": "Regisseur Rood",
                              "municipality": "Zwolle-Plan"})
    w.case_id = plan_case(factory, w)
    w.other_case_id = plan_case(factory, w)
    with app.test_request_context():
        case, director = db.session.get(Case, w.case_id), db.session.get(User, w.director.id)
        case.question = "Rust thuis en weer naar school."
        services.add_goal(case, director, {"text": "Ik wil weer naar school, gewoon in de klas.", "voiced_by": "youth",
                                           "care_type": "education_care", "provider_id": w.provider.id,
                                           "intended_start": TODAY + timedelta(days=14)})
        services.add_goal(case, director, {"text": "Wij willen weten wat we thuis kunnen doen als het misgaat.",
                                           "voiced_by": "parents", "provider_name": "Wijkteam Zwolle (test)"})
        review = services.plan_review(case, director, TODAY)
        services.record_review(case, director, review, {
            "held_on": TODAY, "help_fits": "partly", "own_judgement": "Noor: 'School is nog te veel, halve dagen gaat.'",
            "what_changes": "Eerst halve dagen naar school."}, str(review.version))
        services.plan_review(case, director, TODAY + timedelta(days=28))
        services.add_goal(db.session.get(Case, w.other_case_id), director, {"text": ANOTHER_CASE})
        db.session.commit()
        w.reference = case.reference
        w.other_reference = db.session.get(Case, w.other_case_id).reference
    client = app.test_client()
    login(client, app, w.director)
    path = f"/casussen/{w.case_id}/plan.pdf"
    w.draft = client.get(path)
    with app.test_request_context():
        case = db.session.get(Case, w.case_id)
        services.agree(case, db.session.get(User, w.director.id), str(services.get(case).version))
        db.session.commit()
    w.agreed = client.get(path)
    with app.test_request_context():
        case, director = db.session.get(Case, w.case_id), db.session.get(User, w.director.id)
        goal = services.get(case).goals[0]
        services.save_goal(case, director, goal, {**services.goal_values(goal), "status": "reached",
                                                  "intended_start": goal.intended_start}, str(goal.version))
        services.record_fitting_help(case, director, TODAY - timedelta(days=1), "Halve dagen school met begeleiding.")
        db.session.commit()
    w.changed = client.get(path)
    w.version_one = client.get(f"{path}?versie=1")
    w.no_version = client.get(f"{path}?versie=9")
    reader = app.test_client()
    login(reader, app, w.provider_member)
    w.provider_read = reader.get(path)
    w.exports = exports(app, w.case_id)
    for name in ("draft", "agreed", "changed", "version_one"):
        setattr(w, f"{name}_pages", pdf_text(getattr(w, name).data)[0])
        setattr(w, f"{name}_text", pdf_text(getattr(w, name).data)[1])
    return w


def test_the_plan_is_a_pdf_download_named_after_the_case(plan_pdfs):
    for response in (plan_pdfs.draft, plan_pdfs.agreed, plan_pdfs.changed, plan_pdfs.version_one):
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF-")
        assert response.headers["Cache-Control"] == "no-store"
    assert plan_pdfs.draft.headers["Content-Disposition"] == f'attachment; filename="plan-{plan_pdfs.reference}.pdf"'
    assert plan_pdfs.version_one.headers["Content-Disposition"] == (
        f'attachment; filename="plan-{plan_pdfs.reference}-versie-1.pdf"')
    assert plan_pdfs.no_version.status_code == 404


def test_every_page_has_the_reference_confidentiality_and_page_x_of_y(app, plan_pdfs):
    title = nl(app, "Process direction plan")
    for pages in (plan_pdfs.draft_pages, plan_pdfs.changed_pages):
        for number, text in enumerate(pages, start=1):
            assert plan_pdfs.reference in text and "Vertrouwelijk" in text, number
            assert re.search(rf"Pagina {number} van {len(pages)}\b", text), text[-200:]
            assert title in text
    reader = PdfReader(BytesIO(plan_pdfs.agreed.data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl" and "/StructTreeRoot" in root
    assert reader.metadata.title == title


def test_the_plan_shows_the_goals_in_the_familys_words_with_their_help(app, plan_pdfs):
    text = plan_pdfs.draft_text
    for needle in (
        "Zwolle-Plan", "Regisseur Rood", "Rust thuis en weer naar school.",
        "Ik wil weer naar school, gewoon in de klas.", nl(app, "In the words of %(who)s", who=nl(app, "the youth")),
        "Onderwijs-zorgarrangement", "Jeugdzorg De Rivier (test)", nl(app, "collective"),
        "Wij willen weten wat we thuis kunnen doen als het misgaat.", "Wijkteam Zwolle (test)",
        nl(app, "outside the collective"), nl(app, "open"),
        # review moments: the one held with the family's judgement, the one planned
        "Noor: 'School is nog te veel, halve dagen gaat.'", "Eerst halve dagen naar school.", nl(app, "Partly"),
        nl(app, "planned"),
    ):
        assert needle in text, needle
    order = [text.index(n) for n in ("Ik wil weer naar school", "Wij willen weten", "Noor: 'School")]
    assert order == sorted(order)


def test_a_draft_is_marked_until_agreed_and_again_after_a_change(app, plan_pdfs):
    draft = nl(app, "Draft")
    assert draft in plan_pdfs.draft_text
    assert nl(app, "this plan has not been agreed yet; its content can still change.") in plan_pdfs.draft_text
    assert draft not in plan_pdfs.agreed_text
    assert nl(app, "Version %(number)s, agreed on %(date)s by %(name)s.", number=1, date="X", name="Y").split("X")[0] \
        in plan_pdfs.agreed_text
    assert draft in plan_pdfs.changed_text
    assert nl(app, "this plan has changed since version %(number)s was agreed; the changes have not been agreed yet.",
              number=1) in plan_pdfs.changed_text


def test_an_agreed_version_prints_as_it_was_agreed(app, plan_pdfs):
    """After version 1 the first goal was reached and fitting help started: the plan now says so,
    version 1 does not."""
    reached, started = nl(app, "reached"), "Halve dagen school met begeleiding."
    assert reached in plan_pdfs.changed_text and started in plan_pdfs.changed_text
    assert started not in plan_pdfs.version_one_text
    assert nl(app, "Draft") not in plan_pdfs.version_one_text
    goal = plan_pdfs.version_one_text.index("Ik wil weer naar school")
    assert plan_pdfs.version_one_text[goal - 40:goal].rstrip("“ ").endswith(nl(app, "open"))


def test_nothing_of_another_case_is_in_the_plan(plan_pdfs):
    for text in (plan_pdfs.draft_text, plan_pdfs.changed_text, plan_pdfs.version_one_text):
        assert ANOTHER_CASE not in text and plan_pdfs.other_reference not in text


def test_every_download_is_audited_as_an_export(plan_pdfs):
    director, provider = plan_pdfs.director.id, plan_pdfs.provider_member.id
    assert plan_pdfs.exports == [
        ("allowed", "plan", director, "concept"),
        ("allowed", "plan", director, "agreed"),
        ("allowed", "plan", director, "concept"),
        ("allowed", "plan", director, "version=1"),
        ("allowed", "plan", provider, "concept"),  # whoever may see the case reads the plan
    ]


def test_those_who_may_not_see_the_case_get_404_and_the_refusal_is_audited(app, plan_pdfs):
    client = app.test_client()
    login(client, app, plan_pdfs.other_provider_member)
    assert client.get(f"/casussen/{plan_pdfs.case_id}/plan.pdf").status_code == 404
    assert exports(app, plan_pdfs.case_id)[-1] == ("denied", "case", plan_pdfs.other_provider_member.id, "plan_pdf")


