"""Charts of a period series as server-rendered SVG (matplotlib), the same markup in a page and in a
WeasyPrint PDF, always shown with its data table (``templates/macros/charts.html``).

    chart = period_chart("bar", periods, [("Aanmeldingen", referred_cells), ("Gesloten", closed_cells)],
                         title="Aanmeldingen en gesloten casussen per kwartaal", chart_id="flow")
    {{ charts.chart(chart) }}          # figure: the SVG, a table with caption and th scope, a legend

The values are :class:`~ret_app.stats.suppression.Cell` s (or plain ints for counts that need no
protection): a suppressed count gets no bar and no point, only its sign ("<5" or "x") in grey on
the axis, and the table shows the same sign.

Why matplotlib (and not pygal): the page's Content-Security-Policy allows no inline style
(``style-src 'self'``), and an inline SVG is part of the page. pygal styles its SVG with a
``<style>`` sheet and classes, which cannot be turned into attributes reliably; matplotlib writes
simple ``style="fill: #1f4e79"`` declarations that this module rewrites to SVG presentation
attributes (``fill="#1f4e79"``), which CSP does not touch. matplotlib is also the best-kept
plotting library there is, renders deterministically (no dates or random ids in the SVG), and
writes text as real ``<text>`` (DejaVu Sans, the font the PDFs embed).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Optional, Sequence, Union

import matplotlib
from markupsafe import Markup

from ret_app.stats.periods import Period
from ret_app.stats.suppression import Cell

# One configuration for every chart of the process (only this module uses matplotlib): real text,
# no maths parsing of labels ("$" is just a dollar sign), ids that do not change between runs.
matplotlib.rcParams.update({
    "svg.fonttype": "none",
    "svg.hashsalt": "ret-chart",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "axes.edgecolor": "#4d4d4d",
    "axes.labelcolor": "#1a1a1a",
    "xtick.color": "#1a1a1a",
    "ytick.color": "#1a1a1a",
})

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402  (after the rcParams)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

# Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by more than colour too:
# the line chart gives every series its own marker and dash, the bars sit in a fixed order with a
# legend, and the table beside the chart holds every number.
PALETTE = ("#1f4e79", "#b3541e", "#2e6b30", "#6b3fa0", "#8a6d00", "#a3265a")
MARKERS = ("o", "s", "^", "D", "v", "P")
DASHES = ("solid", "dashed", "dashdot", "dotted", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
MUTED = "#595959"  # the signs of suppressed counts on the axis (7:1 on white)

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

# The CSS properties matplotlib writes, each also an SVG presentation attribute.
_PRESENTATION = {
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linejoin",
    "stroke-linecap", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "opacity",
    "font-size", "font-family", "font-weight", "font-style", "text-anchor", "clip-path",
}
_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]")

CountLike = Union[Cell, int]


@dataclass(frozen=True)
class ChartSeries:
    name: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Chart:
    """What the macro renders: the SVG and the numbers behind it."""

    id: str
    kind: str              # "bar" | "line"
    title: str
    labels: tuple[str, ...]  # the periods (x axis, table rows)
    series: tuple[ChartSeries, ...]
    svg: Markup
    value_label: str = ""

    @property
    def any_suppressed(self) -> bool:
        return any(cell.suppressed for s in self.series for cell in s.cells)

    @property
    def rows(self):
        """(label, [cell per series]) per period, for the table."""
        return [(label, [s.cells[i] for s in self.series]) for i, label in enumerate(self.labels)]


def period_chart(kind: str, periods: Sequence[Union[Period, str]],
                 series: Sequence[tuple[str, Sequence[CountLike]]], *, title: str, chart_id: str,
                 value_label: str = "", width: float = 6.4, height: float = 3.2) -> Chart:
    """A bar ("bar") or line ("line") chart of one or more series over periods. The x axis shows
    each period's short Dutch label ("K1 2026"), the table its full one ("1e kwartaal 2026")."""
    if kind not in ("bar", "line"):
        raise ValueError("a chart is a 'bar' or a 'line' chart")
    if not series:
        raise ValueError("a chart needs at least one series")
    if len(series) > len(PALETTE):
        raise ValueError(f"at most {len(PALETTE)} series in one chart")
    chart_id = _ID_CHARS.sub("-", chart_id) or "chart"
    short = [p.short_label if isinstance(p, Period) else str(p) for p in periods]
    long = tuple(p.label if isinstance(p, Period) else str(p) for p in periods)
    data = tuple(ChartSeries(str(name), tuple(_cell(v) for v in values)) for name, values in series)
    for s in data:
        if len(s.cells) != len(periods):
            raise ValueError(f"series {s.name!r} has {len(s.cells)} values for {len(periods)} periods")
    svg = _render(kind, short, data, title=title, value_label=value_label, chart_id=chart_id,
                  size=(width, height))
    return Chart(id=chart_id, kind=kind, title=title, labels=long, series=data, svg=svg, value_label=value_label)


def bar_chart(periods, series, **kwargs) -> Chart:
    return period_chart("bar", periods, series, **kwargs)


def line_chart(periods, series, **kwargs) -> Chart:
    return period_chart("line", periods, series, **kwargs)


def _cell(value: CountLike) -> Cell:
    if isinstance(value, Cell):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a chart value is a Cell or a whole number, not {value!r}")
    return Cell(value, str(value), False, None)


# --- drawing -----------------------------------------------------------------------------------------

def _render(kind: str, labels: list[str], series: tuple[ChartSeries, ...], *, title: str, value_label: str,
            chart_id: str, size: tuple[float, float]) -> Markup:
    figure = Figure(figsize=size, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    n = len(series)
    width = 0.8 / n
    for k, s in enumerate(series):
        values = [cell.value if not cell.suppressed else None for cell in s.cells]
        if kind == "bar":
            offsets = [x - 0.4 + width * (k + 0.5) for x in positions]
            shown = [(x, v) for x, v in zip(offsets, values) if v is not None]
            axes.bar([x for x, _ in shown], [v for _, v in shown], width=width * 0.92,
                     color=PALETTE[k], label=s.name)
            xs = offsets
        else:
            axes.plot(positions, [float("nan") if v is None else v for v in values], color=PALETTE[k],
                      marker=MARKERS[k], linestyle=DASHES[k], linewidth=2, markersize=5, label=s.name)
            xs = positions
        for x, cell in zip(xs, s.cells):
            if cell.suppressed:  # no bar, no point: only its sign, on the axis
                axes.annotate(cell.shown, (x, 0), xytext=(0, 3), textcoords="offset points",
                              ha="center", va="bottom", fontsize=8, color=MUTED)
    axes.set_xticks(positions, labels)
    if len(labels) > 8:
        for tick in axes.get_xticklabels():
            tick.set_rotation(45)
            tick.set_horizontalalignment("right")
    axes.set_xlim(-0.6, len(labels) - 0.4)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    top = max([c.value for s in series for c in s.cells if not c.suppressed] + [0])
    axes.set_ylim(0, max(5, top * 1.1))
    axes.grid(axis="y", color="#d9d9d9", linewidth=0.8)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    if value_label:
        axes.set_ylabel(value_label)
    if n > 1:
        axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(0, 1.0), ncols=min(n, 3))
    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None, "Format": None,
                                                       "Type": None})
    return Markup(_clean_svg(buffer.getvalue(), chart_id=chart_id, title=title))


def _clean_svg(text: str, *, chart_id: str, title: str) -> str:
    """matplotlib's SVG made fit for a page under our CSP and for WeasyPrint: no XML prologue, no
    metadata, no <style> and no style attributes (presentation attributes instead), ids made unique
    to the chart, and a <title> with role="img" for assistive technology."""
    root = ET.fromstring(text.encode("utf-8"))
    q = f"{{{SVG_NS}}}"
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (q + "metadata", q + "style"):
                parent.remove(child)
    # what the removed <style> said for every element: inherited from the root instead
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")

    referenced = set(re.findall(r"url\(#([^)]+)\)", text)) | set(re.findall(r'href="#([^"]+)"', text))
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            for declaration in style.split(";"):
                if not declaration.strip():
                    continue
                name, _, value = declaration.partition(":")
                name, value = name.strip(), value.strip()
                if name not in _PRESENTATION:
                    raise ValueError(f"matplotlib wrote a style property we cannot carry over: {name}")
                element.set(name, value)
        element_id = element.attrib.pop("id", None)
        if element_id in referenced:
            element.set("id", f"{chart_id}-{element_id}")
        for attribute in ("clip-path", "mask", "fill", "stroke"):
            value = element.get(attribute)
            if value and value.startswith("url(#"):
                element.set(attribute, f"url(#{chart_id}-{value[5:]}")
        href = element.get(f"{{{XLINK_NS}}}href")
        if href and href.startswith("#"):
            element.set(f"{{{XLINK_NS}}}href", f"#{chart_id}-{href[1:]}")

    title_element = ET.Element(q + "title", {"id": f"{chart_id}-title"})
    title_element.text = title
    root.insert(0, title_element)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title")
    root.set("focusable", "false")
    root.set("class", "ret-chart__image")
    return ET.tostring(root, encoding="unicode")
