"""A chart inline in a page under the app's Content-Security-Policy: Chromium draws it and reports no
violation (matplotlib's own SVG, with its style attributes, would be refused: the control)."""

from __future__ import annotations

import io

import pytest
from flask import render_template_string

from ret_app.security import CSP
from ret_app.stats.charts import period_chart
from ret_app.stats.periods import last_periods
from ret_app.stats.suppression import suppress_table
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def _page_html(app, body: str, *, stylesheet: str = "") -> str:
    # The app's own policy, as a meta element (set_content has no response headers); frame-ancestors
    # is ignored in a meta policy and only warns, so it is left out.
    policy = "; ".join(part for part in CSP.split("; ") if not part.startswith("frame-ancestors"))
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{policy}"><title>Grafiek</title>{stylesheet}</head>'
            f'<body><main>{body}</main></body></html>')


def _violations(page, html: str) -> list[str]:
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.set_content(html)
    page.wait_for_timeout(200)
    return [m for m in messages if "Content Security Policy" in m]


def test_an_inline_chart_draws_without_a_csp_violation(app, chromium_browser, live_server):
    table = suppress_table([[12, 3, 9, 14, 0, 7], [8, 11, 2, 16, 6, 9]], row_totals=False, column_totals=True)
    chart = period_chart("bar", last_periods("quarter", 6), [("Aangemeld", table.cells[0]),
                                                            ("Gesloten", table.cells[1])],
                         title="Aanmeldingen en gesloten casussen", chart_id="flow", value_label="Aantal")
    with app.test_request_context():
        body = render_template_string('{% import "macros/charts.html" as charts %}{{ charts.chart(c) }}', c=chart)
    page = chromium_browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(live_server.url + "/static/css/app.css")  # the app's origin: its stylesheet is 'self'
        stylesheet = '<link rel="stylesheet" href="/static/css/app.css">'
        assert _violations(page, _page_html(app, body, stylesheet=stylesheet)) == []
        box = page.locator("svg.ret-chart__image").bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chart-inline.png"), full_page=True)
    finally:
        page.close()


def test_the_control_matplotlibs_own_svg_is_refused(app, chromium_browser):
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2))
    figure.add_subplot().bar([0, 1], [3, 5])
    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer)
    raw = buffer.getvalue().split("?>", 1)[1].split("]>", 1)[-1]
    page = chromium_browser.new_page()
    try:
        assert _violations(page, _page_html(app, raw)), "the CSP check saw nothing: it could not fail"
    finally:
        page.close()
