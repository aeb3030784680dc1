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

import functools
import io
import re
from dataclasses import dataclass
from typing import Sequence, Union

from markupsafe import Markup, escape

from ret_app.stats.periods import Period
from ret_app.stats.suppression import Cell

# One configuration for every chart of the process (only this module uses matplotlib): real text,
# no maths parsing of labels ("$" is just a dollar sign), ids that do not change between runs.
RC_PARAMS = {
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
}


@functools.cache
def _matplotlib():
    """matplotlib, configured, on the first chart: importing it costs every process about a third of a
    second at start-up, and most requests draw no chart. Returns (Figure, FigureCanvasSVG, MaxNLocator)."""
    import matplotlib

    matplotlib.rcParams.update(RC_PARAMS)
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    return Figure, FigureCanvasSVG, MaxNLocator

# Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by more than colour too:
# the line chart gives every series its own marker and dash, the bars sit in a fixed order with a
# legend, and the table beside the chart holds every number.
PALETTE = ("#1f4e79", "#b3541e", "#2e6b30", "#6b3fa0", "#8a6d00", "#a3265a")
MARKERS = ("o", "s", "^", "D", "v", "P")
DASHES = ("solid", "dashed", "dashdot", "dotted", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
MUTED = "#595959"  # the signs of suppressed counts on the axis (7:1 on white)

# The CSS properties matplotlib writes, each also an SVG presentation attribute.
_PRESENTATION = {
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linejoin",
    "stroke-linecap", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "opacity",
    "font-size", "font-family", "font-weight", "font-style", "text-anchor", "clip-path",
}
# (what the removed <style> sets for every element, "*{stroke-linejoin: round; stroke-linecap:
# butt}", the root now sets as inherited attributes)
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
    svg = _rendered(kind, tuple(short), data, str(title), str(value_label), chart_id, (width, height))
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

# Drawing is most of a chart page's time (matplotlib lays out and writes every chart, a few hundred ms
# each), and the same figures are asked again and again (the page reloaded, another filter and back).
# The SVG depends on nothing but these arguments (the same arguments give the same bytes), so the last
# charts drawn are kept per process: the key holds every value shown, so a changed figure is a new chart.
_RENDERED_KEPT = 64


@functools.lru_cache(maxsize=_RENDERED_KEPT)
def _rendered(kind: str, labels: tuple[str, ...], series: tuple[ChartSeries, ...], title: str, value_label: str,
              chart_id: str, size: tuple[float, float]) -> Markup:
    return _render(kind, list(labels), series, title=title, value_label=value_label, chart_id=chart_id, size=size)


def _render(kind: str, labels: list[str], series: tuple[ChartSeries, ...], *, title: str, value_label: str,
            chart_id: str, size: tuple[float, float]) -> Markup:
    Figure, FigureCanvasSVG, MaxNLocator = _matplotlib()
    figure = Figure(figsize=size, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    n = len(series)
    width = 0.8 / n
    # The legend's keys are drawn from the palette, not from what was drawn: a series whose every value is
    # hidden draws no bar, and matplotlib would then give its key the default colour.
    keys = []
    for k, s in enumerate(series):
        keys.append(Patch(facecolor=PALETTE[k], label=s.name) if kind == "bar" else Line2D(
            [], [], color=PALETTE[k], marker=MARKERS[k], linestyle=DASHES[k], linewidth=2, markersize=5, label=s.name))
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
        figure.legend(handles=keys, frameon=False, loc="outside upper left", ncols=min(n, 3))  # above, never on a bar
    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None, "Format": None,
                                                       "Type": None})
    return Markup(_clean_svg(buffer.getvalue(), chart_id=chart_id, title=title))


def _clean_svg(text: str, *, chart_id: str, title: str) -> str:
    """matplotlib's SVG made fit for a page under our CSP and for WeasyPrint: no XML prologue, no
    metadata, no <style> and no style attributes (presentation attributes instead), ids made unique
    to the chart (and dropped where nothing refers to them), and a <title> with role="img" for
    assistive technology. Text edits on matplotlib's regular output (no XML library: ElementTree's
    namespace prefixes are process-wide state that other libraries change)."""
    text = text[text.index("<svg"):]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r"\s*<style[^>]*>.*?</style>", "", text, flags=re.S)
    referenced = set(re.findall(r"url\(#([^)]+)\)", text)) | set(re.findall(r'href="#([^"]+)"', text))

    def attributes(match: re.Match) -> str:
        pairs = []
        for declaration in match.group(1).split(";"):
            if not declaration.strip():
                continue
            name, _, value = declaration.partition(":")
            name, value = name.strip(), value.strip()
            if name not in _PRESENTATION or '"' in value or "<" in value:
                raise ValueError(f"matplotlib wrote a style we cannot carry over: {name}")
            pairs.append(f'{name}="{value}"')
        return " " + " ".join(pairs) if pairs else ""

    def element_id(match: re.Match) -> str:
        value = match.group(1)
        return f' id="{chart_id}-{value}"' if value in referenced else ""

    text = re.sub(r' style="([^"]*)"', attributes, text)
    text = re.sub(r' id="([^"]*)"', element_id, text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{chart_id}-{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{chart_id}-{m.group(1)}"', text)
    if "style=" in text or "<style" in text or "<script" in text:
        raise ValueError("the chart's SVG still holds a style or a script")
    opening = text.index(">", text.index("<svg")) + 1
    root_attributes = (f' stroke-linejoin="round" stroke-linecap="butt" role="img" focusable="false"'
                       f' aria-labelledby="{chart_id}-title" class="ret-chart__image">')
    return (text[:opening - 1] + root_attributes
            + f'\n <title id="{chart_id}-title">{escape(title)}</title>' + text[opening:])
