"""Extension points: what a capability registers instead of editing a central list.

Each capability package (referrals, screening, meetings, ...) builds one `Capability` in its
`__init__.py` and declares there its blueprints, navigation entries, case-page panels, start-page
cards, timeline labels, the words of its audit details, template filters and the expected access of
its routes. The application
lists the capability packages once (`ret_app/capabilities.py`) and installs each; pages ask the
`Registry` of the running app what to show.

Panels and cards are built before the template renders (their `build` function does the queries
and returns the template's context, or None to show nothing), so no template queries while it
renders and a page's query count does not depend on what other packages add.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from flask import Blueprint, Flask, current_app

PUBLIC = "public"  # expected access of a route that needs no sign-in
TOKEN = "token"  # expected access of a route of the monitor API: a bearer token, never a sign-in


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    permission: Any  # a policy Permission: who sees the entry
    prefix: str  # the entry is highlighted on every page whose endpoint starts with this
    order: int = 100


@dataclass(frozen=True)
class Panel:
    """A section of the case page: `build(case, user)` -> the template's context, or None."""

    name: str
    template: str
    build: Callable[[Any, Any], Optional[dict]]
    # "header": the case header; "work": after the next steps; "details": after the referral and consent;
    # "intake": the chair's intake decision page, before the decision
    slot: str = "work"
    order: int = 100


@dataclass(frozen=True)
class Card:
    """A card (or, in slot "alerts", a warning) on the start page: `build(user)` -> context or None."""

    name: str
    template: str
    build: Callable[[Any], Optional[dict]]
    slot: str = "cards"
    order: int = 100


@dataclass
class Capability:
    name: str
    blueprints: list[tuple[Blueprint, Optional[str]]] = field(default_factory=list)
    nav_items: list[NavItem] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    timeline: dict[str, Any] = field(default_factory=dict)
    audit: dict[str, dict[str, Any]] = field(default_factory=dict)
    audit_names: dict[str, Any] = field(default_factory=dict)
    access: dict[str, Any] = field(default_factory=dict)
    filters: dict[str, Callable] = field(default_factory=dict)
    globals: dict[str, Any] = field(default_factory=dict)
    setup: list[Callable[[Flask], None]] = field(default_factory=list)

    def blueprint(self, bp: Blueprint, url_prefix: Optional[str] = None) -> "Capability":
        self.blueprints.append((bp, url_prefix))
        return self

    def nav(self, endpoint: str, label: Any, permission: Any, prefix: str, order: int = 100) -> "Capability":
        self.nav_items.append(NavItem(endpoint, label, permission, prefix, order))
        return self

    def case_panel(self, name: str, template: str, build: Callable, *, slot: str = "work",
                   order: int = 100) -> "Capability":
        self.panels.append(Panel(name, template, build, slot, order))
        return self

    def start_card(self, name: str, template: str, build: Callable, *, slot: str = "cards",
                   order: int = 100) -> "Capability":
        self.cards.append(Card(name, template, build, slot, order))
        return self

    def timeline_labels(self, labels: Mapping[str, Any]) -> "Capability":
        self.timeline.update(labels)
        return self

    def audit_words(self, words: Mapping[str, Mapping[str, Any]], names: Mapping[str, Any]) -> "Capability":
        """How the audit search reads the details this capability writes (ret_app/audit_words.py):
        object type ("" for every type) -> {token: words, key: audit_words.Key}; and the names of
        the object types it writes."""
        for object_type, table in words.items():
            self.audit.setdefault(object_type, {}).update(table)
        self.audit_names.update(names)
        return self

    def expected_access(self, table: Mapping[str, Any]) -> "Capability":
        """endpoint -> PUBLIC, TOKEN or the set of role codes that may use it, written out by hand: the
        access-matrix test compares it with the policy's declarations and with every route."""
        self.access.update(table)
        return self

    def template_filter(self, name: str, fn: Callable) -> "Capability":
        self.filters[name] = fn
        return self

    def template_global(self, name: str, value: Any) -> "Capability":
        self.globals[name] = value
        return self

    def on_install(self, fn: Callable[[Flask], None]) -> Callable[[Flask], None]:
        self.setup.append(fn)
        return fn


class Registry:
    """What the installed capabilities registered, for one app."""

    def __init__(self) -> None:
        self.capabilities: list[Capability] = []
        # Values built once from the registrations by the modules that use them (the audit vocabulary).
        self.derived: dict[str, Any] = {}

    def install(self, app: Flask, capability: Capability) -> None:
        if any(c.name == capability.name for c in self.capabilities):
            raise ValueError(f"capability {capability.name} installed twice")
        for bp, prefix in capability.blueprints:
            app.register_blueprint(bp, url_prefix=prefix)
        app.jinja_env.filters.update(capability.filters)
        app.jinja_env.globals.update(capability.globals)
        for fn in capability.setup:
            fn(app)
        self.capabilities.append(capability)

    def navigation(self) -> list[NavItem]:
        items = [item for c in self.capabilities for item in c.nav_items]
        return sorted(items, key=lambda item: item.order)

    def panels(self, slot: str) -> list[Panel]:
        return sorted((p for c in self.capabilities for p in c.panels if p.slot == slot), key=lambda p: p.order)

    def cards(self, slot: str) -> list[Card]:
        return sorted((k for c in self.capabilities for k in c.cards if k.slot == slot), key=lambda k: k.order)

    def timeline_labels(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for c in self.capabilities:
            merged.update(c.timeline)
        return merged

    def audit_words(self) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
        """(object type -> words, object type -> name), merged over the capabilities."""
        words: dict[str, dict[str, Any]] = {}
        names: dict[str, Any] = {}
        for c in self.capabilities:
            for object_type, table in c.audit.items():
                words.setdefault(object_type, {}).update(table)
            names.update(c.audit_names)
        return words, names

    def expected_access(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for c in self.capabilities:
            for endpoint, expected in c.access.items():
                if endpoint in merged:
                    raise ValueError(f"{endpoint}: expected access declared twice")
                merged[endpoint] = expected
        return merged


@dataclass(frozen=True)
class Shown:
    """A panel or card ready to render: its template with the context its build returned."""

    name: str
    template: str
    context: dict


def registry(app: Optional[Flask] = None) -> Registry:
    return (app or current_app).extensions["ret_registry"]


def build_panels(slot: str, case: Any, user: Any) -> list[Shown]:
    shown = []
    for panel in registry().panels(slot):
        context = panel.build(case, user)
        if context is not None:
            shown.append(Shown(panel.name, panel.template, context))
    return shown


def build_cards(slot: str, user: Any) -> list[Shown]:
    shown = []
    for card in registry().cards(slot):
        context = card.build(user)
        if context is not None:
            shown.append(Shown(card.name, card.template, context))
    return shown
