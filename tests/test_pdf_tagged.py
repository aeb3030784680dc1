"""Every kind of PDF the app produces is a tagged PDF/UA-1 document (issue 14, accessibility): a
structure tree, marked content, the language, a title shown as the window title, the PDF/UA
identification in its XMP, headings in order (one h1, no level skipped), tables whose data cells name
their headers (``<th scope>``) and figures with an alternative text.

The kinds are found in the code, not listed by hand: every call of ``render_pdf`` in ret_app is a
kind (module:function). A new call without a maker in KINDS below fails
``test_every_pdf_kind_of_the_code_is_rendered_here``; a PDF written any other way (a module that
imports WeasyPrint itself) fails ``test_only_ret_app_pdf_writes_pdfs``.

The makers call the real export functions on the demo region (seeded once for the module), so the
documents are as full as the app makes them: lists, tables, charts, draft marks.
"""

from __future__ import annotations

import ast
import re
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from ret_app import demo
from ret_app.extensions import db
from ret_app.models import (Escalation, InspectionRequest, LearningVignette, Meeting, MeetingItem, Organisation, Plan,
                            Region, Screening, User)
from ret_app.models.meetings import MeetingStatus
from ret_app.models.organisations import OrganisationKind
from ret_app.models.vignettes import VignetteStatus

ROOT = Path(__file__).resolve().parent.parent
APP_PACKAGE = ROOT / "ret_app"
PDF_TEMPLATES = ROOT / "templates" / "pdf"
# Templates that only tests render (a demonstration document for tests/test_pdf.py and
# tests/test_charts.py) and the layout every PDF extends.
NOT_A_KIND = {"base.html", "sample.html", "chart_sample.html"}


# --- the kinds, from the code ------------------------------------------------------------------------

def render_pdf_calls() -> dict[str, str]:
    """{"module:function": template} for every call of render_pdf in ret_app (ret_app/pdf.py aside)."""
    found: dict[str, str] = {}
    for path in sorted(APP_PACKAGE.rglob("*.py")):
        if path == APP_PACKAGE / "pdf.py":
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                     and isinstance(node.value, ast.Constant) for target in node.targets
                     if isinstance(target, ast.Name)}  # TEMPLATE = "pdf/..." at the module's top
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and (
                        getattr(node.func, "id", None) == "render_pdf" or getattr(node.func, "attr", None) == "render_pdf"):
                    first = node.args[0] if node.args else None
                    template = (first.value if isinstance(first, ast.Constant)
                                else constants.get(first.id, "?") if isinstance(first, ast.Name) else "?")
                    found[f"{module}:{function.name}"] = template
    return found


def test_only_ret_app_pdf_writes_pdfs():
    """Every PDF goes through render_pdf, which writes PDF/UA-1: nothing else imports WeasyPrint."""
    others = []
    for path in sorted(APP_PACKAGE.rglob("*.py")):
        if path == APP_PACKAGE / "pdf.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(from|import)\s+weasyprint\b", text, re.M) or "write_pdf(" in text:
            others.append(str(path.relative_to(ROOT)))
    assert others == []


def test_every_pdf_kind_of_the_code_is_rendered_here():
    calls = render_pdf_calls()
    assert len(calls) >= 11, calls  # the scan finds the kinds (it would find none if render_pdf were renamed)
    assert set(calls) == set(KINDS), "a kind of PDF without a maker in KINDS (or a maker of a kind that is gone)"
    used = set(calls.values())
    templates = {f"pdf/{path.name}" for path in PDF_TEMPLATES.glob("*.html")} - {f"pdf/{n}" for n in NOT_A_KIND}
    assert templates <= used, f"PDF templates that no kind renders: {sorted(templates - used)}"


# --- the PDF templates ----------------------------------------------------------------------------

def _pdf_template_texts() -> dict[str, str]:
    """Each PDF template with the page templates it includes (they are part of the document)."""
    texts = {}
    for path in sorted(PDF_TEMPLATES.glob("*.html")):
        if path.name in NOT_A_KIND:
            continue
        text = path.read_text(encoding="utf-8")
        for included in re.findall(r'{%-?\s*include\s+"([^"]+)"', text):
            text += (ROOT / "templates" / included).read_text(encoding="utf-8")
        texts[path.name] = text
    return texts


def test_every_pdf_template_extends_the_tagged_base_and_marks_up_its_tables_and_images():
    texts = _pdf_template_texts()
    assert texts
    for name, text in texts.items():
        assert '{% extends "pdf/base.html" %}' in text, name
        assert "<h1" not in text, f"{name}: the base's h1 is the document title; content starts at h2"
        for tag in re.findall(r"<th\b[^>]*>", text):
            assert re.search(r'\bscope="(col|row|colgroup|rowgroup)"', tag), f"{name}: {tag}"
        for tag in re.findall(r"<img\b[^>]*>", text):
            assert re.search(r'\balt="[^"]+"', tag), f"{name}: {tag}"
    base = (PDF_TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert '<html lang="{{ document_lang }}">' in base and "<title>{{ document_title }}</title>" in base


# --- the documents ----------------------------------------------------------------------------------

def _first(statement):
    found = db.session.scalars(statement.limit(1)).first()
    assert found is not None, f"the demo has none: {statement}"
    return found


def _screening():
    from ret_app.screening import report
    screening = _first(select(Screening).where(Screening.finalised_at.is_not(None)).order_by(Screening.id))
    return report.export(screening.case, screening)


def _plan():
    from ret_app.plans import report
    plan = _first(select(Plan).where(Plan.agreed_number.is_not(None)).order_by(Plan.id))
    return report.export(plan.case, plan)


def _closed_meeting() -> Meeting:
    return _first(select(Meeting).where(Meeting.status.in_((MeetingStatus.CLOSED.value, MeetingStatus.APPROVED.value)))
                  .order_by(Meeting.id))


def _minutes():
    from ret_app.meetings import minutes_pdf
    return minutes_pdf.full(_closed_meeting())[0]


def _minutes_extract():
    from ret_app.meetings import minutes_pdf
    meeting = _closed_meeting()
    item = _first(select(MeetingItem).where(MeetingItem.meeting_id == meeting.id).order_by(MeetingItem.id))
    return minutes_pdf.extract(meeting, item.case)[0]


def _inspection_copy():
    from ret_app.inspection import copy
    request = _first(select(InspectionRequest).order_by(InspectionRequest.id))
    chair = _first(select(User).join(Organisation, Organisation.id == User.organisation_id)
                   .where(User.role == "chair", Organisation.region_id == request.case.region_id))
    return copy.pdf(request, chair)


def _signal_report():
    from ret_app.signals import report
    region = _first(select(Region).order_by(Region.id))
    return report.pdf(report.build(region, report.default_period()))


def _approved_vignettes() -> list:
    return list(db.session.scalars(select(LearningVignette).where(
        LearningVignette.status == VignetteStatus.APPROVED.value).order_by(LearningVignette.id).limit(3)))


def _vignette():
    from ret_app.vignettes import report
    return report.vignette_pdf(_approved_vignettes()[0])


def _vignette_pack():
    from ret_app.vignettes import report
    vignettes = _approved_vignettes()
    assert len(vignettes) >= 2
    return report.pack_pdf(vignettes)


def _access_log_family():
    from ret_app.privacy import family
    screening = _first(select(Screening).order_by(Screening.id))  # a case people have worked on
    job = SimpleNamespace(params={"case_id": screening.case_id}, region_id=screening.case.region_id)
    return family.render(job, lambda *args: None)[2]


def _escalation_dossier():
    from ret_app.escalations import dossier
    return dossier.export_pdf(_first(select(Escalation).order_by(Escalation.id)))


def _reflection_report():
    from ret_app.reflection import report
    team = _first(select(Organisation).where(Organisation.kind == OrganisationKind.ACCESS_TEAM.value)
                  .order_by(Organisation.id))
    return report.pdf(report.build(report.find_subject(report.TEAM, team.id), report.default_period()))


KINDS: dict[str, Callable[[], bytes]] = {
    "ret_app.screening.report:export": _screening,
    "ret_app.plans.report:export": _plan,
    "ret_app.meetings.minutes_pdf:full": _minutes,
    "ret_app.meetings.minutes_pdf:extract": _minutes_extract,
    "ret_app.inspection.copy:pdf": _inspection_copy,
    "ret_app.signals.report:pdf": _signal_report,
    "ret_app.vignettes.report:vignette_pdf": _vignette,
    "ret_app.vignettes.report:pack_pdf": _vignette_pack,
    "ret_app.privacy.family:render": _access_log_family,
    "ret_app.escalations.dossier:export_pdf": _escalation_dossier,
    "ret_app.reflection.report:pdf": _reflection_report,
}


@pytest.fixture(scope="module")
def documents(app, _module_transaction) -> dict[str, bytes]:
    """Every kind rendered once from the demo region (in the module's transaction)."""
    rendered = {}
    with app.test_request_context(), force_locale("nl"):
        demo.seed()
        db.session.flush()
        for kind, make in KINDS.items():
            rendered[kind] = make()
        db.session.commit()
    return rendered


# --- what a tagged document holds -----------------------------------------------------------------------

def _elements(node, found: list) -> list:
    """The structure elements below node, depth first (document order)."""
    node = node.get_object()
    if hasattr(node, "keys"):
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            for kid in kids if isinstance(kids, list) else [kids]:
                _elements(kid, found)
    return found


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_pdf_is_tagged_pdf_ua_in_dutch_with_its_title(documents, kind):
    reader = PdfReader(BytesIO(documents[kind]))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nl"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    title = reader.metadata.title
    assert title and title.strip()
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp
    assert title in xmp  # dc:title


@pytest.mark.parametrize("kind", list(KINDS))
def test_headings_come_in_order_tables_have_headers_and_figures_a_text(documents, kind):
    elements = _elements(PdfReader(BytesIO(documents[kind])).trailer["/Root"]["/StructTreeRoot"], [])
    tags = [str(element["/S"]) for element in elements]
    headings = [int(tag[2]) for tag in tags if re.fullmatch(r"/H[1-6]", tag)]
    assert headings[:1] == [1] and headings.count(1) == 1, headings
    for before, after in zip(headings, headings[1:]):
        assert after <= before + 1, f"a heading level skipped: {headings}"
    assert "/P" in tags
    for element in elements:
        if element["/S"] == "/TD":
            headers = element.get("/A", {}).get("/Headers")
            assert headers, f"{kind}: a table cell without a header (a <th scope> missing)"
        if element["/S"] == "/Figure":
            assert str(element.get("/Alt", "")).strip(), f"{kind}: a figure without an alternative text"


def test_the_kinds_with_tables_and_charts_are_among_them(documents):
    """The structure checks above look at real tables and charts (they would pass on a document without)."""
    def tags(kind):
        return {str(e["/S"]) for e in _elements(PdfReader(BytesIO(documents[kind])).trailer["/Root"]["/StructTreeRoot"], [])}
    assert {"/Table", "/TH", "/TD"} <= tags("ret_app.privacy.family:render")
    assert {"/Figure", "/Table", "/TD"} <= tags("ret_app.signals.report:pdf")
    assert "/H2" in tags("ret_app.screening.report:export")


def test_each_kind_is_kept_in_test_artifacts_for_a_human_look(documents):
    """test-artifacts/pdf-kinds/<kind>.pdf (look at pages with `pdftoppm -png -r 60`)."""
    folder = ROOT / "test-artifacts" / "pdf-kinds"
    folder.mkdir(parents=True, exist_ok=True)
    for kind, data in documents.items():
        assert data.startswith(b"%PDF-")
        (folder / (kind.replace(":", "-") + ".pdf")).write_bytes(data)
