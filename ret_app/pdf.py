"""PDF exports (screening reports, minutes, dossiers): HTML templates rendered by WeasyPrint.

    data = render_pdf("pdf/screening_report.html", document_title=_("Screening report"),
                      reference=case.reference, case=case)
    return pdf_response(data, f"{case.reference}-screening.pdf")

Templates extend ``pdf/base.html`` (blocks ``title`` and ``content``; the document title is the
``h1``, so content headings start at ``h2``). Every page gets a running header and footer with the
case reference, "Confidential" and "Page X of Y"; the output is tagged PDF/UA-1 with /Lang nl.

Resources: WeasyPrint only ever gets bytes through :class:`StaticFileFetcher`, which serves files
from the app's static folder and refuses everything else (``file:``, ``http(s):``, ``ftp:``, any
other scheme, path traversal). ``data:`` URLs are allowed only for small raster/SVG images (see
``DATA_IMAGE_TYPES`` and ``MAX_DATA_URL_BYTES``). So neither user text nor a template mistake can
make the renderer read local files or call the network. Fonts come from fontconfig (DejaVu, from
the ``fonts-dejavu-core`` package), never through a URL, and are embedded in the PDF.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Optional
from urllib.parse import quote, unquote, unquote_to_bytes, urlsplit

from flask import Flask, Response, current_app, render_template
from flask_babel import gettext
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ret_app.kernel.dates import utcnow

log = logging.getLogger("ret_app.pdf")

# The base URL of every PDF document. Root-relative references such as
# <link href="/static/css/pdf.css"> resolve to INTERNAL_ORIGIN + "/static/css/pdf.css", which only
# StaticFileFetcher understands. ".invalid" is reserved (RFC 6761) and never resolves; nothing is
# ever fetched over the network anyway.
INTERNAL_ORIGIN = "https://ret-pdf.invalid"

# What may be served from the static folder, by suffix.
STATIC_CONTENT_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}

# data: URLs: small images only (SVG is fine: whatever an SVG references goes through this same
# fetcher). Anything else (data:text/css, data:text/html, ...) is refused.
DATA_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
MAX_DATA_URL_BYTES = 256 * 1024

PDF_VARIANT = "pdf/ua-1"
DOCUMENT_LANG = "nl"


class FetchRefused(ValueError):
    """A resource the PDF renderer may not load. WeasyPrint logs it and leaves the resource out."""


class StaticFileFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that only serves files from the static folder.

    Accepted: ``/static/...`` (bare root-relative paths, e.g. when called directly) and
    ``https://ret-pdf.invalid/static/...`` (what WeasyPrint makes of them with our base URL), and
    small ``data:image/...`` URLs. Everything else raises :class:`FetchRefused`.
    """

    def __init__(self, static_folder: str | Path, static_url_path: str = "/static"):
        # No protocols at all for the inherited urllib machinery: fetch() below never calls it, and
        # should that ever change, the parent refuses every scheme.
        super().__init__(allowed_protocols=(), fail_on_errors=False, allow_redirects=False)
        self.static_root = Path(static_folder).resolve()
        self.prefix = static_url_path.rstrip("/") + "/"

    @classmethod
    def for_app(cls, app: Flask) -> "StaticFileFetcher":
        return cls(app.static_folder, app.static_url_path or "/static")

    def fetch(self, url: str, headers: Optional[dict] = None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            return self._data_url(url)
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise self._refuse(url, "malformed URL") from exc
        origin = f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme else ""
        if origin not in ("", INTERNAL_ORIGIN) or (not parts.scheme and parts.netloc):
            raise self._refuse(url, "only our own static files are served")
        return self._static_file(url, parts.path)

    def open(self, url, data=None, timeout=None):  # urllib-style entry point of the parent class
        return self.fetch(url if isinstance(url, str) else url.full_url)

    def _static_file(self, url: str, path: str) -> URLFetcherResponse:
        if not path.startswith(self.prefix):
            raise self._refuse(url, "not under the static URL path")
        relative = unquote(path[len(self.prefix):])
        if not relative or "\x00" in relative or "\\" in relative:
            raise self._refuse(url, "bad static path")
        candidate = (self.static_root / relative).resolve()
        if not candidate.is_relative_to(self.static_root) or not candidate.is_file():
            raise self._refuse(url, "outside the static folder or not a file")
        content_type = STATIC_CONTENT_TYPES.get(candidate.suffix.lower())
        if content_type is None:
            raise self._refuse(url, "file type not served to the PDF renderer")
        headers = {"Content-Type": content_type + ("; charset=utf-8" if content_type == "text/css" else "")}
        return URLFetcherResponse(url, candidate.read_bytes(), headers)

    def _data_url(self, url: str) -> URLFetcherResponse:
        if len(url) > MAX_DATA_URL_BYTES * 4 // 3 + 200:
            raise self._refuse(url, "data: URL too large")
        header, comma, payload = url[5:].partition(",")
        if not comma:
            raise self._refuse(url, "malformed data: URL")
        params = [p.strip().lower() for p in header.split(";")]
        media_type = params[0] or "text/plain"
        if media_type not in DATA_IMAGE_TYPES:
            raise self._refuse(url, "data: URLs are allowed for images only")
        try:
            body = base64.b64decode(payload, validate=False) if "base64" in params[1:] else unquote_to_bytes(payload)
        except (binascii.Error, ValueError) as exc:
            raise self._refuse(url, "undecodable data: URL") from exc
        if len(body) > MAX_DATA_URL_BYTES:
            raise self._refuse(url, "data: URL too large")
        return URLFetcherResponse("data:", body, {"Content-Type": media_type})

    @staticmethod
    def _refuse(url: str, reason: str) -> FetchRefused:
        shown = url if len(url) <= 120 else url[:117] + "..."
        log.warning("PDF renderer refused to load %r: %s", shown, reason)
        return FetchRefused(f"{reason}: {shown}")


# --- rendering -----------------------------------------------------------------------------------

_HEX_ESCAPE_SAFE = re.compile(r"[A-Za-z0-9 ]")


def css_string(text: object) -> Markup:
    """A CSS string literal for `text`, safe inside a <style> element: every character except ASCII
    letters, digits and spaces is written as a CSS hex escape (so no quote, backslash, '<' or
    newline can end the string or the style element)."""
    escaped = "".join(ch if _HEX_ESCAPE_SAFE.fullmatch(ch) else f"\\{ord(ch):06x}" for ch in str(text))
    return Markup(f'"{escaped}"')


_PAGE, _PAGES = "\x01page\x01", "\x01pages\x01"


def page_counter_css() -> Markup:
    """CSS `content` for the translated "Page X of Y", e.g. "Pagina " counter(page) " van " counter(pages).
    The translation is built with sentinels for the numbers, then split around them, so
    translators see one whole sentence."""
    # TRANSLATORS: running footer of every page of a PDF export, e.g. "Pagina 2 van 5".
    label = gettext("Page %(page)s of %(pages)s", page=_PAGE, pages=_PAGES)
    pieces = []
    for part in re.split(f"({_PAGE}|{_PAGES})", label):
        if part == _PAGE:
            pieces.append("counter(page)")
        elif part == _PAGES:
            pieces.append("counter(pages)")
        elif part:
            pieces.append(str(css_string(part)))
    return Markup(" ".join(pieces) or "counter(page)")


def render_html(template_name: str, *, document_title: str, reference: str, **context) -> str:
    """The HTML that render_pdf() hands to WeasyPrint (useful for debugging templates)."""
    generated_at: datetime = context.pop("generated_at", None) or utcnow()
    app = current_app
    return render_template(
        template_name,
        document_title=document_title,
        reference=reference,
        generated_at=generated_at,
        document_lang=DOCUMENT_LANG,
        pdf_stylesheet=(app.static_url_path or "/static") + "/css/pdf.css",
        css_string=css_string,
        page_counter_css=page_counter_css,
        **context,
    )


def render_pdf(template_name: str, *, document_title: str, reference: str, **context) -> bytes:
    """Render `template_name` (extending pdf/base.html) with `context` to a tagged PDF/UA-1 document.

    Call inside an application (or request) context; the current locale translates the labels,
    dates are shown in Europe/Amsterdam. Pass ``generated_at`` (an aware datetime) to fix the
    "generated on" moment; it defaults to now. Resources load only through StaticFileFetcher.
    """
    return html_to_pdf(render_html(template_name, document_title=document_title, reference=reference, **context))


def html_to_pdf(html: str) -> bytes:
    """What render_pdf() does with its HTML (render_html): WeasyPrint, resources through StaticFileFetcher."""
    document = HTML(string=html, base_url=INTERNAL_ORIGIN + "/",
                    url_fetcher=StaticFileFetcher.for_app(current_app))
    return document.write_pdf(pdf_variant=PDF_VARIANT)


# --- HTTP ----------------------------------------------------------------------------------------

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _clean_filename(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    name = name.replace('"', "")
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name if name.lower() != ".pdf" else "document.pdf"


def content_disposition(filename: str) -> str:
    """``attachment; filename="..."`` with an ASCII fallback, plus RFC 5987 ``filename*`` when the
    name has characters the fallback had to change."""
    name = _clean_filename(filename)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = _UNSAFE_FILENAME.sub("_", ascii_name).strip("_.") or "document.pdf"
    if not ascii_name.lower().endswith(".pdf"):
        ascii_name += ".pdf"
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != name:
        value += "; filename*=UTF-8''" + quote(name, safe="")
    return value


def pdf_response(data: bytes, filename: str) -> Response:
    """A download response for a rendered PDF; never cached, never sniffed."""
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
