"""The vignette's text, generated from what the case holds now: every registered section in order
(sections.py; the case's own in case_sections.py), then the whole text scrubbed (scrub.py). People are
roles, the youth's age a band, dates at most months."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ret_app.kernel import dates
from ret_app.labels import TRACK_LABELS
from ret_app.vignettes import scrub
from ret_app.vignettes.case_sections import age_band, referral_day
from ret_app.vignettes.sections import Context, registered


@dataclass(frozen=True)
class Generated:
    title: str
    text: str
    replaced: tuple  # scrub.Replacement, for the count in the audit trail and the chair's screen


def compose(case, cast: scrub.Cast) -> tuple[str, str]:
    """The unscrubbed title and text (the tests read it to see the scrubber at work)."""
    ctx = Context(case=case, cast=cast, today=dates.today())
    parts = []
    for _order, _name, build in registered():
        section = build(ctx)
        if section is None:
            continue
        paragraphs = [p.strip() for p in section.paragraphs if p and p.strip()]
        if paragraphs:
            parts.append(f"## {section.title}\n\n" + "\n\n".join(paragraphs))
    track = str(TRACK_LABELS.get(case.track, "")) if case.track else _("Case")
    title = _("%(track)s: youth of %(band)s, closed in %(month)s", track=track,
              band=age_band(case.youth_birth_date, referral_day(case)) or "?", month=ctx.month(case.closed_at))
    return title, "\n\n".join(parts)


def generate(case) -> Generated:
    cast = scrub.cast_of(case)
    title, text = compose(case, cast)
    scrubbed_title = scrub.scrub(title, cast.identifiers)
    scrubbed_text = scrub.scrub(text, cast.identifiers)
    return Generated(scrubbed_title.text, scrubbed_text.text, scrubbed_title.replaced + scrubbed_text.replaced)
