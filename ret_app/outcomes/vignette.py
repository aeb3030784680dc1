"""The outcome's section of a learning vignette (ret_app/vignettes; registered at order 85, between the
escalation and how the case ended) and what the outcome adds to the case's cast of roles.

What it writes: the result; the help arranged (care types, providers as the vignette's roles "aanbieder
A/B" — the same role a provider has in the rest of the vignette —, inside or outside the region, via the
network); what became of an intended placement; the gaps met (category, care type, note); the working
days from referral to fitting help and to closing as a band; the lessons learned. Free text (notes,
lessons) is quoted as it is: the generator scrubs the whole text afterwards, with the cast that
`add_to_cast` completed (outside providers' names, who recorded the outcome).

The days are a band, not the count: the vignette already gives the months of referral, of fitting help
and of closing, and an exact number of working days between two known months narrows the days of both
down; a band of weeks says as much for learning and nothing more about when."""

from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _

from ret_app.caretypes import services as caretypes
from ret_app.outcomes import services
from ret_app.outcomes.labels import PLACEMENT_RESULT_LABELS, RESULT_LABELS

ORDER = 85
# Working days as bands (upper bounds, inclusive); above the last: "more than".
DAY_BANDS = ((0, 10), (11, 20), (21, 40), (41, 60), (61, 120))


def day_band(days: Optional[int]) -> Optional[str]:
    """A number of working days as its band ("21–40"); None when there is none."""
    if days is None:
        return None
    for low, high in DAY_BANDS:
        if low <= days <= high:
            return f"{low}–{high}"
    return _("more than %(days)s", days=DAY_BANDS[-1][1])


def _provider_key(help_row):
    """The key the vignette's cast knows a provider by (as the plan's goals: an id, or an outside name)."""
    if help_row.organisation_id:
        return help_row.organisation_id
    if help_row.provider_name.strip():
        return ("name", help_row.provider_name.strip().lower())
    return None


def add_to_cast(case, cast) -> None:
    """The outcome's providers (of the region or named outside it) and who recorded or corrected it."""
    outcome = services.outcome_of(case)
    if outcome is None:
        return
    for row in outcome.helps:
        key = _provider_key(row)
        if key is None:
            continue
        cast.provider(key, row.organisation.name if row.organisation is not None else row.provider_name.strip())
    for user in (outcome.recorded_by, outcome.changed_by):
        if user is not None:
            cast.user(user, _("chair") if user.role == "chair" else _("process director"))


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _paragraph(text: str) -> str:
    lines = [line.strip().lstrip("#").strip() for line in (text or "").splitlines()]
    return "\n".join(lines).strip()


def outcome_section(ctx):
    from ret_app.vignettes.sections import Section

    case = ctx.case
    outcome = services.outcome_of(case)
    if outcome is None:
        return None
    care_names = caretypes.names(case.region_id)
    paragraphs = [_("Result: %(result)s.", result=str(RESULT_LABELS.get(outcome.result, outcome.result)).lower())]

    helps = []
    for row in outcome.helps:
        line = "- " + caretypes.label(row.care_type, care_names)
        key = _provider_key(row)
        if key is not None:
            line += f", [{ctx.cast.provider(key)}]"
        where = [_("inside the region") if row.inside_region else _("outside the region")]
        if row.via_network:
            where.append(_("via the network"))
        helps.append(line + f" ({', '.join(where)})")
    if helps:
        paragraphs.append(_("Help arranged:") + "\n" + "\n".join(helps))

    if case.placement_intended and outcome.placement_result:
        placement = _("Intended out-of-home placement: %(result)s.", result=str(
            PLACEMENT_RESULT_LABELS.get(outcome.placement_result, outcome.placement_result)).lower())
        if outcome.placement_note.strip():
            placement += " " + _one_line(outcome.placement_note)
        paragraphs.append(placement)

    gaps = []
    for row in outcome.gaps:
        line = "- " + row.category.name
        if row.care_type:
            line += " — " + caretypes.label(row.care_type, care_names)
        if row.note.strip():
            line += ": " + _one_line(row.note)
        gaps.append(line)
    if gaps:
        paragraphs.append(_("Gaps in the care offer met:") + "\n" + "\n".join(gaps))

    days = []
    to_fitting, to_close = day_band(outcome.working_days_to_fitting_help), day_band(outcome.working_days_to_close)
    if to_fitting:
        days.append(_("Working days from referral to fitting help: %(band)s.", band=to_fitting))
    if to_close:
        days.append(_("Working days from referral to closing: %(band)s.", band=to_close))
    if days:
        paragraphs.append(" ".join(days))

    if outcome.lessons.strip():
        paragraphs.append(_("Lessons learned: %(text)s", text=_paragraph(outcome.lessons)))
    return Section(_("The outcome"), paragraphs)


def register() -> None:
    from ret_app.vignettes import register_cast, register_section

    register_section(ORDER, outcome_section)
    register_cast(add_to_cast)
