"""The vignette's sections: a small registry that capabilities add to.

    from ret_app.vignettes import register_section

    def outcome_section(ctx):           # ctx: Context (the case, its cast of roles, month())
        return Section(_("Outcome"), [ ... plain text paragraphs; "- " lines are list items ... ])

    register_section(85, outcome_section)

A section writes people as roles (`ctx.cast`: "jeugdige", "moeder", "aanbieder A"), dates at most to the
month (`ctx.month(d)`) and may quote the case's free text as it is: the whole text is scrubbed afterwards
(ret_app/vignettes/scrub.py). A section returns None when it has nothing to say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Optional

from ret_app.vignettes.scrub import DUTCH_MONTHS


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Context:
    case: Any
    cast: Any  # scrub.Cast
    today: date

    @staticmethod
    def month(moment: Optional[date | datetime]) -> str:
        """A date or moment as its month ("maart 2025"); "—" when there is none."""
        if moment is None:
            return "—"
        if isinstance(moment, datetime):
            from ret_app.kernel.dates import local_date

            moment = local_date(moment)
        return f"{DUTCH_MONTHS[moment.month - 1]} {moment.year}"


SectionBuilder = Callable[[Context], Optional[Section]]
_SECTIONS: list[tuple[int, str, SectionBuilder]] = []


def register_section(order: int, fn: SectionBuilder, name: Optional[str] = None) -> SectionBuilder:
    """Add a section (`fn(ctx) -> Section | None`) at `order` (lower first). Registering the same name
    again replaces it (the app factory may install capabilities more than once in a process)."""
    name = name or f"{fn.__module__}.{fn.__qualname__}"
    _SECTIONS[:] = [entry for entry in _SECTIONS if entry[1] != name]
    _SECTIONS.append((order, name, fn))
    _SECTIONS.sort(key=lambda entry: (entry[0], entry[1]))
    return fn


def registered() -> list[tuple[int, str, SectionBuilder]]:
    return list(_SECTIONS)
