"""The vignette PDFs (one vignette, or a learning-session pack of several): pdf/base.html's conventions,
tagged PDF/UA in Dutch, "Vertrouwelijk" and "pagina X van Y" on every page. The running header names the
vignette ("LV-12") or the pack, never the case's reference."""

from __future__ import annotations

from typing import Sequence

from flask_babel import gettext as _

from ret_app.kernel.dates import utcnow
from ret_app.models import LearningVignette
from ret_app.pdf import render_pdf
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
