"""The kinds of export. A capability registers each of its exports once, at import:

    from ret_app.exports import registry as exports

    def render(job, progress):
        rows = load(job.params["period_start"], ...)           # ids and dates from job.params
        progress(40, _("Counting the gaps"))                   # 0..100, an optional short message
        data = render_pdf(...)
        return "signaalrapport-2026-Q1.pdf", "application/pdf", data

    def may_request(user, params):                             # the same rule as the page offering it
        return policy.is_chair_of(user, params["region_id"])

    exports.register("signal-report", render, may_request, _l("Signal report"))

The page that offers the export posts to `exports.request_export` (the macro `export_button` in
templates/exports/_request.html: a button with the params as hidden fields), or calls
`services.request(user, kind, params)` itself after validating its own form, and sends the user to
the job's page (`url_for("exports.job", job_id=...)`).

`render(job, progress)` runs in the job runner, in the requester's language, with the requester as
the actor of any audit event it records (a case export audits per case, as it would in a request);
it reads, it does not change anything. It returns (file name, MIME type, bytes). A `RuleError` it
raises ("no data in this period") is shown to the requester as the reason; any other error shows a
general message and is logged by its type only.

`may_request(user, params)` decides who may ask for it (False: 404, audited); the job is the
requester's alone afterwards. `params` holds ids, dates (ISO) and short codes only (parsed by
`params.parse`), never a name or free text: they are stored, audited and shown in addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from ret_app.models import ExportJob, User

CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


class Progress(Protocol):
    def __call__(self, percent: int, message: Any = None) -> None: ...


Render = Callable[[ExportJob, Progress], tuple[str, str, bytes]]
MayRequest = Callable[[User, dict], bool]


@dataclass(frozen=True)
class Kind:
    code: str
    render: Render
    may_request: MayRequest
    label: Any  # a lazy string: the kind's name in lists and on the job's page


_kinds: dict[str, Kind] = {}


def register(code: str, render: Render, may_request: MayRequest, label: Any) -> Kind:
    if not CODE_RE.match(code):
        raise ValueError(f"export kind {code!r}: use lower-case letters, digits and dashes")
    existing = _kinds.get(code)
    if existing is not None and (existing.render is not render or existing.may_request is not may_request):
        raise ValueError(f"export kind {code} registered twice")
    kind = _kinds[code] = Kind(code, render, may_request, label)
    return kind


def unregister(code: str) -> None:
    """Remove a kind (tests that register their own)."""
    _kinds.pop(code, None)


def find(code: str) -> Kind | None:
    return _kinds.get(code)


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda kind: kind.code)


def label(code: str) -> Any:
    kind = _kinds.get(code)
    return kind.label if kind is not None else code
