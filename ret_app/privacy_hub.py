"""The privacy hub's sections: what each capability shows the chair and the privacy officer of a region
on `/privacy` (its requests, its lists), registered once at import:

    from ret_app import privacy_hub

    def render(user, region_id):                   # the region the user handles privacy matters for
        rows = load(region_id)                     # a constant number of queries, paged or bounded
        return render_template("inspection/_hub.html", rows=rows)   # HTML (a partial), or "" for nothing

    privacy_hub.register_section(20, _l("Inspection requests"), render)

`render` runs in the hub's request, after the policy let the user in (`policy.privacy_region`), and
shows only what a request needs: a case's reference and dates, never its content. A section that
raises is not shown (the error is logged by its type only) so one broken section does not hide the
others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from markupsafe import Markup

log = logging.getLogger(__name__)

Render = Callable[[Any, int], str]


@dataclass(frozen=True)
class Section:
    order: int
    title: Any  # a lazy string
    render: Render
    code: str


_sections: dict[str, Section] = {}


def register_section(order: int, title: Any, render: Render, code: str | None = None) -> Section:
    """Add a section to the hub (`order`: smaller first). `code` defaults to the render function's
    module and name; registering the same code again replaces nothing unless it is the same render."""
    code = code or f"{render.__module__}.{render.__qualname__}"
    existing = _sections.get(code)
    if existing is not None and existing.render is not render:
        raise ValueError(f"privacy hub section {code} registered twice")
    section = _sections[code] = Section(order, title, render, code)
    return section


def unregister_section(code: str) -> None:
    """Remove a section (tests that register their own)."""
    _sections.pop(code, None)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.code))


@dataclass(frozen=True)
class Rendered:
    title: Any
    html: Markup
    code: str


def render_all(user: Any, region_id: int) -> list[Rendered]:
    """Each section's HTML for the user (empty sections left out)."""
    shown = []
    for section in sections():
        try:
            html = section.render(user, region_id)
        except Exception as error:  # noqa: BLE001 - one section's fault hides only that section
            log.error("privacy hub section %s failed: %s", section.code, type(error).__name__)
            continue
        if html:
            shown.append(Rendered(section.title, Markup(html), section.code))
    return shown
