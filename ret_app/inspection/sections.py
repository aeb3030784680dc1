"""The inspection copy's sections: a small registry that capabilities add to.

    from ret_app.inspection.sections import register_section

    def screening(case, viewer):         # -> a list of blocks, or [] when there is nothing yet
        return [(_("Analysis"), screening.analysis), "a paragraph", ...]

    register_section(40, "screening", _l("Screening"), screening)

A block is a paragraph (a string) or a (term, value) pair. The copy (dossier.build) takes the sections
in order; a section withheld for a request is replaced by "Weggelaten: <reason>" and its `render` is
never called, so nothing of it can reach the PDF. The section's addenda (corrections of a finalised part,
CaseAddendum.section == code) follow it. `code` is also what a correction request and an addendum name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Union

Block = Union[str, tuple[Any, Any]]
Render = Callable[[Any, Any], list[Block]]  # (case, viewer) -> blocks


@dataclass(frozen=True)
class Section:
    order: int
    code: str
    title: Any  # a lazy string
    render: Render


_SECTIONS: dict[str, Section] = {}


def register_section(order: int, code: str, title: Any, render: Render) -> Section:
    """Add (or replace: the app factory may install capabilities more than once) the section `code`."""
    section = _SECTIONS[code] = Section(order, code, title, render)
    return section


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.code))


def codes() -> list[str]:
    return [s.code for s in sections()]


def title(code: str) -> Any:
    section = _SECTIONS.get(code)
    return section.title if section is not None else code
