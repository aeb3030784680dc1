"""The vignette PDFs (one vignette, or a learning-session pack of several): pdf/base.html's conventions,
tagged PDF/UA in Dutch, "Vertrouwelijk" and "pagina X van Y" on every page. The running header names the
vignette ("LV-12") or the pack, never the case's reference."""

from __future__ import annotations

from typing import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ret_app import policy

from ret_app.kernel.dates import utcnow
from ret_app.models import LearningVignette
from ret_app.pdf import render_pdf
from ret_app.policy import Permission, region_of
from ret_app.vignettes import services
from ret_app.vignettes.text import blocks


def label(vignette: LearningVignette) -> str:
    """How a vignette is named outside the case (never the case's reference)."""
    return f"LV-{vignette.id}"


def vignette_pdf(vignette: LearningVignette) -> bytes:
    return render_pdf("pdf/vignette.html", document_title=_("Learning vignette"), reference=label(vignette),
                      reference_label=_("Vignette"), generated_at=utcnow(),
                      vignettes=[(vignette, label(vignette), blocks(vignette.text))], pack=False)


def pack_pdf(vignettes: Sequence[LearningVignette]) -> bytes:
    names = ", ".join(label(v) for v in vignettes)
    return render_pdf("pdf/vignette.html", document_title=_("Learning-session pack"),
                      reference=_("%(count)d vignettes", count=len(vignettes)), reference_label=_("Pack"),
                      generated_at=utcnow(), vignettes=[(v, label(v), blocks(v.text)) for v in vignettes],
                      pack=True, names=names)


# --- the learning-session pack as an export job (ret_app/exports) ---------------------------------------

PACK_KIND = "vignette-pack"
PACK_LABEL = _l("Learning-session pack")
PACK_FILENAME = "leerbijeenkomst-pakket.pdf"


def pack_params(vignettes: Sequence[LearningVignette]) -> dict:
    """What the job is of: the chosen vignettes' ids, in the chosen order."""
    return {"vignettes": [v.id for v in vignettes]}


def _chosen(params: dict) -> list[int]:
    given = params.get("vignettes")
    given = given if isinstance(given, list) else [given]
    return [value for value in given if isinstance(value, int) and not isinstance(value, bool)]


def may_request_pack(user, params: dict) -> bool:
    """The chair and RET members of a region (who read its approved vignettes), for a choice of ids; the
    render checks again that each is an approved vignette of their region."""
    given = params.get("vignettes")
    given = given if isinstance(given, list) else [given]
    chosen = _chosen(params)
    return (policy.can(Permission.READ_VIGNETTES, user) and region_of(user) is not None
            and 0 < len(chosen) == len(given) <= services.MAX_PACK)


def render_pack(job, progress) -> tuple[str, str, bytes]:
    """The job runner's part: the vignettes chosen (still approved and of the requester's region: else
    the job fails with the reason), the PDF, and a download record per vignette (with its case) as the
    synchronous download made."""
    user = job.requested_by
    progress(10, _("Reading the vignettes"))
    vignettes = services.pack_selection(region_of(user), _chosen(job.params))
    progress(30, _("Making the PDF"))
    data = pack_pdf(vignettes)
    progress(90, _("Recording the download"))
    for vignette in vignettes:
        services.record_download(vignette, f"pack;size={len(vignettes)}")
    return PACK_FILENAME, "application/pdf", data
