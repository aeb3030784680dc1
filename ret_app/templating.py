"""Template helpers: navigation from the capabilities' registrations, policy checks, Dutch dates,
the labels' filters, and the one rule for answering htmx swaps with a fragment."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from flask import Flask, current_app, render_template, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from ret_app.kernel import submissions
from ret_app.kernel.registry import registry
from ret_app.labels import FILTERS
from ret_app.policy import Permission, can


def nav_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    # An item whose route is not registered (a capability being built) is left out, not broken.
    shown = [item for item in registry().navigation()
             if can(item.permission) and item.endpoint in current_app.view_functions]
    # One current item: the longest matching prefix ("meetings.followup" over "meetings.").
    matching = [item for item in shown if endpoint.startswith(item.prefix)]
    current = max(matching, key=lambda item: len(item.prefix)) if matching else None
    return [{"endpoint": item.endpoint, "label": item.label, "current": item is current} for item in shown]


def wants_fragment() -> bool:
    """An htmx request that swaps part of a page: answer with the fragment, not the whole page.
    Boosted requests replace the whole body, and so does htmx restoring a page from the server on
    the back button (no history cache: HX-History-Restore-Request), so they get the page."""
    from ret_app.extensions import htmx

    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_fragment(page: str, fragment: str, **context) -> str:
    """The partial next to its page for an htmx swap, the page otherwise (Vary: HX-Request is set
    on every response in security.py)."""
    return render_template(fragment if wants_fragment() else page, **context)


def local_datetime(value: Optional[datetime], fmt: str = "d MMM yyyy HH:mm") -> str:
    return format_datetime(value, fmt) if value else "—"


def local_date(value: Optional[date], fmt: str = "d MMMM yyyy") -> str:
    return format_date(value, fmt) if value else "—"


def decimal(value) -> str:
    """A number as the reader's language writes it: 51,75 in Dutch, 51.75 in English; whole numbers plain."""
    return format_decimal(value, format="#,##0.##")


def euro(value) -> str:
    if value is None:
        return "—"
    whole = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€\u00a0{whole}"


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.filters["date"] = local_date
    app.jinja_env.filters["euro"] = euro
    app.jinja_env.filters["decimal"] = decimal
    app.jinja_env.filters.update(FILTERS)
    # The key of a form without a form class, made in the template (ret_app.kernel.submissions); a global,
    # not a context helper, so that imported macros (the export button) see it as they see csrf_token().
    app.jinja_env.globals["new_submission_key"] = submissions.new_key

    @app.context_processor
    def inject_helpers():
        return {
            "nav_items": nav_items,
            "can": can,
            "Permission": Permission,
            "languages": app.config["LANGUAGES"],
            "get_locale": get_locale,
        }
