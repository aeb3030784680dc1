"""Template helpers: navigation by role, policy checks, Dutch dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ret_app.policy import Permission, can


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    permission: Permission
    prefix: str  # highlights the item for every page under it


NAVIGATION = (
    NavItem("main.start", _l("Start"), Permission.USE_APP, "main."),
    NavItem("cases.intake_queue", _l("Intake"), Permission.RUN_INTAKE, "cases.intake"),
    NavItem("cases.case_list", _l("Cases"), Permission.WORK_ON_CASES, "cases.case"),
    NavItem("meetings.index", _l("Sessions"), Permission.VIEW_SESSIONS, "meetings."),
    NavItem("actions.mine", _l("My actions"), Permission.VIEW_OWN_ACTIONS, "actions."),
    NavItem("meetings.followups", _l("Follow-up"), Permission.ANSWER_PROVISIONAL, "meetings.followup"),
    NavItem("mandates.mine", _l("My mandates"), Permission.VIEW_OWN_MANDATES, "mandates."),
    NavItem("admin.users", _l("Users"), Permission.MANAGE_USERS, "admin.user"),
    NavItem("admin.organisations", _l("Organisations"), Permission.MANAGE_REFERENCE_DATA, "admin.organisation"),
    NavItem("admin.regions", _l("Regions"), Permission.MANAGE_REFERENCE_DATA, "admin.region"),
    NavItem("admin.mandates", _l("Mandates"), Permission.MANAGE_MANDATES, "admin.mandate"),
    NavItem("admin.audit", _l("Audit trail"), Permission.VIEW_AUDIT, "admin.audit"),
    NavItem("account.overview", _l("My account"), Permission.USE_APP, "account."),
)

ROLE_LABELS = {
    "chair": _l("RET chair"),
    "ret_member": _l("RET member"),
    "caseworker": _l("Caseworker"),
    "provider_member": _l("Collective member (provider)"),
    "network_liaison": _l("Network liaison"),
    "analyst": _l("Policy analyst"),
    "admin": _l("Functional administrator"),
}

ORGANISATION_KIND_LABELS = {
    "access_team": _l("Access team"),
    "certified_institution": _l("Certified institution"),
    "provider": _l("Provider"),
    "ret": _l("Regional Expert Team"),
    "network": _l("Supra-regional network"),
    "management": _l("Management and policy"),
}


CARE_TYPE_LABELS = {
    "ambulatory": _l("Ambulatory youth care"),
    "day_treatment": _l("Day treatment"),
    "family_home": _l("Family-style group home (gezinshuis)"),
    "foster_care": _l("Foster care"),
    "residential": _l("Residential youth care"),
    "secure_residential": _l("Secure residential youth care"),
    "crisis": _l("Crisis care"),
    "youth_mental_health": _l("Youth mental health care"),
    "intellectual_disability": _l("Care for intellectual disability (LVB)"),
    "education_care": _l("Education-care arrangement"),
    "custom_arrangement": _l("Custom arrangement"),
}


AUDIT_ACTION_LABELS = {
    "create": _l("create"),
    "read": _l("read"),
    "update": _l("update"),
    "delete": _l("delete"),
    "export": _l("export"),
    "print": _l("print"),
    "search": _l("search"),
    "login": _l("sign in"),
    "logout": _l("sign out"),
    "2fa": _l("second factor"),
    "activate": _l("activation"),
    "password": _l("password"),
    "session": _l("session"),
}

AUDIT_OUTCOME_LABELS = {
    "allowed": _l("allowed"),
    "denied": _l("denied"),
    "failed": _l("failed"),
}


CASE_STATUS_LABELS = {
    "concept": _l("Concept"),
    "submitted": _l("Submitted"),
    "intake": _l("Intake"),
    "screening": _l("Screening"),
    "process_direction": _l("Process direction"),
    "monitoring": _l("Monitoring"),
    "closed": _l("Closed"),
    "returned_with_advice": _l("Returned with advice"),
    "paused": _l("Paused"),
}


def nav_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    # An item whose route is not registered (a capability being built) is left out, not broken.
    shown = [item for item in NAVIGATION if can(item.permission) and item.endpoint in current_app.view_functions]
    # One current item: the longest matching prefix ("meetings.followup" over "meetings.").
    matching = [item for item in shown if endpoint.startswith(item.prefix)]
    current = max(matching, key=lambda item: len(item.prefix)) if matching else None
    return [{"endpoint": item.endpoint, "label": item.label, "current": item is current} for item in shown]


def wants_fragment() -> bool:
    """An htmx request that swaps part of a page: answer with the fragment, not the whole page.
    Boosted requests replace the whole body, so they get the page."""
    from ret_app.extensions import htmx

    return bool(htmx) and not htmx.boosted


def render_page_or_fragment(page: str, fragment: str, **context) -> str:
    """The partial next to its page for an htmx swap, the page otherwise (Vary: HX-Request is set
    on every response in security.py)."""
    from flask import render_template

    return render_template(fragment if wants_fragment() else page, **context)


def local_datetime(value: Optional[datetime], fmt: str = "d MMM yyyy HH:mm") -> str:
    return format_datetime(value, fmt) if value else "—"


def local_date(value: Optional[date], fmt: str = "d MMMM yyyy") -> str:
    return format_date(value, fmt) if value else "—"


def euro(value) -> str:
    if value is None:
        return "—"
    whole = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€\u00a0{whole}"


def _track_labels():
    from ret_app.cases.forms import TRACK_LABELS

    return TRACK_LABELS


def _urgency_labels():
    from ret_app.cases.forms import URGENCY_LABELS

    return URGENCY_LABELS


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.filters["date"] = local_date
    app.jinja_env.filters["euro"] = euro
    app.jinja_env.filters["role_label"] = lambda role: ROLE_LABELS.get(role, role)
    app.jinja_env.filters["care_type_label"] = lambda code: CARE_TYPE_LABELS.get(code, code)
    app.jinja_env.filters["audit_action_label"] = lambda code: AUDIT_ACTION_LABELS.get(code, code)
    app.jinja_env.filters["audit_outcome_label"] = lambda code: AUDIT_OUTCOME_LABELS.get(code, code)
    app.jinja_env.filters["status_label"] = lambda code: CASE_STATUS_LABELS.get(code, code)
    app.jinja_env.filters["track_label"] = lambda code: _track_labels().get(code, code or "—")
    app.jinja_env.filters["urgency_label"] = lambda code: _urgency_labels().get(code, code)
    app.jinja_env.filters["org_kind_label"] = lambda kind: ORGANISATION_KIND_LABELS.get(kind, kind)

    @app.context_processor
    def inject_helpers():
        return {
            "nav_items": nav_items,
            "can": can,
            "Permission": Permission,
            "languages": app.config["LANGUAGES"],
            "get_locale": get_locale,
        }
