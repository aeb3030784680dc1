"""A vignette's text as blocks for the page and the PDF: "## " lines are headings, "- " lines list items
(indented lines continue the item), everything else paragraphs (blank lines between them). The text is
never HTML: templates put every block's words in {{ }} (escaped)."""

from __future__ import annotations


def blocks(text: str) -> list[dict]:
    out: list[dict] = []
    paragraph: list[str] = []

    def close_paragraph() -> None:
        if paragraph:
            out.append({"kind": "paragraph", "text": "\n".join(paragraph)})
            paragraph.clear()

    for raw in (text or "").splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            close_paragraph()
            continue
        if stripped.startswith("## "):
            close_paragraph()
            out.append({"kind": "heading", "text": stripped[3:].strip()})
        elif stripped.startswith("- "):
            close_paragraph()
            if not out or out[-1]["kind"] != "list":
                out.append({"kind": "list", "items": []})
            out[-1]["items"].append(stripped[2:].strip())
        elif line.startswith(" ") and out and out[-1]["kind"] == "list" and not paragraph:
            out[-1]["items"][-1] += "\n" + stripped
        else:
            paragraph.append(stripped)
    close_paragraph()
    return out
