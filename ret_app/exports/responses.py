"""The download response of an export: an attachment with a safe file name, never cached, never
sniffed (as the PDF downloads, ret_app/pdf.py, but for any type an export makes)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def clean_filename(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").replace('"', "").strip().strip(".")
    return name or "export"


def content_disposition(filename: str) -> str:
    name = clean_filename(filename)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = _UNSAFE.sub("_", ascii_name).strip("_.") or "export"
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != name:
        value += "; filename*=UTF-8''" + quote(name, safe="")
    return value


def file_response(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype or "application/octet-stream")
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
