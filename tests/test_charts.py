"""Charts of period series (ret_app/stats/charts.py, templates/macros/charts.html): an SVG that
keeps to the page's CSP, draws no bar or point for a suppressed count, renders the same in a PDF,
and always comes with its data table."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from flask import render_template_string
from PIL import Image

from ret_app.pdf import render_pdf
from ret_app.stats.charts import PALETTE, period_chart
from ret_app.stats.periods import last_periods
from ret_app.stats.suppression import suppress_table
from tests.browser.conftest import ARTIFACTS

SVG = "{http://www.w3.org/2000/svg}"
QUARTERS = last_periods("quarter", 6, today=date(2026, 6, 1))


def _flow():
    """Referred and closed per quarter; three counts are small, one more is hidden to protect them."""
    table = suppress_table([[12, 3, 9, 14, 0, 7], [8, 11, 2, 16, 6, 9]], row_totals=False, column_totals=True)
    return table


def _chart(kind="bar", chart_id="flow", title="Aanmeldingen en gesloten casussen"):
    table = _flow()
    return period_chart(kind, QUARTERS, [("Aangemeld", table.cells[0]), ("Gesloten", table.cells[1])],
                        title=title, chart_id=chart_id, value_label="Aantal casussen")


def _filled(svg: str, colour: str) -> int:
    """How many shapes are filled with ``colour`` (bars, legend patches)."""
    root = ET.fromstring(svg)
    return sum(1 for el in root.iter(f"{SVG}path") if el.get("fill") == colour)


def test_the_svg_keeps_to_the_content_security_policy():
    svg = str(_chart().svg)
    assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
    assert "style=" not in svg and "<style" not in svg  # style-src 'self': no inline style at all
    assert "<script" not in svg and "<metadata" not in svg and "<?xml" not in svg and "DOCTYPE" not in svg
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "flow-title"
    assert root.find(f"{SVG}title").text == "Aanmeldingen en gesloten casussen"


def test_suppressed_counts_get_no_bar_but_their_sign_on_the_axis():
    table = _flow()
    chart = _chart()
    visible = [sum(1 for c in row if not c.suppressed) for row in table.cells]
    assert visible[0] < 6 and visible[1] < 6  # the test data does hide something in each series
    # one legend patch per series beside the bars
    assert _filled(chart.svg, PALETTE[0]) == visible[0] + 1
    assert _filled(chart.svg, PALETTE[1]) == visible[1] + 1
    texts = [el.text for el in ET.fromstring(str(chart.svg)).iter(f"{SVG}text")]
    hidden_signs = [c.shown for row in table.cells for c in row if c.suppressed]
    assert sorted(t for t in texts if t in ("<5", "x")) == sorted(hidden_signs)
    assert "K1 2025" in texts and "K2 2026" in texts  # short Dutch period labels on the axis


def test_a_series_with_every_value_hidden_keeps_its_own_colour_in_the_legend():
    """No bar is drawn for it, but its legend key has the series' colour, not matplotlib's default blue."""
    table = suppress_table([[2, 3, 1], [12, 9, 14]], row_totals=False, column_totals=False)
    assert all(c.suppressed for c in table.cells[0])
    chart = period_chart("bar", QUARTERS[:3], [("Alles verborgen", table.cells[0]), ("Zichtbaar", table.cells[1])],
                         title="Legenda", chart_id="legend")
    assert _filled(chart.svg, PALETTE[0]) == 1  # the legend key only
    assert _filled(chart.svg, PALETTE[1]) == 3 + 1


def test_a_line_chart_breaks_at_a_suppressed_point():
    only = suppress_table([[12, 3, 9, 14, 10, 7]], row_totals=False, column_totals=False).cells[0]
    chart = period_chart("line", QUARTERS, [("Aangemeld", only)], title="Lijn", chart_id="line")
    root = ET.fromstring(str(chart.svg))
    line_paths = [el for el in root.iter(f"{SVG}path") if el.get("stroke") == PALETTE[0] and el.get("fill") == "none"]
    # the line is drawn in two pieces (a gap at the hidden count): two "M" moves in one path
    assert any(el.get("d").count("M") == 2 for el in line_paths)
    markers = [el for el in root.iter(f"{SVG}use") if el.get("fill") == PALETTE[0]]
    assert len(markers) == 5
    assert "<5" in [el.text for el in root.iter(f"{SVG}text")]


def test_the_same_numbers_give_the_same_svg_and_ids_are_the_charts_own():
    first, again = _chart(chart_id="a"), _chart(chart_id="a")
    assert first.svg == again.svg
    other = _chart(chart_id="b")
    ids_a = set(re.findall(r'id="([^"]+)"', str(first.svg)))
    ids_b = set(re.findall(r'id="([^"]+)"', str(other.svg)))
    assert ids_a and not ids_a & ids_b
    assert all(i.startswith("a-") for i in ids_a)
    for ref in re.findall(r'(?:url\(#|href="#)([^)"]+)', str(first.svg)):
        assert ref in ids_a


def test_labels_are_text_not_markup_or_maths():
    table = suppress_table([[12, 30]], row_totals=False, column_totals=False)
    chart = period_chart("bar", ["<b>jan</b>", "$x$ & co"], [("<script>alert(1)</script>", table.cells[0])],
                         title="</title><script>alert(2)</script>", chart_id="evil\"id")
    svg = str(chart.svg)
    assert "<script" not in svg and "<b>" not in svg
    texts = [el.text for el in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "$x$ & co" in texts and "<b>jan</b>" in texts
    assert 'id="evil-id-title"' in svg


def test_bad_chart_input_is_refused():
    cells = suppress_table([[12, 30]], row_totals=False, column_totals=False).cells[0]
    with pytest.raises(ValueError):
        period_chart("pie", ["a", "b"], [("s", cells)], title="t", chart_id="c")
    with pytest.raises(ValueError):
        period_chart("bar", ["a", "b", "c"], [("s", cells)], title="t", chart_id="c")
    with pytest.raises(ValueError):
        period_chart("bar", ["a", "b"], [], title="t", chart_id="c")
    with pytest.raises(TypeError):
        period_chart("bar", ["a", "b"], [("s", [1.5, 2])], title="t", chart_id="c")


def test_the_macro_shows_the_chart_with_an_accessible_table(ctx):
    chart = _chart()
    html = render_template_string('{% import "macros/charts.html" as charts %}{{ charts.chart(c) }}', c=chart)
    assert html.count("<svg ") == 1 and 'role="img"' in html
    table = html[html.index("<table"):html.index("</table>")]
    assert "<caption" in table
    assert table.count('scope="col"') == 3  # period + two series
    assert table.count('scope="row"') == 6
    assert "1e kwartaal 2025" in table and "2e kwartaal 2026" in table  # the full Dutch labels
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert cells.count("&lt;5") == sum(1 for s in chart.series for c in s.cells if c.shown == "<5") > 0
    assert "ret-chart__legend" in html
    plain = period_chart("bar", QUARTERS[:2], [("Aangemeld", [12, 30])], title="t", chart_id="p")
    assert "ret-chart__legend" not in render_template_string(
        '{% import "macros/charts.html" as charts %}{{ charts.chart(c) }}', c=plain)


def test_working_days_rows_write_numbers_as_dutch_does_and_a_dash_below_five(ctx):
    """The analyst's page and the reflection report: quartiles with a decimal comma, a dash for a period
    with fewer than five outcomes."""
    from ret_app.analyst.aggregates import Days

    html = render_template_string('{% import "macros/charts.html" as charts %}<table>{{ charts.days_rows(d) }}</table>',
                                  d=[Days(enough=True, median=57.0, q1=51.75, q3=73.5), Days(enough=False)])
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells == ["51,75", "–", "57", "–", "73,5", "–"]
    assert html.count('scope="row"') == 3


def test_the_same_chart_renders_in_a_pdf(ctx, tmp_path):
    chart = _chart()
    data = render_pdf("pdf/chart_sample.html", document_title="Instroom", reference="Regio Test", chart=chart)
    assert data.startswith(b"%PDF-")
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    source = tmp_path / "chart.pdf"
    source.write_bytes(data)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "chart-pdf-page1"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(source), str(target)],
                   check=True, timeout=60)
    image = Image.open(target.with_suffix(".png")).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000)
    by_colour = {rgb: n for n, rgb in colours}

    def hexed(colour: str):
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    # the bars of both series are on the page, as solid areas of their colour
    assert by_colour.get(hexed(PALETTE[0]), 0) > 500
    assert by_colour.get(hexed(PALETTE[1]), 0) > 500
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, text=True,
                              check=True, timeout=60).stdout
        assert "1e kwartaal 2025" in text and "<5" in text and "K1 2025" in text
