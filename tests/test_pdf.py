"""PDF exports (ret_app/pdf.py, templates/pdf/): tagged PDF/UA with a running header and footer on
every page, user text escaped, and a URL fetcher that serves our static files and nothing else.

WeasyPrint is slowish, so the module renders twice (module-scoped fixtures): the demonstration
document templates/pdf/sample.html with a multi-page fictional body, and the same template with
`resource_probes` on, which makes the (trusted) template reference forbidden resources. Page 1 of
the first is written to test-artifacts/pdf-sample-page1.png for a human look.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from weasyprint.urls import URLFetchingError
from weasyprint.urls import fetch as weasyprint_fetch

from ret_app.pdf import (INTERNAL_ORIGIN, MAX_DATA_URL_BYTES, FetchRefused, StaticFileFetcher,
                         content_disposition, css_string, page_counter_css, pdf_response, render_html,
                         render_pdf)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
REFERENCE = "RET-2026-0042"
TITLE = "Screeningsverslag (voorbeeld)"
# 23:30 UTC on 15 January is 00:30 on 16 January in Amsterdam (CET, UTC+1).
GENERATED_AT = datetime(2026, 1, 15, 23, 30, tzinfo=timezone.utc)
HOSTILE_NOTE = ('<img src="file:///etc/passwd">\n'
                '<link rel=stylesheet href="http://127.0.0.1:9/x.css">\n'
                '<script>alert(1)</script> & "quotes"')
PNG_1PX = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
           "60e6kgAAAABJRU5ErkJggg==")
CONFIDENTIAL = ("Vertrouwelijk", "Confidential")  # until the Dutch catalogue has "Confidential"


# --- fictional content ----------------------------------------------------------------------------

SUBJECTS = ("De jeugdige", "Het gezin", "De toegangsmedewerker", "De zorgaanbieder", "Het expertteam",
            "De gemeente", "De school", "De gezinsvoogd")
VERBS = ("bespreekt", "onderzoekt", "beschrijft", "weegt af", "bevestigt", "ondersteunt", "evalueert")
OBJECTS = ("de hulpvraag", "de beschikbare plekken", "het perspectiefplan", "de veiligheid thuis",
           "de afspraken met de school", "de mogelijkheden voor dagbehandeling", "het netwerk rond het gezin",
           "de wachttijden in de regio", "de inzet van ambulante begeleiding")
TAILS = ("in het volgende overleg.", "voor het einde van de maand.", "samen met de ouders.",
         "binnen de afgesproken termijn.", "met aandacht voor de wensen van de jeugdige.",
         "zoals eerder vastgelegd.")


def fictional_paragraph(seed: int, sentences: int = 7) -> str:
    words = []
    for i in range(sentences):
        n = seed * 31 + i * 7
        words.append(f"{SUBJECTS[n % len(SUBJECTS)]} {VERBS[n % len(VERBS)]} "
                     f"{OBJECTS[(n // 3) % len(OBJECTS)]} {TAILS[(n // 5) % len(TAILS)]}")
    return " ".join(words)


def sample_context(**extra) -> dict:
    return dict(
        generated_at=GENERATED_AT,
        facts=[("Regio", "Regio Voorbeeld"), ("Status", "Screening"), ("Traject", "Expertteam"),
               ("Aangemeld door", "Toegangsteam (fictief)")],
        meetings=[{"date": date(2026, 1, 5) + timedelta(days=7 * i), "subject": f"Casusoverleg {i + 1}",
                   "participants": "Voorzitter, lid expertteam, toegangsmedewerker"} for i in range(6)],
        sections=[{"heading": f"Bevindingen deel {s + 1}",
                   "paragraphs": [fictional_paragraph(s * 10 + p) for p in range(6)]} for s in range(5)],
        user_note=HOSTILE_NOTE,
        resource_probes=False,
        probe_url="",
        **extra,
    )


# --- rendering fixtures ----------------------------------------------------------------------------

@dataclass
class Rendered:
    data: bytes
    fetches: list = field(default_factory=list)  # (url, "served" | "refused")

    @property
    def reader(self) -> PdfReader:
        return PdfReader(BytesIO(self.data))

    @property
    def page_texts(self) -> list[str]:
        return [page.extract_text() for page in self.reader.pages]

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.page_texts).split())

    def urls(self, outcome: str) -> list[str]:
        return [url for url, result in self.fetches if result == outcome]


def _render(app, **context) -> Rendered:
    rendered = Rendered(b"")
    original = StaticFileFetcher.fetch

    def recording_fetch(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except Exception:
            rendered.fetches.append((url, "refused"))
            raise
        rendered.fetches.append((url, "served"))
        return response

    with pytest.MonkeyPatch.context() as mp, app.test_request_context(), force_locale("nl"):
        mp.setattr(StaticFileFetcher, "fetch", recording_fetch)
        rendered.data = render_pdf("pdf/sample.html", document_title=TITLE, reference=REFERENCE, **context)
    return rendered


@pytest.fixture(scope="module")
def sample(app) -> Rendered:
    return _render(app, **sample_context())


@pytest.fixture(scope="module")
def probed(app):
    """The sample with resource probes: the template itself points at /etc/passwd, at a traversal
    and at a TCP listener on localhost, which must never see a connection."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    context = sample_context()
    context.update(sections=context["sections"][:1], resource_probes=True, probe_url=f"http://127.0.0.1:{port}")
    rendered = _render(app, **context)
    try:
        listener.accept()
        connected = True
    except BlockingIOError:
        connected = False
    finally:
        listener.close()
    return rendered, port, connected


# --- the document ------------------------------------------------------------------------------------

def test_the_sample_spans_several_a4_pages(sample):
    reader = sample.reader
    assert len(reader.pages) >= 3
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.28) < 1 and abs(height - 841.89) < 1  # A4 in points


def test_every_page_has_reference_confidentiality_and_page_x_of_y(sample):
    texts = sample.page_texts
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert REFERENCE in text, f"page {number}"
        assert any(word in text for word in CONFIDENTIAL), f"page {number}"
        assert re.search(rf"(?:Pagina|Page) {number} (?:van|of) {total}\b", text), f"page {number}: {text[-200:]!r}"
        assert TITLE in text, f"page {number}"  # the footer repeats the document title


def test_the_pdf_is_tagged_pdf_ua_in_dutch_with_a_title(sample):
    reader = sample.reader
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nl"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == TITLE
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp
    assert TITLE.encode() in xmp  # dc:title


def _structure_types(element, found: list) -> list:
    element = element.get_object()
    if hasattr(element, "keys"):
        if "/S" in element:
            found.append(str(element["/S"]))
        kids = element.get("/K")
        if kids is not None:
            kids = kids.get_object()
            for kid in kids if isinstance(kids, list) else [kids]:
                _structure_types(kid, found)
    return found


def test_the_structure_tree_has_one_h1_then_h2_sections_and_a_real_table(sample):
    types = _structure_types(sample.reader.trailer["/Root"]["/StructTreeRoot"], [])
    assert types.count("/H1") == 1
    assert types.count("/H2") >= 5
    assert "/H3" not in types or types.index("/H2") < types.index("/H3")
    for tag in ("/Table", "/THead", "/TH", "/TD", "/Caption", "/P"):
        assert tag in types


def test_the_cover_line_has_title_reference_and_generated_at_in_amsterdam_time(sample):
    first = " ".join(sample.page_texts[0].split())
    assert TITLE in first
    assert f"Casus: {REFERENCE}" in first
    assert "16 januari 2026 00:30" in first  # 23:30 UTC on the 15th


def test_the_fonts_are_dejavu_and_embedded(sample):
    fonts = set()
    for page in sample.reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object(), font["/BaseFont"]
    assert fonts and all(name.startswith("DejaVu-Sans") for name in fonts), fonts
    assert "DejaVu-Sans-Bold" in fonts  # headings: pdf.css was loaded through the fetcher


def test_only_the_pdf_stylesheet_was_fetched(sample):
    assert sample.fetches == [(f"{INTERNAL_ORIGIN}/static/css/pdf.css", "served")]


def test_user_text_is_escaped_and_shown_literally(sample):
    text = sample.text
    assert '<img src="file:///etc/passwd">' in text
    assert '<link rel=stylesheet href="http://127.0.0.1:9/x.css">' in text
    assert '<script>alert(1)</script> & "quotes"' in text
    assert "root:" not in text
    assert not any("127.0.0.1" in url or "passwd" in url for url, _ in sample.fetches)


def test_sample_page_one_as_png_for_a_human_look(sample, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    source = tmp_path / "sample.pdf"
    source.write_bytes(sample.data)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "pdf-sample-page1"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(source), str(target)],
                   check=True, timeout=60)
    png = target.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (ARTIFACTS / "pdf-sample.pdf").write_bytes(sample.data)


# --- resources referenced by a (trusted) template -------------------------------------------------------

def test_forbidden_resources_in_a_template_are_refused_and_the_pdf_still_renders(probed):
    rendered, port, connected = probed
    assert rendered.data.startswith(b"%PDF-")
    refused = rendered.urls("refused")
    assert "file:///etc/passwd" in refused
    assert f"{INTERNAL_ORIGIN}/config.py" in refused  # /static/../config.py, joined by WeasyPrint
    assert f"http://127.0.0.1:{port}/image.png" in refused
    assert f"http://127.0.0.1:{port}/style.css" in refused
    assert set(rendered.urls("served")) == {f"{INTERNAL_ORIGIN}/static/css/pdf.css", PNG_1PX}
    assert not connected, "the renderer connected to the network"


def test_no_local_file_content_ends_up_in_the_pdf(probed):
    rendered, _, _ = probed
    assert "root:" not in rendered.text
    assert b"root:x:" not in rendered.data
    assert "/EmbeddedFiles" not in str(rendered.reader.trailer["/Root"].get("/Names", {}))


def test_the_allowed_data_image_is_drawn(probed):
    rendered, _, _ = probed
    # WeasyPrint shares one resource dictionary between pages: count distinct images.
    images = {image.name: image for page in rendered.reader.pages for image in page.images}
    assert len(images) == 1
    assert next(iter(images.values())).image.size == (1, 1)


# --- the fetcher, called directly -----------------------------------------------------------------------

@pytest.fixture
def fetcher(app) -> StaticFileFetcher:
    return StaticFileFetcher.for_app(app)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "file://localhost/etc/passwd",
    "http://example.org/x",
    "https://example.org/static/css/app.css",
    "http://127.0.0.1:9/x.css",
    "ftp://example.org/x",
    "gopher://example.org/x",
    "javascript:alert(1)",
    "//example.org/static/css/app.css",
    f"{INTERNAL_ORIGIN}/config.py",
    f"{INTERNAL_ORIGIN.replace('https', 'http')}/static/css/app.css",
    "https://user@ret-pdf.invalid/static/css/app.css",
    "/static/../config.py",
    "/static/css/../../config.py",
    "/static/%2e%2e/config.py",
    "/static/%2E%2E/%2E%2E/etc/passwd",
    "/static/..%2fconfig.py",
    "/static/css/..\\..\\config.py",
    "/static/css/app.css%00.png",
    f"{INTERNAL_ORIGIN}/static/%2e%2e/config.py",
    "/static/",
    "/static/css",
    "/static/css/does-not-exist.css",
    "/static/js/",
    "static/css/app.css",
    "/config.py",
    "/etc/passwd",
    "data:text/html,<h1>x</h1>",
    "data:text/css,body{background:url(file:///etc/passwd)}",
    "data:,plain",
    "data:image/png;base64",
])
def test_the_fetcher_refuses(fetcher, url):
    with pytest.raises(FetchRefused):
        fetcher(url)


def test_the_fetcher_refuses_a_big_data_image(fetcher):
    with pytest.raises(FetchRefused):
        fetcher("data:image/png;base64," + "A" * (MAX_DATA_URL_BYTES * 2))


def test_the_fetcher_refuses_file_types_that_are_not_resources(fetcher, app):
    scripts = sorted(Path(app.static_folder, "js").glob("*.js"))
    if not scripts:
        pytest.skip("no JavaScript file in static/js")
    with pytest.raises(FetchRefused):
        fetcher(f"/static/js/{scripts[0].name}")


def test_the_fetcher_refuses_a_symlink_out_of_the_static_folder(tmp_path):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (tmp_path / "secret.css").write_text("secret")
    (static / "css" / "link.css").symlink_to(tmp_path / "secret.css")
    (static / "css" / "ok.css").write_text("body {}")
    fetcher = StaticFileFetcher(static)
    assert fetcher("/static/css/ok.css").read() == b"body {}"
    with pytest.raises(FetchRefused):
        fetcher("/static/css/link.css")


@pytest.mark.parametrize("url", ["/static/css/app.css", f"{INTERNAL_ORIGIN}/static/css/app.css",
                                 "/static/css/pdf.css?v=1#x", f"{INTERNAL_ORIGIN}/static/css/pdf.css"])
def test_the_fetcher_serves_our_static_css(fetcher, app, url):
    name = url.split("/static/")[1].split("?")[0]
    response = fetcher(url)
    try:
        assert response.content_type == "text/css"
        assert response.read() == Path(app.static_folder, name).read_bytes()
    finally:
        response.close()


def test_the_fetcher_serves_a_small_data_image(fetcher):
    response = fetcher(PNG_1PX)
    assert response.content_type == "image/png"
    assert response.read().startswith(b"\x89PNG")


def test_a_refusal_is_an_ordinary_fetch_error_for_weasyprint(fetcher):
    # Not fatal: WeasyPrint logs it and leaves the resource out.
    with pytest.raises(URLFetchingError):
        with weasyprint_fetch(fetcher, "file:///etc/passwd"):
            pass


def test_the_inherited_urllib_entry_point_is_closed_too(fetcher):
    with pytest.raises(FetchRefused):
        fetcher.open("file:///etc/passwd")


# --- HTML and CSS details (no WeasyPrint) --------------------------------------------------------------

def test_css_string_cannot_break_out_of_the_string_or_the_style_element():
    value = str(css_string('A "b" \\ </style><img src=x>\n\'é'))
    assert value.startswith('"') and value.endswith('"')
    inner = value[1:-1]
    assert not set(inner) & set("\"'<>\n/")
    assert re.fullmatch(r'(?:[A-Za-z0-9 ]|\\[0-9a-f]{6})*', inner)
    assert r"\000022" in inner and r"\00003c" in inner and r"\0000e9" in inner


def test_the_reference_and_title_cannot_inject_css_or_html(app):
    with app.test_request_context(), force_locale("nl"):
        html = render_html("pdf/sample.html", document_title='T</style><link href="file:///etc/passwd">',
                           reference='R"; } @import "file:///etc/passwd', **sample_context())
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "@import" not in style and "file:" not in style and "<" not in style
    assert html.count("</style>") == 1
    assert '<link href="file:///etc/passwd">' not in html
    assert "&lt;/style&gt;&lt;link" in html  # the visible h1 and <title> escape it


def test_page_counter_follows_the_locale(app):
    with app.test_request_context():
        with force_locale("nl"):  # English until the Dutch catalogue has the msgid
            assert str(page_counter_css()) in ('"Pagina " counter(page) " van " counter(pages)',
                                               '"Page " counter(page) " of " counter(pages)')
        with force_locale("en"):
            assert str(page_counter_css()) == '"Page " counter(page) " of " counter(pages)'


def test_the_html_declares_dutch_and_links_the_pdf_stylesheet(app):
    with app.test_request_context(), force_locale("nl"):
        html = render_html("pdf/sample.html", document_title=TITLE, reference=REFERENCE, **sample_context())
    assert '<html lang="nl">' in html
    assert '<link rel="stylesheet" href="/static/css/pdf.css">' in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html


# --- HTTP response ---------------------------------------------------------------------------------------

def test_pdf_response_headers(app):
    with app.test_request_context():
        response = pdf_response(b"%PDF-1.7 test", "RET-2026-0042-screening.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="RET-2026-0042-screening.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_data() == b"%PDF-1.7 test"


def test_pdf_response_non_ascii_filename_gets_rfc_5987_form(app):
    with app.test_request_context():
        response = pdf_response(b"%PDF", "Verslag café – RET-2026-0042.pdf")
    value = response.headers["Content-Disposition"]
    assert value.startswith('attachment; filename="Verslag_cafe_RET-2026-0042.pdf"')
    assert value.endswith("; filename*=UTF-8''Verslag%20caf%C3%A9%20%E2%80%93%20RET-2026-0042.pdf")
    value.encode("ascii")


@pytest.mark.parametrize("name, expected", [
    ('a"b\r\nX-Injected: 1.pdf', 'attachment; filename="abX-Injected_1.pdf"'),
    ("../../etc/passwd", 'attachment; filename="passwd.pdf"'),
    ("C:\\tmp\\verslag.pdf", 'attachment; filename="verslag.pdf"'),
    ("", 'attachment; filename="document.pdf"'),
    ("...", 'attachment; filename="document.pdf"'),
    ("notulen", 'attachment; filename="notulen.pdf"'),
])
def test_content_disposition_sanitises_filenames(name, expected):
    value = content_disposition(name)
    assert value.split("; filename*=")[0] == expected
    assert "\r" not in value and "\n" not in value and value.count('"') == 2

