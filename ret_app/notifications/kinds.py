"""The kinds of notification: registered by whoever raises them, with the words the list and the
e-mail show and the delivery a user gets until they choose otherwise.

A `locked` kind (a credential change) always goes by e-mail at once: the user cannot turn it off
(ASVS V2.2.3: notify on credential change)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from ret_app.models import Delivery

DELIVERY_LABELS = {
    Delivery.APP.value: _l("In the app only"),
    Delivery.MAIL_NOW.value: _l("Also by e-mail, at once"),
    Delivery.DIGEST.value: _l("Also by e-mail, in a daily summary"),
}


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any  # what the list and the e-mail say: words without personal data
    default: str
    locked: bool = False
    order: int = 100


_KINDS: dict[str, Kind] = {}


def register_kind(kind: str, label: Any, default: str = Delivery.APP.value, *, locked: bool = False,
                  order: int = 100) -> Kind:
    """Register a kind (once; registering the same again is harmless). `default`: "app",
    "mail_now" or "digest"."""
    if default not in DELIVERY_LABELS:
        raise ValueError(f"unknown delivery {default!r}")
    if len(kind) > 40:
        raise ValueError("a kind's code has at most 40 characters")
    registered = Kind(kind, label, default, locked, order)
    _KINDS[kind] = registered
    return registered


def get(kind: str) -> Kind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise ValueError(f"notification kind {kind!r} is not registered") from None


def label(kind: str) -> Any:
    found = _KINDS.get(kind)
    return found.label if found is not None else kind


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.code))


def choosable() -> list[Kind]:
    """The kinds a user chooses the delivery of (the locked ones always come by e-mail)."""
    return [k for k in all_kinds() if not k.locked]


# What a notification is about, told at the moment the list is shown (a notification row stores no
# more than its link): a capability registers, for the links of its pages, one function that
# describes many targets at once for one user — (user, ids) -> {id: words} — with only what that
# user may see now (a target no longer visible to them is left out, and the line shows the kind only).
@dataclass(frozen=True)
class About:
    pattern: Any  # a compiled regular expression with one group: the target's id in the link
    describe: Any


_ABOUTS: list[About] = []


def register_about(pattern: str, describe) -> None:
    compiled = re.compile(pattern)
    if any(a.pattern.pattern == compiled.pattern for a in _ABOUTS):
        return
    _ABOUTS.append(About(compiled, describe))


def abouts() -> list[About]:
    return list(_ABOUTS)
