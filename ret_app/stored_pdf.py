"""A document's PDF rendered once and served again while what it shows stays the same: a finalised
screening's report (ScreeningReportFile), an approved session's minutes (MinutesFile). WeasyPrint, not
the template, is most of an export's cost.

What a document shows is fingerprinted by its HTML rendered with a fixed moment (the finalising, the
approval) in place of "now": an addendum, a participant added, a later status, a corrected name, the
finalising itself or another language changes the HTML and so renders the document again (replacing the
stored file). The stored file says when it was generated (the first request after the change). Each
table is a `StoredPdfMixin` with a unique foreign key to its owner; the caller audits every download.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.pdf import html_to_pdf, render_html


def stored_or_rendered(model, owner: str, owner_id: int, template: str, context: dict,
                       fixed_moment: datetime) -> bytes:
    """The stored PDF in `model` (a StoredPdfMixin table whose unique column `owner` is `owner_id`) when
    the document `template` with `context` still shows what it showed when it was stored, else the
    document rendered now and stored. `fixed_moment` stands in for "generated at" in the fingerprint."""
    fingerprint = hashlib.sha256(render_html(template, generated_at=fixed_moment, **context).encode()).hexdigest()
    key = getattr(model, owner)
    stored = db.session.scalar(select(model).where(key == owner_id).options(undefer(model.content)))
    if stored is not None and stored.fingerprint == fingerprint:
        return stored.content
    data = html_to_pdf(render_html(template, generated_at=utcnow(), **context))
    try:
        with db.session.begin_nested():  # two first requests at once: the one that stores second keeps the first's
            if stored is None:
                db.session.add(model(**{owner: owner_id}, fingerprint=fingerprint, content=data, size=len(data)))
            else:
                stored.fingerprint, stored.content, stored.size, stored.rendered_at = \
                    fingerprint, data, len(data), utcnow()
    except IntegrityError:
        pass
    return data
